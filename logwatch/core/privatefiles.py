"""Files only their user may touch: written whole or not at all, never through a link
another user planted, kept in folders nobody else can write.

A folder another user can write lets that user plant a link under a name logwatch is
about to write (``secrets.env.tmp``, ``state.db.pid``), and logwatch, or root running
it, would write through it. So private files are written to a new file of a random name
(created exclusively, 0600 from the start) that then replaces the target, new files are
created without following links, and the state folder is refused when it is not the
user's own. Whether a file or folder is private to this user is answered in one place,
``not_private``; what to do when it is not (refuse it, or make a folder of the user's
own private) is its caller's policy.

On Windows the per-user folders logwatch uses by default (``%LOCALAPPDATA%``,
``%APPDATA%``) are closed to other users by their inherited access rules; logwatch
cannot read those rules, so ``not_private`` finds nothing there and nothing is refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from logwatch.core.errors import StateError

#: Added to the flags of every open of a private file: a link at the path is an error,
#: never followed (POSIX; Windows has no such flag, and making a link there needs a
#: privilege).
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: ... and what Windows needs so the bytes are read and written as they are.
BINARY = getattr(os, "O_BINARY", 0)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable by its owner only (0600 on
    POSIX); a link at ``path`` or at any temporary name is replaced, never followed.

    Raises:
        OSError: it could not be written (``path`` is then as it was).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: a random name, O_CREAT|O_EXCL (and O_NOFOLLOW), mode 0600 at creation
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)  # rename: a link at ``path`` is replaced, not followed
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_dir(path.parent)


def create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data`` (0600); False when something (a file, a link)
    is already there, which is left as it is."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | BINARY
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return True


#: Permission bits through which another user could change a file or folder (or plant
#: a link in it).
OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH
#: ... or also read it: for a secret, such as a key.
OTHERS_ANY = 0o077


@dataclass(frozen=True, slots=True)
class Exposure:
    """How a file or folder is open to other users: another ``owner`` than this
    ``user``, or permission bits (``mode``) that give group or others access."""

    owner: int
    user: int
    mode: int

    @property
    def foreign(self) -> bool:
        """Another user owns it: only they (or root) can make it private."""
        return self.owner != self.user


def exposure(
    uid: int, mode: int, euid: int, mask: int = OTHERS_WRITE
) -> Exposure | None:
    """How a file or folder (its owner's ``uid``, its ``mode``) is open to users
    other than ``euid``, with ``mask`` the bits group and others must not have; None
    when it is ``euid``'s alone."""
    if uid == euid and not mode & mask:
        return None
    return Exposure(owner=uid, user=euid, mode=stat.S_IMODE(mode))


def not_private(st: os.stat_result, mask: int = OTHERS_WRITE) -> Exposure | None:
    """How the file or folder ``st`` describes is open to users other than this one
    (``exposure``); None when it is this user's alone, and always on Windows, where
    logwatch relies on the per-user profile's access rules (see above)."""
    if sys.platform == "win32":
        return None
    return exposure(st.st_uid, st.st_mode, os.geteuid(), mask)


def dir_problem(uid: int, mode: int, euid: int) -> str | None:
    """What makes a folder (its owner's ``uid``, its ``mode``) unsafe for the private
    files of the user ``euid``: another owner, or write access for group or others."""
    found = exposure(uid, mode, euid)
    return None if found is None else _problem(found)


def _problem(found: Exposure) -> str:
    if found.foreign:
        return f"it belongs to uid {found.owner}, not to this user (uid {found.user})"
    return f"others can write it (mode {found.mode:o})"


def make_dir(path: Path) -> os.stat_result:
    """Create the folder ``path`` (0700) if it is missing; what it is now.

    Raises:
        StateError: it cannot be created.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path.stat()
    except OSError as exc:
        raise StateError(f"{path}: cannot create: {exc.strerror or exc}") from exc


def check_private_dir(path: Path) -> None:
    """Create the folder ``path`` (0700) if it is missing, and refuse one that another
    user owns or may write (``not_private``).

    Raises:
        StateError: it cannot be created, or it is not private, with the fix.
    """
    found = not_private(make_dir(path))
    if found is None:
        return
    raise StateError(
        f"{path}: refusing this state folder: {_problem(found)}, so another user "
        "could plant links in it that logwatch would write through. Use a folder of "
        f"your own (state_dir, or LOGWATCH_STATE_DIR), or fix this one: chown "
        f"{found.user} {path} && chmod go-w {path}"
    )


def _sync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder)."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
