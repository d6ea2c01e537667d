"""Follows the files of glob patterns through rotation, truncation, deletion, restarts.

Filesystem events (watchdog) wake the loop and name the paths to look at: our own poll
of the open handles, and a listing at least every ``poll_interval`` (re-globbed when a
directory changed), decide what happened. Where events cover every source, a file that
no event named is still looked at once every ``backstop`` listings, a slice of the files
at each listing; without events (polled sources, no observer) every file is looked at
every ``poll_interval``. A file is known by its content, a hash of its first bytes
(growing to 1 KiB), so a renamed, copied or restarted file is found again; (device,
inode) names it only while a handle is open.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import BinaryIO

import structlog

from logwatch.core.clock import Clock
from logwatch.core.model import FileState
from logwatch.follow.events import Drained, Event, Moved, Opened, Read
from logwatch.follow.fileindex import FileIndex, Inode
from logwatch.follow.handles import windows_error
from logwatch.follow.held import Held, hold_created, holds_created
from logwatch.follow.lastlisting import LastListing, backstop_listings
from logwatch.follow.listing import Listed, Lister, Source, file_key
from logwatch.follow.reading import OpenFiles, missing_listings
from logwatch.follow.readpace import ReadPace
from logwatch.follow.watching import Watcher

# what the follower and the tests take from here: the events, and the reading's
# platform rules, named beside the Tailer that applies them
__all__ = [
    "Drained",
    "Event",
    "Held",
    "Moved",
    "Opened",
    "Read",
    "Source",
    "Tailer",
    "missing_listings",
    "windows_error",
]

log = structlog.get_logger("logwatch.tailer")

#: Files created since the last step held open at most (each a handle until then).
MAX_EARLY_HOLDS = 64


class Tailer:
    """Turns files on disk into Opened/Read/Moved/Drained events, step by step.

    It composes five parts, each owning its own data: ``Watcher`` (the observer and
    its watches), ``Lister`` (the files the patterns match), ``LastListing`` (the one
    last looked at whole), ``FileIndex`` (which file is which, on bytes alone) and
    ``OpenFiles`` (the open files, their polls and reads). What it keeps itself is when
    to list and which files to look at.
    """

    def __init__(
        self,
        sources: Iterable[Source],
        clock: Clock,
        known: Iterable[FileState] = (),
        followed: AbstractSet[str] = frozenset(),
        poll_interval: float = 1.0,
        max_open: int = 256,
        missing_limit: int = missing_listings(sys.platform),
        backstop: int = backstop_listings(sys.platform),
        held: Held | None = None,
    ) -> None:
        self.sources = tuple(sources)
        self.clock = clock
        self.poll_interval = poll_interval
        self.backstop = backstop
        self.wake = threading.Event()
        self.rediscover = True
        self._last_listing = float("-inf")
        self._warned: set[tuple[str, str]] = set()
        self._files = FileIndex(known)
        self._open_files = OpenFiles(
            self._files,
            self.sources,
            clock,
            self.wake,
            self._warn,
            followed=followed,
            max_open=max_open,
            missing_limit=missing_limit,
            held=held,
        )
        #: the last listing and the (inode, mtime) of every directory it came from
        self._lister = Lister(self.sources, self._warn)
        self._watcher = Watcher(
            self.sources,
            self.wake,
            self._relist,
            self._warn,
            self._touch,
            self._created if holds_created(sys.platform) else lambda path: None,
        )
        #: paths events named since the last step (added from the observer's thread)
        self._touched: set[str] = set()
        #: files events said were created since the last step, held open (the same)
        self._early: dict[Inode, tuple[Listed, BinaryIO]] = {}
        self._closed = False
        self._touch_lock = threading.Lock()
        #: the listing last looked at whole, its files by path and in backstop slices
        self._last = LastListing()
        #: how much each step may read
        self._pace = ReadPace()

    @property
    def max_open(self) -> int:
        """Files held open at most; the ones changed longest ago are closed first."""
        return self._open_files.max_open

    @max_open.setter
    def max_open(self, value: int) -> None:
        self._open_files.max_open = value

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start watching directories for events (sources that poll are not watched)."""
        self._watcher.start()

    def close(self) -> None:
        """Stop watching and close every handle."""
        self._watcher.close()
        self._open_files.close()
        with self._touch_lock:
            early, self._early, self._closed = self._early, {}, True
        for _, handle in early.values():
            handle.close()

    def _relist(self) -> None:
        """A file was created, deleted or renamed: list the files at the next step."""
        self.rediscover = True

    def _touch(self, path: str) -> None:
        """An event named ``path``: look at it at the next step."""
        with self._touch_lock:
            self._touched.add(path)

    def _created(self, path: str) -> None:
        """An event says ``path`` was created or renamed to: hold it open now, in the
        observer's thread, so what is written to it is read even if it is deleted
        before the next listing (which gets it from ``OpenFiles.held``)."""
        with self._touch_lock:
            if len(self._early) >= MAX_EARLY_HOLDS:
                return  # a storm of new files: the listing finds the rest
        found = hold_created(path, self.sources)
        if found is None:
            return
        inode, held = found
        with self._touch_lock:
            if self._closed:  # closed while the file was opened
                before: tuple[Listed, BinaryIO] | None = held
            else:
                before = self._early.pop(inode, None)
                self._early[inode] = held
        if before is not None:
            before[1].close()

    # -- one unit of work ------------------------------------------------------------

    def step(self) -> list[Event]:
        """Look at the files once: find new and rotated ones, read what was appended."""
        events: list[Event] = []
        now = self.clock.monotonic()
        budget = self._open_files.step_budget = self._pace.budget(now)
        touched = self._take_touched()
        # events name what changed: files no event named wait for the backstop
        by_events = self.backstop > 1 and self._watcher.covering()
        #: the held files to poll (None: every one)
        polled: set[str] | None = None
        if self.rediscover or now - self._last_listing >= self.poll_interval:
            polled = self._list(now, touched, by_events, events)
        elif by_events and self._last.files is not None:
            named, unknown = self._last.named(touched)
            looked = self._look(named, self._last.files, events)
            polled = None if unknown else looked
        self._poll(polled, events)
        self._open_files.limit_open()
        read = budget - self._open_files.step_budget
        self._pace.ended(self.clock.monotonic(), read)
        return events

    def _take_touched(self) -> set[str]:
        """The paths events named since the last step; the files they said were
        created (and those still empty) are held until the next whole listing."""
        with self._touch_lock:
            touched, self._touched = self._touched, set()
            early, self._early = self._early, {}
        early = {**self._open_files.take_empty(), **early}
        if early:
            self._open_files.held.add(early, self._files.named)
        if self._open_files.held:
            self.rediscover = True  # held files wait for a whole listing
        return touched

    def _list(
        self, now: float, touched: set[str], by_events: bool, events: list[Event]
    ) -> set[str] | None:
        """A listing's turn: the listing looked at whole, or (events cover the sources
        and it found nothing new) only the files due. The held files to poll (None:
        every one)."""
        self.rediscover = False
        self._last_listing = now
        if not by_events and self._last.files is not None:
            self._lister.invalidate()  # kept on events' word: not enough now
        listing = self._lister.take(
            lambda found: (
                by_events
                or (
                    not self._open_files.parked() and all(map(self._files.named, found))
                )
            )
        )
        polled: set[str] | None = None
        if not by_events or listing is not self._last.files or self._open_files.held:
            self._discover(listing, events)
            self._last.saw(listing if by_events else None, self.backstop)
        else:
            polled = self._look_due(touched, listing, events)
        self._watcher.schedule()
        return polled

    def _look_due(
        self, touched: set[str], listing: dict[Inode, Listed], events: list[Event]
    ) -> set[str] | None:
        """At a listing that found nothing new: look at the files events named and
        those due (the whole listing while a copy counts listings). The held files to
        poll (None: every one)."""
        named, unknown = self._last.named(touched)
        due = named | self._due(listing)
        if self._open_files.copying():  # copies count listings: list whole
            self._restat(due, listing)
            self._discover(listing, events)
            return None
        looked = self._look(due, listing, events)
        return None if unknown else looked

    def _poll(self, polled: set[str] | None, events: list[Event]) -> None:
        """Poll the held files ``polled`` (None: every one), those left behind by the
        last step and those this one opened or moved."""
        behind, self._open_files.behind = self._open_files.behind, set()
        if polled is None:
            self._open_files.poll_all(events)
        else:
            polled |= behind
            polled.update(e.id for e in events if isinstance(e, Opened | Moved))
            self._open_files.poll_some(polled, events)

    def _due(self, listing: dict[Inode, Listed]) -> set[Inode]:
        """At a listing that found nothing new: the backstop's next slice and the
        listed files not open and not parked (empty, unreadable)."""
        due = self._last.next_slice()
        due.update(
            listing.keys() - self._open_files.parked() - self._files.named_inodes()
        )
        return due

    def _restat(self, inodes: set[Inode], listing: dict[Inode, Listed]) -> None:
        """Bring the listed size and time of these files not open up to date."""
        for inode in inodes:
            item = listing.get(inode)
            if item is not None and not self._files.named(inode):
                self._stat(inode, item)

    def _stat(self, inode: Inode, item: Listed) -> bool:
        """Bring a listed file's size and time up to date; False (and a listing asked
        for) when it is gone or its name now belongs to another file."""
        try:
            st = os.stat(item.path)
        except OSError:
            st = None
        if st is None or file_key(st, item.path) != inode:
            self._lister.invalidate()
            self.rediscover = True
            self.wake.set()
            return False
        item.size, item.mtime_ns = st.st_size, st.st_mtime_ns
        return True

    def _look(
        self, inodes: set[Inode], listing: dict[Inode, Listed], events: list[Event]
    ) -> set[str]:
        """Look at these listed files without listing again: the ids of the held ones
        to poll; a parked or unopened one is stat'ed and opened if it changed."""
        polled: set[str] = set()
        seen = self.clock.now().timestamp()
        self._files.new_listing()  # entries closed since the last listing are known
        for inode in inodes:
            item = listing.get(inode)
            if item is None:
                continue
            if self._open_files.is_copy(inode):
                # a possible copy counts listings (_discover's); an event that names
                # it is looked at now: grown past its original, it is no copy
                if self._stat(inode, item):
                    self._open_files.identify(inode, item, events, listing=False)
                continue
            eid = self._files.at(inode)
            if eid is not None:
                self._files[eid].last_seen = seen
                polled.add(eid)
                continue
            if not self._stat(inode, item):
                continue
            parked = self._open_files.parked_id(inode)
            if parked is not None:
                self._files[parked].last_seen = seen
            if self._open_files.unchanged_parked(inode, item):
                continue  # unchanged since it was closed
            self._open_files.identify(inode, item, events)
        return polled

    def _discover(self, listing: dict[Inode, Listed], events: list[Event]) -> None:
        """Pair a whole listing with the index: count the missing, follow renames,
        open what is new. The first one also opens the files held since the start
        that it does not show (rotated away or deleted meanwhile)."""
        held = self._open_files.held
        if held:
            listing = dict(
                sorted(
                    {**held.unlisted(listing), **listing}.items(),
                    key=lambda kv: kv[1].mtime_ns,
                )
            )
        for entry in self._files:
            if entry.inode is not None and entry.inode not in listing:
                entry.missing += 1
        self._open_files.unlisted(listing)
        self._files.new_listing()
        for inode, item in listing.items():
            if self._open_files.unchanged_parked(inode, item):
                continue  # unchanged since it was closed
            eid = self._files.at(inode)
            if (
                eid is not None
                and inode[1] < 0
                and not self._open_files.still_at(eid, item)
            ):
                self._files.unname(eid, inode)
                eid = None
            if eid is not None:
                entry = self._files[eid]
                entry.missing = 0
                entry.last_seen = self.clock.now().timestamp()
                if entry.path != item.path:
                    entry.path = item.path
                    events.append(Moved(eid, item.path))
                continue
            self._open_files.identify(inode, item, events)
        self._open_files.listed_once = True
        held.close()

    # -- what the follower asks ------------------------------------------------------

    @property
    def behind(self) -> bool:
        """Whether the last step left bytes unread (its budget ran out): the next one
        is due at once."""
        return bool(self._open_files.behind)

    @property
    def listed_once(self) -> bool:
        """Whether the files were listed whole once (their starts are fixed)."""
        return self._open_files.listed_once

    def marker(self, eid: str, offset: int) -> bytes:
        """A hash of the bytes just before ``offset`` in file ``eid`` (or b"")."""
        return self._open_files.marker(eid, offset)

    def count_lines(self, eid: str, offset: int) -> int:
        """How many lines end before ``offset`` in file ``eid``."""
        return self._open_files.count_lines(eid, offset)

    def identity(self, eid: str) -> tuple[bytes, int, str, float]:
        """A file's content identity, path and when it was last seen."""
        return self._files.identity(eid)

    def forget(self, eids: Iterable[str]) -> None:
        """Drop closed entries (State expired them)."""
        self._files.forget(eids)

    def listed_sources(self) -> set[str]:
        """The sources whose patterns matched a file at the last listing."""
        return self._lister.sources_listed()

    @property
    def open_files(self) -> int:
        """How many file handles are held."""
        return self._open_files.open_count()

    def _warn(self, path: str, event: str, **fields: str) -> None:
        if (path, event) not in self._warned:
            self._warned.add((path, event))
            log.warning(event, path=path, **fields)
