"""Reading the followed files: the open handles, by the file index's ids.

Polls what the open files gained (fstat, then the first bytes when the size or time
moved), reads it in bounded pieces, notices a file cut in place (copytruncate) or
rewritten, holds a new file that is a copy of a followed one until it can tell, opens a
listed file and pairs it with the index's entry by its content, and keeps the number of
open files under a limit (the oldest are closed, "parked", until they change). The
index keeps no file objects: an entry is open while the index names it by an inode, and
its handle is here.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, KeysView
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import BinaryIO

from logwatch.core.clock import Clock
from logwatch.follow.fileindex import (
    FP_MAX,
    MARKER_BYTES,
    Entry,
    FileIndex,
    Heads,
    Inode,
    fingerprint,
)
from logwatch.follow.lines import count_lines, end_of_last_line
from logwatch.follow.listing import Listed, Listing, Source, file_key, listed_as

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


#: A new file that is a prefix of a followed file waits this many listings to grow.
COPY_WAIT_LISTINGS = 5
#: A file held since its creation and still empty is held for this many listings.
EMPTY_HOLD_LISTINGS = 5
#: A copy must also hold the same bytes as the original just before what was read:
#: enough of them to span a line's varying part (a time, an id) in a log whose lines
#: differ in a few digits, where 64 bytes could fall in the part every line repeats.
COPY_CHECK_BYTES = 256


@dataclass(frozen=True, slots=True)
class Opened:
    """Bytes of file ``id`` will now be read from ``offset``.

    ``fresh``: a file not known before; ``catch_up``: read from its start when first
    followed because its source asks for a backfill; ``head``: its first bytes;
    ``line``: the number of the line at ``offset`` when it was counted (0: not).
    """

    id: str
    path: str
    source: str
    offset: int
    fresh: bool
    size: int = 0
    head: bytes = b""
    catch_up: bool = False
    line: int = 0


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
    try:
        fd = msvcrt.open_osfhandle(handle, os.O_RDONLY)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        kernel32.CloseHandle(handle)
        raise
    return open(fd, "rb", buffering=0)


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
    listing = Listing(sources, lambda path, event: None)
    found = list(listing.take(lambda found: False).values())  # oldest change first
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


class Reading:
    """The open files of an index: each step's polls and reads, and their openings.

    ``listed_once`` is set by the tailer after its first whole listing: the files found
    in it that no pattern in ``followed`` (the patterns followed before) matched start
    at their end (or catch up, if their source asks for a backfill); the others, and
    every file found later, are new since then and read from their start.
    """

    def __init__(
        self,
        index: FileIndex,
        sources: Iterable[Source],
        clock: Clock,
        wake: threading.Event,
        warn: Callable[..., None],
        followed: AbstractSet[str] = frozenset(),
        max_open: int = 256,
        missing_limit: int = missing_listings(sys.platform),
        held: Held | None = None,
    ) -> None:
        self._files = index
        #: files opened before start-up's slow part, until the first listing
        self.held = held or Held({})
        self.sources = tuple(sources)
        self.clock = clock
        self.wake = wake
        self._warn = warn
        self.followed = followed
        self.max_open = max_open
        self.missing_limit = missing_limit
        self.listed_once = False
        #: the open file of each open entry, by its id
        self._handles: dict[str, BinaryIO] = {}
        #: the open entries by their first bytes: which ones a new file may copy
        self._heads = Heads()
        #: new files that may be copies of followed ones, by inode
        self._copies: dict[Inode, _Copy] = {}
        #: files closed to stay under max_open, by inode: skipped until they change
        self._parked: dict[Inode, str] = {}
        #: files with bytes left to read after the last step
        self.behind: set[str] = set()
        #: held files found empty by a listing, to hold again (and how many times)
        self._empty: dict[Inode, tuple[Listed, BinaryIO]] = {}
        self._empty_seen: dict[Inode, int] = {}
        #: bytes this step may still read, from all files (the tailer sets it)
        self.step_budget = MAX_READ_PER_STEP

    # -- what the tailer asks ----------------------------------------------------------

    def close(self) -> None:
        """Close every handle."""
        self.held.close()
        for _, handle in self.take_empty().values():
            handle.close()
        for entry in self._files:
            self._close(entry)
        for copy in self._copies.values():
            copy.handle.close()
        self._copies.clear()

    def copying(self) -> bool:
        """Whether a new file waits to tell if it is a copy (it counts listings)."""
        return bool(self._copies)

    def is_copy(self, inode: Inode) -> bool:
        return inode in self._copies

    def parked(self) -> KeysView[Inode]:
        """The inodes of the files closed to stay under max_open."""
        return self._parked.keys()

    def parked_id(self, inode: Inode) -> str | None:
        return self._parked.get(inode)

    def unchanged_parked(self, inode: Inode, item: Listed) -> bool:
        """Whether ``item`` is a parked file that did not change since it was closed
        (a parked file that changed is parked no more)."""
        parked = self._parked.get(inode)
        if parked is None:
            return False
        if self._files[parked].stamp == (item.size, item.mtime_ns):
            return True
        del self._parked[inode]
        return False

    def unlisted(self, listing: dict[Inode, Listed]) -> None:
        """A new listing: copies and parked files not in it are let go."""
        for inode, copy in list(self._copies.items()):
            if inode not in listing:
                copy.handle.close()
                del self._copies[inode]
        for inode in [i for i in self._parked if i not in listing]:
            del self._parked[inode]

    def open_count(self) -> int:
        """How many file handles are held."""
        return len(self._handles)

    def still_at(self, eid: str, item: Listed) -> bool:
        """For a file known by its path (inode 0): whether the file now at that path
        is still the one held (same first bytes, not shorter than what was read)."""
        entry = self._files[eid]
        try:
            with open_shared(item.path) as fh:
                head = _pread(fh, 0, entry.fp_n)
        except OSError:
            return True  # cannot tell: the next listing looks again
        return fingerprint(head) == entry.fp_hash and item.size >= entry.read_pos

    def marker(self, eid: str, offset: int) -> bytes:
        """A hash of the bytes just before ``offset`` in file ``eid`` as they were read
        (b"" when that cannot be told any more).

        Not as the file holds them now: it may have been cut and written again since
        it was read (a rotation while the lines are matched), and a marker of the new
        bytes would disown the copy that holds the ones read, after a restart.
        """
        entry = self._files.get(eid)
        if entry is None:
            return b""
        start = max(0, offset - MARKER_BYTES)
        before = self._as_read(entry, start, offset)
        if before is None:
            return self._files.saved_marker(eid, offset)
        return self._files.save_marker(eid, offset, before)

    def _as_read(self, entry: Entry, start: int, end: int) -> bytes | None:
        """An entry's bytes from ``start`` to ``end`` as they were read: from the last
        bytes read, else from its file while that still holds them where they were."""
        if end > entry.read_pos:
            return None
        if end <= start:
            return b""
        tail_start = entry.read_pos - len(entry.tail)
        if start >= tail_start:
            return entry.tail[start - tail_start : end - tail_start]
        handle = self._handles.get(entry.id)
        if handle is None:
            return None
        try:
            data = _pread(handle, start, end - start)
            held = _pread(handle, tail_start, len(entry.tail)) == entry.tail
        except OSError:
            return None
        return data if held and len(data) == end - start else None

    def count_lines(self, eid: str, offset: int) -> int:
        """How many lines end before ``offset`` in file ``eid``."""
        entry = self._files.get(eid)
        if entry is None or offset <= 0:
            return 0
        handle = self._handles.get(eid)
        if handle is None:
            # parked above max_open in the step that opened it: count from its path
            try:
                with open_shared(entry.path) as fh:
                    return count_lines(_reader(fh), offset)
            except OSError:
                return 0
        return count_lines(_reader(handle), offset)

    # -- opening -------------------------------------------------------------------

    def identify(
        self,
        inode: Inode,
        item: Listed,
        events: list[Event],
        cut: bool = False,
        listing: bool = True,
    ) -> None:
        """Open a listed file no entry is open under, and pair it with its entry (or a
        new one); a possible copy of a followed file waits. ``cut``: a held file just
        found cut, new content whatever its size; ``listing``: a whole listing looks
        (a copy counts it), not an event that named the file."""
        copy = self._copies.get(inode)
        held = self.held.take(inode)
        if copy is not None:
            handle = copy.handle
            if held is not None:
                held.close()
        elif held is not None:
            handle = held
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
        tries = self._empty_seen.pop(inode, 0)
        if not head:  # empty: its identity is known once it has bytes
            kept = held is not None and self._keep_empty(inode, item, handle, tries)
            if copy is None and not kept:
                handle.close()
            return
        # its size now, beside the bytes read now: the listing's may be older (a copy
        # listed while it was written, its original cut since: compared short of what
        # was read, with the original's new bytes, it was taken for a new file)
        size = 0 if cut else _size(handle, item.size)
        # found by the first listing where nothing was followed before: it starts at
        # its end (or catches up), whatever it turns out to be
        first = not self.listed_once and self.followed.isdisjoint(item.patterns)
        entry, doubted = self._files.owners(head, size, _reader(handle), item.path)
        if not self._own(first, entry, item):
            origin = self._open_owner(head, handle, size)
            # a copy of a followed file (copytruncate), or one growing
            if origin is not None:
                if copy is None:
                    self._copies[inode] = _Copy(origin, item.path, handle)
                    return
                copy.path = item.path
                copy.waits += listing
                if copy.waits < COPY_WAIT_LISTINGS or len(head) >= FP_MAX:
                    return
        self._copies.pop(inode, None)
        fresh = entry is None
        catch_up = False
        if entry is None:
            offset = 0
            if first:
                offset, catch_up = self._start(item, handle, size)
            entry = Entry(
                id=uuid.uuid4().hex,
                fp_hash=fingerprint(head),
                fp_n=len(head),
                path=item.path,
                source=item.source,
                read_pos=offset,
                last_seen=self.clock.now().timestamp(),
            )
            self._files.add(entry)
        if doubted is not None:
            # the same start, other bytes before where it was read to: rewritten, or
            # another file; read as a new one, lines read before may come again
            self._warn(
                item.path,
                "offset_untrusted",
                read_to=str(doubted.read_pos),
                reading_from=str(entry.read_pos),
            )
        self._handles[entry.id] = handle
        self._heads.put(entry, head[: entry.fp_n])
        entry.path = item.path
        entry.source = item.source
        entry.missing, entry.stamp, entry.size = 0, (-1, -1), size
        self._files.name(inode, entry.id)
        # a new file's line numbers are counted while it is open: a start's step may
        # close it again (max_open) before its stream is made
        line = 0
        if fresh:
            at = entry.read_pos
            line = 1 + (count_lines(_reader(handle), at) if at > 0 else 0)
        events.append(
            Opened(
                entry.id,
                item.path,
                item.source,
                entry.read_pos,
                fresh,
                size,
                head,
                catch_up,
                line,
            )
        )

    def _keep_empty(
        self, inode: Inode, item: Listed, handle: BinaryIO, tries: int
    ) -> bool:
        """A held file still empty (created, its first write not made yet): held for
        the next ``EMPTY_HOLD_LISTINGS`` listings, unless it is deleted already."""
        if tries + 1 >= EMPTY_HOLD_LISTINGS:
            return False
        try:
            if os.fstat(handle.fileno()).st_nlink == 0:
                return False
        except OSError:
            return False
        self._empty[inode] = (item, handle)
        self._empty_seen[inode] = tries + 1
        return True

    def take_empty(self) -> dict[Inode, tuple[Listed, BinaryIO]]:
        """The held files that were still empty at the last listing, to hold again."""
        empty, self._empty = self._empty, {}
        return empty

    def _own(self, first: bool, known: Entry | None, item: Listed) -> bool:
        """Whether a file the first listing found is its own, with no need to ask if it
        copies another: one no pattern followed before that starts at its end (no
        backfill: nothing it holds now is read, whatever it is), or the one the state
        knew at this path, by its content and marker. Files that start alike are not
        held back as possible copies of each other, at every start."""
        if self.listed_once:
            return False
        if known is not None:
            return known.path == item.path
        if not first:
            return False
        source = next((s for s in self.sources if s.name == item.source), None)
        return source is None or source.backfill_s <= 0

    def _start(self, item: Listed, handle: BinaryIO, size: int) -> tuple[int, bool]:
        """Where a file found by the first listing starts: its end, or its start to
        catch up when its source asks for a backfill."""
        source = next((s for s in self.sources if s.name == item.source), None)
        if source is not None and source.backfill_s > 0:
            return 0, True
        return end_of_last_line(_reader(handle), size), False

    def _open_owner(self, head: bytes, handle: BinaryIO, size: int) -> str | None:
        """The followed file that this one is a copy of (copytruncate), or a prefix of.

        Many logs start with the same header, so the same first bytes are not enough: a
        copy also holds the original's bytes just before the point already read, and
        holds no more than its original while that is not cut (a bot's files that start
        alike and grow apart are not copies of each other).
        """
        for eid in self._heads.matching(head):
            entry = self._files[eid]
            theirs_handle = self._handles.get(eid)
            if theirs_handle is None or theirs_handle is handle:
                continue
            n = min(entry.fp_n, len(head))
            if n < entry.fp_n and _pread(theirs_handle, 0, n) != head[:n]:
                continue  # the file was rewritten since it was fingerprinted
            if self._outgrows(entry, theirs_handle, size):
                continue
            end = min(entry.read_pos, size)
            if end <= len(head):
                return entry.id  # nothing past the head to compare yet
            start = max(0, end - COPY_CHECK_BYTES)
            if end == entry.read_pos and len(entry.tail) >= end - start:
                theirs = entry.tail[len(entry.tail) - (end - start) :]
            else:
                theirs = _pread(theirs_handle, start, end - start)
            if _pread(handle, start, end - start) == theirs:
                return entry.id
        return None

    def _outgrows(self, entry: Entry, handle: BinaryIO, size: int) -> bool:
        """Whether a file of ``size`` bytes holds more than the followed file of
        ``entry`` while that still holds what was read from it: then it is no copy of
        it."""
        if size <= entry.size:
            return False  # not more than it had when last looked at: it only grows
        theirs = _size(handle, -1)
        if theirs < 0 or size <= theirs:
            return False
        if theirs < entry.read_pos:
            return False  # cut: a copy of it may well be longer
        # cut and written again past where it was read: its first bytes tell
        return _holds_read(entry, handle)

    # -- reading -------------------------------------------------------------------

    def poll(self, entry: Entry, events: list[Event]) -> None:
        """Read what an open file gained; notice it cut, replaced or gone."""
        handle = self._handles.get(entry.id)
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
                self._heads.put(entry, head)
        if replaced:
            self._replaced(entry, handle, events)
            return
        entry.stamp, entry.size = stamp, st.st_size
        self._read(entry, handle, st.st_size, events)
        gone = st.st_nlink == 0 or entry.missing >= self.missing_limit
        if gone and entry.read_pos >= st.st_size:
            self._drain(entry, events)

    def poll_all(self, events: list[Event]) -> None:
        """Poll every open file, the one changed longest ago first."""
        self.poll_some([e.id for e in self._files], events)

    def poll_some(self, eids: Iterable[str], events: list[Event]) -> None:
        """Poll these open files, the one changed longest ago first: when the step's
        budget cannot read them all, what is left waits in the files rotated last,
        which are deleted last (a restart after a kill still finds them)."""
        held = [
            entry
            for entry in map(self._files.get, eids)
            if entry is not None and entry.id in self._handles
        ]
        held.sort(key=self._changed_at)
        for entry in held:
            self.poll(entry, events)

    def _changed_at(self, entry: Entry) -> int:
        """When an open file last changed (ns), by its handle now: not by its last
        poll's stamp, which a file opened in this step does not have yet (a new daily
        file, a restart's every file); polled first, it took the budget of the older
        files behind."""
        try:
            return os.fstat(self._handles[entry.id].fileno()).st_mtime_ns
        except OSError:
            return entry.stamp[1]

    def _read(
        self, entry: Entry, handle: BinaryIO, size: int, events: list[Event]
    ) -> None:
        budget = min(MAX_READ_PER_STEP, self.step_budget)
        while entry.read_pos < size and budget > 0:
            try:
                data = _pread(
                    handle,
                    entry.read_pos,
                    min(READ_BYTES, size - entry.read_pos, budget),
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
            self.step_budget -= len(data)
        if entry.read_pos < size:
            self.behind.add(entry.id)
            self.wake.set()  # more to read: come back at once

    def _replaced(self, entry: Entry, handle: BinaryIO, events: list[Event]) -> None:
        """The file was cut (copytruncate) or rewritten in place."""
        inode, path = entry.inode, entry.path  # where the cut file is, by the listing
        if inode is None:
            return
        copy_inode = next(
            (
                i
                for i, c in self._copies.items()
                if c.origin == entry.id and _holds_read(entry, c.handle)
            ),
            None,
        )
        self._files.unmap(inode)
        if copy_inode is not None:
            # the copy holds the old content: keep following it from where we stopped
            copy = self._copies.pop(copy_inode)
            self._handles[entry.id] = copy.handle
            entry.path = copy.path
            entry.stamp = (-1, -1)
            self._files.name(copy_inode, entry.id)
            events.append(Moved(entry.id, copy.path))
            self.poll(entry, events)
        else:
            del self._handles[entry.id]
            self._heads.drop(entry.id)
            self._files.let_go(entry)
            events.append(Drained(entry.id))
        # the original file, cut, is new content from byte 0
        self._copies[inode] = _Copy("", path, handle, COPY_WAIT_LISTINGS)
        listed = Listed(path, entry.source, 0, 0)
        self.identify(inode, listed, events, cut=True)
        reopened = self._files.at(inode)
        if reopened is not None:
            # read it now: the step's polls were chosen before it was opened, and no
            # later event may name it (its writer may have moved on to another file)
            self.poll(self._files[reopened], events)

    def _drain(self, entry: Entry, events: list[Event]) -> None:
        self._close(entry)
        events.append(Drained(entry.id))

    def _close(self, entry: Entry) -> None:
        handle = self._handles.pop(entry.id, None)
        if handle is not None:
            handle.close()
        self._heads.drop(entry.id)
        self._files.let_go(entry)

    def limit_open(self) -> None:
        """Close the files changed longest ago beyond ``max_open``; they are parked
        (skipped until their size or time changes) and found again by their content."""
        if len(self._handles) <= self.max_open:
            return
        held = self._files.held()
        held.sort(key=lambda e: e.stamp[1])
        for entry in held[: len(held) - self.max_open]:
            inode = entry.inode
            self._close(entry)
            if inode is not None and entry.missing == 0:
                self._parked[inode] = entry.id


def _holds_read(entry: Entry, handle: BinaryIO) -> bool:
    """Whether a file still holds what was read from ``entry``: the same first bytes
    and the same last ones read, where they were (a file cut and written again holds
    other lines there, however alike)."""
    try:
        if fingerprint(_pread(handle, 0, entry.fp_n)) != entry.fp_hash:
            return False
        start = entry.read_pos - len(entry.tail)
        return _pread(handle, start, len(entry.tail)) == entry.tail
    except OSError:
        return False


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
