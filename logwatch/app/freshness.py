"""Which hits are fresh enough to alert, by the time their own line says.

A file read from its start holds errors of any age: ``max_age`` keeps old ones from
being alerted now, and a backfill keeps only those inside its window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logwatch.core.logtime import parse_timestamp
from logwatch.core.model import Hit

#: A log's clock may be this far ahead of ours: a later time is not when it was written.
CLOCK_SKEW_S = 300.0


def written_at(when: datetime, now: datetime) -> datetime | None:
    """When a log line was written, by its own time ``when``, as an aware time.

    A naive time is the writer's local time or UTC (a bot in a container, a server):
    the latest of the two readings that is not in the future; None if both are.
    """
    if when.tzinfo is not None:
        return when
    latest = now + timedelta(seconds=CLOCK_SKEW_S)
    readings = [when.astimezone(), when.replace(tzinfo=UTC)]
    return max((r for r in readings if r <= latest), default=None)


def in_backfill(hit: Hit, size: int, cutoff: datetime, now: datetime) -> bool:
    """Whether a hit found by a backfill is kept: its line is past the file's ``size``
    when found, or was written at ``cutoff`` or later (a line without a time is not)."""
    if hit.record.end > size:
        return True
    when = parse_timestamp(hit.record)
    if when is None:
        return False
    written = written_at(when, now)  # as young_hits reads it
    return written is None or written >= cutoff


def young_hits(hits: list[Hit], max_age_s: float, now: datetime) -> list[Hit]:
    """The hits whose line was not written more than ``max_age_s`` ago (a line
    without a time, or one that cannot be placed, is kept)."""
    cutoff = now - timedelta(seconds=max_age_s)
    kept = []
    for hit in hits:
        when = parse_timestamp(hit.record)
        written = written_at(when, now) if when is not None else None
        if written is None or written >= cutoff:
            kept.append(hit)
    return kept
