"""Literal gates: every match of a pattern holds a word of each of its gates."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from logwatch.match.gates import passes, pattern_gates
from logwatch.rulebook.patterns import PATTERN_FLAGS

BROKERS = (
    r"Refuse \((?P<c>[^()\n]{0,40}\b(?:CQG|Rithmic|IBKR|IB|TT|Topstep\w{0,8})\b"
    r"[^()\n]{0,40})\):?\s*(?P<r>[^\n\"]{1,300})"
)


def test_each_word_a_match_demands_is_a_gate() -> None:
    gates = pattern_gates(BROKERS)
    assert frozenset({"refuse ("}) in gates
    assert frozenset({"cqg", "rithmic", "ibkr", "ib", "tt", "topstep"}) in gates


def test_an_optional_part_is_no_gate() -> None:
    assert pattern_gates(r"Order'?s notional") == (
        frozenset({"order"}),
        frozenset({"s notional"}),
    )
    assert pattern_gates(r"(?:ME )?recvWindow") == (frozenset({"recvwindow"}),)


def test_syntax_the_stdlib_reads_otherwise_gives_no_gate() -> None:
    assert pattern_gates(r"[[:alpha:]]+ failed") == ()
    assert pattern_gates(r"(?:margin){e<=1}") == ()
    assert pattern_gates(r"\p{L}+ failed") == ()


def test_a_text_without_a_gate_word_does_not_pass() -> None:
    gates = pattern_gates(BROKERS)
    binance = "refuse (binance futures): margin is insufficient. (dogeusdt)"
    assert not passes(gates, binance)
    assert passes(gates, "refuse (rithmic 01): order rejected")


WORDS = ("Refuse (", "CQG", "Rithmic", "IB", "TT", "Topstep", ")", ": ", "x", "\n")


@given(st.lists(st.sampled_from(WORDS), max_size=12))
def test_a_text_the_pattern_matches_passes_its_gates(parts: list[str]) -> None:
    text = "".join(parts)
    if not text.isascii():
        return
    found = regex.search(BROKERS, text, PATTERN_FLAGS)
    if found is not None:
        assert passes(pattern_gates(BROKERS), text.lower())
