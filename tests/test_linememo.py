"""The line memo's parts: where a line's fields with digits are, and a remembered
line's record made from its bytes as its format would make it."""

from __future__ import annotations

import pytest

from logwatch.core.formats import FORMATS
from logwatch.core.model import Line, Record
from logwatch.follow.blocks import Block
from logwatch.match.linememo import field_places, line_record, translation
from logwatch.match.memo import digit_classes


def _record(name: str, raw: str) -> Record:
    return FORMATS[name].record("f.log", [Line(raw, 1, 0, len(raw) + 1)])


def test_a_field_holding_a_digit_is_keyed_by_its_place() -> None:
    raw = "2026-09-21 14:13:20:150|0|4|Refuse (Binance Futures): no (BTC1000)"
    places = field_places(FORMATS["ninjatrader"], _record("ninjatrader", raw))
    assert places is not None
    assert sorted(raw[a:b] for a, b in places) == ["0", "BTC1000"]


def test_a_line_whose_time_is_not_its_start_is_not_kept() -> None:
    raw = "[ERROR | 2026-11-24T10:00:00] code=-1021"
    assert field_places(FORMATS["python"], _record("python", raw)) is None


def test_a_json_record_is_not_kept() -> None:
    raw = '{"@t": "2026-11-24T10:00:00", "@m": "code -1021", "symbol": "BTC"}'
    assert field_places(FORMATS["json"], _record("json", raw)) is None


def test_translation_gives_each_digit_the_first_of_its_class() -> None:
    table = translation(digit_classes(frozenset({1, 2, 3})))
    assert b"0123456789".translate(table) == b"0123333333"


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_remembered_lines_record_is_the_one_its_format_makes(ending: str) -> None:
    first = "2026-09-21 14:13:20:150|0|4|Refuse (Binance Futures): no (DOGEUSDT)"
    second = "2026-09-21 14:13:21:777|0|4|Refuse (Binance Futures): no (DOGEUSDT)"
    data = (first + ending + second + ending).encode()
    block = Block.verbatim(data, 10, 500, 64 * 1024)
    kept = _record("ninjatrader", first)
    start = len(first + ending)
    stop = data.index(b"\n", start)
    made = line_record(
        (kept.fields, 23, ([], False, True)),
        block,
        (start, stop, 1),
        "f.log",
        "ninjatrader",
    )
    expected = FORMATS["ninjatrader"].record("f.log", block.lines()[1:])
    assert made == expected
