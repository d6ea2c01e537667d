"""When the follower saves: at once, every ``every_s``, and a failed save's backoff."""

from __future__ import annotations

from logwatch.app.saveschedule import (
    COMMIT_RETRY_MAX_S,
    COMMIT_RETRY_S,
    SAVE_LINES,
    SaveSchedule,
)


def test_a_save_is_due_when_urgent_after_every_s_or_after_save_lines() -> None:
    saves = SaveSchedule(every_s=0.5)
    saves.saved_at = 10.0
    assert not saves.due(10.1)
    assert saves.next_due(10.25) == 0.25
    assert saves.due(10.5)
    saves.urgent = True
    assert saves.due(10.1)
    saves.saved()
    assert not saves.due(10.1)
    saves.lines = SAVE_LINES
    assert saves.due(10.1)


def test_failures_are_told_once_and_retried_with_a_doubling_backoff() -> None:
    saves = SaveSchedule()
    assert saves.failed("disk full", 100.0) == COMMIT_RETRY_S
    assert saves.holding_back(100.5)
    assert not saves.holding_back(100.0 + COMMIT_RETRY_S)
    assert saves.failed("disk full", 101.0) is None  # not told again
    assert saves.retry_at == 101.0 + 2 * COMMIT_RETRY_S
    for _ in range(20):
        saves.failed("disk full", 200.0)
    assert saves.retry_at == 200.0 + COMMIT_RETRY_MAX_S
    assert saves.saved()  # working again: told
    assert saves.failing is None
    assert not saves.saved()
    assert saves.failed("again", 300.0) == COMMIT_RETRY_S  # the backoff starts over
