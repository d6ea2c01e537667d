"""The outbox and its delivery: real State files, a recording Apprise plugin (fakes.py)."""

from __future__ import annotations

import json
import random
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logwatch.alerts.notices import notice
from logwatch.alerts.outbox import queue_rows
from logwatch.app.senders import Senders
from logwatch.core.config import config_from_text
from logwatch.core.model import Alert, AlertKind, Severity
from logwatch.deliver import delivery
from logwatch.deliver.delivery import Dispatcher, channels_for
from logwatch.deliver.notifier import Notifier
from logwatch.store import deliveries
from logwatch.store.state import State
from tests import fakes
from tests.fakes import FakeClock
from tests.samples import shipped_rules

RULES = {r.id: r for r in shipped_rules()}


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
            id=f"a{i}",
            kind=AlertKind.SELF,
            rule_id="logwatch.self",
            severity=severity,
            fingerprint=f"f{i}",
            created_at=clock.now() + timedelta(seconds=i),
            text=f"alert {i}",
        )
        for i in range(n)
    ]
    rows = queue_rows(alerts, lambda a: channels_for(dispatcher.notifier, a.severity))
    state.commit(alerts=rows)


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
    assert state.deliveries.waiting() == {"mail": 5}
    fakes.DOWN.clear()
    run_for(dispatcher, clock, 0.2)  # the backoff is capped at 5 min
    assert sorted(t for t, _ in fakes.SENT["mail"]) == [f"alert {i}" for i in range(5)]
    assert len(fakes.SENT["phone"]) == 5
    assert state.deliveries.waiting() == {}
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
    assert state.deliveries.waiting() == {}
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
    senders = Senders()
    senders.serve(dispatcher)
    try:
        queue(state, dispatcher, clock, 1)
        dispatcher.poke()
        wait_until(
            lambda: len(fakes.SENT.get("mail", [])) == 1, 5, "the alert to be sent"
        )
    finally:
        senders.close()
        state.close()


TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def telegram_setup(tmp_path: Path) -> tuple[State, Dispatcher, FakeClock]:
    """A dispatcher with one Telegram channel (mocked at the transport by the test)."""
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    notifier = Notifier(
        config_from_text(
            f"channels:\n  - {{name: phone, url: 'tgram://{TOKEN}/42'}}\n", {}
        )
    )
    dispatcher = Dispatcher(state, notifier, RULES, "en", clock, rng=random.Random(1))
    return state, dispatcher, clock


def test_telegram_is_paced_to_one_message_a_second_per_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram is unreachable here: it is mocked at the HTTP transport (responses)."""
    import responses

    state, dispatcher, clock = telegram_setup(tmp_path)
    queue(state, dispatcher, clock, 3)
    clock.advance(3)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            f"https://api.telegram.org/bot{TOKEN}/sendMessage",
            json={"ok": True, "result": {}},
        )
        wait = dispatcher.step("phone")
        assert len(rsps.calls) == 1
        assert state.deliveries.waiting() == {"phone": 2}
        assert 0 < wait <= 1.0
        for _ in range(2):
            clock.advance(1.0)
            dispatcher.step("phone")
        assert len(rsps.calls) == 3
        assert state.deliveries.waiting() == {}
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
    rows = state.file.conn.execute(
        "SELECT alert_id, channel, status FROM deliveries ORDER BY 1, 2"
    ).fetchall()
    assert rows == [("a0", "mail", "pending"), ("a1", "mail", "pending")]
    assert state.file.conn.execute("SELECT count(*) FROM alerts").fetchone() == (2,)
    state.close()


# -- a flood is one conversation (issue 11) -------------------------------------------


def commit_alerts(state: State, alerts: list[Alert]) -> None:
    """Queue alerts for the phone channel, as the follower's commit does."""
    rows = queue_rows(alerts, lambda a: ["phone"])
    state.commit(alerts=rows)


def flood_alerts(
    clock: FakeClock, n: int, start: int = 0, line: str = "x"
) -> list[Alert]:
    """``n`` first alerts of distinct errors: three rules, a symbol each (``line``:
    the text of each one's log line)."""
    from logwatch.core.model import Hit, Record

    rules = [
        "binance.margin-insufficient",
        "binance.recv-window",
        "binance.invalid-api-key",
    ]
    out = []
    for i in range(start, start + n):
        rule = RULES[rules[i % 3]]
        record = Record(
            path="bot.log",
            format="generic",
            first_line=i,
            offset=0,
            end=1,
            text=line,
            raw=line,
            timestamp=None,
            fields={"symbol": f"S{i}USDT"},
        )
        hit = Hit(
            rule_id=rule.id,
            severity=rule.severity,
            codes=rule.codes,
            record=record,
            line=i,
            captures={},
            key=(f"S{i}USDT",),
        )
        out.append(
            Alert(
                id=f"a{i}",
                kind=AlertKind.FIRST,
                rule_id=rule.id,
                severity=rule.severity,
                fingerprint=f"f{i}",
                created_at=clock.now(),
                hit=hit,
            )
        )
    return out


def hits_in(title: str, body: str) -> int:
    """How many hits a message stands for, as a trader reads it."""
    import re

    if "alerts grouped" in title:
        return sum(int(n) for n in re.findall(r"^- .* × (\d+)", body, re.M))
    repeated = re.match(r"Repeated (\d+)×", title)
    return int(repeated.group(1)) if repeated else 1


def deliver(
    dispatcher: Dispatcher, clock: FakeClock, seconds: float, channel: str = "phone"
) -> list[float]:
    """Step one channel for ``seconds``; the times (clock seconds) of its messages."""
    start = clock.now()
    times: list[float] = []
    while (clock.now() - start).total_seconds() < seconds:
        before = len(fakes.SENT.get(channel, []))
        wait = dispatcher.step(channel)
        times += [clock.monotonic()] * (len(fakes.SENT.get(channel, [])) - before)
        clock.advance(max(min(wait, 1.0), 0.5))
    return times


def test_a_flood_of_1000_distinct_errors_is_10_messages_and_every_hit_counted(
    tmp_path: Path,
) -> None:
    """1,000 distinct errors sent 1,001 messages; now the first 9 go one by one and
    the rest as one message listing rule × hits × symbols."""
    state, dispatcher, clock = setup(tmp_path)
    alerts = flood_alerts(clock, 1000)
    rows = queue_rows(alerts, lambda a: ["phone"])
    state.commit(alerts=rows)
    start = clock.monotonic()
    times = deliver(dispatcher, clock, 120)
    sent = fakes.SENT["phone"]
    assert len(times) == 10
    assert all(t - start < 1 for t in times)
    assert sum(hits_in(t, b) for t, b in sent) == 1000
    assert state.deliveries.waiting() == {}
    title, body = sent[-1]
    assert title == "991 more alerts grouped (3 kinds)"
    # 1000 = 334 + 333 + 333 (critical): 9 critical sent alone, the rest grouped
    counts = [line.split(" × ")[1].split(":")[0] for line in body.split("\n- ")[1:]]
    assert counts == ["324", "334", "333"]
    assert "and 316 more" in body  # 324 symbols, 8 listed
    # the most severe go first, one by one
    assert all(t.startswith("CRITICAL") for t, _ in sent[:9])
    state.close()


def test_a_long_flood_never_exceeds_the_budget_and_loses_no_hit(
    tmp_path: Path,
) -> None:
    state, dispatcher, clock = setup(tmp_path)
    start = clock.monotonic()
    times: list[float] = []
    queued = 0
    while clock.monotonic() - start < 300:  # 20 new errors every 3 s for 5 minutes
        commit_alerts(state, flood_alerts(clock, 20, start=queued))
        queued += 20
        times += deliver(dispatcher, clock, 3)
    times += deliver(dispatcher, clock, 120)
    assert state.deliveries.waiting() == {}
    assert sum(hits_in(t, b) for t, b in fakes.SENT["phone"]) == queued == 2000
    for t in times:  # no 60 s holds more than 10 messages
        assert sum(1 for u in times if t <= u < t + 60) <= 10
    # the first minute: 9 alone and one group; then one group a minute (group_interval)
    assert sum(1 for t in times if t < start + 60) == 10
    assert len(times) == 15
    state.close()


def test_a_channel_may_take_more_or_fewer_messages_a_minute(tmp_path: Path) -> None:
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    notifier = Notifier(
        config_from_text(
            "channels:\n  - {name: phone, url: 'fake://phone', max_per_minute: 3}\n", {}
        )
    )
    dispatcher = Dispatcher(state, notifier, RULES, "en", clock, rng=random.Random(1))
    rows = queue_rows(flood_alerts(clock, 50), lambda a: ["phone"])
    state.commit(alerts=rows)
    assert len(deliver(dispatcher, clock, 61)) == 3
    assert fakes.SENT["phone"][-1][0] == "48 more alerts grouped (3 kinds)"
    state.close()


def test_a_grouped_message_that_fails_is_retried_whole(tmp_path: Path) -> None:
    state, dispatcher, clock = setup(tmp_path)
    rows = queue_rows(flood_alerts(clock, 30), lambda a: ["mail"])
    state.commit(alerts=rows)
    fakes.DOWN.add("mail")
    deliver(dispatcher, clock, 30, channel="mail")
    assert state.deliveries.waiting() == {"mail": 30}
    fakes.DOWN.clear()
    deliver(dispatcher, clock, 600, channel="mail")
    assert state.deliveries.waiting() == {}
    assert sum(hits_in(t, b) for t, b in fakes.SENT["mail"]) == 30
    state.close()


@settings(max_examples=25)
@example([(k % 20, 0.0) for k in range(120)], 600.0)  # digests of a burst, grouped
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40), st.sampled_from([0.0, 0.0, 0.0, 1.0, 30.0, 200.0])
        ),
        min_size=1,
        max_size=150,
    ),
    st.sampled_from([0.0, 60.0, 600.0]),
)
def test_hits_through_dedup_and_a_flood_are_counted_exactly_in_the_messages(
    events: list[tuple[int, float]], window: float
) -> None:
    """The dedup property, carried through delivery: whatever the burst, every hit is
    in exactly one message (alone, in a digest or in a group), and no minute holds
    more than 10 messages."""
    import tempfile

    from logwatch.alerts.dedup import Deduper, Policy

    fakes.SENT.clear()
    with tempfile.TemporaryDirectory() as tmp:
        state, dispatcher, clock = setup(Path(tmp))
        deduper = Deduper(default=Policy(window_s=window))
        times: list[float] = []

        def commit(alerts: list[Alert]) -> None:
            rows = queue_rows(alerts, lambda a: ["phone"])
            state.commit(alerts=rows)

        for key, gap in events:
            times += deliver(dispatcher, clock, gap) if gap else []
            (hit,) = [a.hit for a in flood_alerts(clock, 1, start=key)]
            assert hit is not None
            commit(deduper.tick(clock.now()) + deduper.admit(hit, clock.now()))
        clock.advance(window + 1)
        commit(deduper.tick(clock.now()))
        times += deliver(dispatcher, clock, 1200)
        assert state.deliveries.waiting() == {}
        assert sum(hits_in(t, b) for t, b in fakes.SENT["phone"]) == len(events)
        for t in times:
            assert sum(1 for u in times if t <= u < t + 60) <= 10
        state.close()


def test_a_grouped_send_hands_its_freed_memory_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23 (the storm's RSS): a pass that sent a grouped message frees its rows
    and alerts and hands the C heap's free pages back, once; a pass without one
    does not."""
    calls: list[int] = []
    monkeypatch.setattr(delivery, "give_back_memory", lambda: calls.append(1))
    state, dispatcher, clock = setup(tmp_path)
    state.commit(alerts=queue_rows(flood_alerts(clock, 200), lambda a: ["phone"]))
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 10
    assert calls == [1]
    clock.advance(61)
    state.commit(alerts=queue_rows(flood_alerts(clock, 1, 200), lambda a: ["phone"]))
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 11
    assert calls == [1]
    state.close()


def test_a_grouped_send_holds_a_brief_per_alert_not_its_rows_and_alerts(
    tmp_path: Path,
) -> None:
    """Issue 23 (the storm's peak RSS): a grouped send read up to 5,000 due rows with
    their payloads and decoded every alert before summing them up; the storm's peak
    was taken there. Now it reads the payloads a chunk at a time and keeps only what
    the message lists: the pass's peak of Python memory per alert (payloads of ~800
    bytes, the storm's ~1,240) stays under 1,000 bytes (758 here; 1,633 before)."""
    state, dispatcher, clock = setup(tmp_path)
    n = 2000
    line = (
        "2026-12-07 17:14:02.900 [Trading] Refuse (Binance Futures): Margin is "
        "insufficient. (S00003000USDT)"
    )
    state.commit(
        alerts=queue_rows(flood_alerts(clock, n, 0, line), lambda a: ["phone"])
    )
    dispatcher.step("phone")  # ten messages, the last grouped: a flood from now on
    clock.advance(61)
    state.commit(
        alerts=queue_rows(flood_alerts(clock, n, n, line), lambda a: ["phone"])
    )
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        dispatcher.step("phone")
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(fakes.SENT["phone"]) == 11
    title, body = fakes.SENT["phone"][-1]
    assert hits_in(title, body) == n
    assert state.deliveries.waiting() == {}
    assert peak / n < 1000, peak / n
    state.close()


def test_the_outbox_gives_due_rows_without_payloads_and_payloads_by_chunk(
    tmp_path: Path,
) -> None:
    """The payloads of a grouped send are read ``PAYLOAD_CHUNK`` at a time; an alert
    no longer kept is left out."""
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, deliveries.PAYLOAD_CHUNK + 3)
    clock.advance(10**4)
    now = clock.now().timestamp()
    whole = state.deliveries.due("phone", now, limit=10**4)
    light = state.deliveries.due("phone", now, limit=10**4, with_payload=False)
    assert [p.alert_id for p in light] == [p.alert_id for p in whole]
    assert {p.payload for p in light} == {""}
    ids = [p.alert_id for p in whole] + ["gone"]
    assert dict(state.deliveries.payloads(ids)) == {
        p.alert_id: p.payload for p in whole
    }
    state.close()


def test_an_alert_gone_from_the_outbox_before_its_send_is_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An alert sent alone is read again whole after the pass read its brief; one
    whose row went meanwhile is left out, and the pass goes on."""
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 2)
    clock.advance(5)
    real = state.deliveries.payloads
    reads: list[list[str]] = []

    def payloads(ids: Sequence[str]) -> Iterator[tuple[str, str]]:
        reads.append(list(ids))
        return real([i for i in ids if len(reads) == 1 or i != "a0"])

    monkeypatch.setattr(state.deliveries, "payloads", payloads)
    dispatcher.step("phone")
    assert reads[:3] == [["a0", "a1"], ["a0"], ["a1"]]
    assert [t for t, _b in fakes.SENT["phone"]] == ["alert 1"]
    state.close()


def test_giving_memory_back_runs_on_any_system() -> None:
    delivery.give_back_memory()  # glibc's malloc_trim, or nothing


def test_a_flood_is_logged_once_per_message_at_info(tmp_path: Path) -> None:
    """Every hit was logged at info: 40 MB of journal for 200,000 lines."""
    from structlog.testing import capture_logs

    state, dispatcher, clock = setup(tmp_path)
    rows = queue_rows(flood_alerts(clock, 200), lambda a: ["phone"])
    state.commit(alerts=rows)
    with capture_logs() as logs:
        deliver(dispatcher, clock, 5)
    sent = [e for e in logs if e["event"] in ("alert_sent", "alerts_sent_grouped")]
    assert [e["log_level"] for e in sent] == ["info"] * 10
    assert sent[-1]["alerts"] == 191
    state.close()


def test_a_flood_to_telegram_is_paced_and_still_ten_messages(tmp_path: Path) -> None:
    """Telegram is unreachable here: it is mocked at the HTTP transport (responses).
    The pacing (1 a second) and the budget (10 a minute) work together."""
    import responses

    state, dispatcher, clock = telegram_setup(tmp_path)
    commit_alerts(state, flood_alerts(clock, 300))
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            f"https://api.telegram.org/bot{TOKEN}/sendMessage",
            json={"ok": True, "result": {}},
        )
        for _ in range(60):
            dispatcher.step("phone")
            clock.advance(1.0)
        assert len(rsps.calls) == 10
        assert state.deliveries.waiting() == {}
        bodies = [call.request.body for call in rsps.calls]
    texts = [json.loads(b)["text"] for b in bodies if isinstance(b, bytes | str)]
    assert "291 more alerts grouped (3 kinds)" in texts[-1]
    state.close()


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Callable[[State], Callable[[], None]]:
    """Makes a State unable to record a send (an injected StateError, as a full disk
    gives); what it returns gives the disk its room back."""
    from logwatch.core.errors import StateError

    def fill(state: State) -> Callable[[], None]:
        mark = state.deliveries.mark

        def full(*args: object, **kwargs: object) -> None:
            raise StateError(
                "state.db: cannot save a delivery: database or disk is full"
            )

        monkeypatch.setattr(state.deliveries, "mark", full)
        return lambda: monkeypatch.setattr(state.deliveries, "mark", mark)

    return fill


def test_on_a_full_disk_a_sent_alert_is_not_sent_again_and_is_recorded_later(
    tmp_path: Path, disk_full: Callable[[State], Callable[[], None]]
) -> None:
    """State cannot record the send (an injected StateError, as a full disk gives): the
    alert is held as sent in memory instead of being sent again every few seconds, and
    recorded once State can take it."""
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 1)
    clock.advance(5)
    free = disk_full(state)
    dispatcher.step("phone")
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 1
    assert state.deliveries.waiting()["phone"] == 1  # not recorded yet
    free()
    dispatcher.step("phone")
    assert len(fakes.SENT["phone"]) == 1
    assert "phone" not in state.deliveries.waiting()
    state.close()


def test_a_self_alert_that_state_cannot_take_is_sent_from_memory_once(
    tmp_path: Path,
) -> None:
    from tests.disk import fill_up

    state, dispatcher, _clock = setup(tmp_path)
    fill_up(state)
    state.file.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dispatcher.self_alert(notice("state_unsaved", problem="disk full"))
    for channel in ("phone", "mail", "pager"):
        dispatcher.step(channel)
        dispatcher.step(channel)
        assert [t for t, _b in fakes.SENT[channel]] == [
            "logwatch cannot save its state: disk full"
        ], channel
    state.close()


@pytest.mark.parametrize("queued", [1, 3, 12])
def test_a_dispatcher_stopped_mid_pass_sends_no_message_after_the_one_under_way(
    tmp_path: Path, queued: int
) -> None:
    """A reload stops the old dispatcher while its thread is in a pass: that pass
    used to go on through every due alert (issue 18), racing the new one."""
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, queued)
    clock.advance(5)
    dispatcher.on_outcome = lambda channel, outcome, count: dispatcher.stop()
    dispatcher.step("phone")
    assert [t for t, _b in fakes.SENT["phone"]] == ["alert 0"]
    assert state.deliveries.waiting().get("phone", 0) == queued - 1
    state.close()


def test_a_stopped_dispatcher_with_due_alerts_waits_and_reads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload stops the old dispatcher before the new one is served: its channel
    thread stepped it again and again, each step querying State and saying the rows
    were due (0 s to wait), a busy loop until ``Senders.serve`` handed it on."""
    state, dispatcher, clock = setup(tmp_path)
    queue(state, dispatcher, clock, 3)
    clock.advance(5)
    dispatcher.stop()
    queried: list[str] = []
    for name in ("due", "next_due", "expire", "mark"):
        real = getattr(state.deliveries, name)

        def record(*args: object, _name: str = name, _real: object = real) -> object:
            queried.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(state.deliveries, name, record)
    waits = [dispatcher.step(channel) for channel in dispatcher.notifier.channels]
    assert min(waits) > 0
    assert queried == []
    assert "phone" not in fakes.SENT
    assert state.deliveries.waiting()["phone"] == 3
    state.close()


def test_a_dispatcher_taking_over_a_channel_sends_nothing_twice_and_loses_nothing(
    tmp_path: Path, disk_full: Callable[[State], Callable[[], None]]
) -> None:
    """A reload hands each channel to the new dispatcher (senders.py). A send State
    could not record yet (an injected StateError, as a full disk gives) and a
    self-alert held in memory go over with it: neither is sent twice nor lost."""
    state, old, clock = setup(tmp_path)
    queue(state, old, clock, 1)
    clock.advance(5)
    free = disk_full(state)
    old.step("phone")  # sent, not recorded
    fakes.DOWN.add("phone")
    old.say_now(notice("state_unsaved", problem="disk full"))
    old.step("phone")  # the phone is down: the self-alert stays in memory
    old.stop()
    new = Dispatcher(state, old.notifier, RULES, "en", clock, rng=random.Random(3))
    new.adopt(old, "phone")
    fakes.DOWN.clear()
    free()
    new.step("phone")
    assert [t for t, _b in fakes.SENT["phone"]] == [
        "alert 0",
        "logwatch cannot save its state: disk full",
    ]
    assert "phone" not in state.deliveries.waiting()
    state.close()
