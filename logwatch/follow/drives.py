"""What kind of drive a path is on: network drives hold no state, only fixed drives
are searched for platform folders.

The Win32 calls sit behind ``drive_type`` and ``logical_drives``; everything else here
is pure and takes them as arguments, so it is tested on any platform.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

# GetDriveTypeW's results (learn.microsoft.com/windows/win32/api/fileapi/
# nf-fileapi-getdrivetypew)
DRIVE_FIXED = 3
DRIVE_REMOTE = 4
#: Linux file systems that are another machine's disk (or behave like one for SQLite).
#: WSL's Windows drives (9p with ``aname=drvfs``) are one too; other 9p mounts (some
#: sandboxes' root) are not named here.
NETWORK_FS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "fuse.sshfs", "ceph"}
)


def drive_type(root: str) -> int:  # pragma: no cover - Windows only
    """GetDriveTypeW of a root such as ``C:\\``."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    kernel32.GetDriveTypeW.argtypes = [ctypes.c_wchar_p]
    kernel32.GetDriveTypeW.restype = ctypes.c_uint
    return int(kernel32.GetDriveTypeW(root))


def logical_drives() -> int:  # pragma: no cover - Windows only
    """GetLogicalDrives: bit 0 is A:, bit 2 is C:..."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    kernel32.GetLogicalDrives.restype = ctypes.c_uint32
    return int(kernel32.GetLogicalDrives())


def windows_network_path(path: str, kind: Callable[[str], int]) -> bool:
    """Whether a Windows path is on another machine: a UNC path (``\\\\server\\share``,
    ``\\\\?\\UNC\\...``) or a drive letter that ``kind`` says is DRIVE_REMOTE."""
    p = path.replace("/", "\\")
    if p.upper().startswith("\\\\?\\UNC\\"):
        return True
    if p.startswith(("\\\\?\\", "\\\\.\\")):
        p = p[4:]
    elif p.startswith("\\\\"):
        return True
    if len(p) >= 2 and p[1] == ":" and p[0].isalpha():
        return kind(p[0].upper() + ":\\") == DRIVE_REMOTE
    return False


def mount_type(path: str, mounts: str) -> str:
    """The file-system type of ``path`` from ``/proc/self/mounts`` text (the longest
    mount point that contains it); ``drvfs`` for WSL's view of a Windows drive."""
    best, fs = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            drvfs = fields[2] == "9p" and "aname=drvfs" in line
            best, fs = point, "drvfs" if drvfs else fields[2]
    return fs


def on_network_drive(path: Path) -> bool:
    """Whether ``path`` is on a network drive (where SQLite's WAL is unsafe)."""
    absolute = os.path.abspath(path)  # noqa: PTH100  the string is what Win32 takes
    if sys.platform == "win32":
        return windows_network_path(absolute, drive_type)
    try:
        mounts = Path("/proc/self/mounts").read_text("utf-8", "replace")
    except OSError:
        return False  # not Linux: no way to tell, and no known problem
    return mount_type(os.path.realpath(absolute), mounts) in NETWORK_FS | {"drvfs"}


def fixed_drives(mask: int, kind: Callable[[str], int]) -> list[str]:
    """The letters (``C``...) of the drives in a GetLogicalDrives ``mask`` that are
    fixed local disks: no network drive (a dead one stalls a look), no card reader."""
    letters: Iterable[str] = (chr(ord("A") + i) for i in range(26) if mask & (1 << i))
    return [x for x in letters if kind(f"{x}:\\") == DRIVE_FIXED]
