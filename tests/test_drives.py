from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.follow.drives import (
    DRIVE_FIXED,
    DRIVE_REMOTE,
    fixed_drives,
    mount_type,
    on_network_drive,
    windows_network_path,
)

#: Drive letters as GetDriveTypeW would see them on a trader's PC: C: and D: disks,
#: E: a card reader, Z: a mapped share.
KINDS = {"C:\\": DRIVE_FIXED, "D:\\": DRIVE_FIXED, "E:\\": 2, "Z:\\": DRIVE_REMOTE}


def kind(root: str) -> int:
    return KINDS.get(root, 1)  # DRIVE_NO_ROOT_DIR


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("C:\\Users\\Трейдер\\AppData\\Local\\logwatch", False),
        ("c:/users/x/state", False),
        ("Z:\\logwatch", True),
        ("z:/logwatch", True),
        ("\\\\nas\\share\\logwatch", True),
        ("//nas/share/logwatch", True),
        ("\\\\?\\UNC\\nas\\share\\logwatch", True),
        ("\\\\?\\C:\\Users\\x", False),
        ("\\\\?\\Z:\\x", True),
        ("relative\\dir", False),
    ],
)
def test_unc_and_mapped_remote_paths_are_network_paths(
    path: str, network: bool
) -> None:
    assert windows_network_path(path, kind) is network


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
nas:/export /home/trader/nas nfs4 rw 0 0
//srv/share /mnt/my\\040share cifs rw 0 0
tmpfs /run/user/1000 tmpfs rw 0 0
C:\\134 /mnt/c 9p rw,noatime,aname=drvfs;path=C:\\;uid=1000,trans=fd 0 0
rootfs /sandbox 9p rw,trans=fd 0 0
"""


@pytest.mark.parametrize(
    ("path", "fs"),
    [
        ("/home/trader/.local/state/logwatch", "ext4"),
        ("/home/trader/nas/logwatch", "nfs4"),
        ("/home/trader/nas", "nfs4"),
        ("/home/trader/nasty", "ext4"),
        ("/mnt/my share/x", "cifs"),
        ("/run/user/1000/x", "tmpfs"),
        ("/mnt/c/Users/t", "drvfs"),
        ("/sandbox/x", "9p"),
    ],
)
def test_the_longest_mount_point_gives_the_file_system(path: str, fs: str) -> None:
    assert mount_type(path, MOUNTS) == fs


def test_a_local_temporary_directory_is_not_a_network_drive(tmp_path: Path) -> None:
    assert not on_network_drive(tmp_path)


def test_only_fixed_drives_are_probed() -> None:
    """A mapped drive that is down stalls every glob; a card reader has no logs."""
    mask = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 25)  # C D E Z
    assert fixed_drives(mask, kind) == ["C", "D"]
