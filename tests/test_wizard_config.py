"""What ``logwatch init`` writes: rendered configs and env files load back as
answered, and the answers' small parsers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from logwatch.app.wizard_config import (
    Answers,
    answers_from,
    email_url,
    ntfy_url,
    parse_quiet_hours,
    render_config,
    render_env,
    source_for,
)
from logwatch.core.config import config_from_text, load_config
from tests.telegram_fake import TOKEN


class TestPure:
    def test_a_rendered_config_loads_back_as_answered(self) -> None:
        answers = Answers(
            language="ru",
            sources=[{"name": "bot", "paths": ["/a b/*.log"]}],
            channels=[
                {"name": "telegram", "url": "tgram://${T}/-1", "commands": True},
                {"name": "desktop", "url": "desktop://", "loud_from": "critical"},
            ],
            quiet_hours=("23:00", "07:00"),
            kept={"dedup": {"window": "15m"}, "max_age": "2h"},
        )
        for lang in ("ru", "en"):
            loaded = config_from_text(render_config(answers, lang), {"T": TOKEN})
            config = loaded.config
            assert config.language == "ru"
            assert config.sources[0].paths == ["/a b/*.log"]
            assert config.channels[0].commands
            assert config.channels[1].loud_from == "critical"
            assert config.dedup.window == 900
            assert config.max_age == 7200
            assert answers_from(yaml.safe_load(render_config(answers, lang))) == answers

    def test_the_env_file_is_read_by_the_config_and_the_environment_wins(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "secrets.env").write_text(
            render_env({"T": "from-file"}), encoding="utf-8"
        )
        (tmp_path / "secrets.env").chmod(0o600)
        text = "env_file: secrets.env\nchannels:\n  - {name: a, url: 'json://h/${T}'}\n"
        (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
        loaded = load_config(tmp_path / "c.yaml", {})
        assert loaded.config.channels[0].url.get_secret_value() == "json://h/from-file"
        assert loaded.warnings == []
        loaded = load_config(tmp_path / "c.yaml", {"T": "env"})
        assert loaded.config.channels[0].url.get_secret_value() == "json://h/env"
        if sys.platform != "win32":  # POSIX file modes
            (tmp_path / "secrets.env").chmod(0o644)
            assert "chmod 600" in load_config(tmp_path / "c.yaml", {}).warnings[0]
        (tmp_path / "secrets.env").unlink()
        with pytest.raises(Exception, match=r"c\.yaml:1: env_file"):
            load_config(tmp_path / "c.yaml", {})

    @pytest.mark.parametrize(
        ("text", "hours"),
        [
            ("23:00-07:00", ("23:00", "07:00")),
            ("7:30 – 9:00", ("07:30", "09:00")),
            ("-", None),
            ("", None),
        ],
    )
    def test_quiet_hours(self, text: str, hours: tuple[str, str] | None) -> None:
        assert parse_quiet_hours(text) == hours

    @pytest.mark.parametrize("text", ["23:00", "25:00-07:00", "08:00-08:00", "x"])
    def test_bad_quiet_hours(self, text: str) -> None:
        with pytest.raises(ValueError):  # noqa: PT011  any wording
            parse_quiet_hours(text)

    def test_a_folder_becomes_its_log_patterns_escaped_and_named_uniquely(
        self, tmp_path: Path
    ) -> None:
        folder = tmp_path / "Bot [2]"
        folder.mkdir()
        source = source_for(str(folder), ["Bot-2"])
        assert source["name"] == "Bot-2-2"
        assert source["paths"][0] == f"{tmp_path / 'Bot'} [[]2]/**/*.log"
        assert source_for("/x/*.txt", [])["paths"] == ["/x/*.txt"]

    def test_urls(self) -> None:
        assert email_url("smtp.x.ru", 465, "me@x.ru", "p%40ss", "to@y.ru") == (
            "mailtos://me%40x.ru:p%40ss@smtp.x.ru:465?from=me@x.ru&to=to@y.ru&mode=ssl"
        )
        assert "mode=starttls" in email_url("h", 587, "u", "p", "t")
        assert ntfy_url("topic") == "ntfys://ntfy.sh/topic"
        assert ntfy_url("https://ntfy.example/t") == "ntfys://ntfy.example/t"
