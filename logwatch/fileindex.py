"""Which file is which: the entries, their (device, inode) names and their markers.

Pure: it is given bytes (a file's first bytes, the bytes before an offset) and answers
with entries; opening, reading and closing files is the tailer's. A file is known by
its content, a hash of its first bytes (growing to ``FP_MAX``); (device, inode) names
it only while a handle is open.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, KeysView
from dataclasses import dataclass

from logwatch.model import FileState

FP_MAX = 1024
MARKER_BYTES = 32

#: (device, inode), or a made-up name for a file system without inodes
Inode = tuple[int, int]


def fingerprint(head: bytes) -> bytes:
    """The content identity of a file that starts with ``head``."""
    return hashlib.blake2b(head, digest_size=16).digest()


@dataclass(slots=True)
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


class FileIndex:
    """The entries by id, the open ones by inode, and the marker saved for each."""

    def __init__(self, known: Iterable[FileState] = ()) -> None:
        known = tuple(known)
        self._entries: dict[str, Entry] = {
            s.id: Entry(s.id, s.fp_hash, s.fp_n, s.path, "", s.offset, s.last_seen)
            for s in known
        }
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
        self, head: bytes, size: int, before: Callable[[int, int], bytes]
    ) -> tuple[Entry | None, Entry | None]:
        """``known_owner``, and the closed entry the file would be but for its marker:
        it starts the same, but other bytes stand before where that entry was read to.
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
            if best is None or entry.fp_n > best.fp_n:
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
