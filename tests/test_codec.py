"""One JSON codec for what State keeps: every value comes back as it went in, and the
rows of older versions (hand-written JSON, tests/legacy_rows.py) still read."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from pydantic import ValidationError

from logwatch.alerts.alerting import PendingAlerts
from logwatch.alerts.codec import ALERTS, WINDOWS
from logwatch.alerts.dedup import Deduper
from logwatch.alerts.window import Window
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity
from logwatch.store.state import State
from logwatch.store.status import read_status
from tests import legacy_rows, strategies
from tests.fakes import FakeClock
from tests.samples import at, stored_values

OLD_STATE = Path(__file__).parent / "data" / "state-before-codec.sqlite"


def _as_before(hit: Hit | None) -> Hit | None:
    """What the hand-written JSON kept of a hit: not its exchange and message."""
    return None if hit is None else replace(hit, exchange="", message="")


NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RECORD = Record(
    path="f.log",
    format="python",
    first_line=3,
    offset=10,
    end=90,
    text="text ж",
    raw="raw ж",
    timestamp="2026-11-24 12:00:00,000",
    fields={"connection": "B"},
    truncated=True,
)
HIT = Hit(
    rule_id="binance.margin-insufficient",
    severity=Severity.ERROR,
    codes=(-2019,),
    record=RECORD,
    line=4,
    captures={"n": "1"},
    key=("B", ""),
)


def test_alerts_survive_the_round_trip_through_state() -> None:
    alert = Alert(
        id="id\x1e1",
        kind=AlertKind.DIGEST,
        rule_id=HIT.rule_id,
        severity=Severity.ERROR,
        fingerprint="fp",
        created_at=NOW,
        hit=HIT,
        count=37,
        first_at=NOW,
        last_at=NOW,
        window_s=600.0,
        not_before=NOW,
        text="x",
        first_log="10:00:05 +03:00",
        last_log="10:03:00 +03:00",
    )
    assert ALERTS.loads(ALERTS.dumps(alert)) == alert
    bare = replace(alert, hit=None, first_at=None, last_at=None, not_before=None)
    assert ALERTS.loads(ALERTS.dumps(bare)) == bare


def test_windows_survive_the_round_trip() -> None:
    window = Window(
        "fp", HIT.rule_id, Severity.ERROR, NOW, NOW, 3, NOW, NOW, 2, 5, HIT, "1", "2"
    )
    back = WINDOWS.loads(WINDOWS.dumps(window))
    assert back == window
    empty = Window("fp", HIT.rule_id, Severity.ERROR, NOW, NOW)
    assert WINDOWS.loads(WINDOWS.dumps(empty)) == empty


@given(strategies.alerts)
def test_every_alert_comes_back_as_it_went_in(alert: Alert) -> None:
    text = ALERTS.dumps(alert)
    back = ALERTS.loads(text)
    assert back == alert
    assert ALERTS.dumps(back) == text


@given(strategies.windows)
def test_every_window_comes_back_as_it_went_in(window: Window) -> None:
    text = WINDOWS.dumps(window)
    back = WINDOWS.loads(text)
    assert back == window
    assert WINDOWS.dumps(back) == text


@given(strategies.alerts)
def test_an_alert_an_older_version_wrote_reads_and_it_reads_ours(alert: Alert) -> None:
    before = replace(alert, hit=_as_before(alert.hit))
    assert ALERTS.loads(legacy_rows.alert_to_json(alert)) == before
    assert legacy_rows.alert_from_json(ALERTS.dumps(alert)) == before


@given(strategies.windows)
def test_a_window_an_older_version_wrote_reads_and_it_reads_ours(
    window: Window,
) -> None:
    before = replace(window, last_hit=_as_before(window.last_hit), folded_hashes=b"")
    assert WINDOWS.loads(legacy_rows.window_to_json(window)) == before
    assert legacy_rows.window_from_json(WINDOWS.dumps(window)) == before


def test_times_come_back_in_utc_as_the_same_instant() -> None:
    alert = ALERTS.loads(ALERTS.dumps(stored_values()[0][1]))
    assert alert.first_at is not None
    assert alert.first_at.utcoffset() is not None
    assert alert.first_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert alert.first_at == at(1.5)


def test_text_that_is_not_a_stored_value_is_refused() -> None:
    with pytest.raises(ValidationError):
        ALERTS.loads('{"id": "a1"}')
    with pytest.raises(ValidationError):
        WINDOWS.loads("not json")


class TestAStateOfAnOlderVersion:
    """tests/data/state-before-codec.sqlite was written by logwatch before the codec
    (tests/samples.py ``stored_values`` says what is in it)."""

    @pytest.fixture
    def state(self, tmp_path: Path) -> State:
        path = tmp_path / "state.sqlite"
        shutil.copyfile(OLD_STATE, path)
        return State(path, FakeClock(at(60)))

    def test_its_outbox_delivers_every_alert_as_it_was(self, state: State) -> None:
        due = state.deliveries.due("hook", at(10**6).timestamp())
        state.close()
        alerts = sorted((ALERTS.loads(p.payload) for p in due), key=lambda a: a.id)
        assert alerts == stored_values()[0]

    def test_its_windows_continue_after_the_restart(self, state: State) -> None:
        alerting = PendingAlerts(Deduper(), lambda a, mutes: ["hook"])
        alerting.restore(*state.windows.saved())
        state.close()
        windows = stored_values()[1]
        assert alerting.deduper.windows == {w.fingerprint: w for w in windows}

    def test_status_shows_its_windows(self, state: State) -> None:
        state.close()
        info = read_status(state.path, at(60).timestamp())
        assert [(w.rule, w.key, w.pending) for w in info.windows] == [
            ("binance.margin-insufficient", [], 0),
            ("binance.margin-insufficient", ["Binance"], 3),
        ]
        assert all(w.closes_at for w in info.windows)


def test_the_older_state_holds_the_sample_values(tmp_path: Path) -> None:
    """The fixture and samples.py agree, read the way the older version read them."""
    path = tmp_path / "state.sqlite"  # a copy: SQLite writes beside the file it opens
    shutil.copyfile(OLD_STATE, path)
    conn = sqlite3.connect(path)
    try:
        rows = [p for (p,) in conn.execute("SELECT payload FROM alerts ORDER BY id")]
    finally:
        conn.close()
    assert [legacy_rows.alert_from_json(p) for p in rows] == stored_values()[0]
