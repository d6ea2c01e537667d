"""When a Follower saves what it read: at once, or at most every so often, and after
a failure (a full disk) again with a doubling backoff, nothing more read meanwhile."""

from __future__ import annotations

#: A save that failed is tried again after this long, doubling up to
#: COMMIT_RETRY_MAX_S; nothing more is read meanwhile, so memory stays bounded.
COMMIT_RETRY_S = 1.0
COMMIT_RETRY_MAX_S = 60.0
#: Offsets that advance over lines causing no alert (and dedup counts of repeats) are
#: saved at most this often, or after SAVE_LINES such lines, whichever comes first: a
#: busy file costs a commit per SAVE_EVERY_S, not one per read. An alert, a file
#: opened, moved or drained is saved at once. A crash loses nothing either way: what
#: was not saved is read again, and it caused nothing a second reading could double.
SAVE_EVERY_S = 0.1
SAVE_LINES = 10_000


class SaveSchedule:
    """When the next save is due: it owns the last save's time, what waits for one
    and the backoff of failed saves. Times are the clock's monotonic seconds."""

    def __init__(self, every_s: float = SAVE_EVERY_S) -> None:
        self.every_s = every_s
        #: when something was last written
        self.saved_at = -float("inf")
        #: something read must be saved at the next step
        self.urgent = False
        #: lines read since the last save
        self.lines = 0
        #: why the last save failed; None while saving works
        self.failing: str | None = None
        #: when a failed save is tried again
        self.retry_at = 0.0
        self._retry_s = COMMIT_RETRY_S

    def due(self, now: float) -> bool:
        """Whether a save is due at ``now``: something urgent waits, ``every_s`` has
        passed since the last one, or SAVE_LINES were read."""
        return (
            self.urgent
            or now - self.saved_at >= self.every_s
            or self.lines >= SAVE_LINES
        )

    def next_due(self, now: float) -> float:
        """Seconds from ``now`` until what waits is saved (at ``every_s``)."""
        return self.saved_at + self.every_s - now

    def holding_back(self, now: float) -> bool:
        """Whether saving fails and its retry is not due yet (nothing is read)."""
        return self.failing is not None and now < self.retry_at

    def saved(self) -> bool:
        """Nothing waits any more; True if saving had been failing until now."""
        self.urgent, self.lines = False, 0
        if self.failing is None:
            return False
        self.failing, self._retry_s = None, COMMIT_RETRY_S
        return True

    def failed(self, problem: str, now: float) -> float | None:
        """A save failed at ``now``: the next try is put off, twice as long as the
        last. Returns the delay when saving just started failing (to be told)."""
        first = self.failing is None
        if first:
            self.failing = problem
        else:
            self._retry_s = min(self._retry_s * 2, COMMIT_RETRY_MAX_S)
        self.retry_at = now + self._retry_s
        return self._retry_s if first else None
