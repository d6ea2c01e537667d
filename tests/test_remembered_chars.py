"""Lines longer than ``REMEMBERED_CHARS`` are matched afresh, never kept by their text:
a few thousand remembered 60 KB lines (a web page in an exception's message) held
860 MB in a scan of 5,000 of them."""

from __future__ import annotations

import random
import string
import tracemalloc

import pytest

from logwatch.core.formats import FORMATS, REMEMBERED_CHARS
from logwatch.core.model import Line
from logwatch.match.engine import Engine
from logwatch.match.memo import Memo
from logwatch.match.stream import Stream
from tests.samples import shipped_rules

HEAD = "2026-09-16 10:54:08,591 - 15 - freqtrade.exchange - ERROR - "
RECV = 'binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'


@pytest.mark.parametrize(
    ("length", "kept"), [(REMEMBERED_CHARS, True), (REMEMBERED_CHARS + 1, False)]
)
def test_a_memo_keeps_a_line_up_to_the_bound(length: int, kept: bool) -> None:
    memo: Memo[str] = Memo()
    line = "x" * length
    memo.put("k", line, [], "gave")
    assert (memo.get("k", line) == "gave") is kept


@pytest.mark.parametrize(
    ("length", "kept"), [(REMEMBERED_CHARS, 1), (REMEMBERED_CHARS + 1, 0)]
)
def test_a_format_keeps_the_fields_of_a_line_up_to_the_bound(
    length: int, kept: int
) -> None:
    fmt = FORMATS["python"]
    fmt._fields.clear()
    raw = HEAD + RECV + " " + "y" * (length - len(HEAD) - len(RECV) - 1)
    assert len(raw) == length
    record = fmt.record("f.log", [Line(raw, 1, 0, length + 1)])
    assert record.timestamp
    assert len(fmt._fields) == kept
    fmt._fields.clear()


def test_distinct_long_error_lines_leave_nothing_behind() -> None:
    """Each line alerts (its hits are made) and what the engine keeps after them is a
    small part of one line's size, whatever their number."""
    rng = random.Random(7)
    lines = [
        HEAD + RECV + " ctx=" + "".join(rng.choices(string.ascii_letters, k=20_000))
        for _ in range(60)
    ]
    engine = Engine(shipped_rules())
    stream = Stream(engine, "f.log")
    # the first line's record ends when the second comes: its match, and its one-time
    # costs, are in the traced part too
    stream.feed((lines[0] + "\n").encode())
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        hits = 0
        for line in lines[1:]:
            hits += len(stream.feed((line + "\n").encode()).hits)
        hits += len(stream.flush().hits)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert hits == len(lines)
    # 59 lines of 20 KB: kept by their text they were > 2 MB (the memos, the fields)
    assert kept < 200_000, kept
