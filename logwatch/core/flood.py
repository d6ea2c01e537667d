"""A flood is one conversation: N messages a minute per channel, the rest grouped.

Alertmanager's ``group_wait``/``group_interval`` are the model. The first alerts of a
burst go out one by one while the channel's budget for the last minute lasts; the rest
go as one message listing rule × hits × symbols, and while the flood lasts whatever
comes next waits for the budget and goes grouped the same way: at most one message per
free slot, never one per alert. Pure: the caller passes the time.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import TypeVar

from logwatch.core.model import Alert, Severity

#: Messages a channel sends in any 60 s, unless it says otherwise (``max_per_minute``).
DEFAULT_MAX_PER_MINUTE = 10
WINDOW_S = 60.0
#: During a flood, one grouped message per this long.
GROUP_INTERVAL_S = 60.0
#: Symbols (or connections, files) listed per rule in a grouped message.
MAX_SCOPES = 8

T = TypeVar("T")


@dataclass(slots=True)
class Budget:
    """The messages one channel sent in the last minute, and what may go now.

    Outside a flood, alerts go one by one while ``max_per_minute`` allows. When more
    are due than that, the first go alone and the rest as one grouped message; from
    then on, while alerts keep coming, they go as one grouped message per
    ``GROUP_INTERVAL_S`` (Alertmanager's ``group_interval``), until an interval has
    no more than fits one by one.
    """

    max_per_minute: int = DEFAULT_MAX_PER_MINUTE
    sent: deque[float] = field(default_factory=deque)
    #: when the last grouped message went (None: no flood)
    grouped_at: float | None = None

    def room(self, now: float) -> int:
        """How many messages may go now, by the per-minute limit alone."""
        while self.sent and self.sent[0] <= now - WINDOW_S:
            self.sent.popleft()
        return max(0, self.max_per_minute - len(self.sent))

    def ready_at(self, now: float) -> float:
        """When the next message may go (``now`` if it may go now)."""
        ready = now if self.room(now) > 0 else self.sent[0] + WINDOW_S
        if self.grouped_at is not None:
            ready = max(ready, self.grouped_at + GROUP_INTERVAL_S)
        return ready

    def record(self, now: float, grouped: bool = False) -> None:
        """A message went (or was attempted) at ``now``."""
        self.sent.append(now)
        if grouped:
            self.grouped_at = now

    def plan(self, items: Sequence[T], now: float) -> tuple[list[T], list[T]]:
        """``items`` (most urgent first) split into those sent one by one and those
        folded into one grouped message; both empty when nothing may go now."""
        if self.ready_at(now) > now:
            return [], []
        room = self.room(now)
        flooding = (
            self.grouped_at is not None and now < self.grouped_at + 2 * GROUP_INTERVAL_S
        )
        if len(items) <= room:
            self.grouped_at = None  # the flood is over
            return list(items), []
        if flooding:
            return [], list(items)
        return list(items[: room - 1]), list(items[room - 1 :])


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupLine:
    """One rule in a grouped message: how many hits, and where."""

    rule_id: str
    severity: Severity
    hits: int
    alerts: int
    scopes: tuple[str, ...]
    more_scopes: int
    first_at: datetime
    last_at: datetime
    text: str = ""


def scope_of(alert: Alert) -> str:
    """What an alert is about, in a word: its symbol, else connection, else file."""
    if alert.hit is None:
        return alert.text.split("\n", 1)[0]
    record = alert.hit.record
    return (
        alert.hit.captures.get("symbol")
        or record.fields.get("symbol")
        or record.fields.get("connection")
        or PurePath(record.path).name
    )


@dataclass(frozen=True, slots=True)
class Brief:
    """What a grouped message needs of one alert: a storm's thousands of due alerts
    are read for one message, and whole they were its peak of memory."""

    rule_id: str
    severity: Severity
    count: int
    scope: str
    created_at: datetime
    text: str


def brief(alert: Alert) -> Brief:
    """The part of ``alert`` a grouped message lists."""
    return Brief(
        sys.intern(alert.rule_id),
        alert.severity,
        alert.count,
        scope_of(alert),
        alert.created_at,
        alert.text,
    )


def summarize(alerts: Iterable[Alert | Brief]) -> list[GroupLine]:
    """Alerts folded per rule, most severe and most frequent first. ``hits`` counts
    every hit an alert stands for (a digest of 37 repeats is 37), so counts stay exact.
    """
    by_rule: dict[str, list[Brief]] = {}
    for alert in alerts:
        item = alert if isinstance(alert, Brief) else brief(alert)
        by_rule.setdefault(item.rule_id, []).append(item)
    lines = []
    for rule_id, group in by_rule.items():
        scopes = list(dict.fromkeys(b.scope for b in group if b.scope))
        lines.append(
            GroupLine(
                rule_id=rule_id,
                severity=max((b.severity for b in group), key=lambda s: s.rank),
                hits=sum(b.count for b in group),
                alerts=len(group),
                scopes=tuple(scopes[:MAX_SCOPES]),
                more_scopes=max(0, len(scopes) - MAX_SCOPES),
                first_at=min(b.created_at for b in group),
                last_at=max(b.created_at for b in group),
                text=group[0].text,
            )
        )
    return sorted(lines, key=lambda g: (-g.severity.rank, -g.hits, g.rule_id))
