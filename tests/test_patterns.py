from __future__ import annotations

import pytest

from logwatch.core.errors import InvalidConfig
from logwatch.rulebook.patterns import (
    bounded_work,
    keyword_variants,
    nested_quantifier,
    parse,
    required_literals,
)
from logwatch.rulebook.rulecompile import rules_from_text
from tests.samples import GOOD


class TestKeywords:
    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            ("Margin is insufficient", {"margin is insufficient"}),
            ("API[- ]key format", {"api-key format", "api key format"}),
            (
                "(?:Too much request weight|Too many requests) used",
                {"too much request weight used", "too many requests used"},
            ),
            (
                "Timestamp for this request is outside of the (?:ME )?recvWindow",
                {"timestamp for this request is outside of the "},
            ),
            ('"code":-2019', {"code", ":-2019"}),
        ],
    )
    def test_required_literals_are_derived(
        self, pattern: str, expected: set[str]
    ) -> None:
        got = required_literals(parse(pattern))
        assert got is not None
        assert got == expected or got < expected

    def test_cyrillic_keywords_get_case_variants(self) -> None:
        assert "Закрыть позицию".encode() in keyword_variants("закрыть позицию")
        assert "закрыть позицию".encode() in keyword_variants("Закрыть позицию")


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+b", True),
        (r"(\w+\s?)*$", True),
        ("(.*?,){11}P", True),
        (r"(?:\d{1,3}\.){3}\d+", False),
        ("Margin is insufficient", False),
    ],
)
def test_nested_repeats_are_found(pattern: str, nested: bool) -> None:
    assert nested_quantifier(parse(pattern)) is nested


class TestWithoutTheStdlibParser:
    """re._parser is private to CPython: if a release renames it, rules still load
    when they list their keywords, and those that do not say so."""

    @pytest.fixture(autouse=True)
    def no_parser(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from logwatch.rulebook import patterns

        monkeypatch.setattr(patterns, "_sre", None)

    def test_a_rule_with_keywords_loads(self) -> None:
        (rule,) = rules_from_text(GOOD + "    keywords: [rejected]\n")
        assert rule.match("Order 7 was rejected") is not None

    def test_a_rule_without_keywords_is_told_to_list_them(self) -> None:
        with pytest.raises(InvalidConfig) as info:
            rules_from_text(GOOD, "r.yaml")
        (problem,) = [e.format_message() for e in info.value.errors]
        assert "re._parser" in problem
        assert "list them under `keywords:`" in problem


@pytest.mark.parametrize(
    ("pattern", "bounded"),
    [
        ("Margin is insufficient", True),
        ("Invalid API[- ]?key, IP,? or permissions for action", True),
        ("Timestamp for this request is outside of the (?:ME )?recvWindow", True),
        (r"code=(?P<v>-?\d{3,6})", True),
        (r"x[^\n]{0,300}?y", True),
        (r"\{\"code\":", True),
        (r"(?<!\d)ab(?=c)", True),
        # unbounded repeats: the timeout stays
        (r"notional must be no smaller than (?P<n>\d+)", False),
        (r"a.*b", False),
        (r"a{2,}", False),
        ("^(?:a|aa)+$", False),
        # too many paths from one position
        (r"x[^\n]{0,300}?y[^\n]{0,300}?z", False),
        (r"(?:a|ab){0,20}", False),
        # what the stdlib parser cannot vouch for
        (r"(a)\1", False),
        (r"(?:foo){e<=2}", False),
        (r"\p{L}+", False),
        (r"(?(DEFINE)x)", False),
    ],
)
def test_patterns_without_an_unbounded_repeat_are_bounded(
    pattern: str, bounded: bool
) -> None:
    assert bounded_work(pattern) is bounded


def test_a_rule_is_searched_without_a_timeout_only_when_all_its_patterns_are_bounded() -> (
    None
):
    (unbounded,) = rules_from_text(GOOD)  # Order (?P<order>\d+) was …
    assert not unbounded.bounded
    literal = GOOD.replace(
        r"Order (?P<order>\d+) was (?:rejected|refused)", "was refused"
    )
    literal = literal.replace("key: [order, connection]", "key: [connection]")
    literal = literal.replace("Order 12 was rejected", "Order 12 was refused")
    (rule,) = rules_from_text(literal)
    assert rule.patterns[0].pattern == "was refused"
    assert rule.bounded
    vetoed = literal.replace("samples:", "ignore: ['x+y']\n    samples:")
    (rule,) = rules_from_text(vetoed)
    assert not rule.bounded
