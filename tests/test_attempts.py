"""Each send's outcome in State, and the attempts a full disk (an injected
StateError) keeps out of it until it has room again."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.core.errors import StateError
from logwatch.core.model import Queued
from logwatch.deliver.attempts import Attempts
from logwatch.store.deliveries import Pending
from logwatch.store.state import State
from tests.fakes import FakeClock


def outbox(tmp_path: Path) -> tuple[State, list[Pending], float]:
    """A State with two alerts due on ``phone``; its due rows and now."""
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    now = clock.now().timestamp()
    state.commit(alerts=[Queued(i, now, "{}", ["phone"], now) for i in ("a1", "a2")])
    return state, state.deliveries.due("phone", now), now


def test_delivered_ones_wait_no_more_and_failed_ones_wait_until_the_retry(
    tmp_path: Path,
) -> None:
    state, (first, second), now = outbox(tmp_path)
    attempts = Attempts(state)
    attempts.delivered("phone", [first], "delivered", "", now)
    attempts.retry("phone", [second], now + 30, "timeout")
    assert state.deliveries.waiting() == {"phone": 1}
    assert state.deliveries.due("phone", now + 29) == []
    (again,) = state.deliveries.due("phone", now + 30)
    assert (again.alert_id, again.attempts) == ("a2", 1)
    state.close()


def test_an_attempt_state_cannot_take_is_held_then_recorded_once_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, (first, _second), now = outbox(tmp_path)
    attempts = Attempts(state)
    mark = state.deliveries.mark

    def full(*args: object, **kwargs: object) -> None:
        raise StateError("state.db: cannot save a delivery: database or disk is full")

    monkeypatch.setattr(state.deliveries, "mark", full)
    attempts.delivered("phone", [first], "delivered", "", now)
    assert attempts.unrecorded("a1", "phone")
    assert not attempts.unrecorded("a2", "phone")
    assert not attempts.record_again("phone")  # the disk is still full
    monkeypatch.setattr(state.deliveries, "mark", mark)
    assert attempts.record_again("phone")
    assert not attempts.unrecorded("a1", "phone")
    assert state.deliveries.waiting() == {"phone": 1}
    state.close()


def test_a_reload_hands_the_held_attempts_of_a_channel_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, (first, _second), now = outbox(tmp_path)
    old, new = Attempts(state), Attempts(state)

    def full(*args: object, **kwargs: object) -> None:
        raise StateError("state.db: cannot save a delivery: database or disk is full")

    monkeypatch.setattr(state.deliveries, "mark", full)
    old.retry("phone", [first], now + 30, "timeout")
    new.adopt(old, "mail")
    assert not new.unrecorded("a1", "phone")
    new.adopt(old, "phone")
    assert new.unrecorded("a1", "phone")
    monkeypatch.undo()
    assert new.record_again("phone")
    assert [p.alert_id for p in state.deliveries.due("phone", now + 29)] == ["a2"]
    state.close()
