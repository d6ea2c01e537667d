"""Following as one loop: the Tailer's bytes, through a Stream per file, saved in State.

Composes the tailer and state edges with the pure pipeline. ``step()`` is one unit of
work; ``run(stop)`` is a thin loop around it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence

from logwatch.alerts.alerting import NO_MUTES, Changes, PendingAlerts, UserMutes
from logwatch.app.followed import DEFAULTS, Followed, FollowSettings, followed_before
from logwatch.app.follower_events import (
    DataRead,
    ExpireFailed,
    FileDrained,
    FileMoved,
    FileOpened,
    FileWarning,
    LinesRead,
    Matched,
    OldLinesSkipped,
    SaveFailed,
    SaveResumed,
    Sink,
    log_event,
)
from logwatch.app.freshness import in_backfill, young_hits
from logwatch.app.saveschedule import SaveSchedule
from logwatch.core.clock import Clock
from logwatch.core.errors import StateError
from logwatch.core.model import FileState
from logwatch.follow.tailer import (
    Drained,
    Event,
    Held,
    Moved,
    Opened,
    Read,
    Source,
    Tailer,
)
from logwatch.match.engine import Engine, Scan
from logwatch.store.state import State

#: How often entries of files gone for a week are dropped from State.
EXPIRE_EVERY_S = 3600.0


class Follower:
    """Follows sources: tells ``events`` what happens (hits, files, saves) and saves
    progress in ``state``."""

    def __init__(
        self,
        engine: Engine,
        sources: Sequence[Source],
        clock: Clock,
        *,
        state: State | None = None,
        events: Sink = log_event,
        alerting: PendingAlerts | None = None,
        settings: FollowSettings = DEFAULTS,
        held: Held | None = None,
    ) -> None:
        self.engine, self.clock, self.state = engine, clock, state
        self.events, self.alerting, self.settings = events, alerting, settings
        self._saves = SaveSchedule(settings.save_every_s)
        self.sources = {s.name: s for s in sources}
        if alerting is not None and state is not None:
            alerting.restore(*state.windows.saved())
        if state is not None:
            state.expire()
        known = state.offsets.files() if state is not None else []
        #: the line numbers saved for files known before this start, by file id
        self._saved_lines = {f.id: f.line for f in known}
        #: every source's patterns: saved as followed once the first listing is read
        self._patterns = sorted({p for s in sources for p in s.patterns})
        self._patterns_saved = False
        self.tailer = Tailer(
            sources,
            clock,
            known,
            followed=followed_before(state, self._patterns, known),
            poll_interval=settings.poll_interval,
            held=held,
        )
        #: the files followed now, by the tailer's id: the one record of each
        self._followed: dict[str, Followed] = {}
        #: work lists, not records (which of ``_followed`` to look at): the files fed
        #: since they last held nothing (a record or a partial line), the only ones
        #: each step and timeout look at; the ones whose position changed since the
        #: last commit
        self._holding: set[str] = set()
        self._dirty: set[str] = set()
        self._expired_at = clock.monotonic()
        #: when the last step started (``step_gap_s`` counts from it)
        self._stepped_at = float("-inf")
        #: set by ``wake`` (a signal, a request): a wait it ends is not held back
        self._urgent = threading.Event()

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
        now = self._stepped_at = self.clock.monotonic()
        saves = self._saves
        if saves.failing is not None and (saves.holding_back(now) or not self.commit()):
            return 0  # what was read waits in memory; nothing more is read
        events = self.tailer.step()
        for event in events:
            self._take(event, now)
        self._release_held(now)
        if self.alerting is not None:
            self.alerting.tick(self.clock.now())
        expire = now - self._expired_at >= EXPIRE_EVERY_S
        if (self.commit() if expire or self._save_due(now) else True) and expire:
            self._expire(now)
        return len(events)

    def _take(self, event: Event, now: float) -> None:
        """One of the tailer's events: bytes fed to their stream, a file opened,
        moved or drained (all saved at once: where a file starts or goes on is never
        read twice)."""
        if isinstance(event, Read):
            f = self._followed[event.id]
            self.events(DataRead(f.source, now))
            if now - f.last_data >= self.settings.record_wait_s:
                f.stream.settle()
            # its last record matched now, not after a wait (a write is most often
            # whole records); lines that continue it later still join it
            self._report(event.id, f.stream.feed(event.data, release=True))
            f.last_data = now
            self._holding.add(event.id)
        elif isinstance(event, Opened):
            self._opened(event, now)
            self._saves.urgent = True
        elif isinstance(event, Moved):
            self._saves.urgent = True
            moved = self._followed.get(event.id)
            if moved is not None:
                moved.stream.path = event.path
                self.events(FileMoved(event.path, moved.source))
        elif isinstance(event, Drained) and event.id in self._followed:
            drained = self._followed[event.id]
            self._report(event.id, drained.stream.flush())
            drained.drained = True
            self._saves.urgent = True
            self.events(FileDrained(drained.stream.path, drained.source))
        self._dirty.add(event.id)

    def _release_held(self, now: float) -> None:
        """Match the records the files' streams hold, and partial lines that waited
        ``partial_wait_s``."""
        for eid in list(self._holding):
            f = self._followed[eid]
            stream = f.stream
            if stream.holds_record:
                # matched now, not after a wait: a write is most often whole records
                self._report(eid, stream.release())
                self._dirty.add(eid)
            idle = now - f.last_data
            if idle >= self.settings.partial_wait_s and stream.decoder.held_bytes:
                self._report(eid, stream.flush())
                self._dirty.add(eid)
            if not stream.holds_record and not stream.decoder.held_bytes:
                self._holding.discard(eid)

    def _expire(self, now: float) -> None:
        """Drop the State's entries of files gone for long (EXPIRE_EVERY_S)."""
        if self.state is None:
            return
        self._expired_at = now
        try:
            # files still followed are seen now, however long they have been quiet
            self.state.commit(
                files=[self._file_state(eid) for eid in self._followed],
                followed=self._patterns,
            )
            self.tailer.forget(self.state.expire())
        except StateError as exc:
            self.events(ExpireFailed(str(exc)))

    def _save_due(self, now: float) -> bool:
        """Whether what changed is saved at this step: at once for an alert, a hit
        printed (no alerting), a file opened, moved or drained; otherwise once
        ``save_every_s`` has passed since the last save, or SAVE_LINES were read."""
        alerting = self.alerting
        return (
            (alerting is not None and bool(alerting.pending))
            or (not self._patterns_saved and self.tailer.listed_once)
            or self._saves.due(now)
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
        if self._saves.failing is not None:
            return max(self._saves.retry_at - now, 0.0)
        if self._unsaved():
            due = min(due, self._saves.next_due(now))
        if self.alerting is not None:
            closes = self.alerting.next_due()
            if closes is not None:
                due = min(due, (closes - self.clock.now()).total_seconds())
        for eid in self._holding:
            f = self._followed[eid]
            idle = now - f.last_data
            if f.stream.decoder.held_bytes:
                due = min(due, self.settings.partial_wait_s - idle)
        return max(due, 0.0)

    def wake(self) -> None:
        """End a ``wait`` now (a signal, a request), ``step_gap_s`` or not."""
        self._urgent.set()
        self.tailer.wake.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a file event or a ``wake``; True if one came.

        File events wait until ``step_gap_s`` after the last step (at most
        ``timeout``), so what is written meanwhile is read with them: the gap is
        waited first, then a busy file's event is there already (one wake-up a step,
        not two). A step that left bytes unread is followed at once: no gap.
        """
        start = self.clock.monotonic()
        hold = min(self.settings.step_gap_s - (start - self._stepped_at), timeout)
        if self.tailer.behind:
            hold = 0.0
        if hold > 0 and self._urgent.wait(hold):
            woken = True
        else:
            left = timeout - (self.clock.monotonic() - start)
            woken = self.tailer.wake.wait(max(left, 0.0))
        self._urgent.clear()
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
            self._saves.saved_at = self.clock.monotonic()
        if self._saves.saved():
            self.events(SaveResumed())
        for eid in self._dirty:
            f = self._followed.get(eid)
            if f is not None and f.drained:
                self._holding.discard(eid)
                del self._followed[eid]
        self._dirty.clear()
        return True

    def _save_failed(self, problem: str) -> None:
        retry_in_s = self._saves.failed(problem, self.clock.monotonic())
        if retry_in_s is not None:
            self.events(SaveFailed(problem, retry_in_s))

    @property
    def failing(self) -> str | None:
        """Why the last save failed; None while saving works."""
        return self._saves.failing

    def _opened(self, event: Opened, now: float) -> None:
        followed = self._followed.get(event.id)
        if followed is not None:
            followed.source = event.source
            followed.stream.path = event.path
            self.events(FileOpened(event.path, event.source))
            return
        line = (
            self._saved_lines.get(event.id)
            or event.line
            or self.tailer.count_lines(event.id, event.offset) + 1
        )
        settings = self.settings
        self._followed[event.id] = Followed.opened(
            event,
            self.sources.get(event.source),
            self.engine,
            settings.source_formats.get(event.source, settings.fmt),
            line=line,
            now=now,
            wall=self.clock.now(),
        )
        self.events(FileOpened(event.path, event.source))

    def files_per_source(self) -> Counter[str]:
        """How many files each source has open now."""
        return Counter(f.source for f in self._followed.values())

    def _report(self, eid: str, scan: Scan) -> None:
        f = self._followed[eid]
        stream = f.stream
        read = stream.lines - f.lines_counted
        if read:
            self.events(LinesRead(f.source, read))
        self._saves.lines += read
        f.lines_counted = stream.lines
        if f.catchup is not None:
            size, cutoff = f.catchup
            now = self.clock.now()
            scan.hits = [h for h in scan.hits if in_backfill(h, size, cutoff, now)]
        max_age_s = self.settings.max_age_s
        if max_age_s is not None and scan.hits:
            self._drop_aged(f, scan, max_age_s)
        if self.alerting is not None and scan.hits:
            self.alerting.admit(scan.hits, self.clock.now())
        if scan.hits and self.alerting is None:
            # printed now: saved now, or printed again after a crash
            self._saves.urgent = True
        problems = stream.quality.problems
        for text in problems[f.reported :]:
            self.events(FileWarning(stream.path, text))
        f.reported = len(problems)
        if scan.hits or scan.disabled or scan.misses:
            self.events(Matched(scan))

    def _drop_aged(self, f: Followed, scan: Scan, max_age_s: float) -> None:
        """Drop the hits whose line says it was written more than ``max_age_s`` ago."""
        kept = young_hits(scan.hits, max_age_s, self.clock.now())
        if len(kept) < len(scan.hits) and not f.aged:
            f.aged = True
            self.events(OldLinesSkipped(f.stream.path, max_age_s))
        scan.hits = kept

    def _file_state(self, eid: str) -> FileState:
        stream = self._followed[eid].stream
        fp_hash, fp_n, path, last_seen = self.tailer.identity(eid)
        offset = stream.offset
        return FileState(
            id=eid,
            fp_hash=fp_hash,
            fp_n=fp_n,
            path=path,
            offset=offset,
            marker=self.tailer.marker(eid, offset),
            line=stream.line,
            last_seen=last_seen,
        )
