"""The listing last looked at whole: its files by path, for the paths events name, and
in slices, one looked at per listing, as a backstop for the events."""

from __future__ import annotations

import os

from logwatch.follow.fileindex import Inode
from logwatch.follow.listing import Listed

#: With events covering every source, each file is looked at once in this many listings
#: even if no event named it (a lost event, a write through a link elsewhere).
BACKSTOP_LISTINGS = 30


def backstop_listings(platform: str) -> int:
    """In how many listings every file is looked at once when events cover the sources.

    On Windows one (every listing, as without events): NTFS may report the growth of a
    file its writer holds open only once the writer flushes or closes it.
    """
    return 1 if platform == "win32" else BACKSTOP_LISTINGS


def _path_key(path: str) -> str:
    """A path as events and listings both spell it."""
    return os.path.normcase(os.path.normpath(path))


class LastListing:
    """The listing last looked at whole (``files``; None: events do not cover the
    sources, every listing is looked at whole), its files by path and in slices."""

    def __init__(self) -> None:
        self.files: dict[Inode, Listed] | None = None
        self._by_path: dict[str, Inode] = {}
        self._dirs_seen: set[str] = set()
        self._slices: list[list[Inode]] = []
        self._slice = 0

    def saw(self, listing: dict[Inode, Listed] | None, backstop: int) -> None:
        """``listing`` was looked at whole: index it for events and cut it in
        ``backstop`` slices (None: events do not cover the sources)."""
        self.files = listing
        if listing is None:
            self._by_path, self._slices, self._dirs_seen = {}, [], set()
            return
        self._by_path = {_path_key(item.path): i for i, item in listing.items()}
        self._dirs_seen = {os.path.dirname(key) for key in self._by_path}
        n = max(1, backstop)
        inodes = list(listing)
        self._slices = [inodes[k::n] for k in range(n)]
        self._slice = 0

    def named(self, touched: set[str]) -> tuple[set[Inode], bool]:
        """The listed files events named, and whether a path neither listed nor one of
        their directories was named (then every held file is polled, as without
        events). A directory's own events (a file created or deleted in it) ask for a
        listing anyway."""
        named: set[Inode] = set()
        unknown = False
        for path in touched:
            key = _path_key(path)
            inode = self._by_path.get(key)
            if inode is not None:
                named.add(inode)
            elif key not in self._dirs_seen:
                unknown = True
        return named, unknown

    def next_slice(self) -> set[Inode]:
        """The files the backstop looks at in this listing."""
        due = set(self._slices[self._slice])
        self._slice = (self._slice + 1) % len(self._slices)
        return due
