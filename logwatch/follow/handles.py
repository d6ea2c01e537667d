"""Open handles on followed files: opened so the writer can still rename and delete
them (on Windows too), read at an offset, and kept by entry with their first bytes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import BinaryIO

from logwatch.follow.fileindex import Entry, Heads


def open_shared(path: str) -> BinaryIO:
    """Open a file for reading so its writer can still rename and delete it.

    On Windows, Python's ``open`` does not pass FILE_SHARE_DELETE, so a held log could
    not be rotated by the platform; there the file is opened with all three share flags.
    """
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _open_shared_windows(path)
    return open(path, "rb", buffering=0)


#: Windows error codes from CreateFileW, as the OSError subclasses Python would raise.
_WINDOWS_ERRORS: dict[int, type[OSError]] = {
    2: FileNotFoundError,  # ERROR_FILE_NOT_FOUND
    3: FileNotFoundError,  # ERROR_PATH_NOT_FOUND
    5: PermissionError,  # ERROR_ACCESS_DENIED
    32: PermissionError,  # ERROR_SHARING_VIOLATION: the writer denies read sharing
}


def windows_error(code: int, path: str) -> OSError:
    """The exception for a failed CreateFileW (pure: tested on every platform)."""
    kind = _WINDOWS_ERRORS.get(code, OSError)
    return kind(code, f"cannot open (Windows error {code})", path)


def _open_shared_windows(path: str) -> BinaryIO:  # pragma: no cover - Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    create = kernel32.CreateFileW
    create.restype = wintypes.HANDLE
    create.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]
    generic_read, share_all, open_existing, normal = 0x80000000, 0x7, 3, 0x80
    handle = create(path, generic_read, share_all, None, open_existing, normal, None)
    if handle == wintypes.HANDLE(-1).value:
        raise windows_error(ctypes.get_last_error(), path)  # type: ignore[attr-defined,unused-ignore]
    try:
        fd = msvcrt.open_osfhandle(handle, os.O_RDONLY)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        kernel32.CloseHandle(handle)
        raise
    return open(fd, "rb", buffering=0)


def size_of(handle: BinaryIO, fallback: int) -> int:
    """The size of an open file now (``fallback`` when it cannot be told)."""
    try:
        return os.fstat(handle.fileno()).st_size
    except OSError:
        return fallback


if sys.platform == "win32":

    def pread(handle: BinaryIO, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset`` (seek + read: Windows has no os.pread)."""
        if size <= 0:
            return b""
        handle.seek(offset)
        return handle.read(size) or b""

else:

    def pread(handle: BinaryIO, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset``, in one call (every step reads twice)."""
        if size <= 0:
            return b""
        return os.pread(handle.fileno(), size, offset)


def reader(handle: BinaryIO) -> Callable[[int, int], bytes]:
    """``read(offset, size)`` on an open file, for the pure functions of lines.py."""
    return lambda offset, size: pread(handle, offset, size)


class Handles:
    """The open file of each open entry, by its id, and the open entries by their
    first bytes (which ones a new file may copy)."""

    def __init__(self) -> None:
        self._handles: dict[str, BinaryIO] = {}
        self._heads = Heads()

    def __len__(self) -> int:
        return len(self._handles)

    def __contains__(self, eid: object) -> bool:
        return eid in self._handles

    def __getitem__(self, eid: str) -> BinaryIO:
        return self._handles[eid]

    def get(self, eid: str) -> BinaryIO | None:
        """The open file of entry ``eid`` (None: it is not open)."""
        return self._handles.get(eid)

    def add(self, entry: Entry, handle: BinaryIO, head: bytes) -> None:
        """Entry ``entry`` is open on ``handle``, and starts with ``head``."""
        self._handles[entry.id] = handle
        self._heads.put(entry, head)

    def grew(self, entry: Entry, head: bytes) -> None:
        """An open entry's first bytes grew (its fingerprint with them)."""
        self._heads.put(entry, head)

    def swap(self, eid: str, handle: BinaryIO) -> None:
        """Entry ``eid`` is read from ``handle`` now (a copy holds its content)."""
        self._handles[eid] = handle

    def pop(self, eid: str) -> BinaryIO | None:
        """Forget entry ``eid``'s file, not closed: the caller's now (None: none)."""
        self._heads.drop(eid)
        return self._handles.pop(eid, None)

    def matching(self, head: bytes) -> list[str]:
        """The ids of the open entries whose first bytes agree with ``head`` over the
        shorter of the two, in the order the entries were added."""
        return self._heads.matching(head)
