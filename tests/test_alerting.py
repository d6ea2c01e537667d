"""Hits become alerts in the outbox in the same transaction as the file offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.alerts.alerting import PendingAlerts
from logwatch.alerts.codec import ALERTS, WINDOWS
from logwatch.alerts.dedup import DEFAULT_MAX_WINDOWS, DEFAULT_WINDOW_S, Deduper, Policy
from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.app.follower_events import (
    FollowEvent,
    SaveFailed,
    SaveResumed,
)
from logwatch.core.model import AlertKind
from logwatch.follow.tailer import Source
from logwatch.match.engine import Engine
from logwatch.store.state import State
from tests.fakes import FakeClock, each_scan
from tests.follow_harness import write
from tests.samples import at, hit, shipped_rules

ENGINE = Engine(shipped_rules())
MARGIN = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"


class Rig:
    def __init__(self, root: Path, clock: FakeClock) -> None:
        self.root, self.clock = root, clock
        self.pokes = 0
        self.follower = self._new()

    def _new(self) -> Follower:
        state = State(self.root / "state.db", self.clock)
        alerting = PendingAlerts(Deduper(), lambda alert, mutes: ["phone"], self._poke)
        source = Source("t", (str(self.root / "*.log"),))
        follower = Follower(
            ENGINE,
            [source],
            self.clock,
            state=state,
            alerting=alerting,
            settings=FollowSettings(poll_interval=0),
        )
        follower.step()
        return follower

    def _poke(self) -> None:
        self.pokes += 1

    @property
    def state(self) -> State:
        assert self.follower.state is not None
        return self.follower.state

    def queued(self) -> list[tuple[str, int]]:
        rows = self.state.file.conn.execute(
            "SELECT payload FROM alerts ORDER BY created_at"
        ).fetchall()
        return [(str(a.kind), a.count) for a in (ALERTS.loads(r[0]) for r in rows)]

    def restart(self, crash: bool = False) -> None:
        if crash:
            self.follower.tailer.close()
            self.state.close()
        else:
            self.follower.close()
        self.follower = self._new()


def test_a_hit_is_queued_with_its_offset_and_repeats_become_a_timed_digest(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, FakeClock())
    write(tmp_path / "a.log", MARGIN * 3)
    rig.follower.step()
    assert rig.queued() == [("first", 1)]
    assert rig.state.deliveries.waiting() == {"phone": 1}
    assert rig.pokes == 1
    (saved,) = rig.state.offsets.files()
    assert saved.offset == len(MARGIN) * 3
    rig.clock.advance(601)
    rig.follower.step()  # no new line: the timer closes the window
    assert rig.queued() == [("first", 1), ("digest", 2)]
    rig.follower.close()


def test_a_restart_inside_the_window_does_not_alert_again(tmp_path: Path) -> None:
    rig = Rig(tmp_path, FakeClock())
    write(tmp_path / "a.log", MARGIN)
    rig.follower.step()
    rig.restart()
    write(tmp_path / "a.log", MARGIN)
    rig.follower.step()
    assert rig.queued() == [("first", 1)]
    rig.clock.advance(601)
    rig.follower.step()
    assert rig.queued() == [("first", 1), ("digest", 1)]
    rig.follower.close()


def test_a_crash_before_commit_neither_loses_nor_doubles_the_alert(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, FakeClock())
    rig.follower.commit = lambda: True  # type: ignore[method-assign]
    write(tmp_path / "a.log", MARGIN)
    rig.follower.step()  # the alert exists only in memory
    assert rig.queued() == []
    rig.restart(crash=True)  # the line is read again, and alerts once
    rig.follower.step()
    assert rig.queued() == [("first", 1)]
    rig.follower.close()


def test_with_dedup_off_every_hit_is_its_own_alert_even_in_one_step(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    rig = Rig(tmp_path, clock)
    rig.follower.alerting.deduper.default = Policy(window_s=0)  # type: ignore[union-attr]
    rig.follower.alerting.deduper.policies = {}  # type: ignore[union-attr]
    write(
        tmp_path / "a.log", MARGIN * 3
    )  # read, and alerted, at one and the same moment
    rig.follower.step()
    assert rig.queued() == [("first", 1)] * 3
    rig.follower.close()


class TestIncrementalSave:
    """Each commit rewrote every open window (issue 11: 133 ms per repeat hit with 8,000
    open); now it writes the windows that changed, and the saved ones stay exact."""

    @staticmethod
    def rig(tmp_path: Path) -> tuple[State, PendingAlerts]:
        state = State(tmp_path / "state.db", FakeClock())
        return state, PendingAlerts(Deduper(), lambda alert, mutes: ["phone"])

    @staticmethod
    def commit(state: State, alerting: PendingAlerts) -> int:
        """Commit what the alerting holds; how many rows of alerts and windows it
        wrote."""
        c = alerting.changes()
        state.commit(alerts=c.alerts, windows=c.windows, closed=c.closed, mutes=c.mutes)
        alerting.committed()
        return len(c.alerts) + len(c.windows) + len(c.closed)

    def test_a_repeat_hit_writes_one_window_however_many_are_open(
        self, tmp_path: Path
    ) -> None:
        state, alerting = self.rig(tmp_path)
        alerting.admit([hit(key=("B", f"S{i}USDT")) for i in range(300)], at(0))
        self.commit(state, alerting)
        alerting.admit([hit(key=("B", "S7USDT"))], at(5))
        assert self.commit(state, alerting) == 1  # one UPDATE, no alert
        assert len(state.windows.saved()[0]) == 300
        state.close()

    @given(
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 900), st.booleans()),
            max_size=40,
        ),
        st.sampled_from([2, 4, DEFAULT_MAX_WINDOWS]),
    )
    def test_saved_windows_always_equal_the_open_ones(
        self, steps: list[tuple[int, int, bool]], cap: int
    ) -> None:
        """Also when windows are folded to stay within the cap (issue 18)."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            state, alerting = self.rig(Path(tmp))
            alerting.deduper.max_windows = cap
            now = 0
            for symbol, later, commit in steps:
                now += later
                alerting.tick(at(now))
                alerting.admit([hit(key=("B", f"S{symbol}"))], at(now))
                if commit:
                    self.commit(state, alerting)
            self.commit(state, alerting)
            saved = {WINDOWS.loads(w).fingerprint: w for w in state.windows.saved()[0]}
            open_now = alerting.deduper.windows
            assert saved == {fp: WINDOWS.dumps(w) for fp, w in open_now.items()}
            state.close()

    @pytest.mark.parametrize(("errors", "cap"), [(200, 50), (120, 7), (30, 30)])
    def test_folded_windows_leave_the_state_and_a_restart_still_counts_them(
        self, tmp_path: Path, errors: int, cap: int
    ) -> None:
        """Issue 18: open windows are capped; the folded ones are deleted from State
        with the commit that folds them, and their repeats reach a digest even after
        a restart."""
        state = State(tmp_path / "state.db", FakeClock())
        alerting = PendingAlerts(
            Deduper(max_windows=cap), lambda alert, mutes: ["phone"]
        )
        symbols = [f"S{i}USDT" for i in range(errors)]
        for i, symbol in enumerate(symbols):  # each error twice: 1 repeat each
            alerting.admit([hit(key=("B", symbol))] * 2, at(i))
            if i % 10 == 0:
                self.commit(state, alerting)
        self.commit(state, alerting)
        saved = [WINDOWS.loads(w) for w in state.windows.saved()[0]]
        assert len(saved) == cap + (errors > cap)  # and the overflow window
        assert sum(w.folded for w in saved) == max(0, errors - cap)
        state.close()
        state = State(tmp_path / "state.db", FakeClock())
        again = PendingAlerts(Deduper(max_windows=cap), lambda alert, mutes: ["phone"])
        again.restore(*state.windows.saved())
        again.tick(at(errors + DEFAULT_WINDOW_S))
        self.commit(state, again)
        rows = state.file.conn.execute("SELECT payload FROM alerts").fetchall()
        queued = [ALERTS.loads(r[0]) for r in rows]
        assert sum(a.count for a in queued) == 2 * errors  # every hit, once
        assert sum(a.folded for a in queued) == max(0, errors - cap)
        assert state.windows.saved()[0] == []
        state.close()

    @pytest.mark.parametrize(("errors", "cap"), [(200, 50), (120, 7)])
    def test_a_restart_still_knows_the_errors_it_folded(
        self, tmp_path: Path, errors: int, cap: int
    ) -> None:
        """Issue 18 review: errors folded before a restart that come back inside the
        overflow window are repeats, not new FIRST alerts."""
        state = State(tmp_path / "state.db", FakeClock())
        alerting = PendingAlerts(
            Deduper(max_windows=cap), lambda alert, mutes: ["phone"]
        )
        keys = [("B", f"S{i}USDT") for i in range(errors)]
        for i, key in enumerate(keys):
            alerting.admit([hit(key=key)], at(i))
            if i % 10 == 0:
                self.commit(state, alerting)
        self.commit(state, alerting)
        state.close()
        state = State(tmp_path / "state.db", FakeClock())
        again = PendingAlerts(Deduper(max_windows=cap), lambda alert, mutes: ["phone"])
        again.restore(*state.windows.saved())
        for i, key in enumerate(keys):  # each error once more, inside its window
            again.admit([hit(key=key)], at(errors + i))
            if i % 10 == 0:
                self.commit(state, again)
        self.commit(state, again)
        again.tick(at(2 * errors + DEFAULT_WINDOW_S))
        self.commit(state, again)
        rows = state.file.conn.execute("SELECT payload FROM alerts").fetchall()
        queued = [ALERTS.loads(r[0]) for r in rows]
        assert [a.kind for a in queued].count(AlertKind.FIRST) == errors
        digests = [a for a in queued if a.kind is AlertKind.DIGEST]
        assert sum(a.count for a in digests) == errors  # the second hit of each
        assert state.windows.saved()[0] == []
        state.close()


PY_RECORD = (
    b"2026-11-24 12:00:00,000 - bot - ERROR - order failed\n"
    b"Traceback (most recent call last):\n"
    b'  File "bot.py", line 3, in place\n'
    b"binance.exceptions.BinanceAPIException: APIError(code=-2019): "
    b"Margin is insufficient.\n"
)


def test_a_logging_record_with_its_traceback_is_alerted_in_the_step_that_reads_it(
    tmp_path: Path,
) -> None:
    """The clock does not move: before issue 11 the record waited 0.5 s."""
    rig = Rig(tmp_path, FakeClock())
    write(tmp_path / "a.log", PY_RECORD)
    rig.follower.step()
    assert rig.queued() == [("first", 1)]
    rig.follower.close()


def test_a_traceback_written_a_moment_later_still_joins_its_record(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    rig = Rig(tmp_path, clock)
    head, trace = PY_RECORD.split(b"Traceback")
    write(tmp_path / "a.log", head)
    rig.follower.step()
    assert rig.queued() == []
    clock.advance(0.2)
    write(tmp_path / "a.log", b"Traceback" + trace)
    rig.follower.step()
    (row,) = rig.state.file.conn.execute("SELECT payload FROM alerts").fetchall()
    alert = ALERTS.loads(row[0])
    assert alert.hit is not None
    assert alert.hit.record.first_line == 1
    rig.follower.close()


def test_each_source_is_read_in_its_own_format(tmp_path: Path) -> None:
    """With sources of different formats, each named format was ignored (and a Python
    traceback, taken for generic lines, lost its head's symbol)."""
    from logwatch.core.formats import FORMATS

    seen: list[tuple[str, int]] = []
    (tmp_path / "py").mkdir()
    (tmp_path / "nt").mkdir()
    write(tmp_path / "py" / "bot.log", b"start\n")
    follower = Follower(
        ENGINE,
        [
            Source("py", (str(tmp_path / "py" / "*.log"),)),
            Source("nt", (str(tmp_path / "nt" / "*.txt"),)),
        ],
        FakeClock(),
        events=each_scan(
            lambda scan: seen.extend(
                (h.record.format, h.record.first_line) for h in scan.hits
            )
        ),
        settings=FollowSettings(
            poll_interval=0,
            source_formats={"py": FORMATS["python"], "nt": FORMATS["ninjatrader"]},
        ),
    )
    follower.step()
    write(tmp_path / "py" / "bot.log", PY_RECORD)
    follower.step()
    assert seen == [("python", 2)]
    follower.close()


def test_a_full_disk_keeps_what_was_read_and_alerts_it_all_once_space_returns(
    tmp_path: Path,
) -> None:
    """An injected SQLITE_FULL (max_page_count), the error a full disk gives: the
    follower said so once, read nothing more, retried with backoff, then lost nothing."""
    from tests.disk import fill_up

    clock = FakeClock()
    rig = Rig(tmp_path, clock)
    told: list[str | None] = []
    logged = rig.follower.events

    def tell(event: FollowEvent) -> None:
        logged(event)
        if isinstance(event, SaveFailed):
            told.append(event.problem)
        elif isinstance(event, SaveResumed):
            told.append(None)

    rig.follower.events = tell

    def margin(i: int) -> bytes:
        return b"Refuse (Binance Futures): Margin is insufficient. (S%04dUSDT)\n" % i

    write(tmp_path / "a.log", margin(0))
    rig.follower.step()
    fill_up(rig.state)
    write(tmp_path / "a.log", b"".join(margin(i) for i in range(1, 200)))
    rig.follower.step()
    assert rig.follower.failing is not None
    assert "database or disk is full" in told[0]  # type: ignore[operator]
    write(tmp_path / "a.log", b"".join(margin(i) for i in range(200, 260)))
    assert rig.follower.step() == 0  # waits for the retry; reads nothing more
    assert 0 < rig.follower.next_timeout() <= 1.0
    clock.advance(1)
    rig.follower.step()  # tried again: still full, and not said again
    assert len(told) == 1
    assert rig.follower.next_timeout() == 2.0  # backoff doubled
    assert len(rig.queued()) == 1
    rig.state.file.conn.execute("PRAGMA max_page_count=1073741823")
    clock.advance(2)
    rig.follower.step()
    rig.follower.step()
    assert told[1:] == [None]
    assert rig.queued() == [("first", 1)] * 260
    rig.follower.close()
