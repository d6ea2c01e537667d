"""Following as one loop: the Tailer's bytes, through a Stream per file, saved in State.

Composes the tailer and state edges with the pure pipeline. ``step()`` is one unit of
work; ``run(stop)`` is a thin loop around it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from logwatch.alerts.alerting import NO_MUTES, Changes, PendingAlerts, UserMutes
from logwatch.core.clock import Clock
from logwatch.core.errors import StateError
from logwatch.core.formats import Format
from logwatch.core.logtime import parse_timestamp
from logwatch.core.model import FileState, Hit, Severity
from logwatch.follow.lines import resumed
from logwatch.follow.listing import patterns_matching
from logwatch.follow.tailer import Drained, Held, Moved, Opened, Read, Source, Tailer
from logwatch.match.engine import Engine, Scan
from logwatch.match.stream import Stream
from logwatch.store.state import State

#: A record is matched as soon as it is read; continuation lines written within this
#: long after it still join it (and may add what only the whole record matches).
RECORD_WAIT_S = 0.5
#: An unterminated last line is matched as it is after this long without new bytes.
PARTIAL_WAIT_S = 30.0
#: How often entries of files gone for a week are dropped from State.
EXPIRE_EVERY_S = 3600.0
#: A save that failed (a full disk) is tried again after this long, doubling up to
#: COMMIT_RETRY_MAX_S; nothing more is read meanwhile, so memory stays bounded.
COMMIT_RETRY_S = 1.0
COMMIT_RETRY_MAX_S = 60.0
#: A log's clock may be this far ahead of ours: a later time is not when it was written.
CLOCK_SKEW_S = 300.0
#: Offsets that advance over lines causing no alert (and dedup counts of repeats) are
#: saved at most this often, or after SAVE_LINES such lines, whichever comes first: a
#: busy file costs a commit per SAVE_EVERY_S, not one per read. An alert, a file
#: opened, moved or drained is saved at once. A crash loses nothing either way: what
#: was not saved is read again, and it caused nothing a second reading could double.
SAVE_EVERY_S = 0.1
SAVE_LINES = 10_000

log = structlog.get_logger("logwatch.follow")


@dataclass(slots=True)
class Followed:
    """One file followed now: its stream and what the follower keeps about it."""

    stream: Stream
    #: the name of the source that found it
    source: str
    #: when it last gave bytes (monotonic)
    last_data: float
    #: how many of its stream's problems were told
    reported: int = 0
    #: how many of its stream's lines were counted in ``lines_read``
    lines_counted: int = 0
    #: a backfill's (size when found, oldest time kept): hits before are filtered
    catchup: tuple[int, datetime] | None = None


class Follower:
    """Follows sources, reports every hit through ``on_scan`` and saves progress."""

    def __init__(
        self,
        engine: Engine,
        sources: Sequence[Source],
        clock: Clock,
        state: State | None,
        on_scan: Callable[[Scan], None],
        fmt: Format | None = None,
        poll_interval: float = 1.0,
        record_wait_s: float = RECORD_WAIT_S,
        partial_wait_s: float = PARTIAL_WAIT_S,
        on_problem: Callable[[str, str], None] | None = None,
        alerting: PendingAlerts | None = None,
        source_formats: Mapping[str, Format] | None = None,
        on_state: Callable[[str | None], None] | None = None,
        max_age_s: float | None = None,
        held: Held | None = None,
        save_every_s: float = SAVE_EVERY_S,
    ) -> None:
        self.engine, self.clock, self.state = engine, clock, state
        #: what causes no alert is saved at most this often (see SAVE_EVERY_S)
        self.save_every_s = save_every_s
        self._saved_at = -float("inf")
        #: something read must be saved at the next step (see ``_save_due``)
        self._urgent = False
        self._unsaved_lines = 0
        #: hits whose line's own time is older than this are not alerted (None: all)
        self.max_age_s = max_age_s
        self._aged: set[str] = set()
        #: a source's own format, where it names one (else ``fmt``, else detected)
        self.source_formats = dict(source_formats or {})
        #: told once when saving starts failing (the error) and when it works (None)
        self.on_state = on_state
        #: why the last save failed; None while saving works
        self.failing: str | None = None
        self._retry_at = 0.0
        self._retry_s = COMMIT_RETRY_S
        self.on_scan, self.on_problem, self.format = on_scan, on_problem, fmt
        self.record_wait_s, self.partial_wait_s = record_wait_s, partial_wait_s
        self.sources = {s.name: s for s in sources}
        self.alerting = alerting
        if alerting is not None and state is not None:
            alerting.restore(*state.windows.saved())
        if state is not None:
            state.expire()
        known = state.offsets.files() if state is not None else []
        self._lines = {f.id: f.line for f in known}
        #: every source's patterns: saved as followed once the first listing is read
        self._patterns = sorted({p for s in sources for p in s.patterns})
        self._patterns_saved = False
        self.tailer = Tailer(
            sources,
            clock,
            known,
            followed=followed_before(state, self._patterns, known),
            poll_interval=poll_interval,
            held=held,
        )
        #: the files followed now, by the tailer's id
        self._followed: dict[str, Followed] = {}
        #: the files fed since they last held nothing (a record or a partial line):
        #: the only ones each step and timeout look at
        self._holding: set[str] = set()
        #: the files whose position changed since the last commit, and the ones
        #: drained since (let go once their last position is saved)
        self._dirty: set[str] = set()
        self._drained: set[str] = set()
        #: When each source last gave new bytes (monotonic), for silence alerts.
        self.last_read: dict[str, float] = {}
        #: Lines read per source since the start (for metrics).
        self.lines_read: Counter[str] = Counter()
        self._expired_at = clock.monotonic()

    def start(self) -> None:
        """Start watching for file events."""
        self.tailer.start()

    def release(self) -> None:
        """Save progress and release every file; State stays open (a reload)."""
        self.commit()
        self.tailer.close()

    def close(self) -> None:
        """Save progress, release every file and close State."""
        self.release()
        if self.state is not None:
            self.state.close()

    def step(self) -> int:
        """Read what the files gained, report hits, flush what waited long enough, save.

        Returns how many file events there were (0: nothing changed on disk).
        """
        now = self.clock.monotonic()
        if self.failing is not None and (now < self._retry_at or not self.commit()):
            return 0  # what was read waits in memory; nothing more is read
        events = self.tailer.step()
        for event in events:
            if isinstance(event, Read):
                f = self._followed[event.id]
                self.last_read[f.source] = now
                if now - f.last_data >= self.record_wait_s:
                    f.stream.settle()
                self._report(event.id, f.stream.feed(event.data))
                f.last_data = now
                self._holding.add(event.id)
            elif isinstance(event, Opened):
                self._opened(event, now)
                self._urgent = True  # where a file starts: never read it twice
            elif isinstance(event, Moved):
                self._urgent = True
                if event.id in self._followed:
                    self._followed[event.id].stream.path = event.path
            elif isinstance(event, Drained) and event.id in self._followed:
                self._report(event.id, self._followed[event.id].stream.flush())
                self._drained.add(event.id)
                self._urgent = True
            self._dirty.add(event.id)
        for eid in list(self._holding):
            f = self._followed[eid]
            stream = f.stream
            idle = now - f.last_data
            if stream.holds_record:
                # matched now, not after a wait: a write is most often whole records
                self._report(eid, stream.release())
                self._dirty.add(eid)
            if idle >= self.partial_wait_s and stream.decoder.held_bytes:
                self._report(eid, stream.flush())
                self._dirty.add(eid)
            if not stream.holds_record and not stream.decoder.held_bytes:
                self._holding.discard(eid)
        if self.alerting is not None:
            self.alerting.tick(self.clock.now())
        expire = now - self._expired_at >= EXPIRE_EVERY_S
        if (
            (self.commit() if expire or self._save_due(now) else True)
            and self.state is not None
            and expire
        ):
            self._expired_at = now
            try:
                # files still followed are seen now, however long they have been quiet
                self.state.commit(
                    files=[self._file_state(eid) for eid in self._followed],
                    followed=self._patterns,
                )
                self.tailer.forget(self.state.expire())
            except StateError as exc:
                log.warning("state_expire_failed", problem=str(exc))
        return len(events)

    def _save_due(self, now: float) -> bool:
        """Whether what changed is saved at this step: at once for an alert, a hit
        printed (no alerting), a file opened, moved or drained; otherwise once
        ``save_every_s`` has passed since the last save, or SAVE_LINES were read."""
        alerting = self.alerting
        return (
            self._urgent
            or (alerting is not None and bool(alerting.pending))
            or (not self._patterns_saved and self.tailer.listed_once)
            or now - self._saved_at >= self.save_every_s
            or self._unsaved_lines >= SAVE_LINES
        )

    def _unsaved(self) -> bool:
        """Whether something read waits to be saved."""
        if self.state is None:
            return False
        return bool(self._dirty) or (
            self.alerting is not None and self.alerting.changed
        )

    def next_timeout(self) -> float:
        """Seconds until a held record, a partial line, a dedup window or a save of
        what was read is due."""
        now, due = self.clock.monotonic(), self.tailer.poll_interval
        if self.failing is not None:
            return max(self._retry_at - now, 0.0)
        if self._unsaved():
            due = min(due, self._saved_at + self.save_every_s - now)
        if self.alerting is not None:
            closes = self.alerting.next_due()
            if closes is not None:
                due = min(due, (closes - self.clock.now()).total_seconds())
        for eid in self._holding:
            f = self._followed[eid]
            idle = now - f.last_data
            if f.stream.decoder.held_bytes:
                due = min(due, self.partial_wait_s - idle)
        return max(due, 0.0)

    def wake(self) -> None:
        """End a ``wait`` now (a file event, a signal, a request)."""
        self.tailer.wake.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a file event or a ``wake``; True if one came."""
        woken = self.tailer.wake.wait(timeout)
        self.tailer.wake.clear()
        return woken

    @property
    def open_files(self) -> int:
        """How many files are open now."""
        return self.tailer.open_files

    def listed_sources(self) -> set[str]:
        """Names of the sources that matched at least one file."""
        return self.tailer.listed_sources()

    def run(
        self, stop: threading.Event, on_ready: Callable[[], None] | None = None
    ) -> None:
        """Follow until ``stop`` is set; then save and close.

        ``on_ready`` is called after the first look, once start positions are fixed.
        """
        self.start()
        try:
            self.step()
            if on_ready is not None:
                on_ready()
            while not stop.is_set():
                self.wait(self.next_timeout())
                self.step()
        finally:
            self.close()

    def commit(self) -> bool:
        """Save the positions that changed, in one transaction; False if it failed
        (then all of it is kept, and tried again after a backoff)."""
        alerting = self.alerting
        pending = alerting is not None and alerting.changed
        # the patterns count as followed with the start positions of what they found
        follows = not self._patterns_saved and self.tailer.listed_once
        if self.state is not None and (self._dirty or pending or follows):
            files = [
                self._file_state(eid) for eid in self._dirty if eid in self._followed
            ]
            try:
                # offsets, alerts and dedup windows: saved together or not at all
                mutes = NO_MUTES
                if alerting is not None and alerting.pending:  # the phone's, as now
                    now_s = self.clock.now().timestamp()
                    mutes = UserMutes(frozenset(self.state.mutes.active(now_s)))
                c = alerting.changes(mutes) if alerting else Changes()
                self.state.commit(
                    files=files,
                    alerts=c.alerts,
                    windows=c.windows,
                    closed=c.closed,
                    mutes=c.mutes,
                    followed=self._patterns if follows else (),
                )
            except StateError as exc:
                self._save_failed(str(exc))
                return False
            if alerting is not None:
                alerting.committed()
            self._patterns_saved = self._patterns_saved or follows
            self._saved_at = self.clock.monotonic()
        self._urgent, self._unsaved_lines = False, 0
        if self.failing is not None:
            self.failing, self._retry_s = None, COMMIT_RETRY_S
            log.info("state_saved_again")
            if self.on_state is not None:
                self.on_state(None)
        for eid in self._drained:
            self._holding.discard(eid)
            self._followed.pop(eid, None)
        self._drained.clear()
        self._dirty.clear()
        return True

    def _save_failed(self, problem: str) -> None:
        if self.failing is None:
            self.failing = problem
            log.error("state_save_failed", problem=problem, retry_in_s=self._retry_s)
            if self.on_state is not None:
                self.on_state(problem)
        else:
            self._retry_s = min(self._retry_s * 2, COMMIT_RETRY_MAX_S)
        self._retry_at = self.clock.monotonic() + self._retry_s

    def _opened(self, event: Opened, now: float) -> None:
        followed = self._followed.get(event.id)
        if followed is not None:
            followed.source = event.source
            followed.stream.path = event.path
            return
        source = self.sources.get(event.source)
        codec = source.encoding if source is not None else None
        encoding = None
        if event.offset > 0:  # decided by the file's start, as when read from it
            encoding, codec = resumed(event.head, codec)
        line = (
            self._lines.get(event.id)
            or event.line
            or self.tailer.count_lines(event.id, event.offset) + 1
        )
        stream = Stream(
            self.engine,
            event.path,
            self.source_formats.get(event.source, self.format),
            encoding=encoding,
            offset=event.offset,
            first_line=line,
            unmatched=Severity(source.unmatched)
            if source and source.unmatched
            else None,
            codec=codec,
            fallback=source.fallback if source is not None else None,
        )
        followed = self._followed[event.id] = Followed(stream, event.source, now)
        if (
            event.fresh
            and event.catch_up
            and source is not None
            and source.backfill_s > 0
        ):
            cutoff = self.clock.now() - timedelta(seconds=source.backfill_s)
            followed.catchup = (event.size, cutoff)

    def files_per_source(self) -> Counter[str]:
        """How many files each source has open now."""
        return Counter(f.source for f in self._followed.values())

    def _report(self, eid: str, scan: Scan) -> None:
        f = self._followed[eid]
        stream = f.stream
        read = stream.lines - f.lines_counted
        self.lines_read[f.source] += read
        self._unsaved_lines += read
        f.lines_counted = stream.lines
        if f.catchup is not None:
            catchup = f.catchup
            scan.hits = [h for h in scan.hits if self._recent(catchup, h)]
        if self.max_age_s is not None and scan.hits:
            self._drop_aged(eid, scan, self.max_age_s)
        if self.alerting is not None and scan.hits:
            self.alerting.admit(scan.hits, self.clock.now())
        if scan.hits and self.alerting is None:
            self._urgent = (
                True  # printed now: saved now, or printed again after a crash
            )
        if self.on_problem is not None:
            problems = stream.quality.problems
            for text in problems[f.reported :]:
                self.on_problem(stream.path, text)
            f.reported = len(problems)
        if scan.hits or scan.disabled or scan.misses:
            self.on_scan(scan)

    def _recent(self, catchup: tuple[int, datetime], hit: Hit) -> bool:
        """During a backfill, whether a hit's line is inside the backfill window."""
        size, cutoff = catchup
        if hit.record.end > size:
            return True
        when = parse_timestamp(hit.record)
        if when is None:
            return False
        written = written_at(when, self.clock.now())  # as _drop_aged reads it
        return written is None or written >= cutoff

    def _drop_aged(self, eid: str, scan: Scan, max_age_s: float) -> None:
        """Drop the hits whose line says it was written more than ``max_age_s`` ago."""
        now = self.clock.now()
        cutoff = now - timedelta(seconds=max_age_s)
        kept = []
        for hit in scan.hits:
            when = parse_timestamp(hit.record)
            written = written_at(when, now) if when is not None else None
            if written is None or written >= cutoff:
                kept.append(hit)
        if len(kept) < len(scan.hits) and eid not in self._aged:
            self._aged.add(eid)  # said once per file: a whole old file is many lines
            log.info(
                "old_lines_not_alerted",
                path=self._followed[eid].stream.path,
                max_age_s=max_age_s,
            )
        scan.hits = kept

    def _file_state(self, eid: str) -> FileState:
        stream = self._followed[eid].stream
        fp_hash, fp_n, path, last_seen = self.tailer.identity(eid)
        offset = stream.offset
        return FileState(
            eid,
            fp_hash,
            fp_n,
            path,
            offset,
            self.tailer.marker(eid, offset),
            stream.line,
            last_seen,
        )


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
