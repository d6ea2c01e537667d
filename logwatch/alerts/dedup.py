"""From hits to alerts: the first hit alerts at once, repeats become one digest.

Pure: the caller passes the time. A fingerprint is a rule id plus the values of the
rule's ``key``. The first hit opens a window (10 min by default) and alerts; repeats
inside it are counted; when the window closes, ``tick`` turns the count into one digest
("repeated 37 times in 10 min"). No repeats, no digest. With ``reminder: N``, an error
that keeps happening window after window stays muted but is reminded of every N whole
windows.

Memory is bounded whatever the log holds: a window (``window.Window``) keeps one hit,
cut to ``KEPT_CHARS``, and at most ``max_windows`` are open (besides one overflow window
per rule). Past that, the least recently hit window is folded into its rule's overflow
window, whose digest counts the repeats of every error folded into it ("repeated 40×
across 900 errors"). While it is open, a hit of an error folded into it is one more
repeat there, not a new first alert: it remembers an 8-byte hash of each (``max_folded``
in all; past that, a folded error alerts again if it comes back, as it does once the
overflow window closes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from logwatch.alerts.quiethours import QuietHours
from logwatch.alerts.window import (
    OVERFLOW,
    Window,
    fingerprint,
    folded_hash,
    kept,
    mute_scope,
    repeat,
    split_hashes,
)
from logwatch.core.model import Alert, AlertKind, Hit, Severity

DEFAULT_WINDOW_S = 600.0
#: Open windows kept at most (~1.5 KB each); past it the least recently hit is folded.
DEFAULT_MAX_WINDOWS = 5_000
#: Folded errors remembered at most, over all open overflow windows (~150 B each):
#: past it, one folded error more is counted but not recognised if it comes back.
DEFAULT_MAX_FOLDED = 4 * DEFAULT_MAX_WINDOWS


@dataclass(frozen=True, slots=True)
class Policy:
    """How one rule's hits become alerts."""

    window_s: float = DEFAULT_WINDOW_S
    reminder_windows: int = 0
    mutes: tuple[str, ...] = ()
    mute_for_s: float = 0.0


def policies(
    rules: Iterable[Any], window_s: float = DEFAULT_WINDOW_S
) -> dict[str, Policy]:
    """Each rule's policy: its own window (else ``window_s``), reminder and mutes."""
    made: dict[Policy, Policy] = {}  # shared: ~10,000 rules, a few distinct policies
    return {
        r.id: made.setdefault(
            p := Policy(
                r.window_s if r.window_s is not None else window_s,
                r.reminder_windows,
                tuple(r.mutes),
                r.mute_for_s,
            ),
            p,
        )
        for r in rules
    }


def build(
    rules: Iterable[Any],
    window_s: float = DEFAULT_WINDOW_S,
    quiet: QuietHours | None = None,
    resolved: bool = False,
) -> Deduper:
    """A deduper for these rules, a default window and optional quiet hours;
    ``resolved``: say when an error stopped."""
    return Deduper(
        policies(rules, window_s), Policy(window_s), quiet, resolved=resolved
    )


@dataclass(slots=True)
class Deduper:
    """Turns hits into alerts, window by window."""

    policies: Mapping[str, Policy] = field(default_factory=dict)
    default: Policy = field(default_factory=Policy)
    quiet: QuietHours | None = None
    windows: dict[str, Window] = field(default_factory=dict)
    #: (rule id, scope: a connection or ``file:<path>``) -> muted until
    muted: dict[tuple[str, str], datetime] = field(default_factory=dict)
    #: say when an error stopped ("resolved" alerts): some channel wants them
    resolved: bool = False
    #: fingerprint -> when its trouble began (its first hit), while it lasts
    started: dict[str, datetime] = field(default_factory=dict)
    #: fingerprint -> (resolves at, its last window): digested, no window open (as
    #: many as windows closed within a window: bounded by ``max_windows`` too)
    calming: dict[str, tuple[datetime, Window]] = field(default_factory=dict)
    #: open windows at most, besides the overflow windows (one per rule at most): the
    #: least recently hit is folded into its rule's overflow window to make room
    max_windows: int = DEFAULT_MAX_WINDOWS
    #: folded errors recognised at most (their ``folded_hash``), all rules together
    max_folded: int = DEFAULT_MAX_FOLDED
    #: fingerprints of windows folded away or into since the caller last cleared it
    #: (windows that changed without a hit of their own: State must hear of them)
    touched: list[str] = field(default_factory=list)
    #: makes alert ids unique even for hits of one key at one instant (window 0)
    _seq: int = 0
    #: how many of ``windows`` are overflow windows
    _overflows: int = 0
    #: the ``folded_hashes`` of every open overflow window
    _folded: set[bytes] = field(default_factory=set)

    def policy(self, rule_id: str) -> Policy:
        """The policy of a rule (the default when it has none)."""
        return self.policies.get(rule_id, self.default)

    def admit(self, hit: Hit, now: datetime) -> list[Alert]:
        """The alerts one hit causes now: usually one (first) or none (a repeat)."""
        alerts = self.tick(now, only=fingerprint(hit))
        policy = self.policy(hit.rule_id)
        scope = mute_scope(hit)
        self._mute_targets(policy, scope, now)
        until = self.muted.get((hit.rule_id, scope))
        if until is not None and now < until:
            return alerts
        fp = fingerprint(hit)
        window = self.windows.get(fp)
        if policy.window_s <= 0:
            return [
                *alerts,
                self._alert(AlertKind.FIRST, hit.rule_id, hit.severity, fp, now, hit),
            ]
        if window is not None:
            del self.windows[fp]  # to the end: the dict is in least-recent-hit order
            self.windows[fp] = window
            repeat(window, hit, now)
            return alerts
        if self._folded and folded_hash(fp) in self._folded:
            over = self.windows.get(hit.rule_id + OVERFLOW)
            if over is not None and over.closes_at <= now:  # the timer is late
                alerts += self._close(over)
                self.touched.append(over.fingerprint)
            elif over is not None:  # folded while it is open: a repeat, told there
                repeat(over, hit, now)
                self.touched.append(over.fingerprint)
                return alerts
        closes = now + timedelta(seconds=policy.window_s)
        self.calming.pop(fp, None)
        self._make_room(now)
        self.started.setdefault(fp, now)
        self.windows[fp] = Window(
            fp, hit.rule_id, hit.severity, now, closes, last_hit=kept(hit)
        )
        return [
            *alerts,
            self._alert(AlertKind.FIRST, hit.rule_id, hit.severity, fp, now, hit),
        ]

    def tick(self, now: datetime, only: str | None = None) -> list[Alert]:
        """Close the windows that are due: the timer behind digests and reminders."""
        alerts: list[Alert] = []
        due = [only] if only is not None else list(self.windows)
        for fp in due:
            window = self.windows.get(fp)
            while window is not None and window.closes_at <= now:
                alerts.extend(self._close(window))
                window = self.windows.get(fp)
        calm = [only] if only is not None else list(self.calming)
        for fp in calm:
            entry = self.calming.get(fp)
            if entry is not None and entry[0] <= now and fp not in self.windows:
                del self.calming[fp]
                alerts.append(self._resolved(entry[1], entry[0]))
        for muted_key in [k for k, until in self.muted.items() if until <= now]:
            del self.muted[muted_key]
        return alerts

    def next_due(self) -> datetime | None:
        """When the next window closes (the caller's timer)."""
        return min(
            [w.closes_at for w in self.windows.values()]
            + [at for at, _ in self.calming.values()],
            default=None,
        )

    def _resolved(self, window: Window, at: datetime) -> Alert:
        """The error of ``window`` stopped: a whole window passed without it."""
        policy = self.policy(window.rule_id)
        started = self.started.pop(window.fingerprint, window.opened_at)
        return replace(
            self._alert(
                AlertKind.RESOLVED,
                window.rule_id,
                window.severity,
                window.fingerprint,
                at,
                window.last_hit,
            ),
            started_at=started,
            last_at=window.last_repeat_at or window.opened_at,
            window_s=policy.window_s,
        )

    def _make_room(self, now: datetime) -> None:
        """Fold the least recently hit windows until one more fits."""
        while len(self.windows) - self._overflows >= max(self.max_windows, 1):
            victim = next(w for w in self.windows.values() if not w.folded)
            self._fold(victim, now)

    def _fold(self, window: Window, now: datetime) -> None:
        """Close ``window`` early into its rule's overflow window, which counts the
        repeats no digest or reminder told of yet."""
        del self.windows[window.fingerprint]
        self.started.pop(window.fingerprint, None)
        key = window.rule_id + OVERFLOW
        over = self.windows.pop(key, None)
        if over is None:
            span = timedelta(seconds=self.policy(window.rule_id).window_s)
            over = Window(key, window.rule_id, window.severity, now, now + span)
            self._overflows += 1
        self.windows[key] = over  # to the end: recently used
        self.touched += (window.fingerprint, key)
        over.folded += 1
        known = folded_hash(window.fingerprint)
        if len(self._folded) < self.max_folded and known not in self._folded:
            self._folded.add(known)
            over.folded_hashes += known  # a copy of 160 KB at most, once a fold
        if window.severity.rank > over.severity.rank:
            over.severity = window.severity
        untold = window.repeats + window.since_reminder
        if not untold:
            return
        over.repeats += untold
        first = window.first_repeat_at or window.opened_at
        if over.first_repeat_at is None or first < over.first_repeat_at:
            over.first_repeat_at = first
            over.first_repeat_log = window.first_repeat_log
        last = window.last_repeat_at or window.opened_at
        if over.last_repeat_at is None or last >= over.last_repeat_at:
            over.last_repeat_at = last
            over.last_repeat_log = window.last_repeat_log
            over.last_hit = window.last_hit

    def _close(self, window: Window) -> list[Alert]:
        policy = self.policy(window.rule_id)
        span = timedelta(seconds=policy.window_s)
        at = window.closes_at
        if window.folded:  # an overflow window: one digest, no reminders, no resolve
            del self.windows[window.fingerprint]
            self._overflows -= 1
            self._folded.difference_update(split_hashes(window.folded_hashes))
            if not window.repeats:
                return []
            return [self._digest(window, AlertKind.DIGEST, window.repeats, policy, at)]
        if window.repeats == 0:
            del self.windows[
                window.fingerprint
            ]  # it stopped: the next hit alerts again
            if self.resolved:
                return [self._resolved(window, at)]
            self.started.pop(window.fingerprint, None)
            return []
        out: list[Alert] = []
        if policy.reminder_windows <= 0 or window.streak == 0:
            out.append(
                self._digest(window, AlertKind.DIGEST, window.repeats, policy, at)
            )
            if policy.reminder_windows <= 0:
                del self.windows[window.fingerprint]
                if self.resolved:  # it ends when a window passes without it
                    self.calming[window.fingerprint] = (at + span, window)
                else:
                    self.started.pop(window.fingerprint, None)
                return out
        else:
            window.since_reminder += window.repeats
            if window.streak % policy.reminder_windows == 0:
                out.append(
                    self._digest(
                        window, AlertKind.REMINDER, window.since_reminder, policy, at
                    )
                )
                window.since_reminder = 0
        # it keeps happening: chain a new window, muted but counted
        window.streak += 1
        window.opened_at, window.closes_at = at, at + span
        window.repeats, window.first_repeat_at, window.last_repeat_at = 0, None, None
        window.first_repeat_log = window.last_repeat_log = ""
        return out

    def _digest(
        self, window: Window, kind: AlertKind, count: int, policy: Policy, at: datetime
    ) -> Alert:
        return replace(
            self._alert(
                kind,
                window.rule_id,
                window.severity,
                window.fingerprint,
                at,
                window.last_hit,
            ),
            count=count,
            started_at=self.started.get(window.fingerprint),
            first_at=window.first_repeat_at,
            last_at=window.last_repeat_at,
            first_log=window.first_repeat_log,
            last_log=window.last_repeat_log,
            window_s=policy.window_s
            * (policy.reminder_windows if kind is AlertKind.REMINDER else 1),
            folded=window.folded,
        )

    def _alert(
        self,
        kind: AlertKind,
        rule_id: str,
        severity: Severity,
        fp: str,
        now: datetime,
        hit: Hit | None,
    ) -> Alert:
        not_before = None
        quiet = self.quiet
        if (
            quiet
            and severity is not Severity.CRITICAL
            and quiet.covers(now.astimezone().time())
        ):
            not_before = quiet.end_after(now)
        self._seq += 1
        alert_id = f"{fp}\x1e{kind}\x1e{now.timestamp():.6f}\x1e{self._seq}"
        return Alert(
            id=alert_id,
            kind=kind,
            rule_id=rule_id,
            severity=severity,
            fingerprint=fp,
            created_at=now,
            hit=hit,
            not_before=not_before,
        )

    def _mute_targets(self, policy: Policy, scope: str, now: datetime) -> None:
        if policy.mutes and policy.mute_for_s > 0:
            until = now + timedelta(seconds=policy.mute_for_s)
            for target in policy.mutes:
                self.muted[(target, scope)] = until

    def restore(
        self, windows: Iterable[Window], muted: Mapping[tuple[str, str], datetime]
    ) -> None:
        """Continue from windows saved in State (so a restart does not re-alert); past
        ``max_windows`` the least recently hit are folded (see ``touched``)."""
        self.windows = {}
        self._overflows = 0
        self._folded = set()
        # overflow windows first: a window folded here adds to its rule's saved one
        order = sorted(
            windows, key=lambda w: (not w.folded, w.last_repeat_at or w.opened_at)
        )
        for w in order:
            if w.last_hit is not None:
                w.last_hit = kept(w.last_hit)
            if w.folded:
                self._overflows += 1
                room = max(self.max_folded - len(self._folded), 0)
                known = [
                    h for h in split_hashes(w.folded_hashes) if h not in self._folded
                ]
                w.folded_hashes = b"".join(known[:room])
                self._folded.update(known[:room])
            else:
                self._make_room(w.last_repeat_at or w.opened_at)
            self.windows[w.fingerprint] = w
        self.muted = dict(muted)
