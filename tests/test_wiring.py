"""The Workers one Setup runs: started, saying what they follow, stopped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from logwatch.app.configured import build_setup
from logwatch.app.wiring import Workers
from logwatch.store.state import State
from tests.fakes import FakeClock
from tests.test_configured import config_file


@pytest.mark.usefixtures("fake_channels")
def test_parts_start_say_what_they_follow_and_stop(tmp_path: Path) -> None:
    setup = build_setup(config_file(tmp_path), {})
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    state = State(tmp_path / "state" / "state.db", clock)
    parts = Workers(setup, state, clock, None, problem=lambda: "")
    try:
        parts.start()
        parts.follower.step()
        assert parts.wants_resolved
        assert parts.describe() == (
            "logwatch desk-7: following 0 files from bot; alerts go to told"
        )
    finally:
        parts.stop()
        state.close()
