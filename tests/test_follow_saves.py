"""How often following saves: lines that cause no alert are saved in groups (a busy
file costs a commit per ``SAVE_EVERY_S``, not one per read); an alert, and the offsets
read with it, are saved in the step that reads it; a kill between two saves reads the
unsaved lines again and alerts nothing twice."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logwatch.alerts.alerting import PendingAlerts
from logwatch.alerts.dedup import Deduper
from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.app.follower_events import Activity
from logwatch.app.saveschedule import SAVE_EVERY_S, SAVE_LINES
from logwatch.follow.tailer import Source
from logwatch.store.state import State
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.follow_harness import EVERY_LINE, Harness, line, write

#: A line the test rule does not match.
NOISE = b"noise: nothing to see here\n"


class CountingState(State):
    """A real State that counts its commits."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path, clock)
        self.commits = 0

    def commit(self, *args: Any, **kwargs: Any) -> None:
        self.commits += 1
        super().commit(*args, **kwargs)


class Rig:
    """A follower of ``root/app.log`` with alerting, on a counting State."""

    def __init__(
        self, root: Path, poll_interval: float = 0, step_gap_s: float = 0
    ) -> None:
        self.root, self.clock = root, FakeClock()
        self.log = root / "app.log"
        write(self.log, b"", "wb")
        self.state = CountingState(root / "state.db", self.clock)
        self.activity = Activity()
        self.follower = Follower(
            EVERY_LINE,
            [Source("t", (str(self.log),))],
            self.clock,
            state=self.state,
            events=self.activity,
            alerting=PendingAlerts(Deduper(), lambda alert, mutes: ["phone"]),
            settings=FollowSettings(poll_interval=poll_interval, step_gap_s=step_gap_s),
        )
        if poll_interval:
            self.follower.start()  # file events wake ``wait`` between listings
        self.follower.step()  # the file opened, its start saved

    def saved_offset(self) -> int:
        """The offset saved for the file, read through a connection of its own."""
        other = State(self.root / "state.db", self.clock)
        try:
            (saved,) = other.offsets.files()
            return saved.offset
        finally:
            other.close()

    def read(self, data: bytes) -> None:
        """Append ``data`` and step until the follower has read it (woken by the
        file's event: the rig may list files only every ``poll_interval``)."""
        lines = sum(self.activity.lines_read.values()) + data.count(b"\n")
        write(self.log, data)

        def done() -> bool:
            self.follower.wait(0.01)
            self.follower.step()
            return sum(self.activity.lines_read.values()) == lines

        wait_until(done, 10, "the lines read")

    def queued(self) -> int:
        other = State(self.root / "state.db", self.clock)
        try:
            return sum(other.deliveries.waiting().values())
        finally:
            other.close()

    def close(self) -> None:
        self.follower.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = Rig(tmp_path)
    yield made
    made.close()


def test_a_busy_file_without_hits_costs_a_commit_per_bound_not_per_read(
    rig: Rig,
) -> None:
    """100 reads 10 ms apart (1 s): one commit per SAVE_EVERY_S, not 100."""
    before = rig.state.commits
    for _ in range(100):
        write(rig.log, NOISE * 10)
        rig.follower.step()
        rig.clock.advance(0.01)
    commits = rig.state.commits - before
    assert 1 <= commits <= round(1.0 / SAVE_EVERY_S) + 1
    rig.clock.advance(SAVE_EVERY_S)
    rig.follower.step()  # nothing new: what was read is saved when the bound is up
    assert rig.saved_offset() == rig.log.stat().st_size


def test_a_read_after_a_quiet_spell_is_saved_at_once(rig: Rig) -> None:
    rig.clock.advance(SAVE_EVERY_S)
    write(rig.log, NOISE)
    rig.follower.step()
    assert rig.saved_offset() == rig.log.stat().st_size


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="an append's event wakes the wait: NTFS reports a held file's growth only "
    "once its writer flushes (FILE_NOTIFY_CHANGE_SIZE), so on Windows every listing "
    "looks at every file instead (lastlisting.backstop_listings)",
)
def test_unsaved_reads_make_the_wait_end_when_the_bound_is_up(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, poll_interval=5.0)
    try:
        rig.read(NOISE)  # saved at once: nothing saved for a while
        rig.read(NOISE)  # grouped
        assert rig.saved_offset() < rig.log.stat().st_size
        assert rig.follower.next_timeout() == pytest.approx(SAVE_EVERY_S)
        rig.clock.advance(rig.follower.next_timeout())
        rig.follower.step()
        assert rig.saved_offset() == rig.log.stat().st_size
    finally:
        rig.close()


def test_a_hit_is_saved_with_the_grouped_offsets_in_the_step_that_reads_it(
    rig: Rig,
) -> None:
    write(rig.log, NOISE)
    rig.follower.step()
    for _ in range(5):
        write(rig.log, NOISE)
        rig.follower.step()  # no time passes: grouped, not saved
    assert rig.saved_offset() < rig.log.stat().st_size
    write(rig.log, line(1))
    rig.follower.step()
    assert rig.queued() == 1
    assert rig.saved_offset() == rig.log.stat().st_size


def test_many_lines_without_hits_are_saved_once_the_bound_in_lines_is_reached(
    rig: Rig,
) -> None:
    """A backlog read in one go is saved before the time bound is up."""
    write(rig.log, NOISE)
    rig.follower.step()
    start = rig.saved_offset()
    write(rig.log, NOISE * (SAVE_LINES + 1))
    for _ in range(100):  # a big write may take several reads; no time passes
        rig.follower.wait(0)
        if rig.follower.step() == 0 and not rig.follower.wait(0):
            break
    assert rig.saved_offset() >= start + SAVE_LINES * len(NOISE)


def test_a_kill_between_grouped_saves_reads_again_and_reports_nothing_twice(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path)
    log = tmp_path / "app.log"
    write(log, b"", "wb")
    h.settle()
    write(log, line(1))
    h.step()  # a hit: saved at once
    for _ in range(5):
        write(log, NOISE)
        h.step()  # no time passes: grouped, not saved
    h.crash()
    h.settle()  # the noise is read again: no hit in it
    write(log, NOISE + line(2) + NOISE)
    h.step()
    for _ in range(3):
        write(log, NOISE)
        h.step()
    h.crash()
    h.settle()
    write(log, line(3))
    h.settle()
    h.once([1, 2, 3])
    h.close()


class TestStepGap:
    """A file event soon after a step waits out ``step_gap_s`` (a file written every
    few ms is read in one step per gap, not one per write); a signal or request does
    not, nor an event after a quiet spell."""

    @staticmethod
    def waiting(rig: Rig, timeout: float) -> threading.Event:
        """``rig.follower.wait(timeout)`` in a thread: set once it returned True."""
        returned = threading.Event()

        def wait() -> None:
            if rig.follower.wait(timeout):
                returned.set()

        threading.Thread(target=wait, daemon=True).start()
        return returned

    def test_a_file_event_inside_the_gap_waits_until_a_wake(
        self, tmp_path: Path
    ) -> None:
        rig = Rig(tmp_path, step_gap_s=60.0)
        try:
            rig.follower.tailer.wake.set()  # what a file event does
            returned = self.waiting(rig, 30.0)
            assert not returned.wait(0.2), "the step after an event was not held back"
            rig.follower.wake()  # a signal or a request ends the gap
            assert returned.wait(5), "wake() did not end the gap"
        finally:
            rig.close()

    def test_a_file_event_after_the_gap_is_not_held(self, tmp_path: Path) -> None:
        rig = Rig(tmp_path, step_gap_s=60.0)
        try:
            rig.clock.advance(60.0)
            rig.follower.tailer.wake.set()
            assert self.waiting(rig, 30.0).wait(5), "an event after the gap was held"
        finally:
            rig.close()

    def test_a_wake_inside_the_gap_is_not_held(self, tmp_path: Path) -> None:
        rig = Rig(tmp_path, step_gap_s=60.0)
        try:
            rig.follower.wake()
            assert self.waiting(rig, 30.0).wait(5), "a wake was held by the gap"
        finally:
            rig.close()

    def test_a_step_its_budget_left_behind_is_followed_at_once(
        self, tmp_path: Path
    ) -> None:
        """A follower catching up reads at once, budget after budget: a gap between
        them would leave it further behind (and a rotated file unread longer)."""
        rig = Rig(tmp_path, step_gap_s=60.0)
        try:
            write(rig.log, NOISE * 3000)
            rig.follower.step()  # read whole: the pace's rate is known now
            rig.clock.advance(1.0)  # a slow one: the next budget is its floor
            write(rig.log, NOISE * 10000)
            rig.follower.step()
            assert rig.follower.tailer.behind
            assert self.waiting(rig, 30.0).wait(5), "a step behind was held by the gap"
        finally:
            rig.close()

    def test_the_gap_never_outlasts_the_timeout(self, tmp_path: Path) -> None:
        rig = Rig(tmp_path, step_gap_s=60.0)
        try:
            rig.follower.tailer.wake.set()
            assert rig.follower.wait(0)  # at once: a step is due
        finally:
            rig.close()
