"""Delivers what waits in the outbox, each channel on its own, until it gets through.

Composes State and the Notifier. Every channel has its own thread, so a dead one holds
up no other. A failed send is retried with capped exponential backoff (a Telegram 429's
``retry_after`` is respected) until it is delivered or older than ``max_age``; then it
expires, and the other channels are told how many did.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import structlog

from logwatch.clock import Clock
from logwatch.dedup import Alert, AlertKind
from logwatch.model import Severity
from logwatch.notifier import Notifier
from logwatch.outbox import Pacer, alert_from_json, alert_to_json, backoff_s
from logwatch.render import Message, render
from logwatch.rules import Rule
from logwatch.state import State

log = structlog.get_logger("logwatch.delivery")

#: The longest a channel thread sleeps when nothing is due (it is woken on new alerts).
IDLE_WAIT_S = 60.0


def channels_for(
    notifier: Notifier, severity: Severity, skip: str = "", resolved: bool = False
) -> list[str]:
    """The channels that take alerts of this severity (``resolved``: and want to hear
    when trouble is over)."""
    return [
        c
        for c in notifier.channels
        if c != skip
        and notifier.takes(c, severity)
        and (not resolved or notifier.channels[c].resolved)
    ]


def queue_rows(
    alerts: Iterable[Alert], targets: Callable[[Alert], Iterable[str]]
) -> list[tuple[str, float, str, list[str], float]]:
    """Outbox rows for ``State.queue``: (id, created, payload, channels, due)."""
    rows = []
    for alert in alerts:
        due = (alert.not_before or alert.created_at).timestamp()
        rows.append(
            (
                alert.id,
                alert.created_at.timestamp(),
                alert_to_json(alert),
                list(targets(alert)),
                due,
            )
        )
    return rows


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
        formats: Mapping[str, Callable[[Alert, Rule | None], Message]] | None = None,
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
        self.pacer = Pacer()
        self.expired: Counter[str] = Counter()
        self.wake = {name: threading.Event() for name in notifier.channels}
        #: since when (epoch s) a channel has failed every attempt; None: it works
        self.failing_since: dict[str, float | None] = dict.fromkeys(notifier.channels)
        self._threads: list[threading.Thread] = []
        self._seq = 0
        self._stop = threading.Event()

    def _chat(self, channel: str) -> str:
        url = self.notifier.channels[channel].url.get_secret_value()
        return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

    def step(self, channel: str) -> float:
        """Deliver what is due on one channel; seconds until the next is due."""
        kind = self.notifier.channels[channel].kind
        now = self.clock.now().timestamp()
        self.expired[channel] += self.state.expire_deliveries(
            channel, now - self.max_age_s, now
        )
        while True:
            now = self.clock.now().timestamp()
            batch = self.state.due(channel, now)
            if not batch:
                break
            for item in batch:
                alert = alert_from_json(item.payload)
                if kind == "telegram":
                    chat = self._chat(channel)
                    ready = self.pacer.ready_at(chat, now)
                    if ready > now:
                        self.state.mark(
                            item.alert_id, channel, "pending", item.attempts, ready
                        )
                        continue
                    self.pacer.record(chat, now)
                rule = self.rules.get(alert.rule_id)
                special = self.formats.get(kind)
                message = (
                    special(alert, rule)
                    if special is not None
                    else render(alert, rule, self.lang, kind, self.instance)
                )
                result = self.notifier.send(channel, message, alert.severity)
                attempts = item.attempts + 1
                self.on_outcome(channel, "delivered" if result.ok else "failed", 1)
                if result.ok:
                    self.failing_since[channel] = None
                    self.state.mark(
                        item.alert_id,
                        channel,
                        result.status,
                        attempts,
                        now,
                        result.error,
                        now,
                    )
                    continue
                if self.failing_since[channel] is None:
                    self.failing_since[channel] = now
                delay = backoff_s(attempts, self.rng, result.retry_after_s)
                self.state.mark(
                    item.alert_id,
                    channel,
                    "pending",
                    attempts,
                    now + delay,
                    result.error,
                )
                log.warning(
                    "delivery_failed",
                    channel=channel,
                    attempts=attempts,
                    retry_in_s=round(delay, 1),
                    error=result.error,
                )
        if self.expired[channel]:
            count = self.expired.pop(channel)
            self.on_outcome(channel, "expired", count)
            self._expired_alert(channel, count)
        due = self.state.next_due(channel)
        now = self.clock.now().timestamp()
        return IDLE_WAIT_S if due is None else max(0.0, min(IDLE_WAIT_S, due - now))

    def _expired_alert(self, channel: str, count: int) -> None:
        hours = f"{self.max_age_s / 3600:g}"
        self.self_alert(
            f"logwatch: {count} alerts expired undelivered on channel {channel}\n"
            f"They were older than {hours} h. "
            "Check the channel: `logwatch test-notify`.",
            f"logwatch: {count} оповещений не доставлено через канал {channel}\n"
            f"Им больше {hours} ч. Проверьте канал: `logwatch test-notify`.",
            Severity.WARNING,
            skip=channel,
        )
        log.warning("alerts_expired", channel=channel, count=count)

    def self_alert(
        self,
        en: str,
        ru: str,
        severity: Severity,
        skip: str = "",
        about: str = "",
        resolves: datetime | None = None,
    ) -> None:
        """Queue an alert about logwatch itself for every channel that takes it (but
        ``skip``), in the configured language, and wake the channels.

        ``about`` names a lasting condition (``silent:bot``); ``resolves``: this says
        that condition, begun then, is over (only channels with send_resolved).
        """
        now = self.clock.now()
        text = ru if self.lang == "ru" else en
        self._seq += 1
        alert = Alert(
            f"self\x1e{now.timestamp():.6f}\x1e{self._seq}",
            AlertKind.SELF if resolves is None else AlertKind.RESOLVED,
            "logwatch.self",
            severity,
            "logwatch.self\x1f" + about if about else "logwatch.self",
            now,
            text=text,
            started_at=resolves,
        )
        rows = queue_rows(
            [alert],
            lambda a: channels_for(
                self.notifier, a.severity, skip, resolved=resolves is not None
            ),
        )
        self.state.commit(extra=lambda conn: State.queue(conn, rows))
        self.poke()

    def unreachable_for(self) -> float:
        """Seconds every channel has been failing (0 while any one works)."""
        since = list(self.failing_since.values())
        if not since or any(s is None for s in since):
            return 0.0
        return self.clock.now().timestamp() - max(s for s in since if s is not None)

    # -- threads ----------------------------------------------------------------------

    def poke(self) -> None:
        """New alerts were committed: every channel looks now."""
        for event in self.wake.values():
            event.set()

    def start(self) -> None:
        """One thread per channel."""
        for channel in self.notifier.channels:
            thread = threading.Thread(
                target=self._run, args=(channel,), name=f"send-{channel}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, channel: str) -> None:
        wake = self.wake[channel]
        while not self._stop.is_set():
            try:
                wait = self.step(channel)
            except Exception:
                log.exception("delivery_loop_failed", channel=channel)
                wait = 5.0
            wake.wait(wait)
            wake.clear()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the channel threads (a send under way may finish in the background)."""
        self._stop.set()
        self.poke()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
