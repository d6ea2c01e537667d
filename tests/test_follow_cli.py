"""``logwatch scan --follow`` as a real process: signals, kill -9 and restarts."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from tests import processes
from tests.conftest import wait_until
from tests.follow_harness import FollowProcess, line, write

# every test here stops a `scan --follow` by a signal, which is a console event on Windows
pytestmark = processes.needs_console_events


def follow(tmp_path: Path, seen: list[int], *extra: str) -> FollowProcess:
    """``logwatch scan --follow`` on ``app.log*``; the numbers of the lines it prints
    go to ``seen``."""
    return FollowProcess(
        tmp_path,
        [str(tmp_path / "app.log*")],
        lambda hit: seen.append(int(hit["captures"]["n"])),
        *extra,
    )


def saved_to_end(db: Path, log: Path) -> bool:
    """Whether the follower's state holds ``log`` as read to its end (each step saves
    after it prints: a kill before that save prints the step's lines again)."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT offset FROM files WHERE path = ?", (str(log),))
        return any(offset == log.stat().st_size for (offset,) in rows)
    except sqlite3.OperationalError:  # not made yet
        return False
    finally:
        conn.close()


def test_sigterm_commits_and_exits_0_within_2_s(tmp_path: Path) -> None:
    seen: list[int] = []
    proc = follow(tmp_path, seen, "--state", str(tmp_path / "state.db"))
    write(tmp_path / "app.log", line(0) + line(1))
    wait_until(lambda: len(seen) == 2, 10, "both lines to be reported")
    assert proc.stop() == 0
    assert seen == [0, 1]
    stderr = []
    while not proc.stderr.empty():
        stderr.append(proc.stderr.get())
    assert any("stopped; 2 hits" in x for x in stderr)


def test_kill_9_while_a_writer_rotates_skips_nothing(tmp_path: Path) -> None:
    """kill -9 mid-stream, twice, while the writer renames its file: every line is
    printed at least once (a line printed just before a kill may come again)."""
    seen: list[int] = []
    before_kills: set[int] = set()
    state = ("--state", str(tmp_path / "state.db"))
    log = tmp_path / "app.log"
    number = 0

    generation = 0

    def burst(count: int, rotate_every: int) -> None:
        nonlocal number, generation
        for _ in range(count):
            write(
                log,
                line(number, "журнал")
                if number % 3
                else line(number).replace(b"\n", b"\r\n"),
            )
            number += 1
            if number % rotate_every == 0:
                # every generation keeps its own name: nothing is ever destroyed, so a
                # missing line can only be one logwatch skipped
                generation += 1
                log.rename(tmp_path / f"app.log.{generation:04d}")

    proc = follow(tmp_path, seen, *state)
    for _ in range(2):
        burst(300, 70)
        wait_until(lambda: len(seen) >= number - 100, 20, "logwatch to catch up partly")
        assert proc.kill() == processes.KILLED
        before_kills.update(seen)
        burst(150, 40)  # written while logwatch is dead, rotations included
        proc = follow(tmp_path, seen, *state)
    burst(200, 50)
    wait_until(
        lambda: set(range(number)) <= set(seen),
        60,
        lambda: f"every line (missing: {sorted(set(range(number)) - set(seen))[:20]})",
    )
    assert proc.stop() == 0
    assert set(seen) == set(range(number))
    repeated = {n for n in seen if seen.count(n) > 1}
    assert (
        repeated <= before_kills
    )  # only what a killed process had printed comes again


def test_without_state_following_starts_at_the_end(tmp_path: Path) -> None:
    write(tmp_path / "app.log", line(0))
    seen: list[int] = []
    proc = follow(tmp_path, seen)
    write(tmp_path / "app.log", line(1))
    wait_until(lambda: seen == [1], 10, "the new line")
    assert proc.interrupt() == 0
    assert (tmp_path / "app.log").exists()


def test_killed_while_its_file_is_copied_and_cut_no_generation_is_read_twice(
    tmp_path: Path,
) -> None:
    """Issue 18: killed while a log was being rotated (copied aside, cut, the copy then
    renamed into place), the restarted follower read the rotated copy again from its
    start. The file ends in a partial line when it is cut: flushed then, it moved the
    saved offset after the file was closed, with the marker of the older offset."""
    seen: list[int] = []
    db = tmp_path / "state.db"
    log, aside = tmp_path / "app.log", tmp_path / "copy.tmp"
    proc = follow(tmp_path, seen, "--state", str(db))
    write(log, b"".join(line(n) for n in range(5)) + line(5)[:-1])
    wait_until(lambda: len(seen) >= 5, 10, "the whole lines")
    shutil.copyfile(log, aside)  # the rotation: a copy under a name not followed...
    os.truncate(log, 0)  # ...the file cut...
    write(log, line(6))
    wait_until(lambda: {5, 6} <= set(seen), 10, "the partial line and the new one")
    wait_until(lambda: saved_to_end(db, log), 10, "the cut file saved")
    assert proc.kill() == processes.KILLED
    aside.rename(tmp_path / "app.log.1")  # ...and the copy renamed into place
    proc = follow(tmp_path, seen, "--state", str(db))
    write(log, line(7))
    wait_until(lambda: 7 in seen, 10, "the line after the restart")
    assert proc.stop() == 0
    assert sorted(seen) == list(range(8))


def test_a_file_recreated_while_killed_with_the_same_start_is_read_with_a_warning(
    tmp_path: Path,
) -> None:
    """Deleted and recreated while logwatch was dead, with the same first KiB (a
    header) but other lines: its saved offset cannot be trusted. It is read from its
    start, and a warning says so (before, nothing was said)."""
    seen: list[int] = []
    db = tmp_path / "state.db"
    log = tmp_path / "app.log"
    header = b"# platform log, version 1.0 " + b"." * 1100 + b"\n"
    proc = follow(tmp_path, seen, "--state", str(db))
    write(log, header + b"".join(line(n) for n in range(5)))
    wait_until(lambda: len(seen) == 5, 10, "the first lines")
    wait_until(lambda: saved_to_end(db, log), 10, "the file saved")
    assert proc.kill() == processes.KILLED
    log.unlink()
    write(log, header + b"".join(line(n) for n in range(100, 110)))
    proc = follow(tmp_path, seen, "--state", str(db))
    wait_until(lambda: len(seen) == 15, 10, "the new file's lines")
    assert proc.stop() == 0
    assert sorted(seen) == [*range(5), *range(100, 110)]
    stderr = []
    while not proc.stderr.empty():
        stderr.append(proc.stderr.get())
    warned = [x for x in stderr if "offset_untrusted" in x]
    assert len(warned) == 1
    assert str(log) in warned[0]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("poll", [None, "0.05"], ids=["events", "polling"])
def test_a_folder_is_followed_at_any_depth_with_files_that_appear_later(
    tmp_path: Path, poll: str | None
) -> None:
    """Issue 21: a folder given to follow meant nothing (``not_a_file``)."""
    platform = tmp_path / "Quantower"
    (platform / "Logs" / "2026").mkdir(parents=True)
    write(platform / "Logs" / "2026" / "core.log", b"")
    seen: list[int] = []
    proc = FollowProcess(
        tmp_path,
        [str(platform)],
        lambda hit: seen.append(int(hit["captures"]["n"])),
        poll_interval=poll,
    )
    try:
        write(platform / "Logs" / "2026" / "core.log", line(1))
        wait_until(lambda: seen == [1], 30, "a line of a file two folders down")
        (platform / "Settings" / "Scripts").mkdir(parents=True)
        write(platform / "Settings" / "Scripts" / "bot.slog", line(2))
        wait_until(lambda: seen == [1, 2], 30, "a line of a file made later")
    finally:
        assert proc.stop() == 0


class ConfigFifo:
    """A config file that is a FIFO: whoever reads it waits until ``open()`` is
    called, then reads an empty config, as often as it is read."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        os.mkfifo(path)  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        self._opened = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        self._opened.wait()
        while not self._closed.is_set():
            # a reader that left without reading (close's) is no error
            with contextlib.suppress(BrokenPipeError), self.path.open("wb") as fifo:
                fifo.write(b"{}\n")  # the open waited for a reader

    def open(self) -> None:
        """Let readers read it from now on."""
        self._opened.set()

    def close(self) -> None:
        self._opened.set()
        self._closed.set()
        while self._thread.is_alive():  # a writer waiting for a reader: be one
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)  # type: ignore[attr-defined,unused-ignore]  # POSIX only
            os.close(fd)
            self._thread.join(0.1)


def holds(pid: int, inode: int) -> bool:
    """Whether process ``pid`` has the file of ``inode`` open (Linux's /proc)."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if fd.stat().st_ino == inode:
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, FIFOs")
@pytest.mark.timeout(300)
def test_a_generation_deleted_while_a_restart_starts_up_is_still_read(
    tmp_path: Path,
) -> None:
    """Issue 18 (with kills): a restarted follower spent seconds on imports, rules and
    State before it listed its files, and lost the lines of a generation rotated away
    and deleted meanwhile. Here start-up stops at its config (a FIFO) for as long as
    the test needs: the file must be open by then, and what it held read."""
    seen: list[int] = []
    db, log = tmp_path / "state.db", tmp_path / "app.log"
    proc = follow(tmp_path, seen, "--state", str(db))
    write(log, line(0) + line(1))
    wait_until(lambda: seen == [0, 1], 20, "the first lines")
    wait_until(lambda: saved_to_end(db, log), 20, "them saved")
    assert proc.kill() == processes.KILLED
    write(log, line(2) + line(3))  # while no logwatch runs
    config = ConfigFifo(tmp_path / "config.yaml")
    try:
        proc = FollowProcess(
            tmp_path,
            [str(tmp_path / "app.log*")],
            lambda hit: seen.append(int(hit["captures"]["n"])),
            "--state",
            str(db),
            env={**os.environ, "LOGWATCH_CONFIG": str(config.path)},
            wait_ready=False,
        )
        inode = log.stat().st_ino
        wait_until(
            lambda: holds(proc.proc.pid, inode),
            60,
            "the log held before start-up reads the config",
        )
        log.rename(tmp_path / "app.log.1")  # rotated away...
        (tmp_path / "app.log.1").unlink()  # ...and deleted
        config.open()
        wait_until(lambda: proc.ready.is_set(), 60, "following")
        wait_until(lambda: {2, 3} <= set(seen), 20, "the deleted generation's lines")
        assert proc.stop() == 0
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
        config.close()
    assert sorted(set(seen)) == [0, 1, 2, 3]
