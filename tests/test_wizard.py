"""``logwatch init``: driven through a real terminal (pexpect) in English and Russian,
and unattended with flags (what it writes: test_wizard_config). Telegram cannot be reached from here: the
Bot API is the fake server of tests/telegram_fake.py on 127.0.0.1."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from logwatch.app.wizard import Wizard
from logwatch.app.wizard_config import (
    Answers,
    answers_from,
    render_config,
    render_env,
    write_config,
)
from logwatch.app.wizard_ui import Options, Ui, WizardError
from logwatch.core.config import load_config
from logwatch.core.variables import parse_env_file
from tests import processes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.telegram_fake import CHANNEL, PRIVATE, TOKEN, FakeBotApi, _api  # noqa: F401  fixtures


def environ(
    tmp_path: Path, api: FakeBotApi, lang: str = "en_US.UTF-8"
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOGWATCH_", "LC_", "LANG", "DBUS_"))
        and "proxy" not in k.lower()
    }
    return {
        **env,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),  # no systemd manager there
        "LANG": lang,
        "PYTHONUTF8": "1",
        "NO_PROXY": "127.0.0.1",
        "LOGWATCH_TELEGRAM_API": api.url,
        "LOGWATCH_STATE_DIR": str(tmp_path / "state"),
        "COLUMNS": "200",
    }


def init(
    tmp_path: Path,
    api: FakeBotApi,
    *args: str,
    config: str = "c.yaml",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``logwatch init`` unattended, as a real process."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "logwatch",
            "init",
            "--config",
            str(tmp_path / config),
            *args,
        ],
        capture_output=True,
        # stdout and stderr are UTF-8 on every platform (cli.safe_output), not the
        # ANSI code page
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        env=environ(tmp_path, api) if env is None else env,
        timeout=180,  # a hang's backstop: ~3 s alone, ten times that on a busy machine
        check=False,
    )


def spawn(
    tmp_path: Path,
    api: FakeBotApi,
    lang: str,
    *args: str,
    desktop: bool = False,
) -> pexpect.spawn[str]:
    """``logwatch init`` in a terminal (``desktop``: in a desktop session, as far as
    the environment tells)."""
    env = environ(tmp_path, api, lang)
    if desktop:
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "logwatch", "init", "--config", str(tmp_path / "c.yaml"), *args],
        env=env,
        encoding="utf-8",
        timeout=120,  # per prompt: a hang's backstop, not a bound (a busy machine)
        dimensions=(50, 200),
    )
    return child


def freqtrade_log(tmp_path: Path) -> Path:
    logs = tmp_path / "freqtrade/user_data/logs"
    logs.mkdir(parents=True)
    (logs / "freqtrade.log").write_text(
        "2026-11-30 10:00:00,000 - freqtrade - INFO - hi\n", encoding="utf-8"
    )
    return logs


class TestTerminal:
    @pytest.mark.timeout(300)
    @processes.needs_pty
    def test_english_from_zero_to_a_working_config(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        freqtrade_log(tmp_path)
        (tmp_path / "bot" / "2026").mkdir(parents=True)
        (tmp_path / "bot" / "2026" / "bot.log").write_text("", encoding="utf-8")
        child = spawn(tmp_path, api, "en_US.UTF-8")
        child.expect_exact("Language / Язык (ru, en) [en]:")
        child.sendline("")
        child.expect_exact("freqtrade: 1 file(s), e.g.")
        child.expect_exact("Another log folder or file pattern to watch (empty: done):")
        child.sendline(str(tmp_path / "bot"))
        child.expect_exact("Another log folder")
        child.sendline("")
        child.expect_exact("Watch the logs found? [Y/n]:")
        child.sendline("y")
        child.expect_exact("Alerts to Telegram? [Y/n]:")
        child.sendline("")
        child.expect_exact("@BotFather")
        child.expect_exact("Bot token:")
        child.sendline(TOKEN)
        child.expect_exact("Bot @lw_alerts_bot (Alerts) found.")
        child.expect_exact("Now send any message to @lw_alerts_bot")
        api.say(PRIVATE, "hello bot")
        child.expect_exact("Message from Ivan (@ivan_t) (private, chat id 4242).")
        child.expect_exact("Send alerts to this chat? [Y/n]:")
        child.sendline("y")
        child.expect_exact("Answer /status, /mute, /ack from this chat? [Y/n]:")
        child.sendline("y")
        child.expect_exact("Alerts by e-mail? [y/N]:")
        child.sendline("")
        # issue 21: no desktop session here, so no [Y/n] for it
        child.expect_exact("No desktop here (no graphical session), so desktop ")
        child.expect_exact("ntfy topic or URL for phone push (empty: none):")
        child.sendline("")
        child.expect_exact("Any other Apprise URL (empty: done):")
        child.sendline("")
        child.expect_exact("Language of the alerts (ru, en) [en]:")
        child.sendline("ru")
        child.expect_exact("Quiet hours")
        child.sendline("25:00-7")
        child.expect_exact("Give two times like 23:00-07:00")
        child.sendline("23:00-07:00")
        child.expect_exact("Keep tokens and passwords in a separate file")
        child.sendline("y")
        child.expect_exact("telegram: delivered")
        child.expect_exact("Start logwatch in the background at every logon? [Y/n]:")
        child.sendline("n")
        child.expect_exact("Done.")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        assert TOKEN not in (tmp_path / "c.yaml").read_text(encoding="utf-8")
        config = load_config(tmp_path / "c.yaml", {}).config
        assert config.language == "ru"
        assert [s.name for s in config.sources] == ["freqtrade", "bot"]
        (channel,) = config.channels
        assert channel.url.get_secret_value() == f"tgram://{TOKEN}/4242"
        assert channel.commands
        assert config.quiet_hours is not None
        assert str(config.quiet_hours.start) == "23:00:00"
        sent = api.wait_sent(2)
        assert sent[0]["text"].startswith("✅ logwatch is connected")
        assert "[тест]" in sent[1]["text"]  # the test alert, in the alerts' language

    @pytest.mark.timeout(300)
    @processes.needs_pty
    def test_russian_with_a_wrong_token_first_then_edits_without_losing_anything(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        (tmp_path / "c.yaml").write_text(
            "language: en\ndedup:\n  window: 15m\nchannels:\n"
            "  - name: hook\n    url: json://127.0.0.1:9/x\n",
            encoding="utf-8",
        )
        child = spawn(tmp_path, api, "ru_RU.UTF-8", "--no-check", desktop=True)
        # issue 21: the config's language first, not the system's (ru here)
        child.expect_exact("Language / Язык (ru, en) [en]:")
        child.sendline("ru")
        child.expect_exact("Настройки уже есть в")
        child.expect_exact("Логов Quantower")
        child.expect_exact("Ещё папка с логами")
        child.sendline("")
        child.expect_exact("Уже настроены каналы: hook")
        child.expect_exact("Оставить их? [Д/н]:")
        child.sendline("может быть")
        # issue 21: an English "Error: invalid input" before
        child.expect_exact("Ответьте да или нет (д/н; y/n тоже подходят).")
        child.expect_exact("Оставить их? [Д/н]:")
        child.sendline("да")
        child.expect_exact("Оповещения в Telegram? [д/Н]:")
        child.sendline("д")
        child.expect_exact("Токен бота:")
        child.sendline("123456789:" + "x" * 35)
        child.expect_exact("Telegram не принял токен (401 Unauthorized)")
        child.expect_exact("Токен бота:")
        child.sendline(TOKEN)
        child.expect_exact("Теперь отправьте любое сообщение боту @lw_alerts_bot")
        api.say({"id": -100777, "type": "supergroup", "title": "Desk"}, "/start")
        child.expect_exact("Сообщение из Desk (супергруппа, id -100777).")
        child.sendline("")  # use this chat
        child.expect_exact("Отвечать на /status")
        child.sendline("нет")
        child.expect_exact("Оповещения по электронной почте? [д/Н]:")
        child.sendline("")
        child.expect_exact("Уведомления на рабочем столе этого ПК? [Д/н]:")
        child.sendline("н")
        child.expect_exact("Тема или URL ntfy")
        child.sendline("")
        child.expect_exact("Другой URL Apprise")
        child.sendline("")
        child.expect_exact("Язык оповещений (ru, en) [en]:")
        child.sendline("")
        child.expect_exact("Тихие часы")
        child.sendline("")
        child.expect_exact("Хранить токены и пароли в отдельном файле")
        child.sendline("n")
        child.expect_exact("Записать")
        child.sendline("Y")
        child.expect_exact("Прежние настройки сохранены в")
        child.expect_exact("Запускать logwatch в фоне")
        child.sendline("n")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        (backup,) = tmp_path.glob("c.yaml.*.bak")
        assert "15m" in backup.read_text(encoding="utf-8")
        data = yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))
        assert data["dedup"] == {"window": "15m"}  # not asked, kept
        assert data["language"] == "en"
        assert [c["name"] for c in data["channels"]] == ["hook", "telegram"]
        assert data["channels"][1]["url"] == f"tgram://{TOKEN}/-100777"
        assert "commands" not in data["channels"][1]
        assert not (tmp_path / "secrets.env").exists()

    @pytest.mark.timeout(300)
    @processes.needs_pty
    def test_declining_to_write_changes_nothing(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        original = "language: ru\n"
        (tmp_path / "c.yaml").write_text(original, encoding="utf-8")
        child = spawn(
            tmp_path,
            api,
            "en_US.UTF-8",
            "--language",
            "en",
            "--no-telegram",
            "--no-desktop",
            "--ntfy",
            "",
            "--quiet-hours",
            "-",
            "--alert-language",
            "en",
        )
        child.expect_exact("Another log folder")
        child.sendline("")
        child.expect_exact("Alerts by e-mail?")
        child.sendline("n")
        child.expect_exact("Any other Apprise URL")
        child.sendline("")
        child.expect_exact("Write ")
        child.sendline("n")
        child.expect_exact("Nothing written.")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1
        assert (tmp_path / "c.yaml").read_text(encoding="utf-8") == original
        assert not list(tmp_path.glob("*.bak"))

    @processes.needs_pty
    @pytest.mark.timeout(300)
    def test_a_folder_means_its_logs_at_any_depth_and_an_empty_one_is_asked_again(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        """Issue 21: a folder was its top-level ``*.log`` only, and init said Done
        while it watched nothing."""
        platform = tmp_path / "Quantower"
        for sub in ("Logs/2026", "Settings/Scripts/bot/logs"):
            (platform / sub).mkdir(parents=True)
        (platform / "Logs/2026/core.log").write_text("", encoding="utf-8")
        (platform / "Settings/Scripts/bot/logs/bot.slog").write_text(
            "", encoding="utf-8"
        )
        (tmp_path / "empty" / "sub").mkdir(parents=True)
        child = spawn(tmp_path, api, "en_US.UTF-8", *QUIET_FLAGS)
        child.expect_exact("Another log folder")
        child.sendline(str(tmp_path / "empty"))
        child.expect_exact("empty: no log files there (.log, .txt, .slog at any depth)")
        child.expect_exact("Watch it anyway, for logs that appear later? [y/N]:")
        child.sendline("")
        child.expect_exact("Another log folder")
        child.sendline(str(platform))
        child.expect_exact("Quantower: 2 log files there now")
        child.expect_exact("Another log folder")
        child.sendline("")
        child.expect_exact("Alerts by e-mail?")
        child.sendline("n")
        child.expect_exact("Any other Apprise URL")
        child.sendline("")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        config = load_config(tmp_path / "c.yaml", {}).config
        (source,) = config.sources
        assert source.paths == [
            f"{platform}/**/*.log",
            f"{platform}/**/*.txt",
            f"{platform}/**/*.slog",
        ]

    @processes.needs_pty
    @pytest.mark.timeout(300)
    def test_a_bad_apprise_url_is_asked_again_and_nothing_else_is_lost(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        """Issue 21: a bad URL stopped init at the end, every answer lost."""
        child = spawn(tmp_path, api, "en_US.UTF-8", *QUIET_FLAGS, "--secrets-file")
        said = io.StringIO()
        child.logfile_read = said
        child.expect_exact("Another log folder")
        child.sendline("")
        child.expect_exact("Alerts by e-mail? [y/N]:")
        child.sendline("y")
        for prompt, answer in [
            ("SMTP server", "smtp.example.com"),
            ("SMTP port", "465"),
            ("SMTP login", "me@example.com"),
            ("SMTP password", "pw"),
            ("Send alerts to", ""),
        ]:
            child.expect_exact(prompt)
            child.sendline(answer)
        child.expect_exact("Any other Apprise URL (empty: done):")
        child.sendline("nosuch://secret@x")
        child.expect_exact("Not a notification URL logwatch can use: nosuch://…")
        child.expect_exact("type it again, or leave it empty.")
        child.expect_exact("Any other Apprise URL (empty: done):")
        child.sendline("json://127.0.0.1:9/alerts")
        child.expect_exact("Any other Apprise URL (empty: done):")
        child.sendline("")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        assert "nosuch://secret" not in said.getvalue().replace(
            "nosuch://secret@x\r\n",
            "",
            1,  # the echo of what was typed
        )
        data = yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))
        assert [c["name"] for c in data["channels"]] == ["email", "apprise-1"]
        assert data["channels"][1]["url"] == "json://127.0.0.1:9/alerts"

    @processes.needs_pty
    @pytest.mark.timeout(300)
    @pytest.mark.parametrize(
        ("lang", "goodbye"),
        [
            ("ru_RU.UTF-8", "Настройка прервана; ничего не записано."),
            ("en_US.UTF-8", "Setup stopped; nothing was written."),
        ],
    )
    def test_ctrl_c_says_goodbye_in_the_language_not_aborted(
        self, tmp_path: Path, api: FakeBotApi, lang: str, goodbye: str
    ) -> None:
        child = spawn(tmp_path, api, lang)
        said = io.StringIO()
        child.logfile_read = said
        child.expect_exact("Language / Язык (ru, en)")
        child.sendline("")
        child.expect_exact("(пусто: готово):" if lang.startswith("ru") else "(empty")
        child.sendintr()
        child.expect_exact(goodbye)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1
        assert "Aborted" not in said.getvalue()
        assert not (tmp_path / "c.yaml").exists()

    @processes.needs_pty
    @pytest.mark.timeout(300)
    def test_ctrl_c_while_waiting_for_telegram_says_goodbye_too(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        child = spawn(tmp_path, api, "ru_RU.UTF-8", "--language", "ru", "--telegram")
        said = io.StringIO()
        child.logfile_read = said
        child.expect_exact("Ещё папка с логами")
        child.sendline("")
        child.expect_exact("Токен бота:")
        child.sendline(TOKEN)
        child.expect_exact("Жду до 120 с...")
        child.sendintr()
        child.expect_exact("Настройка прервана; ничего не записано.")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1
        assert "Aborted" not in said.getvalue()
        assert "Traceback" not in said.getvalue()


#: Flags that leave only the sources, e-mail and Apprise questions.
QUIET_FLAGS = (
    "--language",
    "en",
    "--no-telegram",
    "--no-desktop",
    "--ntfy",
    "",
    "--quiet-hours",
    "-",
    "--alert-language",
    "en",
    "--no-check",
    "--no-service",
)


class TestUnattended:
    @pytest.mark.skipif(
        sys.platform == "win32",
        reason="POSIX file modes, no D-Bus desktop and a systemd unit: Windows' init "
        "service is test_service's and test_windows'",
    )
    @pytest.mark.timeout(300)
    def test_flags_alone_write_a_config_that_checks_and_delivers(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        api.add_chat(PRIVATE)
        result = init(
            tmp_path,
            api,
            "--yes",
            "--telegram-token",
            TOKEN,
            "--telegram-chat",
            "4242",
            "--source",
            str(tmp_path / "logs"),
            "--quiet-hours",
            "22:30-6:00",
            "--ntfy",
            "trader-alerts",
            "--language",
            "ru",
        )
        # ntfy.sh cannot be reached from here: the test alert fails there, so exit 1
        assert result.returncode == 1, result.stderr + result.stdout
        assert "telegram: delivered" in result.stdout
        assert "ntfy: FAILED: A Connection error" in result.stdout
        assert "Записан" in result.stdout
        env_file = tmp_path / "secrets.env"
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "c.yaml").stat().st_mode) == 0o600
        assert TOKEN in env_file.read_text(encoding="utf-8")
        text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
        assert TOKEN not in text
        assert "# Куда слать оповещения" in text  # commented in the chosen language
        config = load_config(tmp_path / "c.yaml", {}).config
        # no desktop session here: not set up, and said why
        assert "Рабочего стола здесь нет" in result.stdout
        assert [c.name for c in config.channels] == ["telegram", "ntfy"]
        assert config.channels[1].url.get_secret_value() == (
            "ntfys://ntfy.sh/trader-alerts"
        )
        assert config.sources[0].paths[0] == f"{tmp_path / 'logs/**/*.log'}"
        assert f"{tmp_path / 'logs'} (пока) не существует" in result.stdout
        # the service was installed (no systemd here: the unit, and what to run)
        unit = tmp_path / ".config/systemd/user/logwatch.service"
        assert f"run --config {tmp_path / 'c.yaml'}" in unit.read_text(encoding="utf-8")

    @pytest.mark.timeout(300)
    def test_a_missing_required_answer_is_an_error_not_a_prompt(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        result = init(tmp_path, api, "--yes", "--telegram")
        assert result.returncode == 2
        assert "--telegram-token" in result.stderr
        assert not (tmp_path / "c.yaml").exists()

    @pytest.mark.timeout(300)
    def test_a_wrong_token_says_401_and_writes_nothing(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        result = init(tmp_path, api, "--yes", "--telegram-token", "1234567:" + "y" * 35)
        assert result.returncode == 1
        assert "401 Unauthorized" in result.stderr
        assert "y" * 35 not in result.stderr + result.stdout
        assert not (tmp_path / "c.yaml").exists()

    @pytest.mark.timeout(300)
    def test_no_message_within_the_wait_says_how_to_go_on(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        result = init(
            tmp_path, api, "--yes", "--telegram-token", TOKEN, "--telegram-wait", "1"
        )
        assert result.returncode == 1
        assert "No message reached @lw_alerts_bot within 1 s" in result.stderr
        assert "--telegram-chat" in result.stderr
        assert not (tmp_path / "c.yaml").exists()

    @pytest.mark.timeout(300)
    def test_a_channel_the_bot_cannot_write_to_is_refused_with_the_fix(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        api.add_chat(CHANNEL, writable=False)
        result = init(
            tmp_path,
            api,
            "--yes",
            "--telegram-token",
            TOKEN,
            "--telegram-chat",
            str(CHANNEL["id"]),
        )
        assert result.returncode == 1
        assert "cannot write to Signals" in result.stderr
        assert "administrator" in result.stderr
        assert not (tmp_path / "c.yaml").exists()

    @pytest.mark.timeout(300)
    def test_an_unparseable_config_stops_init_and_says_where(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        broken = "language: en\nchannels:\n  - name: x\n   url: [\n"
        (tmp_path / "c.yaml").write_text(broken, encoding="utf-8")
        result = init(tmp_path, api, "--yes", "--no-telegram")
        assert result.returncode == 2
        assert f"{tmp_path / 'c.yaml'}:4" in result.stderr
        assert (tmp_path / "c.yaml").read_text(encoding="utf-8") == broken

    @pytest.mark.timeout(300)
    def test_the_configs_own_bot_api_is_used_when_no_variable_says_otherwise(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        api.add_chat(PRIVATE)
        (tmp_path / "c.yaml").write_text(f"telegram_api: {api.url}\n", encoding="utf-8")
        env = environ(tmp_path, api)
        del env["LOGWATCH_TELEGRAM_API"]
        result = init(
            tmp_path,
            api,
            "--yes",
            "--no-service",
            "--no-desktop",
            "--telegram-token",
            TOKEN,
            "--telegram-chat",
            "4242",
            env=env,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert "telegram: delivered" in result.stdout
        assert (
            yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))[
                "telegram_api"
            ]
            == api.url
        )

    @pytest.mark.timeout(300)
    def test_a_rerun_with_yes_keeps_a_backup_and_the_secrets(
        self, tmp_path: Path, api: FakeBotApi
    ) -> None:
        api.add_chat(PRIVATE)
        args = ("--yes", "--no-check", "--no-service", "--no-desktop")
        first = init(
            tmp_path, api, *args, "--telegram-token", TOKEN, "--telegram-chat", "4242"
        )
        assert first.returncode == 0, first.stderr
        second = init(tmp_path, api, *args, "--quiet-hours", "23:00-07:00")
        assert second.returncode == 0, second.stderr
        assert len(list(tmp_path.glob("c.yaml.*.bak"))) == 1
        config = load_config(tmp_path / "c.yaml", {}).config
        assert config.channels[0].url.get_secret_value() == f"tgram://{TOKEN}/4242"
        assert config.quiet_hours is not None


class Scripted(Ui):
    """Answers questions from a script (in-process; the terminal tests cover click)."""

    def __init__(self, answers: dict[str, str]) -> None:
        super().__init__(False, self.said.append)
        self.answers = answers

    said: list[str]

    def ask(self, text: str, default: str | None, flag: str, hide: bool = False) -> str:
        for key, value in self.answers.items():
            if key in text:
                return value
        return default or ""

    def confirm(self, text: str, default: bool) -> bool:
        return self.ask(text, "y" if default else "n", "") == "y"

    def choose(self, text: str, choices: Sequence[str], default: str) -> str:
        return self.ask(text, default, "")


def wizard(tmp_path: Path, answers: dict[str, str], valid: bool = True) -> Wizard:
    Scripted.said = []
    options = Options(config=tmp_path / "c.yaml", language="en", telegram=False)
    return Wizard(
        options, Scripted(answers), FakeClock(), [], None, "en", lambda url: valid
    )


def test_email_answers_become_a_mailto_channel_with_the_password_apart(
    tmp_path: Path,
) -> None:
    answers, _ = wizard(
        tmp_path,
        {
            "e-mail": "y",
            "SMTP server": "smtp.example.com",
            "SMTP port": "465",
            "SMTP login": "me@example.com",
            "SMTP password": "p@ss:word/1",
            "Send alerts to": "desk@example.com",
            "desktop": "n",
            "Apprise": "",
        },
    ).run()
    (channel,) = answers.channels
    assert channel["url"] == (
        "mailtos://me%40example.com:${SMTP_PASSWORD}@smtp.example.com:465"
        "?from=me@example.com&to=desk@example.com&mode=ssl"
    )
    assert answers.secrets == {"SMTP_PASSWORD": "p%40ss%3Aword%2F1"}
    assert answers.env_file == "secrets.env"
    backup, env = write_config(tmp_path / "c.yaml", answers, "en", "t")
    assert backup is None
    assert env == tmp_path / "secrets.env"
    loaded = load_config(tmp_path / "c.yaml", {})
    url = loaded.config.channels[0].url.get_secret_value()
    assert "p%40ss%3Aword%2F1@smtp.example.com" in url


def test_an_apprise_url_that_is_not_one_stops_init(tmp_path: Path) -> None:
    w = wizard(tmp_path, {"desktop": "n", "Apprise": ""}, valid=False)
    w.o.apprise_urls = ("nosuch://secret@x",)
    with pytest.raises(WizardError, match="nosuch://…") as info:
        w.run()
    assert "secret" not in str(info.value)


@pytest.mark.timeout(300)
def test_a_running_logwatch_takes_the_new_config(
    tmp_path: Path, api: FakeBotApi
) -> None:
    from tests.daemon_run import Run

    (tmp_path / "logs").mkdir()
    config = (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n"
    )
    run = Run(tmp_path, config)
    result = init(
        tmp_path,
        api,
        "--yes",
        "--no-telegram",
        "--no-desktop",
        "--no-service",
        "--no-check",
        "--quiet-hours",
        "23:00-07:00",
        config="config.yaml",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "The running logwatch took the new config." in result.stdout
    wait_until(
        lambda: any("reloaded" in line for line in run.err),
        10,
        "the reload",
    )
    assert run.stop() == 0


@pytest.mark.timeout(300)
def test_a_logwatch_running_another_config_is_named_not_said_to_take_this_one(
    tmp_path: Path, api: FakeBotApi
) -> None:
    """Issue 21: init said "took the new config" when the running logwatch re-read
    its own, another one."""
    from tests.daemon_run import Run

    (tmp_path / "logs").mkdir()
    config = (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n"
    )
    run = Run(tmp_path, config)
    result = init(
        tmp_path,
        api,
        "--yes",
        "--no-telegram",
        "--no-desktop",
        "--no-service",
        "--no-check",
        config="other.yaml",
    )
    assert result.returncode == 1, result.stderr + result.stdout
    assert "took the new config" not in result.stdout
    assert (
        f"A logwatch runs already (pid {run.proc.pid}) with another config, "
        f"{tmp_path / 'config.yaml'}, so it does not use {tmp_path / 'other.yaml'}"
    ) in result.stdout
    assert f"`logwatch init --config {tmp_path / 'config.yaml'}`" in result.stdout
    assert not any("reloaded" in line for line in run.err)
    assert run.stop() == 0


_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@given(
    names=st.lists(
        st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    paths=st.lists(_text, min_size=1, max_size=3),
    url=_text,
    lang=st.sampled_from(["ru", "en"]),
)
def test_whatever_the_answers_the_written_yaml_reads_back_the_same(
    names: list[str], paths: list[str], url: str, lang: str
) -> None:
    """Paths and URLs holding ': ', '#', quotes or Cyrillic stay values, never YAML."""
    answers = Answers(
        language=lang,
        sources=[{"name": n, "paths": paths} for n in names],
        channels=[{"name": n, "url": url} for n in names],
        quiet_hours=("23:00", "07:00"),
        kept={"max_age": "2h"},
    )
    assert answers_from(yaml.safe_load(render_config(answers, lang))) == answers


@pytest.mark.timeout(300)
def test_a_password_in_email_url_goes_to_the_secrets_file(
    tmp_path: Path, api: FakeBotApi
) -> None:
    url = "mailtos://me%40x.ru:S3cret-pw@smtp.x.ru:465?to=t@x.ru"
    result = init(
        tmp_path,
        api,
        "--yes",
        "--no-service",
        "--no-check",
        "--no-desktop",
        "--email-url",
        url,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert "S3cret-pw" not in text
    assert "mailtos://me%40x.ru:${SMTP_PASSWORD}@smtp.x.ru:465?to=t@x.ru" in text
    secrets = (tmp_path / "secrets.env").read_text(encoding="utf-8")
    assert parse_env_file(secrets, "secrets.env")[0] == {"SMTP_PASSWORD": "S3cret-pw"}
    loaded = load_config(tmp_path / "c.yaml", {}).config
    assert loaded.channels[0].url.get_secret_value() == url


@pytest.mark.timeout(300)
def test_the_token_may_come_from_the_environment(
    tmp_path: Path, api: FakeBotApi
) -> None:
    api.add_chat(PRIVATE)
    env = {**environ(tmp_path, api), "TELEGRAM_BOT_TOKEN": TOKEN}
    result = init(
        tmp_path,
        api,
        "--yes",
        "--no-service",
        "--no-check",
        "--no-desktop",
        "--telegram-chat",
        "4242",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert TOKEN in (tmp_path / "secrets.env").read_text(encoding="utf-8")


# -- secrets.env: written privately, read back exactly (issue 18, items 9 and 14) -------

#: values a password or token may hold that a hand-made KEY=value format mangles
TRICKY = [
    "123:abc # my bot",
    "a#b",
    "trailing spaces  ",
    "  leading spaces",
    "it's",
    'say "hi"',
    "\"'mixed'\"",
    "back\\slash\\",
    "backslash-n \\n stays",
    "real\nnewline",
    "a=b=c",
    "пароль ключ",
    "$HOME ${HOME} ${TOKEN}",
    "",
    "tab\there",
]


@pytest.mark.parametrize("value", TRICKY)
def test_what_init_writes_to_secrets_env_reads_back_exactly(
    tmp_path: Path, value: str
) -> None:
    """Before: ``NAME=value`` unquoted, so a ``#``, quotes or spaces at either end
    came back changed (or cut), and a newline broke the file."""
    answers = Answers(
        channels=[{"name": "hook", "url": "json://h/?k=${P}"}],
        secrets={"P": value},
        env_file="secrets.env",
    )
    write_config(tmp_path / "c.yaml", answers, "en", "stamp")
    loaded = load_config(tmp_path / "c.yaml", {})
    assert loaded.config.channels[0].url.get_secret_value() == f"json://h/?k={value}"
    assert loaded.warnings == []
    again = answers_from(yaml.safe_load((tmp_path / "c.yaml").read_text("utf-8")))
    again.secrets = {"Q": "another"}
    write_config(tmp_path / "c.yaml", again, "en", "stamp2")  # a rerun keeps it
    text = (tmp_path / "secrets.env").read_text("utf-8")
    assert parse_env_file(text, "secrets.env") == ({"P": value, "Q": "another"}, [])


@given(
    st.dictionaries(
        st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True),
        st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    )
)
def test_any_secret_round_trips_through_the_env_file(secrets: dict[str, str]) -> None:
    """Any text, control characters and all, comes back as it was written."""
    assert parse_env_file(render_env(secrets), "secrets.env") == (secrets, [])


@pytest.mark.timeout(300)
@pytest.mark.skipif(
    sys.platform == "win32",
    reason="a symbolic link needs a privilege on Windows; file modes are POSIX",
)
@pytest.mark.parametrize("planted", ["secrets.env.tmp", "c.yaml.tmp"])
def test_a_planted_tmp_link_gets_no_secret_and_no_chmod(
    tmp_path: Path, api: FakeBotApi, planted: str
) -> None:
    """Before: init wrote ``NAME.tmp`` through a link planted there (the SMTP password
    went to the link's target, which was then made 0600 and renamed into place)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own text\n", encoding="utf-8")
    victim.chmod(0o644)
    (tmp_path / planted).symlink_to(victim)
    url = "mailtos://me%40x.ru:S3cret-pw@smtp.x.ru:465?to=t@x.ru"
    args = ("--yes", "--no-service", "--no-check", "--no-desktop", "--email-url", url)
    result = init(tmp_path, api, *args)
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "the victim's own text\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    for name in ("secrets.env", "c.yaml"):
        mode = (tmp_path / name).lstat().st_mode
        assert stat.S_ISREG(mode), name
        assert stat.S_IMODE(mode) == 0o600, name
    config = load_config(tmp_path / "c.yaml", {}).config
    assert config.channels[0].url.get_secret_value() == url
    assert (tmp_path / planted).readlink() == victim
