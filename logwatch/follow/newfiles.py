"""New files: which followed file a listed file no entry is open under is.

A listed file is opened and paired with the index's entry by its content: its own (the
state knew it), a new one (read from its start, or from its end at the first listing),
a copy of a followed file (copytruncate, held back until it can tell), or the
original just cut. Files still empty are held a few listings for their first bytes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import BinaryIO

from logwatch.core.clock import Clock
from logwatch.follow.events import Event, Opened
from logwatch.follow.fileindex import FP_MAX, Entry, FileIndex, Inode, fingerprint
from logwatch.follow.handles import Handles, open_shared, pread, reader, size_of
from logwatch.follow.held import Held
from logwatch.follow.listing import Listed, Source
from logwatch.follow.positions import count_lines, end_of_last_line

#: A new file that is a prefix of a followed file waits this many listings to grow.
COPY_WAIT_LISTINGS = 5
#: A file held since its creation and still empty is held for this many listings.
EMPTY_HOLD_LISTINGS = 5
#: A copy must also hold the same bytes as the original just before what was read:
#: enough of them to span a line's varying part (a time, an id) in a log whose lines
#: differ in a few digits, where 64 bytes could fall in the part every line repeats.
COPY_CHECK_BYTES = 256


@dataclass(slots=True)
class _Copy:
    origin: str
    path: str
    handle: BinaryIO
    waits: int = 0


class NewFiles:
    """The listed files no entry is open under: each is opened, paired with its entry
    (or a new one) and put in ``handles``, or held back while it may be a copy.

    ``listed_once`` is set by the tailer after its first whole listing: the files found
    in it that no pattern in ``followed`` (the patterns followed before) matched start
    at their end (or catch up, if their source asks for a backfill); the others, and
    every file found later, are new since then and read from their start.
    """

    def __init__(
        self,
        index: FileIndex,
        handles: Handles,
        held: Held,
        *,
        sources: Iterable[Source],
        clock: Clock,
        warn: Callable[..., None],
        followed: AbstractSet[str] = frozenset(),
    ) -> None:
        self._files = index
        self._handles = handles
        self.held = held
        self.sources = tuple(sources)
        self.clock = clock
        self._warn = warn
        self.followed = followed
        self.listed_once = False
        #: new files that may be copies of followed ones, by inode
        self._copies: dict[Inode, _Copy] = {}
        #: held files found empty by a listing, to hold again (and how many times)
        self._empty: dict[Inode, tuple[Listed, BinaryIO]] = {}
        self._empty_seen: dict[Inode, int] = {}

    def close(self) -> None:
        """Close the handles of the files still empty and of the possible copies."""
        for _, handle in self.take_empty().values():
            handle.close()
        for copy in self._copies.values():
            copy.handle.close()
        self._copies.clear()

    def copying(self) -> bool:
        """Whether a new file waits to tell if it is a copy (it counts listings)."""
        return bool(self._copies)

    def is_copy(self, inode: Inode) -> bool:
        return inode in self._copies

    def unlisted(self, listing: dict[Inode, Listed]) -> None:
        """A new listing: copies not in it are let go."""
        for inode, copy in list(self._copies.items()):
            if inode not in listing:
                copy.handle.close()
                del self._copies[inode]

    def copy_of(self, entry: Entry) -> tuple[Inode, BinaryIO, str] | None:
        """The copy of ``entry``'s file, just found cut, that holds what was read from
        it (its inode, handle and path), now the caller's (None: none does)."""
        copy_inode = next(
            (
                i
                for i, c in self._copies.items()
                if c.origin == entry.id and _holds_read(entry, c.handle)
            ),
            None,
        )
        if copy_inode is None:
            return None
        copy = self._copies.pop(copy_inode)
        return copy_inode, copy.handle, copy.path

    def cut(
        self, inode: Inode, item: Listed, handle: BinaryIO, events: list[Event]
    ) -> None:
        """A followed file cut in place: its handle, at ``inode``, is new content from
        byte 0 (a copy of nothing: it does not wait to grow)."""
        self._copies[inode] = _Copy("", item.path, handle, COPY_WAIT_LISTINGS)
        self.identify(inode, item, events, cut=True)

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
        handle = self._handle(item, copy, held)
        if handle is None:
            return
        head = self._head(inode, item, handle)
        if head is None:
            return
        tries = self._empty_seen.pop(inode, 0)
        if not head:  # empty: its identity is known once it has bytes
            self._empty_file(inode, item, handle, tries, copy is not None, held)
            return
        # its size now, beside the bytes read now: the listing's may be older (a copy
        # listed while it was written, its original cut since: compared short of what
        # was read, with the original's new bytes, it was taken for a new file)
        size = 0 if cut else size_of(handle, item.size)
        # found by the first listing where nothing was followed before: it starts at
        # its end (or catches up), whatever it turns out to be
        first = not self.listed_once and self.followed.isdisjoint(item.patterns)
        entry, doubted = self._files.owners(head, size, reader(handle), item.path)
        if not self._own(first, entry, item) and self._waits(
            inode, item, handle, head=head, size=size, copy=copy, listing=listing
        ):
            return
        self._copies.pop(inode, None)
        fresh = entry is None
        catch_up = False
        if entry is None:
            entry, catch_up = self._new_entry(item, handle, head, size, first)
        if doubted is not None:
            self._doubted(item, doubted, entry)
        self._open(inode, item, entry, handle, head, size)
        # a new file's line numbers are counted while it is open: a start's step may
        # close it again (max_open) before its stream is made
        line = self._line_at(entry, handle) if fresh else 0
        events.append(
            Opened(
                id=entry.id,
                path=item.path,
                source=item.source,
                offset=entry.read_pos,
                fresh=fresh,
                size=size,
                head=head,
                catch_up=catch_up,
                line=line,
            )
        )

    def _handle(
        self, item: Listed, copy: _Copy | None, held: BinaryIO | None
    ) -> BinaryIO | None:
        """The handle to read a listed file by: its possible copy's, the one held since
        before the listing, or a new one (None: unreadable, and said so)."""
        if copy is not None:
            if held is not None:
                held.close()
            return copy.handle
        if held is not None:
            return held
        try:
            return open_shared(item.path)
        except OSError as exc:
            self._warn(item.path, "file_unreadable", error=exc.strerror or str(exc))
            return None

    def _head(self, inode: Inode, item: Listed, handle: BinaryIO) -> bytes | None:
        """A listed file's first bytes (None: unreadable, its handle closed)."""
        try:
            return pread(handle, 0, FP_MAX)
        except OSError as exc:
            handle.close()
            self._copies.pop(inode, None)
            self._warn(item.path, "file_unreadable", error=exc.strerror or str(exc))
            return None

    def _waits(
        self,
        inode: Inode,
        item: Listed,
        handle: BinaryIO,
        *,
        head: bytes,
        size: int,
        copy: _Copy | None,
        listing: bool,
    ) -> bool:
        """Whether a file that is not its own waits as a possible copy of a followed
        file (copytruncate), or one growing: until it grows past its head, or for
        ``COPY_WAIT_LISTINGS`` listings."""
        origin = self._open_owner(head, handle, size)
        if origin is None:
            return False
        if copy is None:
            self._copies[inode] = _Copy(origin, item.path, handle)
            return True
        copy.path = item.path
        copy.waits += listing
        return copy.waits < COPY_WAIT_LISTINGS or len(head) >= FP_MAX

    def _new_entry(
        self, item: Listed, handle: BinaryIO, head: bytes, size: int, first: bool
    ) -> tuple[Entry, bool]:
        """The index's entry for a file it did not know, and whether it catches up."""
        offset = 0
        catch_up = False
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
        return entry, catch_up

    def _doubted(self, item: Listed, doubted: Entry, entry: Entry) -> None:
        """The same start as ``doubted``, other bytes before where it was read to:
        rewritten, or another file; read as a new one, lines read before may come
        again."""
        self._warn(
            item.path,
            "offset_untrusted",
            read_to=str(doubted.read_pos),
            reading_from=str(entry.read_pos),
        )

    def _open(
        self,
        inode: Inode,
        item: Listed,
        entry: Entry,
        handle: BinaryIO,
        head: bytes,
        size: int,
    ) -> None:
        """Entry ``entry`` is open on ``handle``, at ``inode`` and ``item``'s path."""
        self._handles.add(entry, handle, head[: entry.fp_n])
        entry.path = item.path
        entry.source = item.source
        entry.missing, entry.stamp, entry.size = 0, (-1, -1), size
        self._files.name(inode, entry.id)

    @staticmethod
    def _line_at(entry: Entry, handle: BinaryIO) -> int:
        """The number of the line a new entry is read from."""
        at = entry.read_pos
        return 1 + (count_lines(reader(handle), at) if at > 0 else 0)

    def _empty_file(
        self,
        inode: Inode,
        item: Listed,
        handle: BinaryIO,
        tries: int,
        copied: bool,
        held: BinaryIO | None,
    ) -> None:
        """A listed file still empty: one held since before the listing is held
        again (``_keep_empty``); else its handle is closed, unless a copy's."""
        kept = held is not None and self._keep_empty(inode, item, handle, tries)
        if not copied and not kept:
            handle.close()

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
        return end_of_last_line(reader(handle), size), False

    def _open_owner(self, head: bytes, handle: BinaryIO, size: int) -> str | None:
        """The followed file that this one is a copy of (copytruncate), or a prefix of.

        Many logs start with the same header, so the same first bytes are not enough: a
        copy also holds the original's bytes just before the point already read, and
        holds no more than its original while that is not cut (a bot's files that start
        alike and grow apart are not copies of each other).
        """
        for eid in self._handles.matching(head):
            entry = self._files[eid]
            theirs_handle = self._handles.get(eid)
            if theirs_handle is None or theirs_handle is handle:
                continue
            n = min(entry.fp_n, len(head))
            if n < entry.fp_n and pread(theirs_handle, 0, n) != head[:n]:
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
                theirs = pread(theirs_handle, start, end - start)
            if pread(handle, start, end - start) == theirs:
                return entry.id
        return None

    def _outgrows(self, entry: Entry, handle: BinaryIO, size: int) -> bool:
        """Whether a file of ``size`` bytes holds more than the followed file of
        ``entry`` while that still holds what was read from it: then it is no copy of
        it."""
        if size <= entry.size:
            return False  # not more than it had when last looked at: it only grows
        theirs = size_of(handle, -1)
        if theirs < 0 or size <= theirs:
            return False
        if theirs < entry.read_pos:
            return False  # cut: a copy of it may well be longer
        # cut and written again past where it was read: its first bytes tell
        return _holds_read(entry, handle)

    # -- reading -------------------------------------------------------------------


def _holds_read(entry: Entry, handle: BinaryIO) -> bool:
    """Whether a file still holds what was read from ``entry``: the same first bytes
    and the same last ones read, where they were (a file cut and written again holds
    other lines there, however alike)."""
    try:
        if fingerprint(pread(handle, 0, entry.fp_n)) != entry.fp_hash:
            return False
        start = entry.read_pos - len(entry.tail)
        return pread(handle, start, len(entry.tail)) == entry.tail
    except OSError:
        return False
