"""``at_least:`` thresholds: a rule's hits go on to dedup only in a burst."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logwatch.alerts.threshold import Threshold
from logwatch.core.model import Hit, Record, Severity

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _hit(path: str = "/logs/bot.log") -> Hit:
    record = Record(
        path=path, format="generic", first_line=1, offset=0, end=10, text="x", raw="x"
    )
    return Hit(
        rule_id="r.burst",
        severity=Severity.ERROR,
        codes=(),
        record=record,
        line=1,
        captures={},
        key=(),
    )


@pytest.mark.parametrize("count", [2, 3, 5])
@pytest.mark.parametrize("within", [10.0, 60.0])
def test_a_threshold_lets_a_hit_through_only_in_a_burst(
    count: int, within: float
) -> None:
    threshold = Threshold({"r.burst": (count, within)})
    spaced = [
        threshold.passes(_hit(), NOW + timedelta(seconds=i * within)) for i in range(10)
    ]
    assert spaced == [False] * 10  # never `count` within `within`
    later = NOW + timedelta(days=1)
    burst = [
        threshold.passes(_hit(), later + timedelta(seconds=i * within / (2 * count)))
        for i in range(count + 2)
    ]
    assert burst == [False] * (count - 1) + [True] * 3
    # another file is another error: counted apart
    assert not threshold.passes(_hit("/logs/other.log"), later)
    # a rule without a threshold is never held
    free = Hit(
        rule_id="r.free",
        severity=Severity.ERROR,
        codes=(),
        record=_hit().record,
        line=1,
        captures={},
        key=(),
    )
    assert Threshold({}).passes(free, NOW)


def test_a_threshold_keeps_at_most_max_keys_fingerprints() -> None:
    threshold = Threshold({"r.burst": (2, 60.0)}, max_keys=3)
    for i in range(10):
        threshold.passes(_hit(f"/logs/{i}.log"), NOW)
    assert len(threshold._times) == 3  # the least recently hit forgotten
    assert threshold.passes(_hit("/logs/9.log"), NOW)
    assert not threshold.passes(_hit("/logs/0.log"), NOW)
