"""What `run` says: its announcement, the notices about its state file, its status
line for a supervisor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from logwatch.app.configured import build_setup
from logwatch.app.daemon_text import announcement, state_notices, status_line
from logwatch.core.model import Alert, AlertKind, Severity
from logwatch.store.state import State
from tests.fakes import FakeClock

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def config_file(tmp_path: Path) -> Path:
    (tmp_path / "logs").mkdir(exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: told, url: 'fake://told'}\n",
        encoding="utf-8",
    )
    return path


def test_the_status_line_says_the_files_and_that_no_alert_came_yet() -> None:
    assert status_line(3, None) == "following 3 files; no alert yet"


def test_the_status_line_names_the_last_alert_at_the_local_time() -> None:
    last = Alert(
        id="a1",
        kind=AlertKind.FIRST,
        rule_id="binance.-1021",
        severity=Severity.ERROR,
        fingerprint="f1",
        created_at=T0,
    )
    local = T0.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert status_line(2, last) == (
        f"following 2 files; last alert binance.-1021 at {local}"
    )


def test_the_announcement_says_what_is_followed_and_which_source_has_no_files(
    tmp_path: Path,
) -> None:
    setup = build_setup(config_file(tmp_path), {})
    state = tmp_path / "state" / "state.db"
    said = announcement(setup, 0, set(), state, None, {}).splitlines()
    assert said[0] == (
        "logwatch: following 0 files from 1 sources (bot); alerts go to told; "
        f"state in {state}"
    )
    assert said[1].startswith("logwatch: source bot matches no files yet (")
    found = announcement(setup, 2, {"bot"}, state, None, {})
    assert "matches no files" not in found
    assert found.startswith("logwatch: following 2 files from 1 sources")


def test_a_state_file_moved_aside_is_told_and_a_sound_one_is_not(
    tmp_path: Path,
) -> None:
    sound = State(tmp_path / "sound.db", FakeClock())
    assert state_notices(sound) == []
    sound.close()
    (tmp_path / "state.db").write_bytes(b"\x00" * 8192)  # not a database
    state = State(tmp_path / "state.db", FakeClock())
    (said,) = state_notices(state)
    assert said.name == "state_moved_aside"
    assert said.values["moved"] == state.moved_aside[0]  # type: ignore[index]
    state.close()
