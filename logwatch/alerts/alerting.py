"""Hits -> dedup -> alerts, as values for State to save with the file offsets.

Pure: the follower takes ``changes(mutes)`` into its one transaction, with the
phone's mutes as it read them, and says ``committed()`` once it is durable. The
stages, in order, are built in ``pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from logwatch.alerts.codec import WINDOWS
from logwatch.alerts.dedup import Deduper
from logwatch.alerts.expect import Expectations
from logwatch.alerts.outbox import queue_rows
from logwatch.alerts.threshold import Threshold
from logwatch.alerts.window import fingerprint
from logwatch.core.model import Alert, Hit, Queued

#: A mute from the phone of every rule and source (``/mute all 1h``).
MUTE_ALL = "all"


@dataclass(frozen=True, slots=True)
class UserMutes:
    """The mutes sent from the phone, as State held them when read: the rule ids,
    source names or ``all`` whose alerts go to no channel."""

    targets: frozenset[str] = field(default_factory=frozenset)

    def covers(self, rule_id: str, source: str) -> bool:
        """Whether they cover an alert of this rule from this source."""
        return bool(self.targets & {MUTE_ALL, rule_id, source} - {""})


#: No mute: what ``PendingAlerts.changes`` applies unless told otherwise.
NO_MUTES = UserMutes()


@dataclass(frozen=True, slots=True)
class Changes:
    """What one commit writes besides the file offsets (see ``State.commit``)."""

    alerts: Sequence[Queued] = ()
    #: dedup windows opened or changed: (fingerprint, JSON)
    windows: Sequence[tuple[str, str]] = ()
    #: fingerprints of windows that closed
    closed: Sequence[str] = ()
    #: every mute (rule, scope, until), or None if they did not change
    mutes: Sequence[tuple[str, str, float]] | None = None


class PendingAlerts:
    """The alerts hits make through dedup, held (with the dedup windows they changed)
    until the follower's transaction writes them to the outbox.

    Only the windows that changed since the last commit are written, so a repeat hit
    costs the same with ten open windows or ten thousand.
    """

    def __init__(
        self,
        deduper: Deduper,
        targets: Callable[[Alert, UserMutes], list[str]],
        on_committed: Callable[[], None] = lambda: None,
        expectations: Expectations | None = None,
        threshold: Threshold | None = None,
    ) -> None:
        self.deduper, self.targets, self.on_committed = deduper, targets, on_committed
        #: rules that alert only in bursts (``at_least``): below it a hit is dropped
        self.threshold = threshold or Threshold({})
        #: heartbeat rules (``expect:``): their hits are signs of life, not errors
        self.expectations = expectations or Expectations(())
        self.pending: list[Alert] = []
        #: the last alert made durable (what a supervisor's status line shows)
        self.last: Alert | None = None
        #: fingerprints of windows opened, changed or closed since the last commit
        self._touched: set[str] = set()
        self._saved_mutes: dict[tuple[str, str], datetime] = {}
        #: when the first window closes (None: none open); kept as windows open
        self._due_at: datetime | None = None

    @property
    def changed(self) -> bool:
        """Whether anything waits to be written."""
        return bool(
            self.pending or self._touched or self.deduper.muted != self._saved_mutes
        )

    def restore(
        self, windows: Iterable[str], muted: Iterable[tuple[str, str, float]]
    ) -> None:
        """Continue the dedup windows saved before a restart (as
        ``state.windows.saved()`` returns them)."""
        self.deduper.restore(
            [WINDOWS.loads(w) for w in windows],
            {(r, c): datetime.fromtimestamp(u, UTC) for r, c, u in muted},
        )
        self._saved_mutes = dict(self.deduper.muted)
        self._due_at = self.deduper.next_due()
        self._take_folds()

    def _take_folds(self) -> None:
        """Windows the deduper folded (or folded into) to stay within its cap: saved
        or deleted with the next commit like any other."""
        touched, windows = self.deduper.touched, self.deduper.windows
        for fp in touched:
            window = windows.get(fp)  # an overflow window may close before any other
            if window is not None and (
                self._due_at is None or window.closes_at < self._due_at
            ):
                self._due_at = window.closes_at
        self._touched.update(touched)
        touched.clear()

    def admit(self, hits: list[Hit], now: datetime) -> None:
        """Let hits through dedup; keep the alerts they cause."""
        windows = self.deduper.windows
        for hit in hits:
            if self.expectations.watched(hit.rule_id):
                self.pending += self.expectations.seen(hit, now)
                continue
            fp = fingerprint(hit)
            # a burst that alerted keeps its window: every repeat in it is counted
            # (the digest says how often), not held back by the threshold again
            if fp not in windows and not self.threshold.passes(hit, now):
                continue
            self.pending += self.deduper.admit(hit, now)
            self._touched.add(fp)
            window = windows.get(fp)
            if window is not None and (
                self._due_at is None or window.closes_at < self._due_at
            ):
                self._due_at = window.closes_at
        if self.deduper.touched:
            self._take_folds()

    def next_due(self) -> datetime | None:
        """When the next dedup window closes."""
        return self._due_at

    def tick(self, now: datetime) -> None:
        """The timer: digests and reminders of windows that closed, and heartbeats
        (``expect``) gone missing."""
        self.pending += self.expectations.tick(now)
        if self._due_at is None or now < self._due_at:
            return
        self._touched.update(
            fp for fp, w in self.deduper.windows.items() if w.closes_at <= now
        )
        self.pending += self.deduper.tick(now)
        self._due_at = self.deduper.next_due()

    def changes(self, user_mutes: UserMutes = NO_MUTES) -> Changes:
        """What the next commit writes: the alerts (each to the channels ``targets``
        names for it under ``user_mutes``) and the windows that changed."""
        d = self.deduper
        windows = d.windows
        mutes = None
        if d.muted != self._saved_mutes:
            mutes = [(r, c, until.timestamp()) for (r, c), until in d.muted.items()]
        return Changes(
            queue_rows(self.pending, lambda alert: self.targets(alert, user_mutes)),
            [(fp, WINDOWS.dumps(windows[fp])) for fp in self._touched if fp in windows],
            [fp for fp in self._touched if fp not in windows],
            mutes,
        )

    def committed(self) -> None:
        """The transaction is durable: hand the alerts to delivery."""
        sent = bool(self.pending)
        if sent:
            self.last = self.pending[-1]
        self.pending = []
        self._touched.clear()
        self._saved_mutes = dict(self.deduper.muted)
        if sent:
            self.on_committed()
