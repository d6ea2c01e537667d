"""What a Follower tells: typed events, emitted to one sink, and their subscribers.

The follower keeps no counters and calls no one back: it emits each event to the
sink it was given. The log (``log_event``), the lines and last bytes per source
(``Activity``: metrics, silence checks) and whoever prints or alerts subscribe;
``fan_out`` hands each event to several.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from logwatch.match.engine import Scan

log = structlog.get_logger("logwatch.follow")


@dataclass(frozen=True, slots=True)
class FileOpened:
    """A file is followed now (newly, or again after it was closed)."""

    path: str
    source: str


@dataclass(frozen=True, slots=True)
class FileMoved:
    """A followed file has a new path (renamed, or its content moved to a copy)."""

    path: str
    source: str


@dataclass(frozen=True, slots=True)
class FileDrained:
    """A followed file will give no more bytes; it is let go once saved."""

    path: str
    source: str


@dataclass(frozen=True, slots=True)
class DataRead:
    """A file of ``source`` gave new bytes at ``at_s`` (the clock's monotonic)."""

    source: str
    at_s: float


@dataclass(frozen=True, slots=True)
class LinesRead:
    """``count`` more lines of a file of ``source`` were matched."""

    source: str
    count: int


@dataclass(frozen=True, slots=True)
class Matched:
    """What matching gave: hits, rules disabled meanwhile, misses (never empty)."""

    scan: Scan


@dataclass(frozen=True, slots=True)
class FileWarning:
    """A problem with a file's bytes (not text, a line past the cap, ...)."""

    path: str
    problem: str


@dataclass(frozen=True, slots=True)
class OldLinesSkipped:
    """Hits of a file were not alerted: their lines are older than ``max_age_s``
    (told once per file)."""

    path: str
    max_age_s: float


@dataclass(frozen=True, slots=True)
class SaveFailed:
    """Saving started failing; what was read waits, tried again in ``retry_in_s``."""

    problem: str
    retry_in_s: float


@dataclass(frozen=True, slots=True)
class SaveResumed:
    """Saving works again after a ``SaveFailed``."""


@dataclass(frozen=True, slots=True)
class ExpireFailed:
    """Dropping the entries of files gone for long failed (tried again later)."""

    problem: str


FollowEvent = (
    FileOpened
    | FileMoved
    | FileDrained
    | DataRead
    | LinesRead
    | Matched
    | FileWarning
    | OldLinesSkipped
    | SaveFailed
    | SaveResumed
    | ExpireFailed
)
#: Where a Follower emits its events.
Sink = Callable[[FollowEvent], None]


def fan_out(*sinks: Sink) -> Sink:
    """One sink that hands each event to every one of ``sinks``, in order."""

    def emit(event: FollowEvent) -> None:
        for sink in sinks:
            sink(event)

    return emit


def log_event(event: FollowEvent) -> None:
    """The log's subscriber: what every follower logs of its own work (hits and file
    warnings are for its host to log, print or count)."""
    if isinstance(event, SaveFailed):
        log.error(
            "state_save_failed", problem=event.problem, retry_in_s=event.retry_in_s
        )
    elif isinstance(event, SaveResumed):
        log.info("state_saved_again")
    elif isinstance(event, OldLinesSkipped):
        log.info("old_lines_not_alerted", path=event.path, max_age_s=event.max_age_s)
    elif isinstance(event, ExpireFailed):
        log.warning("state_expire_failed", problem=event.problem)


@dataclass(slots=True)
class Activity:
    """What each source did, kept from the events: lines read since the start (for
    metrics) and when it last gave bytes (for silence checks)."""

    lines_read: Counter[str] = field(default_factory=Counter)
    #: when each source last gave new bytes (the clock's monotonic)
    last_read: dict[str, float] = field(default_factory=dict)

    def __call__(self, event: FollowEvent) -> None:
        """Count one event (a Sink)."""
        if isinstance(event, LinesRead):
            self.lines_read[event.source] += event.count
        elif isinstance(event, DataRead):
            self.last_read[event.source] = event.at_s
