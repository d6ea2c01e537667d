"""What one config makes: the validated Setup, every problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.app.configured import build_setup, source_name
from logwatch.core.errors import InvalidConfig
from logwatch.follow.tailer import Source


def config_file(tmp_path: Path, extra: str = "") -> Path:
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
    config = config_file(tmp_path, "rules:\n  disable: [no.such-rule]\n")
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
        build_setup(config_file(tmp_path), {})
    assert "state_dir" in caught.value.errors[0].format_message()
