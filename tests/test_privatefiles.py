"""Private files: written whole, 0600 from the start, never through a planted link; a
folder another user owns or may write is refused with the fix."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.errors import StateError
from logwatch.core.privatefiles import (
    OTHERS_ANY,
    OTHERS_WRITE,
    Exposure,
    check_private_dir,
    create_new,
    dir_problem,
    exposure,
    not_private,
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


uids = st.integers(min_value=0, max_value=2**32 - 2)
#: Any mode a file or folder can have: its type bits, setuid/setgid/sticky, rwx x 3.
modes = st.sampled_from([stat.S_IFDIR, stat.S_IFREG]).flatmap(
    lambda kind: st.integers(0, 0o7777).map(lambda bits: kind | bits)
)


@given(uid=uids, euid=uids, mode=modes)
def test_a_path_is_private_when_this_user_owns_it_and_others_lack_the_masked_bits(
    uid: int, euid: int, mode: int
) -> None:
    """The one answer both policies (refuse a state folder, tighten a cache folder)
    act on; pure, so it is checked on every platform."""
    for mask in (OTHERS_WRITE, OTHERS_ANY):
        found = exposure(uid, mode, euid, mask)
        if found is None:
            assert uid == euid
            assert not stat.S_IMODE(mode) & mask
        else:
            assert found == Exposure(owner=uid, user=euid, mode=stat.S_IMODE(mode))
            assert found.foreign == (uid != euid)
            assert found.foreign or stat.S_IMODE(mode) & mask
    # what others may write they may also read: the secret's mask is the stricter
    if exposure(uid, mode, euid, OTHERS_WRITE) is not None:
        assert exposure(uid, mode, euid, OTHERS_ANY) is not None


@pytest.mark.parametrize(
    ("mode", "mask", "private"),
    [
        (0o700, OTHERS_WRITE, True),
        (0o755, OTHERS_WRITE, True),
        (0o4755, OTHERS_WRITE, True),
        (0o1755, OTHERS_WRITE, True),
        (0o770, OTHERS_WRITE, False),
        (0o702, OTHERS_WRITE, False),
        (0o600, OTHERS_ANY, True),
        (0o640, OTHERS_ANY, False),
        (0o604, OTHERS_ANY, False),
        (0o610, OTHERS_ANY, False),
    ],
)
def test_which_bits_count_for_which_question(
    mode: int, mask: int, private: bool
) -> None:
    assert (exposure(1000, mode, 1000, mask) is None) == private


@POSIX_MODES
def test_a_real_file_is_judged_by_its_owner_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_bytes(b"k")
    path.chmod(0o600)
    assert not_private(path.stat(), OTHERS_ANY) is None
    path.chmod(0o620)
    euid = os.geteuid()  # type: ignore[attr-defined,unused-ignore]
    assert not_private(path.stat()) == Exposure(owner=euid, user=euid, mode=0o620)


@POSIX_MODES
def test_a_real_file_of_another_user_is_foreign(tmp_path: Path) -> None:
    if os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
        pytest.skip("giving a file to another user needs root")
    path = tmp_path / "key"
    path.write_bytes(b"k")
    path.chmod(0o600)
    os.chown(path, 65534, 65534)  # type: ignore[attr-defined,unused-ignore]
    found = not_private(path.stat(), OTHERS_ANY)
    assert found is not None
    assert found.foreign
    assert found.owner == 65534


def test_windows_relies_on_the_profile_and_finds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No owner or mode is read there: the per-user profile's access rules keep
    other users out (module docstring); a folder the POSIX modes call open passes."""
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setattr(sys, "platform", "win32")
    assert not_private(folder.stat(), OTHERS_ANY) is None
    check_private_dir(folder)


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
