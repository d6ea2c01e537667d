"""Telegram commands and reminders until /ack. Telegram cannot be reached from here:
the Bot API is the fake server of tests/telegram_fake.py on 127.0.0.1. The end-to-end
tests run real ``logwatch run`` processes pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from logwatch.alerts.alerting import UserMutes
from logwatch.alerts.codec import ALERTS
from logwatch.app import commands as cmd
from logwatch.app.remote import (
    ME_RETRY_START_S,
    REMIND_EVERY_S,
    REMIND_TIMES,
    Chats,
    Remote,
    Remotes,
    remote_chats,
)
from logwatch.app.senders import Pollers
from logwatch.core.model import Alert, AlertKind, Queued, Severity
from logwatch.deliver.telegram import BotApi
from logwatch.store.state import State
from tests.conftest import wait_until
from tests.daemon_run import Run, logwatch
from tests.fakes import FakeClock
from tests.follow_harness import write
from tests.servers import Hook
from tests.telegram_fake import TOKEN, FakeBotApi, _api  # noqa: F401  fixtures

ME: dict[str, Any] = {"id": 4242, "type": "private", "first_name": "Ivan"}
STRANGER: dict[str, Any] = {"id": 666, "type": "private", "first_name": "Mallory"}
RULES = ["binance.margin-insufficient", "binance.invalid-signature"]


class Phone:
    """A Remote driven by hand: ``say`` then ``step``."""

    def __init__(self, tmp_path: Path, api: FakeBotApi, lang: str = "en") -> None:
        self.api = api
        api.add_chat(ME)
        self.clock = FakeClock()
        self.state = State(tmp_path / "state.db", self.clock)
        self.remote = Remote(
            BotApi(TOKEN, api.url),
            Chats(TOKEN, {"4242": "phone"}),
            self.state,
            self.clock,
            lang=lang,
            rules=RULES,
            sources=["bot"],
            poll_s=0,
            titles={"binance.liq": "Position liquidated"},
        )

    def command(self, text: str, chat: dict[str, Any] = ME) -> None:
        self.api.say(chat, text)
        self.remote.step()

    def last(self) -> str:
        return str(self.api.sent[-1]["text"])


@pytest.fixture(name="phone")
def _phone(tmp_path: Path, api: FakeBotApi) -> Iterator[Phone]:
    phone = Phone(tmp_path, api)
    yield phone
    phone.state.close()


class TestCommands:
    def test_mute_is_stored_answered_and_listed_by_status(self, phone: Phone) -> None:
        phone.command("/mute binance.margin-insufficient 1h")
        assert phone.last().startswith("Muted binance.margin-insufficient until")
        now = phone.clock.now().timestamp()
        assert phone.state.mutes.active(now) == {
            "binance.margin-insufficient": (now + 3600, "Ivan")
        }
        phone.command("/status")
        assert "Muted: binance.margin-insufficient →" in phone.last()

    def test_a_strangers_command_changes_nothing_and_is_logged_once(
        self, phone: Phone
    ) -> None:
        with capture_logs() as logs:
            phone.command("/mute all 1h", STRANGER)
            phone.command("/mute all 2h", STRANGER)
        assert phone.state.mutes.active(phone.clock.now().timestamp()) == {}
        assert phone.api.sent == []
        strangers = [e for e in logs if e["event"] == "telegram_stranger_ignored"]
        assert [e["chat_id"] for e in strangers] == [666]

    @pytest.mark.parametrize(
        ("text", "why"),
        [
            ("/mute binance.margin-insufficient soon", "soon is not a duration"),
            ("/mute binance.margin-insufficient 10s", "10s is not a duration"),
            ("/mute binance.margin-insufficient 31d", "31d is not a duration"),
            ("/mute nosuch.rule 1h", "nosuch.rule is neither a rule nor a source"),
            ("/mute 1h", "Usage: /mute"),
        ],
    )
    def test_a_bad_mute_is_answered_with_the_usage_and_changes_nothing(
        self, phone: Phone, text: str, why: str
    ) -> None:
        phone.command(text)
        assert "Usage: /mute RULE|SOURCE|all DURATION" in phone.last()
        assert why in phone.last()
        assert phone.state.mutes.active(phone.clock.now().timestamp()) == {}

    def test_unmute_one_or_all(self, phone: Phone) -> None:
        phone.command("/mute bot 1h")
        phone.command("/mute all 30m")
        phone.command("/unmute bot")
        assert phone.last() == "Unmuted: bot."
        phone.command("/unmute")
        assert phone.last() == "Unmuted: all."
        phone.command("/unmute")
        assert phone.last() == "Nothing was muted."

    def test_a_flood_of_commands_gets_a_few_answers_and_one_slow_down(
        self, phone: Phone
    ) -> None:
        for _ in range(30):
            phone.api.say(ME, "/help")
        phone.remote.step()
        texts = [m["text"] for m in phone.api.sent]
        assert len(texts) == 6  # the burst of 5, then the 6th with one "slow down"
        # the 6th /help is answered too (it was dropped for the warning), and the
        # pause it names is the limiter's, as the README says: 12 s
        assert texts[-1].startswith("logwatch commands:")
        assert texts[-1].endswith(
            "Too many commands: from now on one answer every 12 s."
        )
        phone.clock.advance(60)
        phone.command("/help")
        assert phone.last().startswith("logwatch commands:")

    def test_help_in_russian_and_commands_for_another_bot_are_ignored(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        phone = Phone(tmp_path, api, "ru")
        phone.remote.username = "lw_alerts_bot"
        phone.command("/help@other_bot")
        assert api.sent == []
        phone.command("/help@lw_alerts_bot")
        assert phone.last().startswith("Команды logwatch:")
        phone.command("/frobnicate")
        assert phone.last().startswith("Неизвестная команда /frobnicate.")
        phone.state.close()

    def test_until_getme_answers_commands_to_a_bot_by_name_are_ignored(
        self, phone: Phone
    ) -> None:
        """getMe failed once at start and the name stayed empty for good, so
        ``/mute@other_bot all 1h`` was obeyed (issue 18). Now getMe is asked again,
        backing off on the injected clock; until it answers, no ``@``-addressed command
        is obeyed, then only those to this bot."""
        api, remote, clock = phone.api, phone.remote, phone.clock
        api.me_failures = 2

        def asked() -> int:
            return api.calls.count("getMe")

        def mutes() -> list[str]:
            return list(phone.state.mutes.active(clock.now().timestamp()))

        for bot in ("other_bot", "lw_alerts_bot"):
            phone.command(f"/mute@{bot} all 1h")
        assert (asked(), remote.username, mutes(), api.sent) == (1, "", [], [])
        # each retry waits twice as long as the one before
        for attempt, wait_s in ((2, ME_RETRY_START_S), (3, 2 * ME_RETRY_START_S)):
            clock.advance(wait_s - 0.5)
            remote.step()
            assert asked() == attempt - 1, "asked before the backoff ran out"
            clock.advance(0.5)
            phone.command("/mute@other_bot all 1h")
            assert (asked(), mutes(), api.sent) == (attempt, [], [])
        assert remote.username == "lw_alerts_bot"  # the third getMe answered
        phone.command("/mute@lw_alerts_bot bot 1h")
        assert phone.last().startswith("Muted bot until")
        assert mutes() == ["bot"]
        phone.command("/help")  # a command to no bot in particular is always obeyed
        assert phone.last().startswith("logwatch commands:")
        assert asked() == 3  # known: never asked again

    def test_the_offset_survives_a_restart(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        phone = Phone(tmp_path, api)
        phone.command("/help")
        phone.state.close()
        again = Phone(tmp_path, api)
        again.remote.step()  # the /help already answered is not answered again
        assert len(api.sent) == 1
        again.state.close()


class TestReminders:
    def critical(self, phone: Phone, alert_id: str = "a1") -> None:
        now = phone.clock.now()
        created = now.timestamp()
        payload = ALERTS.dumps(
            Alert(
                id=alert_id,
                kind=AlertKind.FIRST,
                rule_id="binance.liq",
                severity=Severity.CRITICAL,
                fingerprint="f",
                created_at=now,
            )
        )
        phone.state.commit(
            alerts=[Queued(alert_id, created, payload, ["phone"], created)]
        )
        phone.state.deliveries.mark(alert_id, "phone", "sent", 1, created, "", created)

    def test_critical_repeats_until_ack(self, phone: Phone) -> None:
        self.critical(phone)
        phone.remote.step()
        assert phone.api.sent == []
        phone.clock.advance(REMIND_EVERY_S)
        phone.remote.step()
        assert phone.last().startswith("🔁 Not acknowledged yet: Position liquidated")
        phone.command("/ack")
        assert phone.last() == "Acknowledged: Position liquidated. No more reminders."
        phone.clock.advance(REMIND_EVERY_S * 3)
        phone.remote.step()
        assert phone.last().startswith("Acknowledged")
        phone.command("/ack")
        assert phone.last() == "No alert waits for an acknowledgement."

    def test_reminders_stop_by_themselves_after_a_while(self, phone: Phone) -> None:
        self.critical(phone)
        phone.remote.step()
        for _ in range(REMIND_TIMES + 3):
            phone.clock.advance(REMIND_EVERY_S)
            phone.remote.step()
        assert len(phone.api.sent) == REMIND_TIMES


class TestHandover:
    def test_a_remote_taking_over_its_bot_goes_on_from_what_the_old_one_knew(
        self, phone: Phone
    ) -> None:
        """A reload makes a new Remote for the bot; taking over from the old one, it
        does not ask getMe again, log a stranger again or grant a fresh burst of
        answers, and it reminds of a critical alert sent while the old one polled."""
        api, old = phone.api, phone.remote
        with capture_logs() as before:
            for _ in range(4):  # of the burst of 5
                phone.command("/help")
            phone.command("/help", STRANGER)
        phone.clock.advance(1)
        TestReminders().critical(phone)  # sent after the old one's last poll
        phone.clock.advance(1)
        new = Remote(
            BotApi(TOKEN, api.url),
            Chats(TOKEN, {"4242": "phone"}),
            phone.state,
            phone.clock,
            lang="en",
            rules=RULES,
            sources=["bot"],
            poll_s=0,
            titles={"binance.liq": "Position liquidated"},
        )
        new.adopt(old)
        phone.remote = new
        with capture_logs() as after:
            phone.command("/help")  # the fifth of the burst
            phone.command("/help")
            phone.command("/help", STRANGER)
        assert phone.last().endswith(cmd.say("en", "slow_down", every="12"))
        assert api.calls.count("getMe") == 1
        stranger = [
            e for e in before + after if e["event"] == "telegram_stranger_ignored"
        ]
        assert len(stranger) == 1
        phone.clock.advance(REMIND_EVERY_S)
        new.step()
        assert phone.last().startswith("🔁 Not acknowledged yet: Position liquidated")


class TestPure:
    def test_parse_command(self) -> None:
        assert cmd.parse_command("/Mute@Bot a 1h", "bot") == cmd.Command(
            "mute", ("a", "1h")
        )
        assert cmd.parse_command("hello") is None
        assert cmd.parse_command("/x@other", "bot") is None
        # the bot's own name unknown: a command to a bot by name may be another's
        assert cmd.parse_command("/x@bot") is None
        assert cmd.parse_command("/x a") == cmd.Command("x", ("a",))

    def test_mutes_cover_rule_source_or_all_only(self) -> None:
        def muted(rule_id: str, source: str, targets: list[str]) -> bool:
            return UserMutes(frozenset(targets)).covers(rule_id, source)

        assert muted("r", "bot", ["r"])
        assert muted("r", "bot", ["bot"])
        assert muted("r", "", ["all"])
        assert not muted("r", "bot", ["other", "other-bot"])
        assert not muted("r", "", [""])

    def test_remote_chats_group_by_bot(self) -> None:
        class Ch:
            def __init__(self, name: str, url: str, commands: bool) -> None:
                self.name, self.url, self.commands = name, url, commands

        chats = remote_chats(
            [
                Ch("a", f"tgram://{TOKEN}/1", True),
                Ch("b", f"tgram://{TOKEN}/-2", True),
                Ch("c", f"tgram://{TOKEN}/3", False),
            ],
            lambda c: c.url,
        )
        assert chats == [Chats(TOKEN, {"1": "a", "-2": "b"})]


# -- real processes ----------------------------------------------------------------------

MARGIN = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"
SIGNATURE = b"binance: Signature for this request is not valid.\n"


def config(tmp_path: Path, hook: Hook) -> str:
    return (
        f"language: en\ninstance: desk-7\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n"
        f"  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/alerts'\n"
        f"  - name: phone\n    url: 'tgram://{TOKEN}/4242'\n    commands: true\n"
        "dedup:\n  window: 1s\n"
    )


@pytest.fixture(name="hook")
def _hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.close()


@pytest.mark.timeout(300)
def test_mute_from_the_phone_silences_one_rule_survives_kill_9_and_strangers_cannot(
    tmp_path: Path, api: FakeBotApi, hook: Hook
) -> None:
    (tmp_path / "logs").mkdir()
    api.add_chat(ME)
    env = {"LOGWATCH_TELEGRAM_API": api.url}
    run = Run(tmp_path, config(tmp_path, hook), env)
    api.say(ME, "/mute binance.margin-insufficient 1h")
    wait_until(lambda: any("Muted" in m["text"] for m in api.sent), 15, "the answer")
    api.say(STRANGER, "/unmute all")
    api.say(STRANGER, "/mute binance.invalid-signature 1h")
    api.say(ME, "/status")
    wait_until(
        lambda: any("logwatch status" in m["text"] for m in api.sent), 15, "/status"
    )
    (answer,) = [m["text"] for m in api.sent if "logwatch status" in m["text"]]
    assert answer.startswith("📋 logwatch status (desk-7)")  # which PC answers
    write(tmp_path / "logs" / "bot.log", MARGIN + SIGNATURE)
    wait_until(lambda: len(hook.requests) >= 1, 10, "the signature alert")
    run.kill()
    status = logwatch(
        "status",
        "--config",
        str(tmp_path / "config.yaml"),
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert "binance.margin-insufficient until" in status.stdout
    assert "by Ivan" in status.stdout
    run = Run(tmp_path, config(tmp_path, hook), env)
    write(tmp_path / "logs" / "bot.log", b"\n" * 3 + MARGIN + SIGNATURE)
    wait_until(lambda: len(hook.requests) >= 2, 10, "the second signature alert")
    assert run.stop() == 0
    titles = [r["title"] for r in hook.requests]
    assert not any("margin" in t for t in titles), titles
    assert all("signature" in t.lower() for t in titles)
    answered_to = {m["chat_id"] for m in api.sent}
    assert answered_to == {4242}  # never to the stranger


@pytest.mark.timeout(300)
def test_a_reload_while_a_command_poll_hangs_answers_the_next_command_once(
    tmp_path: Path, api: FakeBotApi, hook: Hook
) -> None:
    """The old config's poller outlived the reload inside its long poll, and the new
    one polled beside it (Telegram answers 409 Conflict to one of two): both read the
    next command and both answered it. One poller per bot, across reloads; the poll
    under way answers what it reads, and the new config answers from the next update
    on. (The Bot API is the fake of telegram_fake.py: Telegram cannot be reached.)"""
    (tmp_path / "logs").mkdir()
    api.add_chat(ME)
    cfg = config(tmp_path, hook)
    run = Run(tmp_path, cfg, {"LOGWATCH_TELEGRAM_API": api.url})
    api.say(ME, "/help")
    api.wait_sent(1, 30)  # the bot is polled
    api.hold_polls()
    wait_until(lambda: api.held >= 1, 30, "a poll that hangs")
    (tmp_path / "config.yaml").write_text(
        cfg.replace("language: en", "language: ru"), encoding="utf-8"
    )
    reload = logwatch("reload", "--config", str(tmp_path / "config.yaml"), timeout=20)
    assert reload.returncode == 0, reload.stderr
    # the new config has started whatever it polls with: a second poll, or the bot
    # handed over to the one poller
    wait_until(
        lambda: (
            any("reloaded" in line for line in run.err)
            and (
                api.polling >= 2
                or any("telegram_commands_handed_over" in line for line in run.err)
            )
        ),
        30,
        lambda: f"the reload ({api.polling} polls under way)",
    )
    status = api.say(ME, "/status")
    api.release_polls()

    def answers() -> list[str]:
        return [m["text"] for m in api.sent if "logwatch" in m["text"].split("\n")[0]]

    # each poll that read the command answers it: wait for as many answers as reads
    wait_until(
        lambda: len(answers()) - 1 >= api.handed[status] >= 1,
        30,
        lambda: f"{api.handed[status]} reads of /status answered: {api.sent}",
    )
    api.say(ME, "/help")  # after the handover: the new config answers it
    wait_until(lambda: cmd.HELP["ru"] in answers(), 30, lambda: f"{api.sent}")
    assert run.stop() == 0
    assert answers()[0] == cmd.HELP["en"]
    status_answers = [a for a in answers() if a.startswith("📋")]  # either language
    assert len(status_answers) == 1, status_answers
    assert status_answers[0].startswith(
        "📋 logwatch status (desk-7)"
    )  # read by the old
    assert api.handed[status] == 1
    assert api.most_polling == 1  # never two getUpdates at once on the token
    assert answers()[2:] == [cmd.HELP["ru"]]


def test_an_unreachable_bot_api_backs_off_quietly_and_stops_at_once(
    tmp_path: Path,
) -> None:
    state = State(tmp_path / "state.db", FakeClock())
    remote = Remote(
        BotApi(TOKEN, "http://127.0.0.1:9", timeout_s=1),
        Chats(TOKEN, {"4242": "phone"}),
        state,
        FakeClock(),
        lang="en",
        rules=RULES,
        sources=[],
        poll_s=0,
    )
    pollers = Pollers()
    with capture_logs() as logs:
        pollers.serve(Remotes([remote]))
        wait_until(
            lambda: any(e["event"] == "telegram_poll_failed" for e in logs),
            10,
            "a failed poll",
        )
        pollers.close(5)
    assert pollers.lanes == []
    events = [e["event"] for e in logs]
    assert "telegram_commands_unavailable" in events
    assert TOKEN not in repr(logs)
    assert all(e["log_level"] != "error" for e in logs)
    state.close()


@given(st.lists(st.text(max_size=30), max_size=4))
def test_any_mute_arguments_are_a_request_or_the_usage_never_an_error(
    args: list[str],
) -> None:
    result = cmd.parse_mute(args, RULES, ["bot"], "en")
    if isinstance(result, cmd.MuteRequest):
        assert result.target in {*RULES, "bot", "all"}
        assert cmd.MUTE_MIN_S <= result.seconds <= cmd.MUTE_MAX_S
    else:
        assert result.startswith("Usage: /mute")


@given(st.lists(st.floats(min_value=0, max_value=30), min_size=1, max_size=200))
def test_the_limiter_never_answers_more_than_its_burst_and_refill(
    gaps: list[float],
) -> None:
    limiter = cmd.Limiter(burst=5, every_s=12.0)
    now, answered = 0.0, 0
    for gap in gaps:
        now += gap
        answered += limiter.take(1, now) == "answer"
    assert answered <= 5 + now / 12.0
