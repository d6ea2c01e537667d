"""Process control for the end-to-end tests, one function per act, on every platform.

stop: SIGTERM on POSIX; on Windows, which has no SIGTERM from outside, ``logwatch stop``
(the daemon's own stop request) for ``logwatch run``, and Ctrl-Break for any other
console program (it shares our console: needs ``NEW_GROUP`` at its start). kill: SIGKILL
on POSIX, TerminateProcess on Windows. READY: the daemon's "following" line, on every
platform (sd_notify is POSIX's alone). Wine has no console control events: a test that
needs one says so with ``needs_console_events``.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pytest

WINDOWS = sys.platform == "win32"
#: Popen's keyword arguments that let ``stop`` reach a console program on Windows.
NEW_GROUP: dict[str, Any] = (
    {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined,unused-ignore]
    if WINDOWS
    else {}
)
#: What ``wait()`` returns for a process ``kill`` ended (TerminateProcess's code: 1).
KILLED = 1 if WINDOWS else -9


@functools.cache
def under_wine() -> bool:
    """Whether this Windows is Wine (its ntdll exports wine_get_version)."""
    if not WINDOWS:
        return False
    import ctypes

    ntdll = ctypes.WinDLL("ntdll")  # type: ignore[attr-defined,unused-ignore]
    return hasattr(ntdll, "wine_get_version")


#: For a test whose process must get a console control event (Ctrl-C, Ctrl-Break,
#: close): Wine delivers none (deploy/windows/README.md's manual plan covers them).
needs_console_events = pytest.mark.skipif(
    under_wine(), reason="Wine has no console control events (manual plan on Windows)"
)


def stop(
    proc: subprocess.Popen[Any],
    logwatch_args: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Ask ``proc`` to stop cleanly. For a ``logwatch run``, pass the ``logwatch_args``
    that choose its config (``["--config", path]`` or ``[]``) and its ``env``: on
    Windows the stop request goes through ``logwatch stop`` with them."""
    if not WINDOWS:
        proc.send_signal(signal.SIGTERM)
    elif logwatch_args is not None:
        subprocess.run(
            [sys.executable, "-m", "logwatch", "stop", *logwatch_args],
            env=dict(env) if env is not None else None,
            capture_output=True,
            check=True,
            timeout=120,
        )
    else:
        os.kill(proc.pid, signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined,unused-ignore]


def interrupt(proc: subprocess.Popen[Any]) -> None:
    """Ctrl-C: SIGINT on POSIX; on Windows Ctrl-Break, the event a program started in
    its own group can be sent (Ctrl-C cannot: the group ignores it)."""
    if WINDOWS:
        os.kill(proc.pid, signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined,unused-ignore]
    else:
        proc.send_signal(signal.SIGINT)


def kill(proc: subprocess.Popen[Any]) -> None:
    """End ``proc`` at once, as a crash would: the process ends, and what SQLite handed to the
    system stays (a power cut can take back the last saves: README)."""
    proc.kill()


#: For a test that drives prompts through a pseudo-terminal (pexpect.spawn): POSIX has
#: one; Windows consoles are checked by hand (deploy/windows/README.md, step 15).
needs_pty = pytest.mark.skipif(
    WINDOWS, reason="pexpect.spawn needs a POSIX pseudo-terminal (manual plan, step 15)"
)


#: For a test that deletes or replaces a file logwatch holds open (its SQLite state):
#: POSIX allows it; Windows refuses with a sharing violation (SQLite opens without
#: FILE_SHARE_DELETE), so the case cannot arise there (test_state_open covers Windows').
needs_delete_while_open = pytest.mark.skipif(
    WINDOWS,
    reason="Windows refuses to delete or replace a database in use (sharing violation)",
)


#: For a test that makes symbolic links: Windows needs a privilege (or developer mode)
#: to create one, which a user's logwatch never has.
needs_symlinks = pytest.mark.skipif(
    WINDOWS, reason="a symbolic link needs a privilege on Windows"
)


def deletes_at_once() -> bool:
    """Whether deleting a file or folder logwatch holds open removes its name at once,
    as on POSIX and on Windows 10/11 NTFS (POSIX delete semantics). Wine keeps the
    name until the last handle closes: the name cannot be renamed onto (WinError 183,
    or 5 to replace it), and opening it to append writes into the doomed file (manual
    plan, steps 4 and 5). For one case of a test: a precondition, or a branch."""
    return not under_wine()


#: For a test that deletes a file or folder logwatch holds open and expects its name
#: gone at once (``deletes_at_once``).
needs_delete_semantics = pytest.mark.skipif(
    not deletes_at_once(),
    reason="Wine keeps a deleted file or folder held open until its last handle "
    "closes (manual plan on Windows, steps 4-5)",
)


def append_shared(path: Path) -> BinaryIO:
    """Open ``path`` to append as a rotating writer does: on Windows with delete
    sharing (Python's ``open`` has none), so the file can be renamed while held."""
    if not WINDOWS:
        return path.open("ab")
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
    append_data, share_all, open_always, normal = 0x4, 0x7, 4, 0x80
    handle = create(str(path), append_data, share_all, None, open_always, normal, None)
    if handle == wintypes.HANDLE(-1).value:
        raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]
    fd = msvcrt.open_osfhandle(handle, os.O_WRONLY | os.O_APPEND)  # type: ignore[attr-defined,unused-ignore]
    return open(fd, "ab")  # noqa: PTH123  an fd, closed by the caller
