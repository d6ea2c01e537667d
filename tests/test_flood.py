"""The budget of messages per channel and the grouping of a flood (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.flood import Budget, summarize
from logwatch.core.model import Alert, AlertKind, Hit, Severity
from tests.samples import make_record as sample_record

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def alert(i: int, rule: str = "r.a", count: int = 1, symbol: str = "") -> Alert:
    record = sample_record(path="/x/bot.log")
    captures = {"symbol": symbol} if symbol else {}
    hit = Hit(
        rule_id=rule,
        severity=Severity.ERROR,
        codes=(),
        record=record,
        line=1,
        captures=captures,
        key=(),
    )
    kind = AlertKind.DIGEST if count > 1 else AlertKind.FIRST
    return Alert(
        id=f"a{i}",
        kind=kind,
        rule_id=rule,
        severity=Severity.ERROR,
        fingerprint=f"f{i}",
        created_at=T0,
        hit=hit,
        count=count,
    )


class TestBudget:
    def test_within_the_budget_everything_goes_alone(self) -> None:
        budget = Budget(10)
        assert budget.plan(list(range(10)), 0.0) == (list(range(10)), [])

    def test_past_it_the_first_go_alone_and_the_rest_together(self) -> None:
        assert Budget(10).plan(list(range(25)), 0.0) == (
            list(range(9)),
            list(range(9, 25)),
        )

    def test_a_spent_budget_waits_for_the_oldest_message_to_age_out(self) -> None:
        budget = Budget(3)
        for t in (0.0, 1.0, 2.0):
            budget.record(t)
        assert budget.plan([1], 30.0) == ([], [])
        assert budget.ready_at(30.0) == 60.0
        assert budget.plan([1], 60.0) == ([1], [])

    def test_during_a_flood_one_group_per_interval_then_back_to_normal(self) -> None:
        budget = Budget(10)
        budget.record(0.0, grouped=True)
        assert budget.ready_at(1.0) == 60.0  # the group interval
        assert budget.plan(list(range(50)), 60.0) == ([], list(range(50)))
        budget.record(60.0, grouped=True)
        assert budget.plan([1, 2], 120.0) == ([1, 2], [])  # the flood is over
        assert budget.grouped_at is None


def test_a_summary_lists_rule_hits_and_symbols_most_frequent_first() -> None:
    alerts = [alert(i, "r.a", symbol=f"S{i}") for i in range(12)]
    alerts += [alert(20, "r.b", count=37, symbol="BTCUSDT")]
    b, a = summarize(alerts)
    assert (b.rule_id, b.hits, b.alerts, b.scopes) == ("r.b", 37, 1, ("BTCUSDT",))
    assert (a.rule_id, a.hits, a.alerts) == ("r.a", 12, 12)
    assert a.scopes == tuple(f"S{i}" for i in range(8))
    assert a.more_scopes == 4


def test_without_a_symbol_the_file_names_the_scope() -> None:
    (line,) = summarize([alert(1)])
    assert line.scopes == ("bot.log",)


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 50)), max_size=60))
def test_a_summary_counts_every_hit(items: list[tuple[str, int]]) -> None:
    alerts = [alert(i, f"r.{r}", n) for i, (r, n) in enumerate(items)]
    lines = summarize(alerts)
    assert sum(g.hits for g in lines) == sum(n for _, n in items)
    assert sum(g.alerts for g in lines) == len(items)


def test_hits_are_logged_at_debug_not_info() -> None:
    """At info, 200,000 hit lines made 40 MB of journal."""
    from structlog.testing import capture_logs

    from logwatch.app.wiring import note_hits
    from logwatch.match.engine import Scan

    scan = Scan(hits=[a.hit for a in [alert(1)] if a.hit is not None])
    with capture_logs() as logs:
        note_hits(scan, None)
    assert [(e["event"], e["log_level"]) for e in logs] == [("hit", "debug")]
