"""The channel threads across a reload: a real webhook on 127.0.0.1 that hangs on
demand (servers.py), the recording fake:// channels (fakes.py), real State files."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest

from logwatch.config import config_from_text
from logwatch.delivery import Dispatcher, channels_for
from logwatch.model import Alert, AlertKind, Severity
from logwatch.notifier import Notifier
from logwatch.outbox import queue_rows
from logwatch.rules import load_rules
from logwatch.senders import Senders
from logwatch.state import State
from tests import fakes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.servers import Hook, _hook  # noqa: F401  fixture

RULES = {r.id: r for r in load_rules()}


def dispatcher(state: State, clock: FakeClock, channels: str) -> Dispatcher:
    """A dispatcher for ``channels`` (YAML flow mappings, one a line), as a reload
    builds one: a Notifier of its own over the same State."""
    notifier = Notifier(config_from_text(f"channels:\n{channels}", {}))
    return Dispatcher(state, notifier, RULES, "en", clock, rng=random.Random(1))


def queue(state: State, sender: Dispatcher, clock: FakeClock, names: list[str]) -> None:
    alerts = [
        Alert(
            name,
            AlertKind.SELF,
            "logwatch.self",
            Severity.ERROR,
            name,
            clock.now(),
            text=f"alert {name}",
        )
        for name in names
    ]
    state.commit(
        alerts=queue_rows(alerts, lambda a: channels_for(sender.notifier, a.severity))
    )
    sender.poke()


def threads_named(name: str) -> int:
    return sum(1 for t in threading.enumerate() if t.name == name)


def test_a_handover_while_a_send_hangs_keeps_one_sender_and_sends_each_alert_once(
    tmp_path: Path, hook: Hook
) -> None:
    """The reload of issue 18, without the process around it: the old dispatcher's
    send hangs while the new one is served. The one thread finishes that send, then
    goes on with the new dispatcher; nothing is posted twice."""
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    # a read timeout longer than the hang: a timed-out send is rightly tried again
    hooked = (
        f"  - {{name: hook, url: 'json://127.0.0.1:{hook.port}/a?rto=60', "
        "max_per_minute: 600}\n"
    )
    old = dispatcher(state, clock, hooked)
    senders = Senders()
    try:
        hook.hold()
        senders.serve(old)
        names = [f"a{i:02d}" for i in range(12)]
        queue(state, old, clock, names[:6])
        wait_until(lambda: len(hook.requests) == 1, 10, "a send that hangs")
        new = dispatcher(state, clock, hooked)
        senders.serve(new)
        assert threads_named("send-hook") == 1
        queue(state, new, clock, names[6:])  # new alerts while the old send hangs
        hook.release()

        def sent() -> Counter[str]:
            return Counter(
                word
                for r in hook.requests
                for word in r["message"].split()
                if word in names
            )

        wait_until(lambda: set(sent()) == set(names), 10, lambda: f"all of {sent()}")
    finally:
        senders.close()
    assert threads_named("send-hook") == 0
    assert sent() == Counter(names)
    assert state.waiting() == {}
    state.close()


@pytest.mark.usefixtures("fake_channels")
def test_a_channel_gone_ends_its_thread_and_a_new_one_gets_one(tmp_path: Path) -> None:
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    first = dispatcher(
        state,
        clock,
        "  - {name: phone, url: 'fake://phone'}\n  - {name: mail, url: 'fake://mail'}\n",
    )
    second = dispatcher(
        state,
        clock,
        "  - {name: phone, url: 'fake://phone'}\n  - {name: desk, url: 'fake://desk'}\n",
    )
    senders = Senders()
    try:
        senders.serve(first)
        assert sorted(senders.channels) == ["mail", "phone"]
        senders.serve(second)
        wait_until(
            lambda: sorted(senders.channels) == ["desk", "phone"],
            5,
            lambda: f"the mail thread to end, not {senders.channels}",
        )
        queue(state, second, clock, ["x"])
        wait_until(
            lambda: all(fakes.SENT.get(c) for c in ("phone", "desk")),
            5,
            lambda: f"the alert on both channels, not {fakes.SENT}",
        )
        assert threads_named("send-mail") == 0
    finally:
        senders.close()
    assert {c: [t for t, _b in fakes.SENT[c]] for c in fakes.SENT} == {
        "phone": ["alert x"],
        "desk": ["alert x"],
    }
    state.close()
