"""The outbox's pure parts: its rows, retry backoff, and Telegram's pacing.

Alerts wait in State until every channel that takes them has them; these functions
decide what is stored and when the next attempt is due.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from logwatch.alerts.codec import ALERTS
from logwatch.core.model import Alert, Queued

#: Retry delays grow from this, doubling, up to BACKOFF_MAX_S, with jitter.
BACKOFF_START_S = 2.0
BACKOFF_MAX_S = 300.0


def backoff_s(
    attempts: int, rng: random.Random, retry_after_s: float | None = None
) -> float:
    """Seconds before attempt ``attempts + 1``: doubling, capped, jittered by ±20 %.

    A channel's own ``retry_after`` (Telegram's 429) is respected when it is longer.
    """
    base = min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** max(0, attempts - 1))
    delay = base * rng.uniform(0.8, 1.2)
    return float(max(delay, retry_after_s or 0.0))


@dataclass(slots=True)
class Pacer:
    """Telegram's limits: about 1 message a second per chat, 20 a minute per group.

    A group chat has a negative id. ``ready_at`` says when the next message may go.
    """

    sent: dict[str, list[float]] = field(default_factory=dict)

    def ready_at(self, chat: str, now: float) -> float:
        """The earliest time (seconds) the next message to ``chat`` may be sent."""
        times = [t for t in self.sent.get(chat, []) if t > now - 60]
        self.sent[chat] = times
        ready = now
        if times:
            ready = max(ready, times[-1] + 1.0)
        if chat.startswith("-") and len(times) >= 20:
            ready = max(ready, times[-20] + 60.0)
        return ready

    def record(self, chat: str, now: float) -> None:
        """A message went to ``chat`` at ``now``."""
        self.sent.setdefault(chat, []).append(now)


def queue_rows(
    alerts: Iterable[Alert], targets: Callable[[Alert], Iterable[str]]
) -> list[Queued]:
    """The alerts as State stores them, each with the channels ``targets`` names."""
    rows = []
    for alert in alerts:
        due = (alert.not_before or alert.created_at).timestamp()
        rows.append(
            Queued(
                alert.id,
                alert.created_at.timestamp(),
                ALERTS.dumps(alert),
                list(targets(alert)),
                due,
            )
        )
    return rows
