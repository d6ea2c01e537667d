"""The held handles: files opened before a listing could see them, kept readable by
their open handle until the next whole listing takes them."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from typing import BinaryIO

from logwatch.follow.fileindex import Inode
from logwatch.follow.handles import open_shared
from logwatch.follow.listing import Listed, Lister, Source, file_key, listed_as


class Held:
    """Files opened before a listing could, by inode, until the next whole listing.

    Start-up (imports, rules, State) takes seconds on a busy PC; a generation rotated
    away or deleted meanwhile would be lost. So would a file created after the last
    listing and deleted before the next, on a PC too busy to list soon (a rotation
    storm, a bot writing several files). Its open handle keeps it readable: the next
    listing is given the held files it no longer shows, and opening a listed file
    takes its held handle.
    """

    def __init__(self, files: dict[Inode, tuple[Listed, BinaryIO]]) -> None:
        self._files = files

    def __len__(self) -> int:
        return len(self._files)

    def add(
        self,
        files: dict[Inode, tuple[Listed, BinaryIO]],
        known: Callable[[Inode], bool],
    ) -> None:
        """Hold these files too; those ``known`` (open already) or held already are
        closed."""
        for inode, (listed, handle) in files.items():
            if known(inode) or inode in self._files:
                handle.close()
            else:
                self._files[inode] = (listed, handle)

    def take(self, inode: Inode) -> BinaryIO | None:
        """The handle held for ``inode`` (None: none), now the caller's."""
        held = self._files.pop(inode, None)
        return None if held is None else held[1]

    def unlisted(self, listing: dict[Inode, Listed]) -> dict[Inode, Listed]:
        """The held files ``listing`` lacks (deleted, or renamed past the patterns),
        as they were listed when held. Files known by their path (no inodes) are
        left out: a path names no file once renamed."""
        return {
            inode: listed
            for inode, (listed, _) in self._files.items()
            if inode not in listing and inode[1] >= 0
        }

    def close(self) -> None:
        """Close the handles nobody took."""
        for _, handle in self._files.values():
            handle.close()
        self._files.clear()


def hold_created(
    path: str, sources: Iterable[Source]
) -> tuple[Inode, tuple[Listed, BinaryIO]] | None:
    """Open a file an event says was created (or renamed to ``path``), when a
    source's pattern names it: its inode, and it as listed now, with its handle."""
    item = listed_as(path, sources)
    if item is None:
        return None
    try:
        handle = open_shared(path)
    except OSError:
        return None  # gone already, or not ours to read: the listing says why
    try:
        st = os.fstat(handle.fileno())
    except OSError:
        handle.close()
        return None
    if not stat.S_ISREG(st.st_mode) or not st.st_ino:
        # no inode (FAT, exFAT, some network drives): its key is its path, which an
        # open handle does not pin; another file there by the listing would get it
        handle.close()
        return None
    item.size, item.mtime_ns = st.st_size, st.st_mtime_ns
    return file_key(st, path), (item, handle)


def hold(sources: Iterable[Source], limit: int = 256) -> Held:
    """Open the files the sources' patterns match now, the ``limit`` changed last
    (a rotation's; handles are not spent on old files before State has its own);
    what cannot be opened is left to the first listing, which says why."""
    files: dict[Inode, tuple[Listed, BinaryIO]] = {}
    lister = Lister(sources, lambda path, event: None)
    found = list(lister.take(lambda found: False).values())  # oldest change first
    for item in found[-limit:] if limit > 0 else ():
        try:
            handle = open_shared(item.path)
        except OSError:
            continue
        try:
            inode = file_key(os.fstat(handle.fileno()), item.path)
        except OSError:
            inode = None
        if inode is None or inode in files:
            handle.close()
            continue
        files[inode] = (item, handle)
    return Held(files)


def holds_created(platform: str) -> bool:
    """Whether a file an event says was created is held open at once (before the next
    listing), so that what is written to it is read even if it is deleted soon after.

    Not on Windows: a deleted file held open stays "delete pending" on FAT, exFAT, SMB
    and with legacy NTFS semantics, and its name cannot be created again until the
    handle is closed (a platform deleting and recreating its log would be refused for
    longer); and an open on a stalled network drive would hold up every event.
    """
    return platform != "win32"
