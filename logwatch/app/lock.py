"""One daemon per state: a lock beside the state file, held for the life of the process.

Two daemons on one state would alert everything twice and fight over its offsets. The
lock is an OS file lock (``flock`` on POSIX, ``LockFileEx`` on Windows, through
filelock), so it is gone when its process is, however it ended. The holder's pid is
written beside it, where another process can read it even on Windows (a locked byte
range cannot be read there).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from filelock import FileLock, Timeout

from logwatch.core.errors import StateError
from logwatch.core.privatefiles import check_private_dir, write_private

#: How long a second process waits for the lock before it gives up.
WAIT_S = 0.5
#: ``holder()`` of a lock that is held by a process that has not yet written its pid.
UNKNOWN_PID = 0


class StateLock:
    """The lock of one state file: ``state.db.lock``, and the holder's pid in
    ``state.db.pid``."""

    def __init__(self, state_path: Path) -> None:
        self.state_path = state_path
        self.path = state_path.with_name(state_path.name + ".lock")
        self.pid_path = state_path.with_name(state_path.name + ".pid")
        self._lock = FileLock(
            self.path, mode=0o600, thread_local=False, preserve_lock_file=True
        )

    def acquire(self, wait_s: float = WAIT_S, config: Path | None = None) -> None:
        """Take the lock, or say who holds it; ``config`` (the daemon's config file)
        is written beside the pid, so ``init`` can tell which config runs.

        Raises:
            StateError: another process holds it (its pid named), it cannot be made,
                or its folder is not private (``check_private_dir``).
        """
        check_private_dir(self.path.parent)
        try:
            self._lock.acquire(timeout=wait_s)
        except Timeout:
            pid = self._read_pid()
            who = f"pid {pid}" if pid else "another process"
            raise StateError(
                f"{self.path}: locked by logwatch {who}, which already uses the state "
                f"{self.state_path}; stop it first, or give this one a config with "
                "its own state_dir (`scan --follow` takes --state DIR)"
            ) from None
        except OSError as exc:
            raise StateError(
                f"{self.path}: cannot lock: {exc.strerror or exc}"
            ) from exc
        # a new file renamed into place: a link left there is never followed; if it
        # cannot be written the lock still works, status just cannot name the holder
        with contextlib.suppress(OSError):
            said = f"{os.getpid()}\n" + (f"{config}\n" if config else "")
            write_private(self.pid_path, said.encode("utf-8", "surrogateescape"))

    def release(self) -> None:
        """Give the lock up (the OS does it too when the process ends)."""
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                self.pid_path.unlink()
            self._lock.release()

    def holder(self) -> int | None:
        """The pid of the process holding the lock (``UNKNOWN_PID`` if it has not said),
        or None when no process holds it. Creates nothing if the state dir is absent."""
        if self._lock.is_locked:
            return os.getpid()
        if not self.path.exists():
            return None
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return self._read_pid()
        except OSError:
            return None  # not ours to lock (another user's state): cannot tell
        self._lock.release()
        return None

    def holder_config(self) -> Path | None:
        """The config file of the process holding the lock, when it said (a daemon
        does; ``scan --follow`` has none). None when no process holds it."""
        if self.holder() is None:
            return None
        lines = self._read_lines()
        return Path(lines[1]) if len(lines) > 1 and lines[1] else None

    def _read_lines(self) -> list[str]:
        try:
            raw = self.pid_path.read_bytes()
        except OSError:
            return []
        return raw.decode("utf-8", "surrogateescape").splitlines()

    def _read_pid(self) -> int:
        lines = self._read_lines()
        text = lines[0].strip() if lines else ""
        return int(text) if text.isdigit() else UNKNOWN_PID

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
