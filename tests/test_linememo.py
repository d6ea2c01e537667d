"""The line memo's parts: where a line's fields with digits are, and a remembered
line's record made from its bytes as its format would make it."""

from __future__ import annotations

import dataclasses

import pytest

from logwatch.core.formats import FORMATS, GENERIC
from logwatch.core.model import Line, Record
from logwatch.follow.blocks import Block
from logwatch.match.engine import Engine
from logwatch.match.linememo import field_places, line_record, translation
from logwatch.match.memo import digit_classes, digit_cuts
from logwatch.rulebook.rulecompile import rules_from_text
from tests.samples import CATASTROPHIC, shipped_rules


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


# -- the guards before a line is remembered: memo == a fresh match (review of the
# -- line memo; each of these passed with its guard removed before they were added)

MARGIN = (
    "2026-11-24 10:00:00,001 - bot.um2 - ERROR - binanceusdm "
    '{"code":-2019,"msg":"Margin is insufficient."} symbol=BTC1000 seq=0000001'
)


def _both(block: Block, fmt: str = "python") -> list[tuple[object, ...]]:
    """The hits of the memo's engine and of a fresh one on ``block`` (each twice:
    the second scan meets what the first remembered)."""
    rules = shipped_rules()
    got: list[tuple[object, ...]] = []
    for engine in (Engine(rules), Engine(rules, remember=False)):
        scans = [engine.scan(block, FORMATS[fmt], "f.log") for _ in range(2)]
        got.append(
            tuple(
                (h.rule_id, h.line, h.record.raw, h.record.truncated, h.codes)
                for scan in scans
                for h in scan.hits
            )
        )
    assert got[0], "the lines alert"
    return got


def _lines(*lines: str, cap: int = 64 * 1024) -> Block:
    return Block.verbatim("".join(line + "\n" for line in lines).encode(), 1, 0, cap)


@pytest.mark.parametrize(
    ("name", "block"),
    [
        ("a NUL in the line", _lines(MARGIN + " x\x00y", MARGIN + " x\x00y")),
        ("over the line cap", _lines(MARGIN + " " + "z" * 80, MARGIN + " z", cap=100)),
        ("not ASCII", _lines(MARGIN + " é", MARGIN + " é")),
        (
            "cut by the reader",
            dataclasses.replace(
                _lines(MARGIN, MARGIN),
                spans=((0, len(MARGIN) + 1), (len(MARGIN) + 1, 5000)),
                truncated=frozenset({1}),
            ),
        ),
    ],
)
def test_a_line_the_memo_must_not_keep_gets_a_fresh_match(
    name: str, block: Block
) -> None:
    memo, fresh = _both(block)
    assert memo == fresh, name


def test_a_rule_disabled_is_not_matched_from_the_line_memo() -> None:
    engine = Engine(rules_from_text(CATASTROPHIC), timeout_s=0.02, max_timeouts=2)
    assert engine.scan(_lines("aaaa"), GENERIC, "f.log").hits
    evil = "a" * 40 + "b"
    scan = engine.scan(_lines(evil, evil, "aaaa"), GENERIC, "f.log")
    assert [rule.id for rule, _ in scan.disabled]
    assert scan.hits == []


def test_a_comment_in_a_pattern_is_not_read_as_a_class() -> None:
    """``(?#[)0-9(?#])`` is the text ``0-9`` between two comments, not a class."""
    pattern = r"Refuse (?!(?#[)0-9(?#]))"
    assert digit_cuts(pattern) is None
    assert digit_cuts(r"(?x) [0-9] 5") is None
    rules = rules_from_text(
        "rules:\n  - id: user.refused\n    severity: error\n"
        '    title: {en: "Refused", ru: "Отказ"}\n'
        '    remedy: {en: "Fix", ru: "Исправить"}\n'
        f"    patterns: ['{pattern}']\n    keywords: ['refuse']\n"
        "    samples: ['Refuse 5-9']\n    near_misses: ['Refuse 0-9', 'nor here']\n"
    )
    block = _lines("Refuse 5-9 now", "Refuse 0-9 now")
    got = [
        [h.line for h in engine.scan(block, GENERIC, "f.log").hits]
        for engine in (Engine(rules), Engine(rules, remember=False))
    ]
    assert got == [[1], [1]]
