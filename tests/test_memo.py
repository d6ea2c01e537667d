"""The statement memo: lines that differ in their timestamp's digits are matched once,
and only where every step treats those digits alike."""

from __future__ import annotations

import pytest

from logwatch.core.formats import NINJATRADER
from logwatch.follow.blocks import Block
from logwatch.match.engine import Engine
from logwatch.match.memo import digit_blind
from logwatch.rulebook.rulecompile import rules_from_text

REFUSED = "|0|4|Refuse (Binance Futures): Margin is insufficient. (DOGEUSDT)"


def block_of(*lines: str) -> Block:
    data = "".join(line + "\n" for line in lines).encode()
    return Block.verbatim(data, 1, 0, 64 * 1024)


def engine_of(pattern: str) -> Engine:
    return Engine(
        rules_from_text(
            f"""
rules:
  - id: user.refused
    severity: error
    title: {{en: "Refused", ru: "Отказ"}}
    remedy: {{en: "Fix", ru: "Исправить"}}
    patterns: ['{pattern}']
    keywords: ['refuse']
    samples: ['2026-09-21 14:13:20:150|0|4|Refuse (X): no']
    near_misses: ['nothing here', 'nor here']
"""
        )
    )


@pytest.mark.parametrize(
    ("pattern", "blind"),
    [
        (r"\d+:\d\d Refuse", True),
        (r"[!-~]{3,5} margin", True),
        (r"code=-2019", False),
        (r"[0-5]\d:", False),
        (r"(\w)\1", False),
        (r"\x41", False),
        (r"\N{DIGIT ONE}", False),
        (r"(?:margin){e<=1}", False),
        (r"(?P<a>x)(?P=a)", False),
    ],
)
def test_a_pattern_is_digit_blind_only_if_no_digit_can_be_told_apart(
    pattern: str, blind: bool
) -> None:
    assert digit_blind(pattern) is blind


def test_lines_of_one_statement_each_get_their_own_record_and_line() -> None:
    engine = engine_of("Refuse")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(
        block_of(first, "2026-09-21 14:13:21:000|1|16|noise", second), NINJATRADER, "f"
    ).hits
    assert [(h.line, h.record.raw, h.record.timestamp) for h in hits] == [
        (1, first, "2026-09-21 14:13:20:150"),
        (3, second, "2026-09-21 14:13:21:400"),
    ]
    assert hits[0].key == hits[1].key
    assert hits[0].recognition == hits[1].recognition


def test_a_rule_with_a_digit_of_its_own_is_matched_on_every_line() -> None:
    """``20:1`` is in the first line's time only: the memo must not give the second
    line the first line's hit."""
    engine = engine_of("20:1")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(block_of(first, second), NINJATRADER, "f").hits
    assert [h.line for h in hits] == [1]


def test_a_hit_that_takes_text_from_the_time_is_made_for_each_line() -> None:
    """The evidence of ``\\d\\d:\\d\\d:\\d\\d`` is the time itself: each line's own."""
    engine = engine_of(r"\d\d:\d\d:\d\d:\d+.{0,6}Refuse")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(block_of(first, second), NINJATRADER, "f").hits
    evidence = [h.recognition.envelope_evidence for h in hits if h.recognition]
    assert evidence == ["14:13:20:150|0|4|Refuse", "14:13:21:400|0|4|Refuse"]


def test_a_remembered_statement_is_still_masked_on_every_line() -> None:
    engine = engine_of("Refuse")
    tail = "|0|4|Refuse (Binance Futures): denied, request ip: 178.151.198.159"
    hits = engine.scan(
        block_of("2026-09-21 14:13:20:150" + tail, "2026-09-21 14:13:21:400" + tail),
        NINJATRADER,
        "f",
    ).hits
    assert len(hits) == 2
    assert all("178.151" not in h.record.raw for h in hits)
