from __future__ import annotations

from logwatch.core.clock import SystemClock
from logwatch.core.model import Severity
from tests.fakes import FakeClock


def test_system_clock_is_aware_and_monotonic() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is not None
    first = clock.monotonic()
    assert clock.monotonic() >= first


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    start, mono = clock.now(), clock.monotonic()
    clock.advance(90)
    assert (clock.now() - start).total_seconds() == 90
    assert clock.monotonic() - mono == 90


def test_severity_ranks_in_order() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3]
