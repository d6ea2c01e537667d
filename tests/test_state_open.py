"""Opening the state file the way Windows allows: a damaged file is closed before it
is moved aside, one that cannot be moved is reported and left, a network drive is
refused. Windows' sharing rules are simulated on Linux (see ``windows_rename``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import logwatch.state
from logwatch.errors import StateError
from logwatch.model import FileState
from logwatch.state import State
from tests.fakes import FakeClock

GARBAGE = b"\x00" * 8192  # "file is not a database"


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
    state.commit(files=[FileState("f", b"h", 1, "/x.log", 5, b"m", 1, 0.0)])
    state.close()
    again = State(state.path, FakeClock())
    assert [f.offset for f in again.files()] == [5]
    again.close()


def test_a_state_dir_on_a_network_drive_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated: the drive detection itself is tested in test_drives."""
    seen: list[Path] = []

    def network(path: Path) -> bool:
        seen.append(path)
        return True

    monkeypatch.setattr(logwatch.state, "on_network_drive", network)
    with pytest.raises(StateError, match=r"network drive.*local disk"):
        State(tmp_path / "state.db", FakeClock())
    assert seen == [tmp_path]
    assert not (tmp_path / "state.db").exists()
