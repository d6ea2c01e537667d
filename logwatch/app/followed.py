"""What a Follower keeps: how it follows (``FollowSettings``), of each file it
follows a ``Followed``, the file's only record, and the patterns followed before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from logwatch.app.saveschedule import SAVE_EVERY_S
from logwatch.core.formats import Format
from logwatch.core.model import FileState, Severity
from logwatch.follow.encoding import resumed
from logwatch.follow.listing import patterns_matching
from logwatch.follow.tailer import Opened, Source
from logwatch.match.engine import Engine
from logwatch.match.stream import Stream

if TYPE_CHECKING:
    from logwatch.store.state import State

#: A record is matched as soon as it is read; continuation lines written within this
#: long after it still join it (and may add what only the whole record matches).
RECORD_WAIT_S = 0.5
#: An unterminated last line is matched as it is after this long without new bytes.
PARTIAL_WAIT_S = 30.0
#: A file event this soon after the last step waits for the rest of it: a file
#: written every few ms is read in one step per this long, not one per write (the
#: per-step cost is most of following's CPU; a line waits at most this much more).
STEP_GAP_S = 0.02


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowSettings:
    """How a Follower reads and saves: formats, waits and the age limit of hits."""

    #: every source's format unless ``source_formats`` names one (None: detected)
    fmt: Format | None = None
    source_formats: Mapping[str, Format] = field(default_factory=dict)
    #: the files are listed at least this often (seconds)
    poll_interval: float = 1.0
    record_wait_s: float = RECORD_WAIT_S
    partial_wait_s: float = PARTIAL_WAIT_S
    #: hits whose line's own time is older than this are not alerted (None: all)
    max_age_s: float | None = None
    #: what causes no alert is saved at most this often (see SAVE_EVERY_S)
    save_every_s: float = SAVE_EVERY_S
    #: steps woken by file events start at least this far apart (see STEP_GAP_S)
    step_gap_s: float = STEP_GAP_S


DEFAULTS = FollowSettings()


@dataclass(slots=True)
class Followed:
    """One file followed now: its stream and all the follower keeps about it."""

    stream: Stream
    #: the name of the source that found it
    source: str
    #: when it last gave bytes (monotonic)
    last_data: float
    #: how many of its stream's problems were told
    reported: int = 0
    #: how many of its stream's lines were told as read
    lines_counted: int = 0
    #: a backfill's (size when found, oldest time kept): hits before are filtered
    catchup: tuple[int, datetime] | None = None
    #: whether hits too old to alert were told (once per file: a whole old file is
    #: many lines)
    aged: bool = False
    #: no more bytes will come: let go once its last position is saved
    drained: bool = False

    @classmethod
    def opened(
        cls,
        event: Opened,
        source: Source | None,
        engine: Engine,
        fmt: Format | None,
        *,
        line: int,
        now: float,
        wall: datetime,
    ) -> Followed:
        """A file just opened by the tailer, read from ``event.offset``, which is
        line ``line``: ``source`` (None: no longer configured) gives its encoding,
        level for unmatched lines and backfill; ``now`` and ``wall`` are the clock's."""
        codec = source.encoding if source is not None else None
        encoding = None
        if event.offset > 0:  # decided by the file's start, as when read from it
            encoding, codec = resumed(event.head, codec)
        stream = Stream(
            engine,
            event.path,
            fmt,
            encoding=encoding,
            offset=event.offset,
            first_line=line,
            unmatched=Severity(source.unmatched)
            if source and source.unmatched
            else None,
            codec=codec,
            fallback=source.fallback if source is not None else None,
        )
        followed = cls(stream, event.source, now)
        if (
            event.fresh
            and event.catch_up
            and source is not None
            and source.backfill_s > 0
        ):
            cutoff = wall - timedelta(seconds=source.backfill_s)
            followed.catchup = (event.size, cutoff)
        return followed


def followed_before(
    state: State | None, patterns: Sequence[str], known: Sequence[FileState]
) -> set[str]:
    """The patterns whose files were followed before this start: the state's record,
    or for a state written before it kept one, those that match a saved file's path."""
    if state is None or state.fresh:
        return set()
    followed = state.offsets.followed()
    if followed:
        return followed
    return patterns_matching(patterns, [f.path for f in known])
