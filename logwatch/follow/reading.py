"""Reading the followed files: the open handles, by the file index's ids.

Polls what the open files gained (fstat, then the first bytes when the size or time
moved), reads it in bounded pieces, notices a file cut in place (copytruncate) or
rewritten, and keeps the number of open files under a limit (the oldest are closed,
"parked", until they change). Which file a newly listed one is, newfiles.py tells. The
index keeps no file objects: an entry is open while the index names it by an inode, and
its handle is in ``Handles``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, KeysView
from collections.abc import Set as AbstractSet
from typing import BinaryIO

from logwatch.core.clock import Clock
from logwatch.follow.events import Drained, Event, Moved, Read
from logwatch.follow.fileindex import (
    FP_MAX,
    MARKER_BYTES,
    Entry,
    FileIndex,
    Inode,
    fingerprint,
)
from logwatch.follow.handles import Handles, open_shared, pread, reader
from logwatch.follow.held import Held
from logwatch.follow.listing import Listed, Source
from logwatch.follow.newfiles import COPY_CHECK_BYTES, NewFiles
from logwatch.follow.positions import count_lines
from logwatch.follow.readpace import MAX_READ_PER_STEP, READ_BYTES

#: Consecutive listings a held file may be missing from before it is drained and closed.
MISSING_LISTINGS = 2


def missing_listings(platform: str) -> int:
    """How many listings a held file may miss before its handle is let go.

    On Windows one: a file deleted while we hold it stays "delete pending" on FAT,
    exFAT, SMB and with legacy NTFS semantics, and its name cannot be created again
    (the platform's next log file) until our handle is closed.
    """
    return 1 if platform == "win32" else MISSING_LISTINGS


class OpenFiles:
    """The open files of an index: each step's polls and reads, and their openings
    (``NewFiles``: ``followed`` and ``listed_once`` say where a new file starts)."""

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
        self.wake = wake
        self._warn = warn
        self.max_open = max_open
        self.missing_limit = missing_limit
        #: the open file of each open entry, and their first bytes
        self._handles = Handles()
        #: which file a listed one is, opened into ``_handles``
        self._new = NewFiles(
            index,
            self._handles,
            self.held,
            sources=sources,
            clock=clock,
            warn=warn,
            followed=followed,
        )
        #: files closed to stay under max_open, by inode: skipped until they change
        self._parked: dict[Inode, str] = {}
        #: files with bytes left to read after the last step
        self.behind: set[str] = set()
        #: bytes this step may still read, from all files (the tailer sets it)
        self.step_budget = MAX_READ_PER_STEP

    @property
    def listed_once(self) -> bool:
        """Whether the tailer listed the files whole once (set by it)."""
        return self._new.listed_once

    @listed_once.setter
    def listed_once(self, value: bool) -> None:
        self._new.listed_once = value

    # -- what the tailer asks ----------------------------------------------------------

    def close(self) -> None:
        """Close every handle."""
        self.held.close()
        self._new.close()
        for entry in self._files:
            self._close(entry)

    def copying(self) -> bool:
        """Whether a new file waits to tell if it is a copy (it counts listings)."""
        return self._new.copying()

    def is_copy(self, inode: Inode) -> bool:
        return self._new.is_copy(inode)

    def identify(
        self,
        inode: Inode,
        item: Listed,
        events: list[Event],
        cut: bool = False,
        listing: bool = True,
    ) -> None:
        """Open a listed file no entry is open under (``NewFiles.identify``)."""
        self._new.identify(inode, item, events, cut, listing)

    def take_empty(self) -> dict[Inode, tuple[Listed, BinaryIO]]:
        """The held files that were still empty at the last listing, to hold again."""
        return self._new.take_empty()

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
        self._new.unlisted(listing)
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
                head = pread(fh, 0, entry.fp_n)
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
            data = pread(handle, start, end - start)
            held = pread(handle, tail_start, len(entry.tail)) == entry.tail
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
                    return count_lines(reader(fh), offset)
            except OSError:
                return 0
        return count_lines(reader(handle), offset)

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
            head = pread(handle, 0, min(FP_MAX, st.st_size))
            replaced = fingerprint(head[: entry.fp_n]) != entry.fp_hash
            if not replaced and entry.fp_n < FP_MAX and len(head) > entry.fp_n:
                entry.fp_n, entry.fp_hash = len(head), fingerprint(head)
                self._handles.grew(entry, head)
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
        if len(held) > 1:  # one file (the common step) needs no order, nor its fstat
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
                data = pread(
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
        copy = self._new.copy_of(entry)
        self._files.unmap(inode)
        if copy is not None:
            # the copy holds the old content: keep following it from where we stopped
            copy_inode, copy_handle, copy_path = copy
            self._handles.swap(entry.id, copy_handle)
            entry.path = copy_path
            entry.stamp = (-1, -1)
            self._files.name(copy_inode, entry.id)
            events.append(Moved(entry.id, copy_path))
            self.poll(entry, events)
        else:
            self._handles.pop(entry.id)
            self._files.let_go(entry)
            events.append(Drained(entry.id))
        # the original file, cut, is new content from byte 0
        listed = Listed(path, entry.source, 0, 0)
        self._new.cut(inode, listed, handle, events)
        reopened = self._files.at(inode)
        if reopened is not None:
            # read it now: the step's polls were chosen before it was opened, and no
            # later event may name it (its writer may have moved on to another file)
            self.poll(self._files[reopened], events)

    def _drain(self, entry: Entry, events: list[Event]) -> None:
        self._close(entry)
        events.append(Drained(entry.id))

    def _close(self, entry: Entry) -> None:
        handle = self._handles.pop(entry.id)
        if handle is not None:
            handle.close()
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
