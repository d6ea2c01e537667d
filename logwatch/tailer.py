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
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

import structlog

from logwatch.clock import Clock
from logwatch.fileindex import (
    FP_MAX,
    MARKER_BYTES,
    Entry,
    FileIndex,
    Inode,
    fingerprint,
)
from logwatch.lines import count_lines, end_of_last_line
from logwatch.listing import Listed, Listing, file_key
from logwatch.listing import Source as Source  # the tailer's input, named here too
from logwatch.model import FileState
from logwatch.watching import Watching

log = structlog.get_logger("logwatch.tailer")

READ_BYTES = 1024 * 1024
#: Bytes read from one file in one step, so one busy file cannot starve the others.
MAX_READ_PER_STEP = 16 * READ_BYTES
#: Consecutive listings a held file may be missing from before it is drained and closed.
MISSING_LISTINGS = 2


def missing_listings(platform: str) -> int:
    """How many listings a held file may miss before its handle is let go.

    On Windows one: a file deleted while we hold it stays "delete pending" on FAT,
    exFAT, SMB and with legacy NTFS semantics, and its name cannot be created again
    (the platform's next log file) until our handle is closed.
    """
    return 1 if platform == "win32" else MISSING_LISTINGS


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


#: A new file that is a prefix of a followed file waits this many listings to grow.
COPY_WAIT_LISTINGS = 5
#: A copy must also hold the same bytes as the original just before what was read.
COPY_CHECK_BYTES = 64


@dataclass(frozen=True, slots=True)
class Opened:
    """Bytes of file ``id`` will now be read from ``offset``.

    ``fresh``: a file not known before; ``catch_up``: read from its start on a first
    start because its source asks for a backfill; ``head``: its first bytes.
    """

    id: str
    path: str
    source: str
    offset: int
    fresh: bool
    size: int = 0
    head: bytes = b""
    catch_up: bool = False


@dataclass(frozen=True, slots=True)
class Read:
    """Bytes read from file ``id``, starting at ``offset``."""

    id: str
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Moved:
    """File ``id`` now has this path (renamed, or its content moved to a copy)."""

    id: str
    path: str


@dataclass(frozen=True, slots=True)
class Drained:
    """No more bytes will come from file ``id``: it was rotated away, deleted or cut."""

    id: str


Event = Opened | Read | Moved | Drained


@dataclass(slots=True)
class _Copy:
    origin: str
    path: str
    handle: BinaryIO
    waits: int = 0


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
    fd = msvcrt.open_osfhandle(handle, os.O_RDONLY)  # type: ignore[attr-defined,unused-ignore]
    return open(fd, "rb", buffering=0)


class Tailer:
    """Turns files on disk into Opened/Read/Moved/Drained events, step by step."""

    def __init__(
        self,
        sources: Iterable[Source],
        clock: Clock,
        known: Iterable[FileState] = (),
        fresh_start: bool = True,
        poll_interval: float = 1.0,
        max_open: int = 256,
        missing_limit: int = missing_listings(sys.platform),
        backstop: int = backstop_listings(sys.platform),
    ) -> None:
        self.sources = tuple(sources)
        self.clock = clock
        self.poll_interval = poll_interval
        self.max_open = max_open
        self.missing_limit = missing_limit
        self.backstop = backstop
        self.wake = threading.Event()
        self.rediscover = True
        self._fresh_start = fresh_start
        self._discovered_once = False
        self._last_listing = float("-inf")
        self._files = FileIndex(known)
        self._copies: dict[tuple[int, int], _Copy] = {}
        #: files closed to stay under max_open, by inode: skipped until they change
        self._parked: dict[tuple[int, int], str] = {}
        #: the last listing and the (inode, mtime) of every directory it came from
        self._listing = Listing(self.sources, self._warn)
        self._warned: set[tuple[str, str]] = set()
        self._watching = Watching(
            self.sources, self.wake, self._relist, self._warn, self._touch
        )
        #: paths events named since the last step (added from the observer's thread)
        self._touched: set[str] = set()
        self._touch_lock = threading.Lock()
        #: files with bytes left to read after the last step
        self._behind: set[str] = set()
        #: the listing last looked at whole, its files by path and in backstop slices
        self._seen: dict[Inode, Listed] | None = None
        self._by_path: dict[str, Inode] = {}
        self._dirs_seen: set[str] = set()
        self._slices: list[list[Inode]] = []
        self._slice = 0

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start watching directories for events (sources that poll are not watched)."""
        self._watching.start()

    def close(self) -> None:
        """Stop watching and close every handle."""
        self._watching.close()
        for entry in self._files:
            self._close(entry)
        for copy in self._copies.values():
            copy.handle.close()
        self._copies.clear()

    def _relist(self) -> None:
        """A file was created, deleted or renamed: list the files at the next step."""
        self.rediscover = True

    def _touch(self, path: str) -> None:
        """An event named ``path``: look at it at the next step."""
        with self._touch_lock:
            self._touched.add(path)

    # -- one unit of work ------------------------------------------------------------

    def step(self) -> list[Event]:
        """Look at the files once: find new and rotated ones, read what was appended."""
        events: list[Event] = []
        now = self.clock.monotonic()
        with self._touch_lock:
            touched, self._touched = self._touched, set()
        # events name what changed: files no event named wait for the backstop
        by_events = self.backstop > 1 and self._watching.covering()
        #: the held files to poll (None: every one)
        polled: set[str] | None = None
        if self.rediscover or now - self._last_listing >= self.poll_interval:
            self.rediscover = False
            self._last_listing = now
            if not by_events and self._seen is not None:
                self._listing.invalidate()  # kept on events' word: not enough now
            listing = self._listing.take(
                lambda found: (
                    by_events
                    or (not self._parked and all(map(self._files.named, found)))
                )
            )
            if not by_events or listing is not self._seen:
                self._discover(listing, events)
                self._saw(listing if by_events else None)
            else:
                named, unknown = self._named(touched)
                due = named | self._due(listing)
                if self._copies:  # copies count listings: look at the whole listing
                    self._restat(due, listing)
                    self._discover(listing, events)
                else:
                    polled = None if unknown else set()
                    looked = self._look(due, listing, events)
                    if polled is not None:
                        polled |= looked
            self._watching.schedule()
        elif by_events and self._seen is not None:
            named, unknown = self._named(touched)
            looked = self._look(named, self._seen, events)
            polled = None if unknown else looked
        behind, self._behind = self._behind, set()
        if polled is None:
            for entry in self._files:
                if entry.handle is not None:
                    self._poll(entry, events)
        else:
            polled |= behind
            polled.update(e.id for e in events if isinstance(e, Opened | Moved))
            for eid in polled:
                held = self._files.get(eid)
                if held is not None and held.handle is not None:
                    self._poll(held, events)
        self._limit_open()
        return events

    def _saw(self, listing: dict[Inode, Listed] | None) -> None:
        """``listing`` was looked at whole: index it for events and backstop slices
        (None: events do not cover the sources, every listing is looked at whole)."""
        self._seen = listing
        if listing is None:
            self._by_path, self._slices, self._dirs_seen = {}, [], set()
            return
        self._by_path = {_path_key(item.path): i for i, item in listing.items()}
        self._dirs_seen = {os.path.dirname(key) for key in self._by_path}
        n = max(1, self.backstop)
        inodes = list(listing)
        self._slices = [inodes[k::n] for k in range(n)]
        self._slice = 0

    def _named(self, touched: set[str]) -> tuple[set[Inode], bool]:
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

    def _due(self, listing: dict[Inode, Listed]) -> set[Inode]:
        """At a listing that found nothing new: the backstop's next slice and the
        listed files not open and not parked (empty, unreadable)."""
        due = set(self._slices[self._slice])
        self._slice = (self._slice + 1) % len(self._slices)
        due.update(listing.keys() - self._parked.keys() - self._files.named_inodes())
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
            self._listing.invalidate()
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
            if item is None or inode in self._copies:
                continue  # a copy waits for listings to grow: _discover's
            eid = self._files.at(inode)
            if eid is not None:
                self._files[eid].last_seen = seen
                polled.add(eid)
                continue
            if not self._stat(inode, item):
                continue
            parked = self._parked.get(inode)
            if parked is not None:
                self._files[parked].last_seen = seen
                if self._files[parked].stamp == (item.size, item.mtime_ns):
                    continue  # unchanged since it was closed
                del self._parked[inode]
            self._identify(inode, item, events)
        return polled

    def _discover(
        self, listing: dict[tuple[int, int], Listed], events: list[Event]
    ) -> None:
        for entry in self._files:
            if entry.inode is not None and entry.inode not in listing:
                entry.missing += 1
        for inode, copy in list(self._copies.items()):
            if inode not in listing:
                copy.handle.close()
                del self._copies[inode]
        for inode in [i for i in self._parked if i not in listing]:
            del self._parked[inode]
        self._files.new_listing()
        for inode, item in listing.items():
            parked = self._parked.get(inode)
            if parked is not None:
                if self._files[parked].stamp == (item.size, item.mtime_ns):
                    continue  # unchanged since it was closed
                del self._parked[inode]
            eid = self._files.at(inode)
            if eid is not None and inode[1] < 0 and not self._still_at(eid, item):
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
            self._identify(inode, item, events)
        self._discovered_once = True

    def _still_at(self, eid: str, item: Listed) -> bool:
        """For a file known by its path (inode 0): whether the file now at that path
        is still the one held (same first bytes, not shorter than what was read)."""
        entry = self._files[eid]
        try:
            with open_shared(item.path) as fh:
                head = _pread(fh, 0, entry.fp_n)
        except OSError:
            return True  # cannot tell: the next listing looks again
        return fingerprint(head) == entry.fp_hash and item.size >= entry.read_pos

    def _identify(
        self, inode: tuple[int, int], item: Listed, events: list[Event]
    ) -> None:
        copy = self._copies.get(inode)
        if copy is not None:
            handle = copy.handle
        else:
            try:
                handle = open_shared(item.path)
            except OSError as exc:
                self._warn(item.path, "file_unreadable", error=exc.strerror or str(exc))
                return
        try:
            head = _pread(handle, 0, FP_MAX)
        except OSError as exc:
            handle.close()
            self._copies.pop(inode, None)
            self._warn(item.path, "file_unreadable", error=exc.strerror or str(exc))
            return
        if not head:  # empty: its identity is known once it has bytes
            if copy is None:
                handle.close()
            return
        origin = self._open_owner(head, handle, item.size)
        if (
            origin is not None
        ):  # a copy of a followed file (copytruncate), or still growing
            if copy is None:
                self._copies[inode] = _Copy(origin, item.path, handle)
                return
            copy.path = item.path
            copy.waits += 1
            if copy.waits < COPY_WAIT_LISTINGS or len(head) >= FP_MAX:
                return
        self._copies.pop(inode, None)
        entry = self._files.known_owner(head, item.size, _reader(handle))
        fresh = entry is None
        catch_up = False
        if entry is None:
            offset = 0
            if self._fresh_start and not self._discovered_once:
                source = self._source(item.source)
                catch_up = source is not None and source.backfill_s > 0
                if not catch_up:
                    offset = end_of_last_line(_reader(handle), item.size)
            entry = Entry(
                uuid.uuid4().hex,
                fingerprint(head),
                len(head),
                item.path,
                item.source,
                offset,
                self.clock.now().timestamp(),
            )
            self._files.add(entry)
        entry.handle, entry.path = handle, item.path
        entry.source = item.source
        entry.missing, entry.stamp = 0, (-1, -1)
        self._files.name(inode, entry.id)
        events.append(
            Opened(
                entry.id,
                item.path,
                item.source,
                entry.read_pos,
                fresh,
                item.size,
                head,
                catch_up,
            )
        )

    def _open_owner(self, head: bytes, handle: BinaryIO, size: int) -> str | None:
        """The followed file that this one is a copy of (copytruncate), or a prefix of.

        Many logs start with the same header, so the same first bytes are not enough: a
        copy also holds the original's bytes just before the point already read.
        """
        for entry in self._files:
            if entry.handle is None or entry.handle is handle:
                continue
            n = min(entry.fp_n, len(head))
            if n == entry.fp_n:
                if fingerprint(head[:n]) != entry.fp_hash:
                    continue
            elif n < 1 or _pread(entry.handle, 0, n) != head[:n]:
                continue
            end = min(entry.read_pos, size)
            if end <= len(head):
                return entry.id  # nothing past the head to compare yet
            start = max(0, end - COPY_CHECK_BYTES)
            if end == entry.read_pos and len(entry.tail) >= end - start:
                theirs = entry.tail[len(entry.tail) - (end - start) :]
            else:
                theirs = _pread(entry.handle, start, end - start)
            if _pread(handle, start, end - start) == theirs:
                return entry.id
        return None

    def _poll(self, entry: Entry, events: list[Event]) -> None:
        handle = entry.handle
        if handle is None:
            return
        try:
            st = os.fstat(handle.fileno())
        except OSError:
            self._drain(entry, events)
            return
        stamp = (st.st_size, st.st_mtime_ns)
        replaced = st.st_size < entry.read_pos
        if not replaced and stamp != entry.stamp:
            head = _pread(handle, 0, min(FP_MAX, st.st_size))
            replaced = fingerprint(head[: entry.fp_n]) != entry.fp_hash
            if not replaced and entry.fp_n < FP_MAX and len(head) > entry.fp_n:
                entry.fp_n, entry.fp_hash = len(head), fingerprint(head)
        if replaced:
            self._replaced(entry, events)
            return
        entry.stamp = stamp
        self._read(entry, st.st_size, events)
        gone = st.st_nlink == 0 or entry.missing >= self.missing_limit
        if gone and entry.read_pos >= st.st_size:
            self._drain(entry, events)

    def _read(self, entry: Entry, size: int, events: list[Event]) -> None:
        handle = entry.handle
        if handle is None:
            return
        budget = MAX_READ_PER_STEP
        while entry.read_pos < size and budget > 0:
            try:
                data = _pread(
                    handle, entry.read_pos, min(READ_BYTES, size - entry.read_pos)
                )
            except OSError as exc:
                self._warn(entry.path, "read_failed", error=exc.strerror or str(exc))
                return
            if not data:
                return
            events.append(Read(entry.id, entry.read_pos, data))
            entry.read_pos += len(data)
            entry.tail = (entry.tail + data[-COPY_CHECK_BYTES:])[-COPY_CHECK_BYTES:]
            budget -= len(data)
        if entry.read_pos < size:
            self._behind.add(entry.id)
            self.wake.set()  # more to read: come back at once

    def _replaced(self, entry: Entry, events: list[Event]) -> None:
        """The file was cut (copytruncate) or rewritten in place."""
        handle, inode = entry.handle, entry.inode
        if handle is None or inode is None:
            return
        copy_inode = next(
            (i for i, c in self._copies.items() if c.origin == entry.id), None
        )
        self._files.unmap(inode)
        if copy_inode is not None:
            # the copy holds the old content: keep following it from where we stopped
            copy = self._copies.pop(copy_inode)
            entry.handle, entry.path = copy.handle, copy.path
            entry.stamp = (-1, -1)
            self._files.name(copy_inode, entry.id)
            events.append(Moved(entry.id, copy.path))
            self._poll(entry, events)
        else:
            entry.handle, entry.inode = None, None
            events.append(Drained(entry.id))
        # the original file, cut, is new content from byte 0
        self._copies[inode] = _Copy("", entry.path, handle, COPY_WAIT_LISTINGS)
        listed = Listed(self._path_of(handle, entry.path), entry.source, 0, 0)
        self._identify(inode, listed, events)

    def _path_of(self, handle: BinaryIO, fallback: str) -> str:
        name = getattr(handle, "name", fallback)
        return name if isinstance(name, str) else fallback

    def _drain(self, entry: Entry, events: list[Event]) -> None:
        self._close(entry)
        events.append(Drained(entry.id))

    def _close(self, entry: Entry) -> None:
        if entry.handle is not None:
            entry.handle.close()
        self._files.let_go(entry)

    def _limit_open(self) -> None:
        held = self._files.held()
        if len(held) <= self.max_open:
            return
        held.sort(key=lambda e: e.stamp[1])
        for entry in held[: len(held) - self.max_open]:
            inode = entry.inode
            self._close(entry)  # found again by its content once it changes
            if inode is not None and entry.missing == 0:
                self._parked[inode] = entry.id

    # -- what the follower asks ------------------------------------------------------

    def marker(self, eid: str, offset: int) -> bytes:
        """A hash of the bytes just before ``offset`` in file ``eid`` (or b"")."""
        entry = self._files.get(eid)
        if entry is None or entry.handle is None:
            return self._files.saved_marker(eid)
        start = max(0, offset - MARKER_BYTES)
        try:
            before = _pread(entry.handle, start, offset - start)
        except OSError:
            return b""
        return self._files.save_marker(eid, offset, before)

    def count_lines(self, eid: str, offset: int) -> int:
        """How many lines end before ``offset`` in file ``eid``."""
        entry = self._files.get(eid)
        if entry is None or offset <= 0:
            return 0
        if entry.handle is None:
            # parked above max_open in the step that opened it: count from its path
            try:
                with open_shared(entry.path) as handle:
                    return count_lines(_reader(handle), offset)
            except OSError:
                return 0
        return count_lines(_reader(entry.handle), offset)

    def _source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def identity(self, eid: str) -> tuple[bytes, int, str, float]:
        """A file's content identity, path and when it was last seen."""
        return self._files.identity(eid)

    def forget(self, eids: Iterable[str]) -> None:
        """Drop closed entries (State expired them)."""
        self._files.forget(eids)

    def listed_sources(self) -> set[str]:
        """The sources whose patterns matched a file at the last listing."""
        return self._listing.sources_listed()

    @property
    def open_files(self) -> int:
        """How many file handles are held."""
        return len(self._files.held())

    def _warn(self, path: str, event: str, **fields: str) -> None:
        if (path, event) not in self._warned:
            self._warned.add((path, event))
            log.warning(event, path=path, **fields)


def _pread(handle: BinaryIO, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset`` (seek + read: Windows has no os.pread)."""
    if size <= 0:
        return b""
    handle.seek(offset)
    return handle.read(size) or b""


def _reader(handle: BinaryIO) -> Callable[[int, int], bytes]:
    """``read(offset, size)`` on an open file, for the pure functions of lines.py."""
    return lambda offset, size: _pread(handle, offset, size)
