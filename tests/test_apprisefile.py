"""An Apprise config file (YAML or TEXT, with tags) as a source of channels, as Apprise's
users keep their URLs: read by Apprise itself, each URL one channel named after its tag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.daemon_run import MARGIN, Run, logwatch
from tests.follow_harness import write
from tests.servers import Hook, _hook  # noqa: F401  fixtures

FORMATS = {
    "apprise.yml": (
        "urls:\n"
        "  - json://127.0.0.1:{port}/desk:\n      tag: Trading Desk, desk\n"
        "  - json://127.0.0.1:{port}/family:\n      - tag: family\n"
        "  - json://127.0.0.1:{port}/plain\n"
    ),
    "apprise.txt": (
        "Trading Desk, desk=json://127.0.0.1:{port}/desk\n"
        "family=json://127.0.0.1:{port}/family\n"
        "json://127.0.0.1:{port}/plain\n"
    ),
}


def _config(tmp_path: Path, name: str, extra: str = "") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        f"apprise_config: {name}\n" + extra,
        encoding="utf-8",
    )
    return config


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_url_of_the_file_is_a_channel_named_after_its_tag(
    tmp_path: Path, hook: Hook, name: str
) -> None:
    (tmp_path / name).write_text(FORMATS[name].format(port=hook.port), "utf-8")
    config = _config(tmp_path, name)
    done = logwatch("check", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "3 channels" in done.stdout
    for channel in ("desk", "family", "apprise"):
        assert f"  channel {channel}: info and above" in done.stdout
    (tmp_path / "logs").mkdir()
    run = Run(tmp_path, None, env={"LOGWATCH_CONFIG": str(config)})
    try:
        write(tmp_path / "logs" / "bot.log", MARGIN)
        wait_until(lambda: len(hook.posts) == 3, 60, "one alert to each URL")
    finally:
        assert run.stop() == 0
    assert sorted(path for path, _, _ in hook.posts) == ["/desk", "/family", "/plain"]


@pytest.mark.timeout(300)
def test_apprise_tags_take_only_the_urls_with_one(tmp_path: Path, hook: Hook) -> None:
    (tmp_path / "apprise.yml").write_text(
        FORMATS["apprise.yml"].format(port=hook.port), "utf-8"
    )
    config = _config(tmp_path, "apprise.yml", "apprise_tags: [family]\n")
    done = logwatch("check", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "1 channels" in done.stdout
    assert "  channel family: info and above" in done.stdout


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "File is not accessible"),
        ("garbage here !!!\n", "Invalid Apprise TEXT configuration"),
        ("urls:\n  - json://127.0.0.1:9/x:\n      tag: desk\n", "no URL has a tag"),
    ],
)
def test_a_file_that_gives_no_channel_is_an_error_at_its_line(
    tmp_path: Path, text: str | None, said: str
) -> None:
    name = "apprise.yml" if text and text.startswith("urls") else "apprise.txt"
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = _config(tmp_path, name, "apprise_tags: [family]\n")
    done = logwatch("check", "--config", str(config))
    assert done.returncode == 2
    assert f"{config}:6: apprise_config {tmp_path / name}: " in done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.timeout(300)
def test_a_password_in_the_file_is_masked_like_a_channels(tmp_path: Path) -> None:
    (tmp_path / "apprise.txt").write_text(
        "mail=mailtos://alerts:Vq83kLm2Xz@smtp.example.com?to=me@example.com\n",
        encoding="utf-8",
    )
    config = _config(tmp_path, "apprise.txt")
    log = tmp_path / "bot.log"
    log.write_text(
        "ERROR smtp login alerts:Vq83kLm2Xz failed; binance: Margin is insufficient.\n",
        encoding="utf-8",
    )
    env = {**os.environ, "LOGWATCH_CONFIG": str(config)}
    done = logwatch("scan", str(log), env=env)
    assert done.returncode == 0, done.stderr  # the line raised its alert
    assert "binance.margin-insufficient" in done.stdout
    assert "Vq83kLm2Xz" not in done.stdout + done.stderr


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Apprise takes both; logwatch's own checks refuse the second: an error, no crash
        (
            "_team=json://127.0.0.1:9/a\ntgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\n",
            "URL 2 (Telegram): ",
        ),
        # one good URL does not hide a bad one
        ("desk=json://127.0.0.1:9/a\nbogus://user:Pw9xQz7@host\n", "bogus"),
    ],
)
def test_every_url_apprise_or_logwatch_refuses_is_named(
    tmp_path: Path, text: str, said: str
) -> None:
    (tmp_path / "apprise.txt").write_text(text, encoding="utf-8")
    config = _config(tmp_path, "apprise.txt")
    for command in ("check", "test-notify"):
        done = logwatch(command, "--config", str(config))
        assert done.returncode == 2, (command, done.stderr)
        assert f"{config}:6: apprise_config {tmp_path / 'apprise.txt'}: " in done.stderr
        assert said in done.stderr
        assert "Traceback" not in done.stderr
        assert "Pw9xQz7" not in done.stderr
        assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in done.stderr


@pytest.mark.timeout(300)
def test_test_notify_sends_to_the_files_channels(tmp_path: Path, hook: Hook) -> None:
    (tmp_path / "apprise.txt").write_text(
        f"desk=json://127.0.0.1:{hook.port}/desk\n", encoding="utf-8"
    )
    done = logwatch("test-notify", "--config", str(_config(tmp_path, "apprise.txt")))
    assert done.returncode == 0, done.stderr
    assert "desk: delivered" in done.stdout
    assert [path for path, _, _ in hook.posts] == ["/desk"]
