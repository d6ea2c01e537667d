"""How much a step reads: bounded per file and per step, and paced by how fast the
lines the last step read were matched."""

from __future__ import annotations

READ_BYTES = 1024 * 1024
#: Bytes read from one file in one step, so one busy file cannot starve the others.
MAX_READ_PER_STEP = 16 * READ_BYTES
#: A step reads what its follower matched in this long at the rate the last step
#: showed: the next listing, which opens (and so keeps) the files a rotation makes,
#: must come soon however slow matching is (a storm of hits on a busy PC); a file
#: created and deleted between two listings is never read.
PACE_S = 0.25
#: What a step may read at least, however slow the last one was (and the first step).
MIN_STEP_READ = 64 * 1024


class ReadPace:
    """The bytes each step may read, from when the last one ended and what it read."""

    def __init__(self) -> None:
        #: when the last step ended (monotonic) and how many bytes it read
        self._last_step = (float("inf"), 0)

    def ended(self, now: float, read: int) -> None:
        """A step ended at ``now`` (monotonic), having read ``read`` bytes."""
        self._last_step = (now, read)

    def budget(self, now: float) -> int:
        """How many bytes this step may read: as many as were matched in ``PACE_S`` at
        the rate of the last step (it read, then its lines were matched until now)."""
        ended, read = self._last_step
        if ended == float("inf"):
            # the first step, whose rate is unknown: its progress is saved only once
            # it is matched, and a restart's backlog can take seconds; killed before,
            # the next start reads it all again, and loses what was deleted meanwhile
            return MIN_STEP_READ
        if read <= 0 or now <= ended:
            return MAX_READ_PER_STEP
        rate = read / (now - ended)
        return int(min(MAX_READ_PER_STEP, max(MIN_STEP_READ, rate * PACE_S)))
