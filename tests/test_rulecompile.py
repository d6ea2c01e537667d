"""Compiling rule YAML: every problem of a rule at once, each at its line."""

from __future__ import annotations

import pytest

from logwatch.core.errors import InvalidConfig
from logwatch.rulebook.rulecompile import rules_from_text, sample_record
from tests.samples import GOOD


def test_a_good_rule_compiles_with_keywords_read_off_its_pattern() -> None:
    (rule,) = rules_from_text(GOOD, "mine.yaml")
    assert (rule.id, rule.source, rule.line) == ("my.rule", "mine.yaml", 3)
    assert rule.match(sample_record(rule.samples[0]).text) is not None
    assert rule.keywords  # from the literals every match contains


def test_a_broken_rule_reports_each_of_its_problems_at_its_line() -> None:
    text = GOOD.replace("severity: warning", "severity: loud").replace(
        "Order 12 was rejected", "Order twelve was rejected"
    )
    with pytest.raises(InvalidConfig) as info:
        rules_from_text(text, "mine.yaml")
    said = [(e.line, e.format_message()) for e in info.value.errors]
    assert [line for line, _ in said] == [4, 7, 9]  # severity, patterns, samples
    assert "severity" in said[0][1]
    assert "matches none of the samples" in said[1][1]
    assert "samples[0] does not match" in said[2][1]
