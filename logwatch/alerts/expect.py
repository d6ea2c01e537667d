"""Missing-heartbeat rules: ``expect: 5m`` fires when a pattern has NOT been seen.

A bot that still runs prints its heartbeat (freqtrade's ``Bot heartbeat. PID=…``);
when the lines stop, the bot hung or died. A rule with ``expect`` arms for a file once
its pattern is seen there (a PC without that bot never hears of it), fires once when
the pattern has been missing that long, and resolves when it is seen again. Pure: the
caller passes the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from logwatch.core.model import Alert, AlertKind, Hit


@dataclass(slots=True)
class Watch:
    """One heartbeat rule in one file: when it was last seen, whether it is missing."""

    last_hit: Hit
    last_seen: datetime
    missing_since: datetime | None = None


class Expectations:
    """The heartbeat rules, and what each file has shown of them."""

    def __init__(self, rules: Iterable[Any]) -> None:
        self.expect_s: dict[str, float] = {
            r.id: r.expect_s for r in rules if r.expect_s is not None
        }
        #: (rule id, path) -> its watch
        self.watches: dict[tuple[str, str], Watch] = {}
        self._seq = 0

    def watched(self, rule_id: str) -> bool:
        """Whether a rule is a heartbeat rule (its hits are not errors)."""
        return rule_id in self.expect_s

    def seen(self, hit: Hit, now: datetime) -> list[Alert]:
        """A heartbeat line: arm, or resolve a missing heartbeat."""
        key = (hit.rule_id, hit.record.path)
        watch = self.watches.get(key)
        if watch is None:
            self.watches[key] = Watch(hit, now)
            return []
        out = []
        if watch.missing_since is not None:
            out.append(
                replace(
                    self._alert(AlertKind.RESOLVED, watch, now),
                    started_at=watch.missing_since,
                    last_at=now,
                    window_s=self.expect_s[hit.rule_id],
                )
            )
            watch.missing_since = None
        watch.last_hit, watch.last_seen = hit, now
        return out

    def tick(self, now: datetime) -> list[Alert]:
        """Fire, once, each heartbeat missing for its ``expect``."""
        out = []
        for (rule_id, _), watch in self.watches.items():
            due = watch.last_seen + timedelta(seconds=self.expect_s[rule_id])
            if watch.missing_since is None and now >= due:
                watch.missing_since = watch.last_seen
                out.append(
                    replace(
                        self._alert(AlertKind.FIRST, watch, now),
                        started_at=watch.last_seen,
                        window_s=self.expect_s[rule_id],
                    )
                )
        return out

    def next_due(self) -> datetime | None:
        """When the next heartbeat may go missing (the caller's timer)."""
        return min(
            (
                w.last_seen + timedelta(seconds=self.expect_s[rule_id])
                for (rule_id, _), w in self.watches.items()
                if w.missing_since is None
            ),
            default=None,
        )

    def _alert(self, kind: AlertKind, watch: Watch, now: datetime) -> Alert:
        hit = watch.last_hit
        fp = f"{hit.rule_id}\x1f{hit.record.path}"
        self._seq += 1
        return Alert(
            id=f"{fp}\x1e{kind}\x1e{now.timestamp():.6f}\x1e{self._seq}",
            kind=kind,
            rule_id=hit.rule_id,
            severity=hit.severity,
            fingerprint=fp,
            created_at=now,
            hit=hit,
        )
