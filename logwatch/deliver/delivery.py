"""Delivers what waits in the outbox, each channel on its own, until it gets through.

Composes State and the Notifier. Every channel has its own thread (senders.py), so a
dead one holds up no other. A failed send is retried with capped exponential backoff
(a Telegram 429's ``retry_after`` is respected) until it is delivered or older than
``max_age``; then it expires, and the other channels are told how many did.
"""

from __future__ import annotations

import ctypes
import random
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

import structlog

from logwatch.alerts.codec import ALERTS
from logwatch.alerts.notices import Notice, notice, render_notice
from logwatch.alerts.outbox import backoff_s, queue_rows
from logwatch.alerts.pipeline import delivery_stages
from logwatch.alerts.render import Message, render, render_group
from logwatch.core.channel import Channel
from logwatch.core.clock import Clock
from logwatch.core.errors import StateError
from logwatch.core.flood import Brief, brief, summarize
from logwatch.core.model import Alert, AlertKind, ChannelKind, Severity
from logwatch.deliver.attempts import Attempts
from logwatch.deliver.notifier import Notifier
from logwatch.rulebook.rules import Rule
from logwatch.store.deliveries import Pending
from logwatch.store.state import State

log = structlog.get_logger("logwatch.delivery")

#: Alertmanager's budget when the config sets none: nothing is held back for it.
UNPACED_PER_MINUTE = 600
#: A channel kind's own renderer: the alerts of one message -> the message.
MessageFormat = Callable[[Sequence[tuple[Alert, Rule | None]]], Message]
#: The longest a channel thread sleeps when nothing is due (it is woken on new alerts).
IDLE_WAIT_S = 60.0
#: At most this many due alerts are read at once (a grouped message lists them all).
GROUP_FETCH = 5000


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``;
    elsewhere nothing): a grouped send reads up to ``GROUP_FETCH`` rows at once, and
    without it the process kept ~6 MB of their freed memory for good."""
    if sys.platform.startswith("linux"):
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # none with musl
        if trim is not None:
            trim(0)


def per_minute(channel: Channel) -> int:
    """A channel's message budget: its ``max_per_minute``; for Alertmanager, which
    groups and paces by itself, the most there is unless the config says otherwise."""
    if channel.kind == ChannelKind.ALERTMANAGER and "max_per_minute" not in (
        channel.model_fields_set
    ):
        return UNPACED_PER_MINUTE
    return channel.max_per_minute


def channels_for(
    notifier: Notifier,
    severity: Severity,
    skip: str = "",
    resolved: bool = False,
    route: tuple[str, str, Sequence[str]] | None = None,
) -> list[str]:
    """The channels that take alerts of this severity (``resolved``: and want to hear
    when trouble is over; ``route``: the alert's rule id, source and categories, for
    channels that take only some; None, as for logwatch's own alerts: every one)."""
    return [
        c
        for c in notifier.channels
        if c != skip
        and notifier.takes(c, severity)
        and (not resolved or notifier.channels[c].resolved)
        and (route is None or notifier.channels[c].routes(*route))
    ]


class Dispatcher:
    """Sends due deliveries, channel by channel; ``step(channel)`` is one pass."""

    def __init__(
        self,
        state: State,
        notifier: Notifier,
        rules: Mapping[str, Rule],
        lang: str,
        clock: Clock,
        max_age_s: float = 24 * 3600.0,
        rng: random.Random | None = None,
        instance: str = "",
        formats: Mapping[str, MessageFormat] | None = None,
        on_outcome: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.state, self.notifier, self.rules = state, notifier, rules
        #: names this logwatch in every message's footer
        self.instance = instance
        #: per channel kind, a renderer of its own (Alertmanager's JSON)
        self.formats = dict(formats or {})
        #: told (channel, delivered|failed|expired, count) as deliveries end
        self.on_outcome = on_outcome or (lambda channel, outcome, count: None)
        self.lang, self.clock, self.max_age_s = lang, clock, max_age_s
        self.rng = rng or random.Random()  # noqa: S311  jitter, not security
        # stages 6-7 of pipeline: the flood budget, then Telegram's pacing
        self.budgets, self.pacer = delivery_stages(
            {name: per_minute(channel) for name, channel in notifier.channels.items()}
        )
        self.expired: Counter[str] = Counter()
        self.wake = {name: threading.Event() for name in notifier.channels}
        #: since when (epoch s) a channel has failed every attempt; None: it works
        self.failing_since: dict[str, float | None] = dict.fromkeys(notifier.channels)
        self._seq = 0
        self._stop = threading.Event()
        #: alerts about logwatch that State could not take (a full disk): sent from
        #: memory, once per channel
        self._memory: dict[str, deque[Alert]] = {c: deque() for c in notifier.channels}
        #: each send's outcome, recorded in State (or held while it cannot be)
        self.attempts = Attempts(state)

    def _chat(self, channel: str) -> str:
        url = self.notifier.channels[channel].url.get_secret_value()
        return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

    def step(self, channel: str) -> float:
        """Deliver what is due on one channel; seconds until the next is due.

        Within the channel's budget (``max_per_minute``) alerts go one by one, most
        severe first; past it, the rest go as one grouped message (a flood).
        """
        if self._stop.is_set():
            # handed on (a reload): nothing to do until ``serve`` wakes the thread,
            # which then steps the next dispatcher; rows due now must not spin it
            return IDLE_WAIT_S
        kind = self.notifier.channels[channel].kind
        if not self._send_memory(channel, kind) or not self.attempts.record_again(
            channel
        ):
            return 5.0
        self._expire(channel)
        held_until, flood = self._send_due(channel, kind == ChannelKind.TELEGRAM)
        if flood:  # its rows and briefs were freed with _send_due's frame
            give_back_memory()
        self._tell_expired(channel)
        due = self.state.deliveries.next_due(channel)
        now = self.clock.now().timestamp()
        if due is None:
            return IDLE_WAIT_S
        return max(0.0, min(IDLE_WAIT_S, max(due, held_until) - now))

    def _expire(self, channel: str) -> None:
        """Expire the channel's deliveries older than ``max_age`` (told later)."""
        now = self.clock.now().timestamp()
        self.expired[channel] += self.state.deliveries.expire(
            channel, now - self.max_age_s, now
        )

    def _send_due(self, channel: str, paced: bool) -> tuple[float, bool]:
        """Send what is due until nothing is, the budget or Telegram's pace holds
        the channel, or the dispatcher stops; until when it is held, and whether
        a grouped message (a flood) went. ``paced``: one message, then the pacer."""
        held_until = 0.0
        flood = False
        # stopped (a reload handed the channel on): no message after the one under way
        while not self._stop.is_set():
            now = self.clock.now().timestamp()
            # held by the budget or Telegram's pacing: nothing is read or written
            held_until = self._ready_at(channel, now)
            if held_until > now:
                break
            items = self._due(channel, now)
            if not items:
                break
            singles, grouped = self.budgets[channel].plan(items, now)
            if not singles and not grouped:
                break
            if paced:  # one message, then wait for the pacer
                self._send(channel, singles[:1] or grouped, now)
                continue
            for item, alert in singles:
                if self._stop.is_set():
                    break
                self._send(channel, [(item, alert)], now)
            if grouped and not self._stop.is_set():
                self._send(channel, grouped, now)
                flood = True
        return held_until, flood

    def _due(self, channel: str, now: float) -> list[tuple[Pending, Brief]]:
        """The channel's due deliveries (not those waiting to be marked), each with
        its alert's brief, most severe first, then oldest first. The payloads are
        read a chunk at a time and only briefs kept: a storm's ``GROUP_FETCH`` rows
        and their alerts, all at once, were its peak of memory."""
        pending = [
            item
            for item in self.state.deliveries.due(
                channel, now, limit=GROUP_FETCH, with_payload=False
            )
            if not self.attempts.unrecorded(item.alert_id, channel)
        ]
        briefs = {
            alert_id: brief(ALERTS.loads(payload))
            for alert_id, payload in self.state.deliveries.payloads(
                [item.alert_id for item in pending]
            )
        }
        return sorted(
            (
                (item, briefs[item.alert_id])
                for item in pending
                if item.alert_id in briefs
            ),
            key=lambda pair: (-pair[1].severity.rank, pair[0].created_at),
        )

    def _alerts(
        self, items: Sequence[tuple[Pending, Brief]]
    ) -> list[tuple[Pending, Alert]]:
        """These deliveries with their whole alerts, read again from the outbox (one
        alert sent alone, or a channel's own format); one no longer kept is left out."""
        alerts = {
            alert_id: ALERTS.loads(payload)
            for alert_id, payload in self.state.deliveries.payloads(
                [item.alert_id for item, _brief in items]
            )
        }
        return [
            (item, alerts[item.alert_id])
            for item, _b in items
            if item.alert_id in alerts
        ]

    def _tell_expired(self, channel: str) -> None:
        """Tell the other channels how many alerts this one let expire."""
        if not self.expired[channel]:
            return
        count = self.expired.pop(channel)
        self.on_outcome(channel, "expired", count)
        hours = self.max_age_s / 3600
        said = notice("alerts_expired", count=count, channel=channel, hours=hours)
        self.self_alert(said, skip=channel)
        log.warning("alerts_expired", channel=channel, count=count)

    def _ready_at(self, channel: str, now: float) -> float:
        """When the channel may send its next message (its budget, Telegram's pace)."""
        ready = self.budgets[channel].ready_at(now)
        if self.notifier.channels[channel].kind == ChannelKind.TELEGRAM:
            ready = max(ready, self.pacer.ready_at(self._chat(channel), now))
        return ready

    def _send(
        self, channel: str, items: Sequence[tuple[Pending, Brief]], now: float
    ) -> None:
        """One message (one alert, or several grouped) to one channel, and its marks."""
        kind = self.notifier.channels[channel].kind
        special = self.formats.get(kind)
        whole: list[tuple[Pending, Alert]] = []
        if special is not None or len(items) == 1:
            whole = self._alerts(items)
            if not whole:
                return
            kept = {item.alert_id for item, _alert in whole}
            items = [pair for pair in items if pair[0].alert_id in kept]
        if kind == ChannelKind.TELEGRAM:
            self.pacer.record(self._chat(channel), now)
        budget = self.budgets[channel]
        budget.record(now, grouped=len(items) > 1)
        if special is not None:  # every alert as it is (Alertmanager groups itself)
            message = special([(a, self.rules.get(a.rule_id)) for _i, a in whole])
        elif len(items) == 1:
            alert = whole[0][1]
            rule = self.rules.get(alert.rule_id)
            message = render(alert, rule, self.lang, kind, self.instance)
        else:
            message = render_group(
                summarize(b for _i, b in items),
                self.rules,
                self.lang,
                kind,
                budget.max_per_minute,
            )
        severity = max((b.severity for _i, b in items), key=lambda s: s.rank)
        result = self.notifier.send(channel, message, severity)
        self.on_outcome(channel, "delivered" if result.ok else "failed", len(items))
        pending = [item for item, _alert in items]
        if result.ok:
            self.failing_since[channel] = None
            self.attempts.delivered(channel, pending, result.status, result.error, now)
            if len(items) == 1:
                first = whole[0][1]
                log.info(
                    "alert_sent", channel=channel, rule=first.rule_id, kind=first.kind
                )
            else:  # one line per message, not per alert: a flood floods no journal
                log.info("alerts_sent_grouped", channel=channel, alerts=len(items))
            return
        if self.failing_since[channel] is None:
            self.failing_since[channel] = now
        attempts = max(item.attempts for item in pending) + 1
        delay = backoff_s(attempts, self.rng, result.retry_after_s)
        self.attempts.retry(channel, pending, now + delay, result.error)
        log.warning(
            "delivery_failed",
            channel=channel,
            attempts=attempts,
            alerts=len(items),
            retry_in_s=round(delay, 1),
            error=result.error,
        )

    def _send_memory(self, channel: str, kind: str) -> bool:
        """Send what waits in memory; False if the channel failed (tried later)."""
        queue = self._memory[channel]
        while queue:
            alert = queue[0]
            message = render(alert, None, self.lang, kind)
            if not self.notifier.send(channel, message, alert.severity).ok:
                return False
            queue.popleft()
        return True

    def say_now(self, said: Notice, skip: str = "") -> None:
        """An alert about logwatch itself, held in memory only: for when State cannot
        be written. Each channel that takes it sends it once."""
        alert = self._self_alert(said)
        for channel in channels_for(self.notifier, said.severity, skip):
            self._memory[channel].append(alert)
        self.poke()

    def _self_alert(
        self,
        said: Notice,
        about: str = "",
        resolves: datetime | None = None,
    ) -> Alert:
        now = self.clock.now()
        self._seq += 1
        return Alert(
            id=f"self\x1e{now.timestamp():.6f}\x1e{self._seq}",
            kind=AlertKind.SELF if resolves is None else AlertKind.RESOLVED,
            rule_id="logwatch.self",
            severity=said.severity,
            fingerprint="logwatch.self\x1f" + about if about else "logwatch.self",
            created_at=now,
            text=render_notice(said, self.lang),
            started_at=resolves,
        )

    def self_alert(
        self,
        said: Notice,
        skip: str = "",
        about: str = "",
        resolves: datetime | None = None,
    ) -> None:
        """Queue an alert about logwatch itself for every channel that takes it (but
        ``skip``), in the configured language, and wake the channels.

        ``about`` names a lasting condition (``silent:bot``); ``resolves``: this says
        that condition, begun then, is over (only channels with send_resolved).
        """
        alert = self._self_alert(said, about, resolves)
        rows = queue_rows(
            [alert],
            lambda a: channels_for(
                self.notifier, a.severity, skip, resolved=resolves is not None
            ),
        )
        try:
            self.state.commit(alerts=rows)
        except StateError:
            self.say_now(said, skip)  # State cannot take it: from memory
            return
        self.poke()

    def unreachable_for(self) -> float:
        """Seconds every channel has been failing (0 while any one works)."""
        since = list(self.failing_since.values())
        if not since or any(s is None for s in since):
            return 0.0
        return self.clock.now().timestamp() - max(s for s in since if s is not None)

    # -- the channel threads (senders.py) ---------------------------------------------

    @property
    def lanes(self) -> Collection[str]:
        """The channels, each served by one thread."""
        return self.notifier.channels.keys()

    def poke(self) -> None:
        """New alerts were committed: every channel looks now."""
        for event in self.wake.values():
            event.set()

    def wait(self, channel: str, timeout_s: float) -> None:
        """Wait until a channel is poked, or for ``timeout_s``."""
        wake = self.wake[channel]
        wake.wait(timeout_s)
        wake.clear()

    def adopt(self, old: Dispatcher, channel: str) -> None:
        """Take over what the stopped ``old`` holds for a channel (attempts State has
        not recorded yet, alerts held in memory, the last minute's messages, since when
        it fails), so nothing is sent twice or lost when a reload hands it on.

        Called by the channel's one thread, between its passes.
        """
        self.attempts.adopt(old.attempts, channel)
        self._memory[channel].extend(old._memory.get(channel, ()))
        if channel in old.budgets:
            mine, theirs = self.budgets[channel], old.budgets[channel]
            mine.sent, mine.grouped_at = theirs.sent, theirs.grouped_at
        chat = self._chat(channel)
        if chat in old.pacer.sent:
            self.pacer.sent.setdefault(chat, old.pacer.sent[chat])
        self.failing_since[channel] = old.failing_since.get(channel)
        self.expired[channel] += old.expired.pop(channel, 0)

    def stop(self) -> None:
        """Send nothing more: a pass under way ends after the message being sent, and
        the thread serving this dispatcher goes on with the next one (or ends)."""
        self._stop.set()
        self.poke()
