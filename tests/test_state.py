"""State: private files, a full disk that fails a commit cleanly, and a state file
deleted or replaced under a running daemon (written again from the open database)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from logwatch.core.errors import StateError
from logwatch.core.model import FileState
from logwatch.store.state import State
from tests import processes
from tests.disk import fill_up
from tests.fakes import FakeClock
from tests.processes import needs_delete_while_open


def entry(offset: int, eid: str = "f1") -> FileState:
    return FileState(
        id=eid,
        fp_hash=b"h",
        fp_n=1,
        path="/logs/a.log",
        offset=offset,
        marker=b"m",
        line=1 + offset,
        last_seen=0.0,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_state_file_and_its_dir_are_created_private(tmp_path: Path) -> None:
    """It holds log lines; it was created 0644 (issue 11)."""
    state = State(tmp_path / "st" / "state.db", FakeClock())
    state.commit(files=[entry(10)])
    assert (tmp_path / "st").stat().st_mode & 0o777 == 0o700
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        assert (tmp_path / "st" / name).stat().st_mode & 0o777 == 0o600, name
    state.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_state_file_made_0644_by_an_older_version_is_made_private(
    tmp_path: Path,
) -> None:
    State(tmp_path / "state.db", FakeClock()).close()
    (tmp_path / "state.db").chmod(0o644)
    State(tmp_path / "state.db", FakeClock()).close()
    assert (tmp_path / "state.db").stat().st_mode & 0o777 == 0o600


def test_a_full_disk_fails_the_commit_cleanly_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    """It raised 'cannot rollback - no transaction is active' and the daemon died."""
    state = State(tmp_path / "state.db", FakeClock())
    state.commit(files=[entry(1)])
    fill_up(state)
    big = [entry(2, f"f{i:05d}") for i in range(2000)]
    with pytest.raises(StateError, match="database or disk is full"):
        state.commit(files=big)
    assert [f.offset for f in state.offsets.files()] == [1]  # nothing of it was written
    state.file.conn.execute("PRAGMA max_page_count=1073741823")
    state.commit(files=big)
    assert len(state.offsets.files()) == 2001
    state.close()


#: Opens a State, commits offset 7 and says so, then waits to be killed.
COMMIT_THEN_WAIT = """
import sys
from pathlib import Path
from logwatch.core.clock import SystemClock
from logwatch.core.model import FileState
from logwatch.store.state import State

state = State(Path(sys.argv[1]), SystemClock())
state.commit(
    files=[
        FileState(
            id="f1", fp_hash=b"h", fp_n=1, path="/logs/a.log", offset=7, marker=b"m",
            line=8, last_seen=0.0,
        )
    ]
)
print("saved", flush=True)
sys.stdin.read()
"""


def test_a_commit_survives_a_kill_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """WAL with synchronous=NORMAL: a commit is in the log when it returns, so a kill
    of the process keeps it; the disk is synced at checkpoints, not at every commit
    (issue 23: one fsync per read was most of following's CPU)."""
    path = tmp_path / "state.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMIT_THEN_WAIT, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "saved\n"
    processes.kill(proc)
    assert proc.wait(timeout=30) == processes.KILLED
    proc.stdout.close()
    assert proc.stdin is not None
    proc.stdin.close()
    state = State(path, FakeClock())
    assert [f.offset for f in state.offsets.files()] == [7]
    assert state.file.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert state.file.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    state.close()


@needs_delete_while_open
def test_a_deleted_state_file_is_written_again_at_the_next_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    state = State(path, FakeClock())
    state.commit(files=[entry(5)])
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    state.commit(files=[entry(9, "f2")])
    assert state.recreated == "deleted"
    state.close()
    again = State(path, FakeClock())
    assert not again.fresh
    assert sorted((f.id, f.offset) for f in again.offsets.files()) == [
        ("f1", 5),
        ("f2", 9),
    ]
    again.close()


@needs_delete_while_open
def test_a_replaced_state_file_is_moved_aside_and_written_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    state = State(path, FakeClock())
    state.commit(files=[entry(5)])
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (y)")
    conn.commit()
    conn.close()
    other.replace(path)
    state.commit(files=[entry(9, "f2")])
    assert state.recreated == "replaced by another file"
    assert list(tmp_path.glob("state.db.replaced-*"))
    state.close()
    again = State(path, FakeClock())
    assert sorted((f.id, f.offset) for f in again.offsets.files()) == [
        ("f1", 5),
        ("f2", 9),
    ]
    again.close()


def test_followed_patterns_are_kept_until_a_week_unfollowed(tmp_path: Path) -> None:
    """Which patterns were followed decides where their files start (issue 18); one
    not followed for a week is forgotten, as its files' entries are."""
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    state.commit(followed=["/a/*.log", "/b/*.log"])
    clock.advance(6 * 24 * 3600)
    state.commit(followed=["/a/*.log"])
    state.close()
    clock.advance(2 * 24 * 3600)
    again = State(tmp_path / "state.db", clock)
    assert again.offsets.followed() == {"/a/*.log", "/b/*.log"}
    again.expire()
    assert again.offsets.followed() == {"/a/*.log"}
    again.close()


def test_a_failed_read_of_the_phones_mutes_is_a_state_error(tmp_path: Path) -> None:
    """The follower reads the phone's mutes just before it saves alerts, and keeps
    running on a StateError (said once, saved again later): an SQLite error of that
    read must be one, not an exception that ends the daemon."""
    state = State(tmp_path / "state.db", FakeClock())
    state.mutes.set("all", 2e9, "phone")
    assert list(state.mutes.active(1e9)) == ["all"]
    state.file.conn.close()  # as a disk that fails under it would
    with pytest.raises(StateError, match="mutes"):
        state.mutes.active(1e9)
