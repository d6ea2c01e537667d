"""logwatch tells the trader when it is itself in trouble, through the channels.

The Daemon is driven in-process (``step()``) with a fake clock, real files, and a
recording channel (fake://, tests/fakes.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from logwatch.alerts.outbox import BACKOFF_MAX_S
from logwatch.app.daemon import Daemon
from tests import fakes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.follow_harness import write
from tests.samples import CATASTROPHIC

pytestmark = pytest.mark.usefixtures("fake_channels")


def start(
    tmp_path: Path, clock: FakeClock, extra: str = "", silence: str = "0"
) -> Daemon:
    (tmp_path / "logs").mkdir(exist_ok=True)
    (tmp_path / "config.yaml").write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n    silence: {silence}\n"
        "channels:\n  - {name: phone, url: 'fake://phone'}\n" + extra,
        encoding="utf-8",
    )
    daemon = Daemon(
        tmp_path / "config.yaml", clock, {"HOME": str(tmp_path)}, io.StringIO()
    )
    daemon.start()
    daemon.step()
    return daemon


def stop(daemon: Daemon) -> None:
    daemon.close()


def sent() -> list[str]:
    return [title for title, _ in fakes.SENT.get("phone", [])]


def test_a_silent_source_is_reported_once_and_again_after_it_spoke(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    daemon = start(tmp_path, clock, silence="10m")
    clock.advance(601)
    daemon.step()
    daemon.step()
    wait_until(
        lambda: sent() == ["logwatch: bot has written nothing for 10 min"],
        5,
        "one silence alert",
    )
    write(tmp_path / "logs" / "bot.log", b"hello\n")
    clock.advance(1)
    daemon.step()
    clock.advance(601)
    daemon.step()
    wait_until(lambda: len(sent()) == 2, 5, "a second silence alert")
    stop(daemon)


def test_a_rule_disabled_after_timeouts_is_reported(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "slow.yaml").write_text(CATASTROPHIC, encoding="utf-8")
    clock = FakeClock()
    daemon = start(tmp_path, clock, f"rules:\n  dirs: ['{rules}']\n")
    write(tmp_path / "logs" / "bot.log", ("a" * 4000 + "b\n").encode() * 3)
    clock.advance(1)
    daemon.step()
    wait_until(
        lambda: any("rule user.slow was disabled" in t for t in sent()),
        10,
        "the self-alert",
    )
    stop(daemon)


def test_a_damaged_state_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "state.db").write_bytes(b"\x00" * 4096)
    daemon = start(tmp_path, FakeClock())
    wait_until(
        lambda: any("state file was unusable" in t for t in sent()), 5, "the self-alert"
    )
    stop(daemon)


def test_no_channel_reachable_is_reported_when_one_comes_back(tmp_path: Path) -> None:
    clock = FakeClock()
    fakes.DOWN.add("phone")
    daemon = start(tmp_path, clock)
    write(
        tmp_path / "logs" / "bot.log",
        b"Refuse (Binance): Margin is insufficient. (BTCUSDT)\n",
    )
    clock.advance(1)  # the next look (the fake clock does not move by itself)
    daemon.step()
    wait_until(
        lambda: daemon.dispatcher.failing_since["phone"] is not None, 5, "a failed send"
    )
    clock.advance(301)
    daemon.step()
    fakes.DOWN.clear()
    # a channel thread may have retried during the outage and set its next try up to
    # the backoff cap (+20 % jitter) ahead on the fake clock, which moves only when told
    clock.advance(BACKOFF_MAX_S * 1.2 + 1)
    daemon.dispatcher.poke()
    wait_until(lambda: len(sent()) == 2, 10, "both alerts once the channel is back")
    assert any("could not reach any channel for 5 min" in t for t in sent())
    assert any("Not enough margin" in t for t in sent())
    stop(daemon)
