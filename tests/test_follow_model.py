"""A model-based test of following: random writes, rotations, truncations, restarts and
crashes, checked against the list of lines written (anchors.md §7.3, Vector's quickcheck)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from tests.follow_harness import Harness, line, write
from tests.processes import deletes_at_once

GENERATIONS = 9


class Following(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="logwatch-model-"))
        self.log = self.dir / "app.log"
        self.h = Harness(self.dir)
        self.h.step()
        self.written: list[int] = []
        self.crashed = False

    def _next(self) -> int:
        self.written.append(len(self.written))
        return self.written[-1]

    @rule(count=st.integers(1, 4), crlf=st.booleans(), cyrillic=st.booleans())
    def write_lines(self, count: int, crlf: bool, cyrillic: bool) -> None:
        for _ in range(count):
            data = line(self._next(), "журнал" if cyrillic else "log")
            write(self.log, data.replace(b"\n", b"\r\n") if crlf else data)

    @rule(cut=st.integers(1, 20))
    def write_in_two_pieces(self, cut: int) -> None:
        data = line(self._next(), "in pieces")
        write(self.log, data[:cut])
        self.h.step()
        write(self.log, data[cut:])

    @rule()
    def look(self) -> None:
        self.h.step()

    def _can_shift(self) -> bool:
        """A rotation deletes the oldest generation, which the follower holds open:
        where its name outlives the delete (Wine, ``deletes_at_once``) the next
        generation cannot take it, so rotations stop at GENERATIONS there."""
        return deletes_at_once() or not (self.dir / f"app.log.{GENERATIONS}").exists()

    @precondition(_can_shift)
    @rule()
    def rename_rotate(self) -> None:
        self._shift()
        if self.log.exists():
            self.log.rename(self.dir / "app.log.1")

    @precondition(
        lambda self: (
            self._can_shift() and self.log.exists() and self.log.stat().st_size > 0
        )
    )
    @rule()
    def copytruncate(self) -> None:
        self._shift()
        shutil.copyfile(self.log, self.dir / "app.log.1")
        with self.log.open("r+b") as fh:
            fh.truncate(0)

    @precondition(lambda self: self.log.exists())
    @rule(delete=st.booleans() if deletes_at_once() else st.just(False))
    def truncate_or_delete_after_a_look(self, delete: bool) -> None:
        """Where a deleted log's name outlives the delete (Wine), the writer's next
        open appends to the doomed file, lost when the follower lets it go: only a
        truncation there."""
        self.h.settle()  # anything not read before the file is cut is gone for any tailer
        if delete:
            self.log.unlink()
        else:
            with self.log.open("r+b") as fh:
                fh.truncate(0)

    @rule()
    def restart(self) -> None:
        self.h.restart()

    @rule()
    def crash_before_commit(self) -> None:
        self.h.follower.commit = lambda: True  # type: ignore[method-assign]
        self.h.step()
        self.h.crash()
        self.crashed = True

    def _shift(self) -> None:
        oldest = self.dir / f"app.log.{GENERATIONS}"
        if oldest.exists():
            self.h.settle()  # a rotation deletes the oldest generation: read it first
            oldest.unlink()
        for k in range(GENERATIONS - 1, 0, -1):
            older = self.dir / f"app.log.{k}"
            if older.exists():
                older.rename(self.dir / f"app.log.{k + 1}")

    def teardown(self) -> None:
        try:
            self.h.settle()
            if self.crashed:
                self.h.at_least_once(self.written)
            else:
                self.h.once(self.written)
        finally:
            self.h.close()
            shutil.rmtree(self.dir, ignore_errors=True)


TestFollowing = Following.TestCase
TestFollowing.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None
)
