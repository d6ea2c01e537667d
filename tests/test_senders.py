"""The channel threads and the bots' pollers across a reload: a real webhook on
127.0.0.1 that hangs on demand (servers.py), the recording fake:// channels (fakes.py),
real State files. Telegram cannot be reached from here: its Bot API is the fake server
of telegram_fake.py on 127.0.0.1, whose long polls hang on demand."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from logwatch.alerts.outbox import queue_rows
from logwatch.app import commands as cmd
from logwatch.app.remote import Chats, Remote, Remotes
from logwatch.app.senders import Pollers, Senders
from logwatch.core.config import config_from_text
from logwatch.core.model import Alert, AlertKind, Severity
from logwatch.deliver.delivery import Dispatcher, channels_for
from logwatch.deliver.notifier import Notifier
from logwatch.deliver.telegram import BotApi
from logwatch.store.state import State
from tests import fakes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.samples import shipped_rules
from tests.servers import Hook, _hook  # noqa: F401  fixture
from tests.telegram_fake import TOKEN, FakeBotApi, _api  # noqa: F401  fixture

RULES = {r.id: r for r in shipped_rules()}
ME: dict[str, Any] = {"id": 4242, "type": "private", "first_name": "Ivan"}
#: the bot's id: its poller's lane
BOT = TOKEN.split(":", 1)[0]
#: commands and how their English answers start (at most the limiter's burst of 5
#: commands in a test)
COMMANDS = {
    "/status": "📋 logwatch status",
    "/mute bot 1h": "Muted bot until",
    "/help": "logwatch commands:",
    "/unmute all": "Unmuted: bot.",
}


def dispatcher(state: State, clock: FakeClock, channels: str) -> Dispatcher:
    """A dispatcher for ``channels`` (YAML flow mappings, one a line), as a reload
    builds one: a Notifier of its own over the same State."""
    notifier = Notifier(config_from_text(f"channels:\n{channels}", {}))
    return Dispatcher(state, notifier, RULES, "en", clock, rng=random.Random(1))


def queue(state: State, sender: Dispatcher, clock: FakeClock, names: list[str]) -> None:
    alerts = [
        Alert(
            id=name,
            kind=AlertKind.SELF,
            rule_id="logwatch.self",
            severity=Severity.ERROR,
            fingerprint=name,
            created_at=clock.now(),
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
        assert hook.answered == 0  # still hung: the handover came during the send
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
    assert state.deliveries.waiting() == {}
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


def remotes(api: FakeBotApi, state: State, clock: FakeClock, lang: str) -> Remotes:
    """The bot's Remote as a config in ``lang`` makes it (a reload makes a new one)."""
    remote = Remote(
        BotApi(TOKEN, api.url),
        Chats(TOKEN, {"4242": "phone"}),
        state,
        clock,
        lang=lang,
        rules=list(RULES),
        sources=["bot"],
        poll_s=1,  # the poll under way when the test ends ends soon after
    )
    return Remotes([remote])


@pytest.mark.parametrize("held", [1, 2, 4])
def test_a_handover_while_a_poll_hangs_keeps_one_poller_and_answers_each_command_once(
    tmp_path: Path, api: FakeBotApi, held: int
) -> None:
    """The old config's poll hangs while the new config is served: the one thread
    answers what that poll brings (in the old config's language), then polls for the
    new one from the next update on. No two polls overlap; no update is read twice."""
    api.add_chat(ME)
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    pollers = Pollers()
    try:
        api.hold_polls()
        assert pollers.serve(remotes(api, state, clock, "en")) == []
        wait_until(lambda: api.held >= 1, 10, "a poll that hangs")
        assert pollers.serve(remotes(api, state, clock, "ru")) == [BOT]
        assert threads_named(f"telegram-commands-{BOT}") == 1
        said = list(COMMANDS)[:held]
        for text in said:
            api.say(ME, text)
        api.release_polls()
        api.wait_sent(held)
        api.say(ME, "/help")  # after the handover: the new config answers it
        wait_until(lambda: len(api.sent) == held + 1, 10, lambda: f"{api.sent}")
        assert api.sent[-1]["text"] == cmd.HELP["ru"]
    finally:
        pollers.close(10)
    assert threads_named(f"telegram-commands-{BOT}") == 0
    assert api.most_polling == 1  # never two getUpdates at once
    assert len(api.handed) == held + 1
    assert set(api.handed.values()) == {1}  # each update read by one poll, once
    answers = [m["text"] for m in api.sent]
    assert len(answers) == held + 1
    for text, answer in zip(said, answers, strict=False):  # the old config's poll
        assert answer.startswith(COMMANDS[text]), (text, answer)
    assert api.calls.count("getMe") == 1  # the bot's name was handed over too
    state.close()


def test_a_bot_gone_ends_its_poller_and_back_again_gets_one_reading_on(
    tmp_path: Path, api: FakeBotApi
) -> None:
    """A config without the bot's commands ends its poller after the poll under way
    (which answers what it read); a later config with them starts one, which reads on
    from the update after the last one answered (the offset is in State)."""
    api.add_chat(ME)
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)
    pollers = Pollers()
    try:
        api.hold_polls()
        pollers.serve(remotes(api, state, clock, "en"))
        wait_until(lambda: api.held >= 1, 10, "a poll that hangs")
        assert pollers.serve(Remotes([])) == []
        api.say(ME, "/help")  # read by the poll under way, so answered in English
        api.release_polls()
        wait_until(lambda: pollers.lanes == [], 10, "the poller to end")
        assert [m["text"] for m in api.sent] == [cmd.HELP["en"]]
        assert threads_named(f"telegram-commands-{BOT}") == 0
        polls = len(api.offsets)
        assert pollers.serve(remotes(api, state, clock, "ru")) == []
        assert pollers.lanes == [BOT]
        api.say(ME, "/help")
        api.wait_sent(2)
        wait_until(lambda: api.offsets[-1] == 102, 10, "a poll after both")
    finally:
        pollers.close(10)
    assert [m["text"] for m in api.sent] == [cmd.HELP["en"], cmd.HELP["ru"]]
    assert api.most_polling == 1
    assert sorted(api.handed.items()) == [(100, 1), (101, 1)]
    assert api.offsets[polls] == 101  # the new poller read on after the first
    state.close()
