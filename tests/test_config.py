from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from logwatch.config import config_from_text, load_config, parse_duration
from logwatch.errors import InvalidConfig
from logwatch.model import Severity

GOOD = """
language: ru
channels:
  - name: phone
    url: "tgram://${TELEGRAM_BOT_TOKEN}/123456789"
    min_severity: error
  - name: mail
    url: "mailtos://alerts:${SMTP_PASSWORD}@smtp.example.com?to=trader@example.com"
  - name: desk
    url: "desktop://"
dedup:
  window: 10m
quiet_hours: {from: "23:00", to: 07:00}
"""
ENV = {
    "TELEGRAM_BOT_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "SMTP_PASSWORD": "s3cr3t-pw",
}


def test_the_example_config_loads_with_secrets_expanded_and_hidden() -> None:
    config = config_from_text(GOOD, ENV).config
    assert config.language == "ru"
    assert config.dedup.window == 600
    phone, mail, desk = config.channels
    assert (
        phone.url.get_secret_value() == f"tgram://{ENV['TELEGRAM_BOT_TOKEN']}/123456789"
    )
    assert phone.min_severity is Severity.ERROR
    assert phone.kind == "telegram"
    assert (mail.kind, desk.kind) == ("email", "desktop")
    assert ENV["SMTP_PASSWORD"] not in repr(config)
    assert ENV["TELEGRAM_BOT_TOKEN"] not in str(config)
    assert config.quiet_hours is not None
    assert config.quiet_hours.start == time(23)
    assert config.quiet_hours.end == time(7)


def test_every_problem_is_reported_at_its_line() -> None:
    bad = GOOD.replace("language: ru", "language: de").replace(
        "window: 10m", "window: soon"
    )
    bad = bad.replace(
        "    min_severity: error", "    min_severity: error\n    colour: red"
    )
    with pytest.raises(InvalidConfig) as info:
        config_from_text(bad, {"SMTP_PASSWORD": "x"}, "c.yaml")
    assert [e.format_message() for e in info.value.errors] == [
        "c.yaml:2: language: Input should be 'ru' or 'en'",
        "c.yaml:5: environment variable TELEGRAM_BOT_TOKEN is not set",
        "c.yaml:7: unknown key 'channels[0].colour'",
        "c.yaml:13: dedup.window: 'soon' is not a duration like 30s, 10m or 1h",
    ]


def test_duplicate_channel_names_and_a_default_for_a_missing_variable() -> None:
    text = "channels:\n  - {name: a, url: 'json://${HOST:-127.0.0.1}/x'}\n  - {name: a, url: 'json://h/y'}\n"
    with pytest.raises(InvalidConfig, match="channel name 'a' is used twice"):
        config_from_text(text, {})
    ok = config_from_text(
        text.replace("{name: a, url: 'json://h", "{name: b, url: 'json://h"), {}
    )
    assert ok.config.channels[0].url.get_secret_value() == "json://127.0.0.1/x"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30),
        ("10m", 600),
        ("1h", 3600),
        ("1.5h", 5400),
        (90, 90),
        ("0", 0),
        ("2d", 172800),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["soon", -1, True, "10 weeks", None])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def test_no_config_file_means_defaults_but_a_named_missing_one_is_an_error(
    tmp_path: Path,
) -> None:
    assert (
        load_config(
            None, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
        ).config.channels
        == []
    )
    with pytest.raises(InvalidConfig, match="no such config file"):
        load_config(tmp_path / "nope.yaml", {})
    with pytest.raises(InvalidConfig, match="no such config file"):
        load_config(None, {"LOGWATCH_CONFIG": str(tmp_path / "gone.yaml")})


def test_a_config_that_is_not_yaml_or_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("channels: [\n")
    with pytest.raises(InvalidConfig, match=r"a.yaml:2: not valid YAML"):
        load_config(tmp_path / "a.yaml", {})
    (tmp_path / "b.yaml").write_text("- a list\n")
    with pytest.raises(InvalidConfig, match=r"b.yaml:1: expected a mapping"):
        load_config(tmp_path / "b.yaml", {})
    (tmp_path / "c.yaml").write_text("a: 1\na: 2\n")
    with pytest.raises(InvalidConfig, match=r"c.yaml:2: duplicate key 'a'"):
        load_config(tmp_path / "c.yaml", {})
