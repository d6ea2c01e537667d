"""The file index on bytes alone: no file is opened here (an open entry is one an
inode names; its handle is the reading's)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logwatch.core.model import FileState
from logwatch.follow.fileindex import MARKER_BYTES, Entry, FileIndex, Heads, fingerprint

HEAD = b"2026-01-01 started\n"


def state(eid: str, head: bytes, offset: int, marker: bytes = b"") -> FileState:
    path = f"/{eid}.log"
    return FileState(
        id=eid,
        fp_hash=fingerprint(head),
        fp_n=len(head),
        path=path,
        offset=offset,
        marker=marker,
        line=0,
        last_seen=0.0,
    )


def entry(eid: str, head: bytes, read_pos: int = 0) -> Entry:
    return Entry(
        id=eid,
        fp_hash=fingerprint(head),
        fp_n=len(head),
        path=f"/{eid}.log",
        source="src",
        read_pos=read_pos,
        last_seen=0.0,
    )


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


# -- the open entries by their first bytes (issue 23: a linear start) ------------------


def put(heads: Heads, files: FileIndex, eid: str, head: bytes) -> Entry:
    e = entry(eid, head)
    files.add(e)
    heads.put(e, head)
    return e


def test_an_open_entry_matches_a_file_that_starts_with_its_bytes() -> None:
    heads, files = Heads(), FileIndex()
    put(heads, files, "a", HEAD)
    put(heads, files, "other", b"2026-01-01 other\n")
    assert heads.matching(HEAD + b"more lines\n") == ["a"]
    assert heads.matching(HEAD) == ["a"]
    assert heads.matching(b"nothing alike\n") == []
    assert heads.matching(b"") == []


def test_a_file_shorter_than_the_fingerprint_matches_when_it_is_a_prefix() -> None:
    """A copy being written: its first bytes so far are a prefix of the original's."""
    heads, files = Heads(), FileIndex()
    put(heads, files, "a", HEAD)
    assert heads.matching(HEAD[:5]) == ["a"]
    assert heads.matching(HEAD[:1]) == ["a"]
    assert heads.matching(HEAD[:5] + b"X") == []


def test_an_entry_that_grows_past_its_fingerprint_is_put_again() -> None:
    heads, files = Heads(), FileIndex()
    e = put(heads, files, "a", HEAD[:4])
    assert heads.matching(b"2026 but not that\n") == ["a"]  # 4 bytes agree
    heads.put(e, HEAD)  # its file grew: its fingerprint is of more bytes now
    assert heads.matching(b"2026 but not that\n") == []
    assert heads.matching(HEAD + b"x") == ["a"]
    assert len(heads) == 1


def test_a_closed_entry_no_longer_matches() -> None:
    heads, files = Heads(), FileIndex()
    put(heads, files, "a", HEAD)
    put(heads, files, "b", HEAD)
    heads.drop("a")
    heads.drop("a")  # twice: nothing
    assert heads.matching(HEAD) == ["b"]
    assert "a" not in heads
    heads.drop("b")
    assert heads.matching(HEAD) == []
    assert len(heads) == 0


def test_matches_come_in_the_order_the_entries_were_added() -> None:
    """As a look at every entry in the index's order found them."""
    heads, files = Heads(), FileIndex([state("old", HEAD, 0)])
    later = put(heads, files, "later", HEAD + b"a longer head\n")
    heads.put(files["old"], HEAD)  # opened after, added before
    put(heads, files, "short", HEAD[:3])
    assert heads.matching(HEAD + b"a longer head\nmore") == ["old", "later", "short"]
    assert later.seq > files["old"].seq


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["put", "drop"]),
            st.integers(0, 7),
            st.binary(min_size=0, max_size=6).map(lambda b: b.replace(b"\0", b"a")),
        ),
        max_size=40,
    ),
    st.binary(min_size=0, max_size=8),
)
def test_the_index_answers_what_a_look_at_every_entry_would(
    steps: list[tuple[str, int, bytes]], probe: bytes
) -> None:
    """Puts (openings, growth), drops (closes) in any order: the matches are exactly
    the open entries whose bytes agree with the probe's over the shorter of the two."""
    heads, files = Heads(), FileIndex()
    open_heads: dict[str, bytes] = {}
    for what, k, head in steps:
        eid = f"e{k}"
        if files.get(eid) is None:
            files.add(entry(eid, head or b"x"))
        if what == "put" and head:
            heads.put(files[eid], head)
            open_heads[eid] = head
        else:
            heads.drop(eid)
            open_heads.pop(eid, None)
    every = [
        e.id
        for e in files
        if e.id in open_heads
        and probe
        and probe[: len(open_heads[e.id])] == open_heads[e.id][: len(probe)]
    ]
    assert heads.matching(probe) == every
