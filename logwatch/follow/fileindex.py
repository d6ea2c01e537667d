"""Which file is which: the entries, their (device, inode) names and their markers.

Pure: it is given bytes (a file's first bytes, the bytes before an offset) and answers
with entries; opening, reading and closing files is the tailer's. A file is known by
its content, a hash of its first bytes (growing to ``FP_MAX``); (device, inode) names
it only while a handle is open.
"""

from __future__ import annotations

import hashlib
import uuid
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, KeysView
from dataclasses import dataclass

from logwatch.core.model import FileState

FP_MAX = 1024
MARKER_BYTES = 32

#: (device, inode), or a made-up name for a file system without inodes
Inode = tuple[int, int]


def fingerprint(head: bytes) -> bytes:
    """The content identity of a file that starts with ``head``."""
    return hashlib.blake2b(head, digest_size=16).digest()


@dataclass(slots=True, kw_only=True)
class Entry:
    """One followed file: its content identity, where it was read to, and the inode it
    is open under (None while closed; its handle is the reading's, by its id)."""

    id: str
    fp_hash: bytes
    fp_n: int
    path: str
    source: str
    read_pos: int
    last_seen: float
    inode: Inode | None = None
    stamp: tuple[int, int] = (-1, -1)  # size, mtime_ns at the last look
    missing: int = 0
    tail: bytes = b""  # the last bytes read, to recognise a copy of this content
    seq: int = 0  # its place in the index, in the order entries were added
    size: int = 0  # its file's size when it was opened or last polled


class FileIndex:
    """The entries by id, the open ones by inode, and the marker saved for each."""

    def __init__(self, known: Iterable[FileState] = ()) -> None:
        known = tuple(known)
        self._entries: dict[str, Entry] = {
            s.id: Entry(
                id=s.id,
                fp_hash=s.fp_hash,
                fp_n=s.fp_n,
                path=s.path,
                source="",
                read_pos=s.offset,
                last_seen=s.last_seen,
                seq=i,
            )
            for i, s in enumerate(known)
        }
        self._added = len(self._entries)
        self._by_inode: dict[Inode, str] = {}
        self._markers: dict[str, tuple[int, bytes]] = {
            s.id: (s.offset, s.marker) for s in known
        }
        #: closed entries by prefix length and hash, built once per listing
        self._closed: dict[int, dict[bytes, list[str]]] | None = None

    # -- the entries ---------------------------------------------------------------

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def __getitem__(self, eid: str) -> Entry:
        return self._entries[eid]

    def get(self, eid: str) -> Entry | None:
        return self._entries.get(eid)

    def add(self, entry: Entry) -> None:
        entry.seq, self._added = self._added, self._added + 1
        self._entries[entry.id] = entry

    def held(self) -> list[Entry]:
        """The entries open now (named by an inode)."""
        return [e for e in self._entries.values() if e.inode is not None]

    def forget(self, eids: Iterable[str]) -> None:
        """Drop closed entries (State expired them)."""
        for eid in eids:
            entry = self._entries.get(eid)
            if entry is not None and entry.inode is None:
                del self._entries[eid]
                self._markers.pop(eid, None)

    # -- names while open ----------------------------------------------------------

    def at(self, inode: Inode) -> str | None:
        """The entry open under ``inode``."""
        return self._by_inode.get(inode)

    def named(self, inode: Inode) -> bool:
        return inode in self._by_inode

    def named_inodes(self) -> KeysView[Inode]:
        """The inodes entries are open under."""
        return self._by_inode.keys()

    def name(self, inode: Inode, eid: str) -> None:
        """Entry ``eid`` is now open under ``inode``."""
        self._entries[eid].inode = inode
        self._by_inode[inode] = eid

    def unmap(self, inode: Inode) -> None:
        """Nothing is open under ``inode`` any more (its entry keeps its fields)."""
        del self._by_inode[inode]

    def let_go(self, entry: Entry) -> None:
        """Entry's file was closed: it is known by its content only."""
        if entry.inode is not None:
            self._by_inode.pop(entry.inode, None)
        entry.inode = None

    def unname(self, eid: str, inode: Inode) -> None:
        """Another file took the name of held file ``eid``: it keeps a name no
        listing has, so it is drained, then found again by its content."""
        del self._by_inode[inode]
        self.name((inode[0], -1 - uuid.uuid4().int), eid)

    # -- by content ----------------------------------------------------------------

    def new_listing(self) -> None:
        """Entries may have closed since the last listing: look them up afresh."""
        self._closed = None

    def known_owner(
        self, head: bytes, size: int, before: Callable[[int, int], bytes]
    ) -> Entry | None:
        """The closed entry that a file of ``size`` bytes starting with ``head`` is.

        ``before(start, n)`` gives the file's ``n`` bytes at ``start``: they must match
        the entry's marker when one was saved at the point the entry was read to.
        """
        return self.owners(head, size, before)[0]

    def owners(
        self,
        head: bytes,
        size: int,
        before: Callable[[int, int], bytes],
        path: str = "",
    ) -> tuple[Entry | None, Entry | None]:
        """``known_owner``, and the closed entry the file would be but for its marker:
        it starts the same, but other bytes stand before where that entry was read to.
        Of entries alike (files that start alike), the one last seen at ``path`` wins.
        """
        if self._closed is None:
            self._closed = {}
            for e in self._entries.values():
                if e.inode is None and e.fp_n > 0:
                    by_hash = self._closed.setdefault(e.fp_n, {})
                    by_hash.setdefault(e.fp_hash, []).append(e.id)
        candidates = [
            self._entries[eid]
            for n, by_hash in self._closed.items()
            if n <= len(head)
            for eid in by_hash.get(fingerprint(head[:n]), ())
        ]
        best: Entry | None = None
        doubted: Entry | None = None
        for entry in candidates:
            if entry.inode is not None:
                continue
            if entry.read_pos > size:
                continue  # the same start, but cut shorter: a different file now
            offset, marker = self._markers.get(entry.id, (entry.read_pos, b""))
            if marker and offset == entry.read_pos:
                start = max(0, offset - MARKER_BYTES)
                if fingerprint(before(start, offset - start)) != marker:
                    if doubted is None or entry.fp_n > doubted.fp_n:
                        doubted = entry
                    continue
            if best is None or (entry.fp_n, entry.path == path) > (
                best.fp_n,
                best.path == path,
            ):
                best = entry
        return best, (doubted if best is None else None)

    def identity(self, eid: str) -> tuple[bytes, int, str, float]:
        """A file's content identity, path and when it was last seen."""
        entry = self._entries[eid]
        return entry.fp_hash, entry.fp_n, entry.path, entry.last_seen

    # -- markers -------------------------------------------------------------------

    def saved_marker(self, eid: str, offset: int) -> bytes:
        """The marker saved for ``eid`` at ``offset`` (b"" when none was saved there:
        one saved at another offset says nothing of the bytes before this one)."""
        saved_at, marker = self._markers.get(eid, (-1, b""))
        return marker if saved_at == offset else b""

    def save_marker(self, eid: str, offset: int, before: bytes) -> bytes:
        """Remember the hash of ``before``, the bytes just before ``offset``."""
        marker = fingerprint(before)
        self._markers[eid] = (offset, marker)
        return marker


class Heads:
    """The open entries by their first bytes, as far as their fingerprint goes: which
    ones a new file may be a copy of, without comparing it with every one.

    An entry matches a file whose first bytes ``head`` agree with its own over the
    shorter of the two: its fingerprinted bytes are a prefix of ``head`` (looked up by
    each length entries have: at most ``FP_MAX`` lengths, however many entries), or
    ``head`` is a prefix of them (a range of the entries sorted by their bytes). The
    reading puts an entry when its file is opened and again when its fingerprint
    grows, and drops it when the file is closed, so the answer stays the one a look
    at every open entry would give.
    """

    def __init__(self) -> None:
        #: the open entries' first bytes (their fingerprint's), and their ids
        self._by_head: dict[bytes, dict[str, int]] = {}
        #: how many entries have first bytes of each length
        self._lengths: Counter[int] = Counter()
        #: (first bytes, seq, id) of every entry, sorted: prefixes are ranges
        self._sorted: list[tuple[bytes, int, str]] = []
        self._of: dict[str, tuple[bytes, int]] = {}

    def __len__(self) -> int:
        return len(self._of)

    def __contains__(self, eid: object) -> bool:
        return eid in self._of

    def put(self, entry: Entry, head: bytes) -> None:
        """Entry is open and its fingerprint is of ``head`` (its first ``fp_n``
        bytes); a put again replaces what was put before."""
        self.drop(entry.id)
        if not head:
            return
        self._of[entry.id] = (head, entry.seq)
        self._by_head.setdefault(head, {})[entry.id] = entry.seq
        self._lengths[len(head)] += 1
        insort(self._sorted, (head, entry.seq, entry.id))

    def drop(self, eid: str) -> None:
        """Entry ``eid`` is closed (nothing when it was not put)."""
        had = self._of.pop(eid, None)
        if had is None:
            return
        head, seq = had
        same = self._by_head[head]
        del same[eid]
        if not same:
            del self._by_head[head]
        self._lengths[len(head)] -= 1
        if not self._lengths[len(head)]:
            del self._lengths[len(head)]
        at = bisect_left(self._sorted, (head, seq, eid))
        del self._sorted[at]

    def matching(self, head: bytes) -> list[str]:
        """The ids of the entries whose first bytes agree with ``head`` over the
        shorter of the two, in the order the entries were added."""
        if not head:
            return []
        found: dict[str, int] = {}
        for n in self._lengths:
            if n <= len(head):
                found.update(self._by_head.get(head[:n], {}))
        at = bisect_left(self._sorted, (head,))
        while at < len(self._sorted) and self._sorted[at][0].startswith(head):
            _, seq, eid = self._sorted[at]
            found[eid] = seq
            at += 1
        return sorted(found, key=found.__getitem__)
