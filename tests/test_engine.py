from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logwatch.engine import Engine
from logwatch.formats import GENERIC
from logwatch.lines import Block
from logwatch.rules import load_rules, rules_from_text

RULES = load_rules()
ENGINE = Engine(RULES)

CATASTROPHIC = """
rules:
  - id: user.slow
    severity: error
    title: {en: "Slow", ru: "Медленно"}
    remedy: {en: "Fix", ru: "Исправить"}
    patterns: ['^(?:a|aa)+$']
    keywords: ['aaaa']
    samples: ['aaaa']
    near_misses: ['nothing here', 'aaaab']
"""


def block_of(*lines: str) -> Block:
    data = "".join(line + "\n" for line in lines).encode()
    return Block.verbatim(data, 1, 0, 64 * 1024)


def test_lines_without_keywords_never_reach_a_regex() -> None:
    data = (
        b"2026-09-16 10:54:27:154|1|16|ADataFeeder8. Id=1.StateChange SetDefaults\n"
        * 100
    )
    assert ENGINE.candidates(data) == {}


def test_one_line_may_hit_several_rules_in_rule_order() -> None:
    line = (
        "Refuse (B): Margin is insufficient. Signature for this request is not valid."
    )
    scan = ENGINE.scan(block_of("noise", line, "more noise"), GENERIC, "f.log")
    assert [h.rule_id for h in scan.hits] == [
        "binance.margin-insufficient",
        "binance.invalid-signature",
    ]
    assert {h.line for h in scan.hits} == {2}
    assert scan.hits[0].key == ("B", "")


def test_hits_leave_the_engine_masked() -> None:
    line = "Invalid API-key, IP, or permissions for action, request ip: 178.151.198.159"
    (hit,) = ENGINE.scan(block_of(line), GENERIC, "f.log").hits
    assert "178.151" not in hit.record.raw
    assert "178.151" not in hit.record.text


def test_a_keyword_without_a_match_is_a_near_miss() -> None:
    scan = ENGINE.scan(
        block_of("binance: too many requests per second allowed: 5"), GENERIC, "f"
    )
    assert scan.hits == []
    assert len(scan.misses) == 1
    assert scan.candidates == 1


def test_a_catastrophic_pattern_times_out_is_disabled_once_and_scanning_goes_on() -> (
    None
):
    rules = rules_from_text(CATASTROPHIC)
    engine = Engine(rules, timeout_s=0.02, max_timeouts=2)
    evil = "a" * 40 + "b"
    scan = engine.scan(block_of(evil, evil, evil, "aaaa"), GENERIC, "f.log")
    assert [rule.id for rule, _ in scan.disabled] == ["user.slow"]
    assert engine.timeouts["user.slow"] == 2
    assert "timed out 2 times" in engine.disabled["user.slow"]
    assert scan.hits == []  # the rule stays off, even for a line it would match


@given(
    st.lists(
        st.one_of(
            st.sampled_from([s for r in RULES for s in (*r.samples, *r.near_misses)]),
            st.text(max_size=60),
        ),
        max_size=12,
    )
)
def test_the_prefilter_finds_the_same_hits_as_trying_every_rule(
    lines: list[str],
) -> None:
    lines = [x.replace("\n", " ").replace("\r", " ") for x in lines]
    fast = ENGINE.scan(block_of(*lines), GENERIC, "f")
    slow = []
    for number, text in enumerate(lines, 1):
        record = GENERIC.record("f", [block_of(text).lines()[0]])
        slow += [(number, h.rule_id) for h in ENGINE.match(record)]
    assert [(h.line, h.rule_id) for h in fast.hits] == slow


def test_logwatchs_own_output_is_never_matched() -> None:
    """A followed log that receives logwatch's console output or syslog lines must not
    make it alert on its own messages (a feedback loop)."""
    lines = [
        "logwatch| [FAILURE] ERROR: Not enough margin for the order (BTCUSDT)",
        "logwatch| Line: Refuse (B): Margin is insufficient. (BTCUSDT)",
        "Nov 24 12:00:00 host logwatch[4242]: Margin is insufficient",
        "Refuse (B): Margin is insufficient. (BTCUSDT)",
    ]
    scan = ENGINE.scan(block_of(*lines), GENERIC, "syslog")
    assert [h.line for h in scan.hits] == [4]
