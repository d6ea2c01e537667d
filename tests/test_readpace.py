"""How much a step reads: the first step little, then what the last one's rate
matched in PACE_S, never past the caps (pure)."""

from __future__ import annotations

from logwatch.follow.readpace import MAX_READ_PER_STEP, MIN_STEP_READ, PACE_S, ReadPace


def test_the_first_step_reads_the_least() -> None:
    assert ReadPace().budget(0.0) == MIN_STEP_READ


def test_a_step_reads_what_the_last_ones_rate_matched_in_pace_s() -> None:
    pace = ReadPace()
    pace.ended(10.0, 4 * 1024 * 1024)
    # 4 MiB read, then matched until 11 s: 4 MiB/s, of which PACE_S is read next
    assert pace.budget(11.0) == int(4 * 1024 * 1024 * PACE_S)


def test_a_slow_last_step_still_reads_the_least_and_a_fast_one_the_most() -> None:
    pace = ReadPace()
    pace.ended(10.0, 1024)
    assert pace.budget(100.0) == MIN_STEP_READ
    pace.ended(10.0, MAX_READ_PER_STEP)
    assert pace.budget(10.001) == MAX_READ_PER_STEP


def test_after_a_step_that_read_nothing_the_next_may_read_the_most() -> None:
    pace = ReadPace()
    pace.ended(10.0, 0)
    assert pace.budget(10.5) == MAX_READ_PER_STEP
