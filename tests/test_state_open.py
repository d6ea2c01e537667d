"""Opening the state file the way Windows allows: a damaged file is closed before it
is moved aside, one that cannot be moved is reported and left, a network drive is
refused. Windows' sharing rules are simulated on Linux (see ``windows_rename``). And
safely: a state folder another user owns or may write, and a state file that is a
link, are refused by a real ``logwatch run``."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import logwatch.store.statefile
from logwatch.core.errors import StateError
from logwatch.core.model import FileState
from logwatch.store.state import State
from tests import daemon_run
from tests.daemon_run import Run
from tests.fakes import FakeClock

GARBAGE = b"\x00" * 8192  # "file is not a database"
#: the uid of nobody: another user who may own a folder
NOBODY = 65534


def _open_here(path: Path) -> bool:
    """Whether this process holds ``path`` open (Linux: /proc/self/fd)."""
    target = str(path.resolve())
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if str(fd.readlink()) == target:
                return True
        except OSError:
            continue
    return False


@pytest.fixture(name="windows_rename")
def _windows_rename(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """``Path.replace`` as on Windows for a file SQLite opened: it fails with WinError
    32 while any handle is open, since SQLite opens files without FILE_SHARE_DELETE
    (os_win.c ``winOpen``). Returns the paths whose rename was refused."""
    refused: list[Path] = []
    real: Callable[[Path, Path], Path] = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if _open_here(self):
            refused.append(self)
            raise PermissionError(
                13,
                "The process cannot access the file because it is being used by "
                "another process (WinError 32)",
                str(self),
            )
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    return refused


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_damaged_file_is_closed_before_it_is_moved_aside(
    tmp_path: Path, windows_rename: list[Path]
) -> None:
    """Simulated Windows. Before: the failed connection was still open, the rename
    raised WinError 32 and every start died with a traceback."""
    (tmp_path / "state.db").write_bytes(GARBAGE)
    state = State(tmp_path / "state.db", FakeClock())
    assert windows_rename == []
    assert state.moved_aside is not None
    assert state.moved_aside[0].read_bytes() == GARBAGE
    assert "not a database" in state.moved_aside[1]
    assert state.path == tmp_path / "state.db"
    state.close()


def test_a_file_that_cannot_be_moved_is_reported_and_a_fresh_state_starts_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated Windows: another process (a backup, an antivirus) holds the file, so
    every rename fails. Before: an uncaught PermissionError at every start."""

    def held(self: Path, target: Path) -> Path:
        raise PermissionError(13, "being used by another process (WinError 32)")

    monkeypatch.setattr(Path, "replace", held)
    (tmp_path / "state.db").write_bytes(GARBAGE)
    state = State(tmp_path / "state.db", FakeClock())
    assert state.moved_aside is None
    assert state.unmovable is not None
    old, why, error = state.unmovable
    assert old == tmp_path / "state.db"
    assert "not a database" in why
    assert "cannot move aside" in error
    assert "WinError 32" in error
    assert state.path.parent == tmp_path
    assert state.path != old
    assert old.read_bytes() == GARBAGE  # left alone
    state.commit(
        files=[
            FileState(
                id="f",
                fp_hash=b"h",
                fp_n=1,
                path="/x.log",
                offset=5,
                marker=b"m",
                line=1,
                last_seen=0.0,
            )
        ]
    )
    state.close()
    again = State(state.path, FakeClock())
    assert [f.offset for f in again.offsets.files()] == [5]
    again.close()


def test_a_state_dir_on_a_network_drive_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated: the drive detection itself is tested in test_drives."""
    seen: list[Path] = []

    def network(path: Path) -> bool:
        seen.append(path)
        return True

    monkeypatch.setattr(logwatch.store.statefile, "on_network_drive", network)
    with pytest.raises(StateError, match=r"network drive.*local disk"):
        State(tmp_path / "state.db", FakeClock())
    assert seen == [tmp_path]
    assert not (tmp_path / "state.db").exists()


def test_a_state_folder_that_cannot_be_made_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    monkeypatch.setattr(logwatch.store.statefile, "on_network_drive", seen.append)
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StateError) as caught:
        State(tmp_path / "file" / "state" / "state.db", FakeClock())
    assert caught.value.format_message().startswith(
        f"{tmp_path / 'file' / 'state'}: cannot create: "
    )
    assert seen == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_network_drive_is_named_before_its_modes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shares often show every folder 0777: the useful message is the drive's."""
    monkeypatch.setattr(logwatch.store.statefile, "on_network_drive", lambda path: True)
    tmp_path.chmod(0o777)
    with pytest.raises(StateError, match=r"network drive.*local disk"):
        State(tmp_path / "state.db", FakeClock())


# -- a state folder others could plant links in (issue 18, item 10) ------------------

#: a victim's own file, which no planted link may get logwatch to write
VICTIM = "the victim's own text\n"
POSIX_ONLY = pytest.mark.skipif(
    sys.platform == "win32",
    reason="POSIX owners and modes; Windows folders are guarded by their access rules",
)


def _start(tmp_path: Path, state: Path) -> subprocess.CompletedProcess[str]:
    """``logwatch run`` on ``state`` as a real process: it must stop at once."""
    (tmp_path / "logs").mkdir(exist_ok=True)
    (tmp_path / "config.yaml").write_text(
        f"language: en\nstate_dir: {state}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    # a daemon that is not refused runs until this timeout ends it: the test fails
    return daemon_run.logwatch(
        "run", "--config", str(tmp_path / "config.yaml"), env=env
    )


def _plant(state: Path, name: str, victim: Path) -> None:
    victim.write_text(VICTIM, encoding="utf-8")
    (state / name).symlink_to(victim)


@pytest.mark.timeout(300)
@POSIX_ONLY
def test_run_refuses_a_state_folder_of_another_user(tmp_path: Path) -> None:
    """Before: the daemon wrote its pid through a ``state.db.pid`` link the folder's
    owner had planted (as root, into any file)."""
    if os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
        pytest.skip("giving a folder to another user needs root")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    _plant(state, "state.db.pid", tmp_path / "victim")
    os.chown(state, NOBODY, NOBODY)  # type: ignore[attr-defined,unused-ignore]
    done = _start(tmp_path, state)
    assert done.returncode == 2, done.stderr
    assert f"{state}: refusing this state folder: it belongs to uid {NOBODY}" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert (tmp_path / "victim").read_text(encoding="utf-8") == VICTIM
    assert sorted(p.name for p in state.iterdir()) == ["state.db.pid"]


@pytest.mark.timeout(300)
@POSIX_ONLY
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o775, 0o730, 0o702], ids=oct)
def test_run_refuses_a_state_folder_others_can_write(tmp_path: Path, mode: int) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(mode)
    _plant(state, "state.db.pid", tmp_path / "victim")
    done = _start(tmp_path, state)
    assert done.returncode == 2, done.stderr
    assert f"others can write it (mode {mode:o})" in done.stderr
    assert f"chmod go-w {state}" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "victim").read_text(encoding="utf-8") == VICTIM


@pytest.mark.timeout(300)
@POSIX_ONLY
def test_a_state_file_that_is_a_link_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    """Before: SQLite opened the link's target, another program's database, and the
    daemon added its tables to it (and made it 0600)."""
    victim = tmp_path / "other-program.sqlite"
    conn = sqlite3.connect(victim)
    conn.execute("CREATE TABLE theirs (x)")
    conn.commit()
    conn.close()
    victim.chmod(0o644)
    before = victim.read_bytes()
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "state.db").symlink_to(victim)
    done = _start(tmp_path, state)
    assert done.returncode == 1, done.stderr
    assert f"{state / 'state.db'}: a link, not a file" in done.stderr
    assert "Traceback" not in done.stderr
    assert victim.read_bytes() == before
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644


@pytest.mark.timeout(300)
@POSIX_ONLY
def test_a_state_folder_the_config_names_is_made_private_under_a_shared_umask(
    tmp_path: Path,
) -> None:
    """Under umask 002 (common for desktop users) the config's new state_dir was made
    0775, and then refused as writable by others."""
    state = tmp_path / "new" / "state"
    config = (
        f"state_dir: {state}\nsources:\n  - name: bot\n"
        f"    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n"
    )
    (tmp_path / "logs").mkdir()
    run = Run(tmp_path, config, umask=0o002)
    assert run.stop() == 0
    assert stat.S_IMODE(state.stat().st_mode) == 0o700


@pytest.mark.timeout(300)
@POSIX_ONLY
def test_status_writes_nothing_through_links_in_a_state_folder(tmp_path: Path) -> None:
    """``status`` only reads: it is not refused (an admin may look at a service's
    state), and the lock it probes is opened without following a link."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    _plant(state, "state.db.pid", tmp_path / "victim")
    (state / "state.db.lock").symlink_to(tmp_path / "victim")
    if os.geteuid() == 0:  # type: ignore[attr-defined,unused-ignore]
        os.chown(state, NOBODY, NOBODY)  # type: ignore[attr-defined,unused-ignore]
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = daemon_run.logwatch("status", env={**env, "LOGWATCH_STATE_DIR": str(state)})
    assert done.returncode == 0, done.stderr
    assert "daemon: not running" in done.stdout
    assert (tmp_path / "victim").read_text(encoding="utf-8") == VICTIM
