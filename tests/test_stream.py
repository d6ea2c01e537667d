from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.formats import FORMATS
from logwatch.core.model import Hit
from logwatch.match.engine import Engine, Scan
from logwatch.match.stream import MAX_RECORD_LINES, Stream
from tests.samples import shipped_rules

ENGINE = Engine(shipped_rules())
HUMMINGBOT = (
    b"2024-07-25 02:41:52,400 - 15 - hummingbot.core - INFO - placing order\n"
    b"Traceback (most recent call last):\n"
    b'  File "binance_exchange.py", line 10, in _place_order\n'
    b"OSError: Error executing request POST https://api.binance.com/api/v3/order. HTTP status is 400. "
    b'Error: {"code":-2010,"msg":"Account has insufficient balance for requested action."}\n'
    b"2024-07-25 02:41:52,418 - 15 - hummingbot.connector - WARNING - Failed to submit BUY order\n"
)


def run(
    pieces: list[bytes], path: str = "logs_bot.log"
) -> tuple[Stream, list[tuple[int, str, int]]]:
    stream = Stream(ENGINE, path)
    hits = []
    for piece in pieces:
        hits += stream.feed(piece).hits
    hits += stream.flush().hits
    return stream, [(h.line, h.rule_id, h.record.first_line) for h in hits]


#: The traceback's error line, then Hummingbot's own words for the failure (issue 19:
#: recognised by their category, no exchange named in that line).
EXPECTED = [(4, "binance.balance-insufficient", 1), (5, "error.order-rejected", 5)]


def test_a_traceback_is_one_record_and_the_error_line_is_reported() -> None:
    stream, hits = run([HUMMINGBOT])
    assert hits == EXPECTED
    assert stream.format is FORMATS["python"]
    assert stream.lines == 5


@given(st.lists(st.integers(1, len(HUMMINGBOT) - 1), max_size=8, unique=True))
def test_a_traceback_split_across_chunks_gives_the_same_hit(cuts: list[int]) -> None:
    cuts = sorted(cuts)
    pieces = [
        HUMMINGBOT[a:b]
        for a, b in zip([0, *cuts], [*cuts, len(HUMMINGBOT)], strict=True)
    ]
    assert run(pieces)[1] == EXPECTED


def test_the_offset_never_passes_a_record_still_being_assembled() -> None:
    stream = Stream(ENGINE, "logs_bot.log")
    head = HUMMINGBOT[: HUMMINGBOT.index(b"OSError")]
    stream.feed(head)
    assert stream.offset == 0
    stream.feed(HUMMINGBOT[len(head) :])
    assert stream.offset == HUMMINGBOT.index(b"2024-07-25 02:41:52,418")


def test_continuation_lines_without_a_head_in_sight_are_not_held_forever() -> None:
    data = b"".join(
        b"  orphan continuation %d\n" % i for i in range(MAX_RECORD_LINES + 50)
    )
    data += b"binance: Margin is insufficient.\n"
    stream, hits = run([b"2026-01-01 00:00:00,000 - a - INFO - start\n", data])
    assert [h[1] for h in hits] == ["binance.margin-insufficient"]
    assert stream.lines == MAX_RECORD_LINES + 52


def test_quality_problems_are_reported_once() -> None:
    stream, _hits = run([b"\x00\x00bad \xff\n" * 3, b"x" * 100 + b"\n"], path="x.log")
    assert len(stream.quality.problems) == 2
    assert stream.quality.nul_bytes
    assert stream.quality.invalid_utf8
    long = Stream(ENGINE, "x.log", max_line_bytes=32)
    long.feed(b"y" * 100)
    long.feed(b"y" * 100 + b"\nMargin is insufficient\n")
    assert long.quality.truncated_lines == 1


class TestRelease:
    """A record is matched when it is read, not half a second later (issue 11: every
    Python logging record waited 500 ms); lines written later still join it."""

    HEAD = b"2026-11-24 12:00:00,000 - bot - ERROR - order failed\n"
    TRACE = (
        b"Traceback (most recent call last):\n"
        b'  File "bot.py", line 3, in place\n'
        b"binance.exceptions.BinanceAPIException: APIError(code=-2019): "
        b"Margin is insufficient.\n"
    )
    NEXT = b"2026-11-24 12:00:01,000 - bot - INFO - next\n"

    def test_a_record_with_its_traceback_in_one_write_is_matched_on_release(
        self,
    ) -> None:
        stream = Stream(ENGINE, "bot.log", FORMATS["python"])
        assert stream.feed(self.HEAD + self.TRACE).hits == []  # held: the last record
        (hit,) = stream.release().hits
        assert (hit.rule_id, hit.record.first_line, hit.line) == (
            "binance.margin-insufficient",
            1,
            4,
        )
        assert stream.offset == len(self.HEAD + self.TRACE)
        assert stream.feed(self.NEXT).hits == []
        assert stream.lines == 4

    def test_a_traceback_written_later_joins_the_released_record(self) -> None:
        stream = Stream(ENGINE, "bot.log", FORMATS["python"])
        stream.feed(self.HEAD)
        assert stream.release().hits == []  # the head alone matches nothing
        assert stream.feed(self.TRACE).hits == []  # joined, held again
        (hit,) = stream.release().hits
        assert (hit.record.first_line, hit.line) == (1, 4)
        assert hit.record.raw.startswith("2026-11-24 12:00:00,000 - bot - ERROR")
        assert stream.lines == 4

    def test_a_rule_reported_on_release_is_not_reported_again_when_lines_join(
        self,
    ) -> None:
        stream = Stream(ENGINE, "bot.log", FORMATS["python"])
        stream.feed(self.HEAD + self.TRACE)
        assert len(stream.release().hits) == 1
        more = b"  during handling, Margin is insufficient. again\n"
        stream.feed(more)
        assert stream.release().hits == []
        assert stream.feed(self.NEXT).hits == []
        assert stream.flush().hits == []
        assert stream.lines == 6

    def test_after_settle_later_lines_are_a_record_of_their_own(self) -> None:
        stream = Stream(ENGINE, "bot.log", FORMATS["python"])
        stream.feed(self.HEAD)
        stream.release()
        stream.settle()
        stream.feed(self.TRACE)
        (hit,) = stream.release().hits
        assert hit.record.first_line == 2


class TestFeedReleasing:
    """``feed(data, release=True)``, what a follower does with each read: its last
    record matched in the same pass as the rest, as ``release`` would have matched it."""

    TEXT = HUMMINGBOT + TestRelease.HEAD + TestRelease.TRACE + TestRelease.NEXT

    @staticmethod
    def _both(pieces: list[bytes]) -> tuple[list[Hit], list[Hit]]:
        """The hits of feed then release, and of feed releasing, over ``pieces``."""
        held, at_once = Stream(ENGINE, "bot.log"), Stream(ENGINE, "bot.log")
        seen: tuple[list[Hit], list[Hit]] = ([], [])
        for piece in pieces:
            seen[0].extend(held.feed(piece).hits)
            seen[0].extend(held.release().hits)
            seen[1].extend(at_once.feed(piece, release=True).hits)
            seen[1].extend(at_once.release().hits)  # continuation lines only: held
            assert (at_once.lines, at_once.offset, at_once.holds_record) == (
                held.lines,
                held.offset,
                held.holds_record,
            )
        seen[0].extend(held.flush().hits)
        seen[1].extend(at_once.flush().hits)
        return seen

    @given(st.lists(st.integers(0, len(TEXT)), max_size=6))
    def test_any_chunking_gives_what_feed_then_release_gives(
        self, cuts: list[int]
    ) -> None:
        bounds = [0, *sorted(cuts), len(self.TEXT)]
        pieces = [self.TEXT[a:b] for a, b in pairwise(bounds)]
        held, at_once = (
            [(h.line, h.rule_id, h.record.first_line, h.record.raw) for h in hits]
            for hits in self._both(pieces)
        )
        assert at_once == held
        assert [h[1] for h in held] == [
            "binance.balance-insufficient",
            "error.order-rejected",
            "binance.margin-insufficient",
        ]

    def test_a_write_of_whole_records_is_one_pass_of_the_engine(self) -> None:
        passes = []

        class Counting(Engine):
            def scan(self, *args: Any, **kwargs: Any) -> Scan:
                passes.append(args[3:5])
                return super().scan(*args, **kwargs)

        engine = Counting(shipped_rules())
        stream = Stream(engine, "bot.log")
        (hit,) = stream.feed(TestRelease.HEAD + TestRelease.TRACE, release=True).hits
        assert (hit.rule_id, len(passes), stream.holds_record) == (
            "binance.margin-insufficient",
            1,
            False,
        )
        # lines that continue it later still join it, and its rule is not said again
        more = b"  during handling, Margin is insufficient. again\n"
        assert stream.feed(more, release=True).hits == []
        assert stream.feed(TestRelease.NEXT, release=True).hits == []
        assert stream.lines == 6
