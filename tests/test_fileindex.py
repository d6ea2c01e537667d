"""The file index on bytes alone: no file is opened here (an open entry is one an
inode names; its handle is the reading's)."""

from __future__ import annotations

from logwatch.fileindex import MARKER_BYTES, Entry, FileIndex, fingerprint
from logwatch.model import FileState

HEAD = b"2026-01-01 started\n"


def state(eid: str, head: bytes, offset: int, marker: bytes = b"") -> FileState:
    path = f"/{eid}.log"
    return FileState(eid, fingerprint(head), len(head), path, offset, marker, 0, 0.0)


def entry(eid: str, head: bytes, read_pos: int = 0) -> Entry:
    return Entry(eid, fingerprint(head), len(head), f"/{eid}.log", "src", read_pos, 0.0)


def no_bytes(start: int, n: int) -> bytes:
    raise AssertionError("no marker to check")


def test_a_closed_entry_is_found_by_its_first_bytes() -> None:
    files = FileIndex([state("a", HEAD, 5)])
    found = files.known_owner(HEAD + b"more\n", 100, no_bytes)
    assert found is not None
    assert found.id == "a"
    assert files.known_owner(b"other content\n", 100, no_bytes) is None


def test_a_file_shorter_than_what_was_read_is_another_file() -> None:
    files = FileIndex([state("a", HEAD, 50)])
    assert files.known_owner(HEAD, 49, no_bytes) is None
    assert files.known_owner(HEAD, 50, no_bytes) is not None


def test_the_longest_matching_prefix_wins() -> None:
    files = FileIndex([state("short", HEAD[:4], 0), state("long", HEAD, 0)])
    found = files.known_owner(HEAD, 100, no_bytes)
    assert found is not None
    assert found.id == "long"


def test_a_saved_marker_must_match_the_bytes_before_the_offset() -> None:
    content = HEAD + b"x" * 40
    offset = len(content)
    before = content[offset - MARKER_BYTES : offset]
    files = FileIndex([state("a", HEAD, offset, fingerprint(before))])
    asked: list[tuple[int, int]] = []

    def same(start: int, n: int) -> bytes:
        asked.append((start, n))
        return content[start : start + n]

    assert files.known_owner(content, offset, same) is not None
    assert asked == [(offset - MARKER_BYTES, MARKER_BYTES)]
    changed = HEAD + b"y" * 40
    assert files.known_owner(changed, offset, lambda s, n: changed[s : s + n]) is None


def test_an_open_entry_is_never_a_known_owner() -> None:
    files = FileIndex()
    files.add(entry("a", HEAD))
    files.name((1, 7), "a")
    assert files.known_owner(HEAD, 100, no_bytes) is None
    assert [e.id for e in files.held()] == ["a"]


def test_the_lookup_is_rebuilt_only_at_a_new_listing() -> None:
    files = FileIndex()
    assert files.known_owner(HEAD, 100, no_bytes) is None
    files.add(entry("a", HEAD))
    assert files.known_owner(HEAD, 100, no_bytes) is None  # same listing
    files.new_listing()
    assert files.known_owner(HEAD, 100, no_bytes) is not None


def test_an_inode_names_an_entry_until_it_is_let_go() -> None:
    files = FileIndex()
    files.add(entry("a", HEAD))
    files.name((1, 7), "a")
    assert files.at((1, 7)) == "a"
    assert files.named((1, 7))
    assert files["a"].inode == (1, 7)
    files.let_go(files["a"])
    assert files.at((1, 7)) is None
    assert files["a"].inode is None


def test_an_unnamed_entry_keeps_a_name_no_listing_has() -> None:
    files = FileIndex()
    files.add(entry("a", HEAD))
    files.name((1, -5), "a")
    files.unname("a", (1, -5))
    inode = files["a"].inode
    assert files.at((1, -5)) is None
    assert inode is not None
    assert inode[0] == 1
    assert inode != (1, -5)
    assert files.at(inode) == "a"


def test_markers_are_saved_and_dropped_with_forgotten_entries() -> None:
    files = FileIndex([state("a", HEAD, 3, b"old")])
    assert files.saved_marker("a", 3) == b"old"
    assert files.save_marker("a", 9, b"abc") == fingerprint(b"abc")
    assert files.saved_marker("a", 9) == fingerprint(b"abc")
    assert files.saved_marker("nobody", 0) == b""
    files.forget(["a"])
    assert files.get("a") is None
    assert files.saved_marker("a", 9) == b""


def test_a_marker_saved_at_another_offset_is_no_marker_for_this_one() -> None:
    """Issue 18: a file closed before its last save (cut, its partial line flushed)
    had the marker of an older offset saved with the new one; after a restart its
    copy did not match it and was read again from its start."""
    files = FileIndex([state("a", HEAD, 3, b"old")])
    assert files.saved_marker("a", 40) == b""


def test_an_entry_disowned_only_by_its_marker_is_told() -> None:
    content = HEAD + b"x" * 40
    offset = len(content)
    before = content[offset - MARKER_BYTES : offset]
    files = FileIndex([state("a", HEAD, offset, fingerprint(before))])
    same = files.owners(content, offset, lambda s, n: content[s : s + n])
    assert [e.id if e else None for e in same] == ["a", None]
    changed = HEAD + b"y" * 40
    other = files.owners(changed, offset, lambda s, n: changed[s : s + n])
    assert [e.id if e else None for e in other] == [None, "a"]
    assert files.owners(b"another start\n" * 9, 200, no_bytes) == (None, None)


def test_an_open_entry_is_not_forgotten() -> None:
    files = FileIndex([state("a", HEAD, 0)])
    files.name((1, 7), "a")
    files.forget(["a"])
    assert files.identity("a") == (fingerprint(HEAD), len(HEAD), "/a.log", 0.0)
