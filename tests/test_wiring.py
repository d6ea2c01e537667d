"""What one config makes: the validated Setup and the Workers built from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from logwatch.app.wiring import Workers, build_setup, source_name
from logwatch.core.errors import InvalidConfig
from logwatch.follow.tailer import Source
from logwatch.store.state import State
from tests.fakes import FakeClock


def _config(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "logs").mkdir(exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\ninstance: desk-7\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: told, url: 'fake://told', send_resolved: true}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def test_a_path_is_named_by_the_first_source_whose_pattern_matches() -> None:
    sources = (
        Source("bot", ("/logs/bot*.log",)),
        Source("all", ("/logs/*.log",)),
    )
    assert source_name("/logs/bot1.log", sources) == "bot"
    assert source_name("/logs/other.log", sources) == "all"
    assert source_name("/elsewhere/x.log", sources) == ""


def test_an_unknown_rule_to_disable_is_a_config_error_at_its_line(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, "rules:\n  disable: [no.such-rule]\n")
    with pytest.raises(InvalidConfig) as caught:
        build_setup(config, {})
    (error,) = caught.value.errors
    assert error.format_message() == (
        f"{config}:10: rules.disable: unknown rule id 'no.such-rule'"
    )


def test_a_state_dir_that_cannot_be_written_is_a_config_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "state").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(InvalidConfig) as caught:
        build_setup(_config(tmp_path), {})
    assert "state_dir" in caught.value.errors[0].format_message()


@pytest.mark.usefixtures("fake_channels")
def test_parts_start_say_what_they_follow_and_stop(tmp_path: Path) -> None:
    setup = build_setup(_config(tmp_path), {})
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    state = State(tmp_path / "state" / "state.db", clock)
    parts = Workers(setup, state, clock, None, lambda: "")
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
