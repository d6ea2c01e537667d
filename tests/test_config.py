from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from logwatch.core.config import config_from_text, load_config, load_state_dir
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Severity

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
    (tmp_path / "a.yaml").write_text("channels: [\n", encoding="utf-8")
    with pytest.raises(InvalidConfig, match=r"a.yaml:2: not valid YAML"):
        load_config(tmp_path / "a.yaml", {})
    (tmp_path / "b.yaml").write_text("- a list\n", encoding="utf-8")
    with pytest.raises(InvalidConfig, match=r"b.yaml:1: expected a mapping"):
        load_config(tmp_path / "b.yaml", {})
    (tmp_path / "c.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(InvalidConfig, match=r"c.yaml:2: duplicate key 'a'"):
        load_config(tmp_path / "c.yaml", {})


# -- values that cannot hurt (issue 11) ------------------------------------------------


@pytest.mark.parametrize(
    "value", [".nan", ".inf", "-.inf", "99999999999999999999d", "31d", "-5"]
)
@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("dedup.window", "language: en\ndedup:\n  window: {v}\n"),
        ("max_age", "language: en\nmax_age: {v}\n"),
        (
            "sources[0].backfill",
            "language: en\nsources:\n  - name: a\n    paths: [x]\n    backfill: {v}\n",
        ),
        (
            "sources[0].silence",
            "language: en\nsources:\n  - name: a\n    paths: [x]\n    silence: {v}\n",
        ),
    ],
)
def test_a_duration_that_is_not_finite_or_out_of_bounds_is_refused_at_its_line(
    key: str, text: str, value: str
) -> None:
    """`.nan` passed check and then killed the daemon at the first hit."""
    source = text.format(v=value)
    line = source.splitlines().index(
        next(x for x in source.splitlines() if x.endswith(value))
    )
    with pytest.raises(InvalidConfig) as info:
        config_from_text(source, {}, "c.yaml")
    (error,) = info.value.errors
    assert error.format_message().startswith(f"c.yaml:{line + 1}: {key}: ")


@pytest.mark.parametrize("value", ["0", "30s", "59"])
def test_max_age_below_a_minute_is_refused(value: str) -> None:
    """`max_age: 0` delivered nothing and bounced `alerts_expired` between channels."""
    with pytest.raises(InvalidConfig, match=r"c.yaml:1: max_age: .* too short"):
        config_from_text(f"max_age: {value}\n", {}, "c.yaml")
    assert config_from_text("max_age: 1m\n", {}).config.max_age == 60


def test_a_rule_window_that_is_not_finite_is_refused_at_its_line() -> None:
    from logwatch.rulebook.rulecompile import rules_from_text

    text = (
        "rules:\n  - id: t.x\n    severity: info\n    title: {en: x, ru: x}\n"
        "    remedy: {en: x, ru: x}\n    patterns: ['X']\n    samples: ['X']\n"
        "    window: .nan\n"
    )
    with pytest.raises(InvalidConfig, match=r"r.yaml:8: .*window"):
        rules_from_text(text, "r.yaml")


def _alias_bomb(levels: int = 8) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_where_it_blows_up(tmp_path: Path) -> None:
    """An 8-level bomb took 45 s and 1.2 GB; it is refused before it is expanded."""
    (tmp_path / "bomb.yaml").write_text(_alias_bomb(), encoding="utf-8")
    with pytest.raises(InvalidConfig) as info:
        load_config(tmp_path / "bomb.yaml", {})
    (error,) = info.value.errors
    assert error.line == 7  # g: nine times f, which is nine times e...
    assert "aliases expand to more than 1,000,000 values" in error.message


def test_aliases_within_bounds_still_work() -> None:
    text = "sources:\n  - {name: a, paths: &p [x, y]}\n  - {name: b, paths: *p}\n"
    a, b = config_from_text(text, {}).config.sources
    assert a.paths == b.paths == ["x", "y"]


def test_an_alias_that_refers_to_itself_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("language: en\nx: &x [*x]\n", encoding="utf-8")
    with pytest.raises(InvalidConfig, match=r"c.yaml:2: an alias refers to itself"):
        load_config(tmp_path / "c.yaml", {})


def test_a_config_file_over_4_mb_is_refused_unread(tmp_path: Path) -> None:
    """A 100 MB config was accepted; only the first 4 MB + 1 byte are read now."""
    path = tmp_path / "c.yaml"
    with path.open("w") as file:
        file.write("language: en\n")
        file.truncate(100 * 2**20)  # sparse: cheap to make
    with pytest.raises(InvalidConfig, match=r"c.yaml:1: the file is 100.0 MB; .* 4 MB"):
        load_config(path, {})


def test_duplicate_source_names_are_refused_at_their_line() -> None:
    text = (
        "sources:\n  - name: bot\n    paths: [a]\n  - name: other\n    paths: [b]\n"
        "  - name: bot\n    paths: [c]\n"
    )
    with pytest.raises(InvalidConfig) as info:
        config_from_text(text, {}, "c.yaml")
    assert [e.format_message() for e in info.value.errors] == [
        "c.yaml:6: source name 'bot' is used twice"
    ]


def test_quiet_hours_from_equal_to_is_refused_at_its_line() -> None:
    with pytest.raises(InvalidConfig, match=r"c.yaml:2: quiet_hours: .*same time"):
        config_from_text(
            'language: en\nquiet_hours: {from: "23:00", to: "23:00"}\n', {}, "c.yaml"
        )


@pytest.mark.parametrize(
    "url",
    [
        "tgram://123:abc/42",
        "tgram://12345678:short/42",
        "tgram://AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/42",
        "telegram://12345678:AAH dqTcvCH1vGWJxfSeofSAs0K5PALDsaw/42",
    ],
)
def test_a_malformed_telegram_token_is_refused_at_its_line(url: str) -> None:
    text = f"language: en\nchannels:\n  - name: tg\n    url: '{url}'\n"
    with pytest.raises(InvalidConfig) as info:
        config_from_text(text, {}, "c.yaml")
    (error,) = info.value.errors
    assert error.format_message().startswith(
        "c.yaml:4: channels[0].url: not a Telegram bot token"
    )
    assert "abc" not in error.message
    assert "short" not in error.message


def test_check_refuses_a_nan_window_at_its_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from logwatch.app.cli import cli

    (tmp_path / "c.yaml").write_text(
        f"state_dir: {tmp_path / 's'}\ndedup:\n  window: .nan\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["check", "--config", str(tmp_path / "c.yaml")], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert (
        f"{tmp_path / 'c.yaml'}:3: dedup.window: nan is not a duration" in result.output
    )


class TestEnvironment:
    """``LOGWATCH_*`` variables override the file, key by key."""

    def test_a_variable_overrides_a_nested_key_and_keeps_its_siblings(self) -> None:
        text = "language: ru\nquiet_hours: {from: '23:00', to: '07:00'}\n"
        env = {"LOGWATCH_QUIET_HOURS__FROM": "22:00", "LOGWATCH_LANGUAGE": "en"}
        config = config_from_text(text, env).config
        assert config.language == "en"
        assert config.quiet_hours is not None
        assert (config.quiet_hours.start, config.quiet_hours.end) == (time(22), time(7))

    def test_lists_and_mappings_are_json_and_a_key_wins_over_its_mapping(
        self,
    ) -> None:
        env = {
            "LOGWATCH_SOURCES": '[{"name": "bot", "paths": ["/logs/*.log"]}]',
            "LOGWATCH_DEDUP": '{"window": "1m"}',
            "LOGWATCH_DEDUP__WINDOW": "5m",
        }
        config = config_from_text("dedup: {window: 10m}\n", env).config
        assert [(s.name, s.paths) for s in config.sources] == [("bot", ["/logs/*.log"])]
        assert config.dedup.window == 300

    def test_the_defaults_are_overridden_without_a_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config file there
        env = {"LOGWATCH_MAX_AGE": "2h", "LOGWATCH_TELEGRAM_API": "http://127.0.0.1:1"}
        loaded = load_config(None, env)
        assert loaded.source == "(no config file)"
        assert (loaded.config.max_age, loaded.config.telegram_api) == (
            7200,
            "http://127.0.0.1:1",
        )

    def test_every_bad_value_is_reported_with_its_variable_and_no_traceback(
        self,
    ) -> None:
        env = {
            "LOGWATCH_DEDUP__WINDOW": "soon",
            "LOGWATCH_SOURCES": '[{"name": "bot"}]',
            "LOGWATCH_LANGUAGE": "de",
            "LOGWATCH_DEDUP__COLOUR": "red",
        }
        with pytest.raises(InvalidConfig) as info:
            config_from_text("language: en\ndedup:\n  window: 1m\n", env, "c.yaml")
        assert sorted(e.format_message() for e in info.value.errors) == [
            "c.yaml: environment variable LOGWATCH_DEDUP__COLOUR: "
            "unknown key 'dedup.colour'",
            "c.yaml: environment variable LOGWATCH_DEDUP__WINDOW: "
            "dedup.window: 'soon' is not a duration like 30s, 10m or 1h",
            "c.yaml: environment variable LOGWATCH_LANGUAGE: "
            "language: Input should be 'ru' or 'en'",
            "c.yaml: environment variable LOGWATCH_SOURCES: sources[0].paths is missing",
        ]

    def test_json_that_does_not_parse_is_taken_as_text_and_named(self) -> None:
        env = {"LOGWATCH_SOURCES": "[{oops", "LOGWATCH_INSTANCE": "[desk 2]"}
        with pytest.raises(InvalidConfig) as info:
            config_from_text("language: en\n", env, "c.yaml")
        ((error,),) = [info.value.errors]
        assert error.format_message().startswith(
            "c.yaml: environment variable LOGWATCH_SOURCES: sources: Input should be"
        )
        env.pop("LOGWATCH_SOURCES")
        assert config_from_text("language: en\n", env).config.instance == "[desk 2]"

    def test_a_secret_in_a_variable_is_not_in_its_error(self) -> None:
        token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        env = {
            "LOGWATCH_CHANNELS": f'[{{"name": "Bad Name", "url": "tgram://{token}/1"}}]'
        }
        with pytest.raises(InvalidConfig) as info:
            config_from_text("", env, "c.yaml")
        text = info.value.format_message()
        assert "LOGWATCH_CHANNELS: channels[0].name" in text
        assert token not in text
        assert token.split(":")[1] not in text

    def test_a_misspelt_variable_is_a_warning_not_a_setting(self) -> None:
        loaded = config_from_text("", {"LOGWATCH_LANGAUGE": "en"})
        assert loaded.config.language is None
        assert loaded.warnings == [
            "environment variable LOGWATCH_LANGAUGE is not a logwatch setting; ignored"
        ]

    @pytest.mark.parametrize(
        "name", ["LOGWATCH_CONFIG", "LOGWATCH_STATE_DIR", "LOGWATCH_CACHE_DIR"]
    )
    def test_our_variables_that_are_not_settings_are_no_warning(
        self, name: str
    ) -> None:
        assert config_from_text("", {name: "/somewhere"}).warnings == []


class TestStateDirAlone:
    """``status`` reads the state_dir only: channel secrets may be unset there."""

    def test_a_channel_with_an_unset_variable_does_not_matter(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "c.yaml"
        path.write_text(
            f"state_dir: {tmp_path / 's'}\nchannels:\n"
            "  - {name: tg, url: 'tgram://${TOKEN}/1'}\n",
            encoding="utf-8",
        )
        with pytest.raises(InvalidConfig, match="TOKEN is not set"):
            load_config(path, {})
        assert load_state_dir(path, {}) == str(tmp_path / "s")

    def test_a_bad_state_dir_is_reported_at_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "c.yaml"
        path.write_text("language: en\nstate_dir: [a, b]\n", encoding="utf-8")
        with pytest.raises(InvalidConfig) as info:
            load_state_dir(path, {})
        assert info.value.format_message().startswith(f"{path}:2: state_dir: ")

    def test_a_named_file_must_exist_and_none_means_the_defaults(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with pytest.raises(InvalidConfig, match="no such config file"):
            load_state_dir(tmp_path / "none.yaml", {})
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
        assert load_state_dir(None, {}) is None


# -- how the file is saved (issue 21) ---------------------------------------------------

SAVED_CONFIG = "language: ru\n# Следить за логами\ndedup:\n  window: 15m\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16"], ids=["utf8", "utf8-bom", "utf16"]
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_config_saved_as_unicode_is_read(
    tmp_path: Path, encoding: str, newline: str
) -> None:
    """A Windows editor's "Unicode" is UTF-16 with a BOM: it was "binary data"."""
    path = tmp_path / "c.yaml"
    path.write_bytes(SAVED_CONFIG.replace("\n", newline).encode(encoding))
    config = load_config(path, {}).config
    assert config.language == "ru"
    assert config.dedup.window == 900


def test_a_config_saved_as_utf16_big_endian_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xfe\xff" + SAVED_CONFIG.encode("utf-16-be"))
    assert load_config(path, {}).config.language == "ru"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "cp866"])
def test_a_config_in_another_encoding_says_save_it_as_utf8_at_its_line(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(SAVED_CONFIG.encode(encoding))
    with pytest.raises(InvalidConfig) as info:
        load_config(path, {})
    (message,) = [e.format_message() for e in info.value.errors]
    assert message == (
        f"{path}:2: not a YAML file in UTF-8: it is saved in another encoding (such "
        "as Windows-1251); save it as UTF-8"
    )


def test_utf16_without_its_bom_is_binary_data_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(SAVED_CONFIG.encode("utf-16-le"))
    with pytest.raises(InvalidConfig) as info:
        load_config(path, {})
    assert info.value.errors[0].format_message() == (
        f"{path}:1: not a YAML text file: it holds binary data (if it is text, save "
        "it as UTF-8)"
    )


def test_an_env_file_saved_as_unicode_is_read_and_cp1251_is_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "secrets.env").write_bytes("TOKEN='пароль'\n".encode("utf-16"))
    path = tmp_path / "c.yaml"
    path.write_text(
        "env_file: secrets.env\nchannels:\n  - {name: a, url: 'json://h/${TOKEN}'}\n",
        encoding="utf-8",
    )
    url = load_config(path, {}).config.channels[0].url.get_secret_value()
    assert url == "json://h/пароль"
    (tmp_path / "secrets.env").write_bytes("# тест\nTOKEN='пароль'\n".encode("cp1251"))
    with pytest.raises(InvalidConfig) as info:
        load_config(path, {})
    assert info.value.errors[0].format_message() == (
        f"{path}:1: env_file {tmp_path / 'secrets.env'}:1: not a text file in UTF-8: "
        "it is saved in another encoding (such as Windows-1251); save it as UTF-8"
    )


@pytest.mark.parametrize("inside", [False, True], ids=["itself", "a-folder-in-it"])
def test_a_state_dir_that_is_a_file_is_said_to_be_one(
    tmp_path: Path, inside: bool
) -> None:
    """It was ``state_dir …: File exists`` (or ``Not a directory``)."""
    from click.testing import CliRunner

    from logwatch.app.cli import cli

    file = tmp_path / "state"
    file.write_text("", encoding="utf-8")
    state = file / "x" if inside else file
    path = tmp_path / "c.yaml"
    path.write_text(f"language: en\nstate_dir: {state}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: state_dir {file} is a file, not a folder" in result.stderr
    assert "exists" not in result.stderr
