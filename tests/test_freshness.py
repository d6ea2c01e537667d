"""Which hits are young enough to alert, by the time their own line says."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from logwatch.app.freshness import CLOCK_SKEW_S, in_backfill, written_at, young_hits
from logwatch.core.model import Hit
from tests.samples import T0, hit, make_record


def stamped(text: str | None, end: int = 1) -> Hit:
    """A hit whose line says it was written at ``text`` (None: says no time)."""
    return dataclasses.replace(hit(), record=make_record(timestamp=text, end=end))


def test_an_aware_time_is_when_it_was_written() -> None:
    assert written_at(T0 - timedelta(hours=3), T0) == T0 - timedelta(hours=3)


def test_a_naive_time_is_read_as_the_latest_reading_not_in_the_future() -> None:
    naive = T0.replace(tzinfo=None)
    written = written_at(naive, T0)
    assert written is not None
    assert written <= T0 + timedelta(seconds=CLOCK_SKEW_S)
    assert written in (naive.astimezone(), T0)


def test_old_hits_are_dropped_and_hits_without_a_time_kept() -> None:
    old = stamped((T0 - timedelta(hours=2)).isoformat())
    new = stamped((T0 - timedelta(minutes=5)).isoformat())
    timeless = stamped(None)
    assert young_hits([old, new, timeless], 3600, T0) == [new, timeless]


def test_a_backfill_keeps_lines_after_its_cutoff_or_past_the_size_found() -> None:
    cutoff = T0 - timedelta(hours=1)
    before = (T0 - timedelta(hours=2)).isoformat()
    assert not in_backfill(stamped(before, end=10), 100, cutoff, T0)
    assert in_backfill(stamped(before, end=101), 100, cutoff, T0)
    assert in_backfill(stamped(T0.isoformat(), end=10), 100, cutoff, T0)
    assert not in_backfill(stamped(None, end=10), 100, cutoff, T0)
