"""The outbox and its delivery: real State files, a recording Apprise plugin (fakes.py)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from logwatch.config import config_from_text
from logwatch.dedup import Alert, AlertKind
from logwatch.delivery import Dispatcher, channels_for, queue_rows
from logwatch.model import Severity
from logwatch.notifier import Notifier
from logwatch.rules import load_rules
from logwatch.state import State
from tests import fakes
from tests.fakes import FakeClock

RULES = {r.id: r for r in load_rules()}


pytestmark = pytest.mark.usefixtures("fake_channels")


def setup(
    tmp_path: Path, max_age_s: float = 24 * 3600
) -> tuple[State, Dispatcher, FakeClock]:
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    loaded = config_from_text(
        "channels:\n  - {name: phone, url: 'fake://phone'}\n  - {name: mail, url: 'fake://mail'}\n"
        "  - {name: pager, url: 'fake://pager', min_severity: critical}\n",
        {},
    )
    notifier = Notifier(loaded)
    return (
        state,
        Dispatcher(state, notifier, RULES, "en", clock, max_age_s, random.Random(3)),
        clock,
    )


def queue(
    state: State,
    dispatcher: Dispatcher,
    clock: FakeClock,
    n: int,
    severity: Severity = Severity.ERROR,
) -> None:
    alerts = [
        Alert(
            f"a{i}",
            AlertKind.SELF,
            "logwatch.self",
            severity,
            f"f{i}",
            clock.now() + timedelta(seconds=i),
            text=f"alert {i}",
        )
        for i in range(n)
    ]
    rows = queue_rows(alerts, lambda a: channels_for(dispatcher.notifier, a.severity))
    state.commit(extra=lambda conn: State.queue(conn, rows))


def run_for(dispatcher: Dispatcher, clock: FakeClock, hours: float) -> None:
    """Step every channel, moving the clock to the next due time, for ``hours``."""
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        wait = min(dispatcher.step(c) for c in dispatcher.notifier.channels)
        clock.advance(max(wait, 0.5))


def test_routing_by_min_severity(tmp_path: Path) -> None:
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 2)
    run_for(dispatcher, clock, 0.01)
    assert [t for t, _ in fakes.SENT["phone"]] == ["alert 0", "alert 1"]
    assert "pager" not in fakes.SENT
    state.close()


def test_a_channel_down_for_six_hours_gets_everything_once_and_blocks_nothing(
    tmp_path: Path,
) -> None:
    state, dispatcher, clock = setup(tmp_path)
    fakes.DOWN.add("mail")
    queue(state, dispatcher, clock, 5)
    run_for(dispatcher, clock, 0.01)
    assert len(fakes.SENT["phone"]) == 5  # the other channel is not held up
    run_for(dispatcher, clock, 6)
    assert "mail" not in fakes.SENT
    assert state.waiting() == {"mail": 5}
    fakes.DOWN.clear()
    run_for(dispatcher, clock, 0.2)  # the backoff is capped at 5 min
    assert sorted(t for t, _ in fakes.SENT["mail"]) == [f"alert {i}" for i in range(5)]
    assert len(fakes.SENT["phone"]) == 5
    assert state.waiting() == {}
    state.close()


def test_undelivered_alerts_expire_and_the_other_channels_are_told(
    tmp_path: Path,
) -> None:
    state, dispatcher, clock = setup(tmp_path, max_age_s=3600)
    fakes.DOWN.add("mail")
    queue(state, dispatcher, clock, 3)
    run_for(dispatcher, clock, 1.2)
    notices = [
        t for t, _ in fakes.SENT["phone"] if "expired undelivered on channel mail" in t
    ]
    assert sum(int(t.split()[1]) for t in notices) == 3  # each counted once, none lost
    assert state.waiting() == {}
    state.close()


def test_a_restart_delivers_what_was_waiting(tmp_path: Path) -> None:
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 2)
    state.close()
    state, dispatcher, clock = setup(tmp_path)
    run_for(dispatcher, clock, 0.01)
    assert len(fakes.SENT["phone"]) == 2
    assert len(fakes.SENT["mail"]) == 2
    state.close()


def test_channel_threads_deliver_when_poked_and_stop(tmp_path: Path) -> None:
    from tests.conftest import wait_until

    state, dispatcher, clock = setup(tmp_path)
    dispatcher.start()
    try:
        queue(state, dispatcher, clock, 1)
        dispatcher.poke()
        wait_until(
            lambda: len(fakes.SENT.get("mail", [])) == 1, 5, "the alert to be sent"
        )
    finally:
        dispatcher.stop()
        state.close()


def test_telegram_is_paced_to_one_message_a_second_per_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram is unreachable here: it is mocked at the HTTP transport (responses)."""
    import responses

    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    notifier = Notifier(
        config_from_text(
            f"channels:\n  - {{name: phone, url: 'tgram://{token}/42'}}\n", {}
        )
    )
    dispatcher = Dispatcher(state, notifier, RULES, "en", clock, rng=random.Random(1))
    queue(state, dispatcher, clock, 3)
    clock.advance(3)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            f"https://api.telegram.org/bot{token}/sendMessage",
            json={"ok": True, "result": {}},
        )
        wait = dispatcher.step("phone")
        assert len(rsps.calls) == 1
        assert state.waiting() == {"phone": 2}
        assert 0 < wait <= 1.0
        for _ in range(2):
            clock.advance(1.0)
            dispatcher.step("phone")
        assert len(rsps.calls) == 3
        assert state.waiting() == {}
    state.close()


def test_delivered_alerts_are_dropped_after_a_week_pending_ones_never(
    tmp_path: Path,
) -> None:
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 2)
    fakes.DOWN.add("mail")
    run_for(dispatcher, clock, 0.01)
    clock.advance(8 * 24 * 3600)
    state.expire()
    rows = state._conn.execute(
        "SELECT alert_id, channel, status FROM deliveries ORDER BY 1, 2"
    ).fetchall()
    assert rows == [("a0", "mail", "pending"), ("a1", "mail", "pending")]
    assert state._conn.execute("SELECT count(*) FROM alerts").fetchone() == (2,)
    state.close()


def test_on_a_full_disk_a_sent_alert_is_not_sent_again_and_is_recorded_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """State cannot record the send (an injected StateError, as a full disk gives): the
    alert is held as sent in memory instead of being sent again every few seconds, and
    recorded once State can take it."""
    from logwatch.errors import StateError

    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 1)
    clock.advance(5)
    mark = state.mark

    def full(*args: object, **kwargs: object) -> None:
        raise StateError("state.db: cannot save a delivery: database or disk is full")

    monkeypatch.setattr(state, "mark", full)
    dispatcher.step("phone")
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 1
    assert state.waiting()["phone"] == 1  # not recorded yet
    monkeypatch.setattr(state, "mark", mark)
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 1
    assert "phone" not in state.waiting()
    state.close()


def test_a_self_alert_that_state_cannot_take_is_sent_from_memory_once(
    tmp_path: Path,
) -> None:
    from tests.test_state import fill_up

    state, dispatcher, _clock = setup(tmp_path)
    fill_up(state)
    state._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dispatcher.self_alert("logwatch cannot save its state", "…", Severity.CRITICAL)
    for channel in ("phone", "mail", "pager"):
        dispatcher.step(channel)
        dispatcher.step(channel)
        assert [t for t, _b in fakes.SENT[channel]] == [
            "logwatch cannot save its state"
        ], channel
    state.close()
