"""Private files: written whole, 0600 from the start, never through a planted link; a
folder another user owns or may write is refused with the fix."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from logwatch.errors import StateError
from logwatch.privatefiles import (
    check_private_dir,
    create_new,
    dir_problem,
    write_private,
)

VICTIM = b"the victim's own text\n"
LINKS = pytest.mark.skipif(
    sys.platform == "win32", reason="a symbolic link needs a privilege on Windows"
)
POSIX_MODES = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX owners and modes"
)


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    victim.chmod(0o644)
    return victim


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "secrets.env"
    write_private(path, b"A='1'\n")
    write_private(path, b"A='2'\n")
    assert path.read_bytes() == b"A='2'\n"
    assert [p.name for p in path.parent.iterdir()] == ["secrets.env"]


@POSIX_MODES
def test_a_written_file_is_0600_even_under_a_lax_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_private(tmp_path / "c.yaml", b"language: en\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "c.yaml").stat().st_mode) == 0o600


@LINKS
@pytest.mark.parametrize("planted", ["secrets.env", "secrets.env.tmp"])
def test_a_link_planted_at_any_name_is_never_written_through(
    tmp_path: Path, planted: str
) -> None:
    """A link at the target is replaced by the file; one at a temporary name the old
    code used is left alone (the new names are random and created exclusively)."""
    victim = _victim(tmp_path)
    (tmp_path / planted).symlink_to(victim)
    write_private(tmp_path / "secrets.env", b"TOKEN='x'\n")
    assert victim.read_bytes() == VICTIM
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    written = tmp_path / "secrets.env"
    assert stat.S_ISREG(written.lstat().st_mode)
    assert written.read_bytes() == b"TOKEN='x'\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"old\n")

    def refuse(self: Path, target: Path) -> Path:
        raise PermissionError(13, "held by another process")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(PermissionError):
        write_private(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


@LINKS
def test_create_new_leaves_what_is_there_even_a_link(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    (tmp_path / "reload.request").symlink_to(victim)
    assert not create_new(tmp_path / "reload.request", b"reload\n")
    assert victim.read_bytes() == VICTIM
    (tmp_path / "reload.request").unlink()
    assert create_new(tmp_path / "reload.request", b"reload\n")
    assert (tmp_path / "reload.request").read_bytes() == b"reload\n"


@pytest.mark.parametrize(
    ("uid", "mode", "problem"),
    [
        (1000, 0o40700, None),
        (1000, 0o40755, None),
        (1000, 0o40500, None),
        (1001, 0o40700, "it belongs to uid 1001, not to this user (uid 1000)"),
        (0, 0o40700, "it belongs to uid 0, not to this user (uid 1000)"),
        (1000, 0o40775, "others can write it (mode 775)"),
        (1000, 0o40720, "others can write it (mode 720)"),
        (1000, 0o40702, "others can write it (mode 702)"),
        (1000, 0o41777, "others can write it (mode 1777)"),
    ],
)
def test_what_makes_a_folder_unsafe(uid: int, mode: int, problem: str | None) -> None:
    """Pure, so it is checked on every platform (Windows itself checks nothing)."""
    assert dir_problem(uid, mode, 1000) == problem


@POSIX_MODES
def test_a_missing_folder_is_made_private_and_passes(tmp_path: Path) -> None:
    check_private_dir(tmp_path / "a" / "state")
    assert stat.S_IMODE((tmp_path / "a" / "state").stat().st_mode) == 0o700


@POSIX_MODES
def test_a_folder_others_can_write_is_refused_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(StateError) as caught:
        check_private_dir(folder)
    message = caught.value.format_message()
    assert message.startswith(f"{folder}: refusing this state folder: others can")
    assert f"chmod go-w {folder}" in message


@POSIX_MODES
def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
        pytest.skip("giving a folder to another user needs root")
    folder = tmp_path / "state"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)  # type: ignore[attr-defined,unused-ignore]
    with pytest.raises(StateError, match="it belongs to uid 65534, not to this user"):
        check_private_dir(folder)


def test_a_folder_that_cannot_be_made_is_a_state_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StateError, match="cannot create"):
        check_private_dir(tmp_path / "file" / "state")
