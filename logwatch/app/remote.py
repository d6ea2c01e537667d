"""The phone as a remote: Telegram commands in the configured chats, and reminders of
critical alerts until ``/ack``.

One thread per bot long-polls ``getUpdates`` for as long as logwatch runs
(senders.Pollers): a reload hands the bot to the new config's ``Remote`` after the poll
under way, so one update is never read by two polls. It never touches following or
delivery (it reads the state read-only for /status and writes only mutes, acks and its
offset).
Chats that are not configured are ignored, and logged once each. Network failures back
off quietly, up to a minute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from logwatch.alerts.codec import ALERTS
from logwatch.app import commands as cmd
from logwatch.core.clock import Clock
from logwatch.core.model import Severity
from logwatch.deliver.telegram import BotApi, TelegramError, chat_of
from logwatch.store.state import State
from logwatch.store.status import read_status

log = structlog.get_logger("logwatch.remote")

#: How long one getUpdates waits for a message (Telegram allows up to 50 s).
POLL_S = 25.0
#: While the bot's own name is unknown (``getMe`` failed), it is asked again after
#: this long, doubling up to ME_RETRY_MAX_S.
ME_RETRY_START_S = 5.0
ME_RETRY_MAX_S = 300.0
#: A failed poll is tried again after this long, doubling up to POLL_RETRY_MAX_S.
POLL_RETRY_START_S = 1.0
POLL_RETRY_MAX_S = 60.0
#: Critical alerts are repeated this often until /ack, at most REMIND_TIMES times.
REMIND_EVERY_S = 300.0
REMIND_TIMES = 6


@dataclass(frozen=True, slots=True)
class Chats:
    """The chats one bot answers: chat id -> channel name."""

    token: str
    channels: Mapping[str, str]  # chat id (text) -> channel


class Remote:
    """One bot's commands and reminders; ``step()`` is one poll, ``poll()`` one with
    its failures handled."""

    def __init__(
        self,
        bot: BotApi,
        chats: Chats,
        state: State,
        clock: Clock,
        *,
        lang: str,
        rules: Iterable[str],
        sources: Iterable[str],
        poll_s: float = POLL_S,
        limiter: cmd.Limiter | None = None,
        titles: Mapping[str, str] | None = None,
        instance: str = "",
    ) -> None:
        self.bot, self.chats, self.state, self.clock = bot, chats, state, clock
        self.lang, self.rules, self.sources = lang, set(rules), set(sources)
        self.poll_s = poll_s
        #: rule id -> title in the language, for reminders
        self.titles = dict(titles or {})
        self.instance = instance
        self.limiter = limiter or cmd.Limiter()
        self.strangers: set[int] = set()
        #: the bot's own name (``getMe``); "" until known, when every command addressed
        #: to a bot by name (``/mute@name``) is ignored: it may be another bot's
        self.username = ""
        self._me_failures = 0
        self._me_at = clock.monotonic()  # when to ask getMe (again)
        #: the bot's id, the part of the token before ":" (not secret)
        self.bot_id = bot.token.split(":", 1)[0]
        self._key = "telegram_offset:" + self.bot_id
        #: critical alerts sent since then are reminded
        self._since = clock.now().timestamp()
        self._retry_s = POLL_RETRY_START_S

    # -- one unit of work -------------------------------------------------------------

    def step(self) -> None:
        """Send due reminders, then read and answer new commands (first learning the
        bot's own name, while it is unknown)."""
        self.learn_name()
        self.remind()
        saved = self.state.settings.get(self._key)
        offset = int(saved) if saved else None
        for update in self.bot.updates(offset, self.poll_s):
            self.state.settings.set(self._key, str(update["update_id"] + 1))
            try:
                self.handle(update)
            except TelegramError as exc:
                log.warning("telegram_answer_failed", error=str(exc))

    def poll(self) -> float:
        """``step()``, a failure logged; seconds until the next poll (0 when it worked;
        failures back off from POLL_RETRY_START_S to POLL_RETRY_MAX_S)."""
        try:
            self.step()
        except TelegramError as exc:
            log.info("telegram_poll_failed", error=str(exc), retry_in_s=self._retry_s)
        except Exception:  # boundary: the top of the bot's thread, logged
            log.exception("telegram_poll_crashed")
        else:
            self._retry_s = POLL_RETRY_START_S
            return 0.0
        wait, self._retry_s = self._retry_s, min(self._retry_s * 2, POLL_RETRY_MAX_S)
        return wait

    def adopt(self, old: Remote) -> None:
        """Take over what ``old``, the same bot's Remote of the config before a reload,
        knows: the bot's name (or when to ask again), the strangers already logged, the
        commands' rate, the alerts still to be reminded of and the poll's backoff. The
        update offset needs nothing: it is in State, written before each update is
        handled."""
        self.username = self.username or old.username
        self._me_failures, self._me_at = old._me_failures, old._me_at
        self.strangers |= old.strangers
        self.limiter = old.limiter
        self._since = old._since
        self._retry_s = old._retry_s

    def learn_name(self) -> None:
        """Ask ``getMe`` for the bot's name, when unknown and a retry is due (backing
        off from ME_RETRY_START_S to ME_RETRY_MAX_S)."""
        now = self.clock.monotonic()
        if self.username or now < self._me_at:
            return
        try:
            name = str(self.bot.me().get("username") or "")
        except TelegramError as exc:
            name, error = "", str(exc)
        else:
            error = "getMe gave no username"
        if name:
            self.username = name
            if self._me_failures:
                log.info("telegram_commands_available", retries=self._me_failures)
            return
        self._me_failures += 1
        delay = min(ME_RETRY_MAX_S, ME_RETRY_START_S * 2 ** (self._me_failures - 1))
        self._me_at = now + delay
        log.warning(
            "telegram_commands_unavailable",
            error=error,
            retry_in_s=delay,
            ignoring="commands addressed to a bot by name",
        )

    def handle(self, update: Mapping[str, Any]) -> None:
        """Answer one update, if it is a command from a configured chat."""
        chat = chat_of(dict(update))
        if chat is None:
            return
        channel = self.chats.channels.get(str(chat.id))
        if channel is None:
            if chat.id not in self.strangers:
                self.strangers.add(chat.id)
                log.warning(
                    "telegram_stranger_ignored", chat_id=chat.id, type=chat.type
                )
            return
        message = update.get("message") or update.get("channel_post") or {}
        command = cmd.parse_command(str(message.get("text", "")), self.username)
        if command is None:
            return
        verdict = self.limiter.take(chat.id, self.clock.monotonic())
        if verdict == "drop":
            return
        by = str((message.get("from") or {}).get("first_name") or chat.name)
        answer = self.answer(command, channel, by)
        if verdict == "warn":
            # this command is answered too: the warning rides along with it
            every = f"{self.limiter.every_s:g}"
            answer += "\n\n" + cmd.say(self.lang, "slow_down", every=every)
        self.bot.send(chat.id, answer)

    def answer(self, command: cmd.Command, channel: str, by: str) -> str:
        """The answer to one command (and what it changes)."""
        now = self.clock.now().timestamp()
        lang = self.lang
        if command.name in ("help", "start"):
            return cmd.HELP[lang]
        if command.name == "status":
            info = read_status(self.state.path, now)
            return cmd.status_text(info, lang, self.instance)
        if command.name == "mute":
            request = cmd.parse_mute(command.args, self.rules, self.sources, lang)
            if isinstance(request, str):
                return request
            until = now + request.seconds
            self.state.mutes.set(request.target, until, by)
            log.info("muted", target=request.target, until=until, by=by)
            return cmd.say(
                lang, "muted", target=request.target, until=cmd.local_time(until)
            )
        if command.name == "unmute":
            target = command.args[0] if command.args else None
            lifted = self.state.mutes.clear(None if target == cmd.ALL else target)
            if not lifted:
                return cmd.say(lang, "none_muted")
            return cmd.say(lang, "unmuted", what=", ".join(lifted))
        if command.name == "ack":
            titles = self.state.reminders.ack(channel, now)
            if not titles:
                return cmd.say(lang, "none_acked")
            return cmd.say(lang, "acked", what="; ".join(titles))
        return (
            cmd.say(lang, "unknown_command", what="/" + command.name)
            + "\n\n"
            + (cmd.HELP[lang])
        )

    def remind(self) -> None:
        """Repeat each critical alert sent to these chats until it is acknowledged."""
        now = self.clock.now().timestamp()
        for chat_id, channel in self.chats.channels.items():
            for alert_id, payload in self.state.reminders.unreminded(
                channel, self._since
            ):
                alert = ALERTS.loads(payload)
                if alert.severity is not Severity.CRITICAL:
                    continue
                rule_id = alert.rule_id
                title = self.titles.get(rule_id, rule_id)
                self.state.reminders.remind(
                    alert_id, channel, title, now + REMIND_EVERY_S, 0
                )
            for alert_id, title, next_at, sent in self.state.reminders.open(channel):
                if next_at > now:
                    continue
                if sent >= REMIND_TIMES:
                    self.state.reminders.ack(
                        channel, now
                    )  # given up: no reminders for ever
                    continue
                try:
                    self.bot.send(chat_id, cmd.say(self.lang, "reminder", title=title))
                except TelegramError as exc:  # tried again at the next period
                    log.warning("telegram_reminder_failed", error=str(exc))
                self.state.reminders.remind(
                    alert_id, channel, title, now + REMIND_EVERY_S, sent + 1
                )


class Remotes:
    """One config's bots (``lanes``: their ids), each polled by its own thread for as
    long as logwatch runs (senders.Pollers)."""

    def __init__(self, remotes: Iterable[Remote]) -> None:
        #: bot id -> its Remote
        self.bots = {remote.bot_id: remote for remote in remotes}
        self._stop = threading.Event()
        self._wake = threading.Event()

    @property
    def lanes(self) -> Collection[str]:
        """The bots' ids."""
        return self.bots.keys()

    def step(self, bot: str) -> float:
        """One poll of a bot (none once stopped); seconds until the next."""
        if self._stop.is_set():  # until a ``stop`` again: the next config is served
            return POLL_RETRY_MAX_S
        return self.bots[bot].poll()

    def wait(self, bot: str, timeout_s: float) -> None:
        """Wait before a bot's next poll (cut short by ``stop``)."""
        self._wake.wait(timeout_s)
        self._wake.clear()

    def adopt(self, old: Remotes, bot: str) -> None:
        """Take a bot over from the config before a reload (on the bot's thread)."""
        if bot in old.bots:
            self.bots[bot].adopt(old.bots[bot])

    def stop(self) -> None:
        """No poll after the one under way (it ends in the background); wakes the
        bots' threads to look again."""
        self._stop.set()
        self._wake.set()


def remote_chats(channels: Iterable[Any], url_of: Callable[[Any], str]) -> list[Chats]:
    """The bots with ``commands: true`` channels, each with the chats it answers."""
    from logwatch.deliver.telegram import token_and_chat

    bots: dict[str, dict[str, str]] = {}
    for channel in channels:
        if not getattr(channel, "commands", False):
            continue
        parsed = token_and_chat(url_of(channel))
        if parsed is None:
            continue
        token, chat = parsed
        bots.setdefault(token, {})[chat] = channel.name
    return [Chats(token, chats) for token, chats in bots.items()]
