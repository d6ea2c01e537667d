"""Open handles on followed files: opened so the writer can still rename and delete
them (on Windows too), and read at an offset."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import BinaryIO


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


def _size(handle: BinaryIO, fallback: int) -> int:
    """The size of an open file now (``fallback`` when it cannot be told)."""
    try:
        return os.fstat(handle.fileno()).st_size
    except OSError:
        return fallback


def _pread(handle: BinaryIO, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset`` (seek + read: Windows has no os.pread)."""
    if size <= 0:
        return b""
    handle.seek(offset)
    return handle.read(size) or b""


def _reader(handle: BinaryIO) -> Callable[[int, int], bytes]:
    """``read(offset, size)`` on an open file, for the pure functions of lines.py."""
    return lambda offset, size: _pread(handle, offset, size)
