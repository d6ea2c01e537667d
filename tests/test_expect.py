"""Missing-heartbeat rules (``expect:``): armed by a first sighting per file, fired once
when the line stops, resolved when it returns; bad ``expect`` values at their line."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logwatch.alerts.expect import Expectations
from logwatch.alerts.render import render
from logwatch.app.daemon import Daemon
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import AlertKind, Hit
from logwatch.match.engine import Engine
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import RuleSet
from tests import fakes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.follow_harness import write
from tests.samples import at, shipped_rules

RULE = next(r for r in shipped_rules() if r.id == "freqtrade.heartbeat-missing")
BEAT = (
    "2025-10-31 09:40:00,529 - freqtrade.worker - INFO - Bot heartbeat. PID=1, "
    "version='2025.6', state='RUNNING'\n"
)


def beat_at(when: datetime) -> bytes:
    """``BEAT`` as the bot writes it at ``when`` (its local time): a line older than
    ``max_age`` is not alerted, nor taken for a heartbeat."""
    return f"{when.astimezone():%Y-%m-%d %H:%M:%S}{BEAT[19:]}".encode()


def beat(path: str = "bot.log") -> Hit:
    (hit,) = Engine(RuleSet((RULE,))).match(sample_record(BEAT.strip()))
    from dataclasses import replace

    return replace(hit, record=replace(hit.record, path=path))


class TestExpectations:
    def test_nothing_before_the_first_sighting(self) -> None:
        e = Expectations([RULE])
        assert e.tick(at(10_000)) == []
        assert e.next_due() is None

    def test_fires_once_when_missing_and_resolves_when_seen_again(self) -> None:
        e = Expectations([RULE])
        assert e.seen(beat(), at(0)) == []
        assert e.seen(beat(), at(60)) == []
        assert e.next_due() == at(360)
        assert e.tick(at(359)) == []
        (missing,) = e.tick(at(360))
        assert missing.kind is AlertKind.FIRST
        assert missing.rule_id == RULE.id
        assert missing.started_at == at(60)
        assert e.tick(at(3600)) == []  # once per gap
        (back,) = e.seen(beat(), at(4000))
        assert back.kind is AlertKind.RESOLVED
        assert (back.started_at, back.last_at) == (at(60), at(4000))
        assert e.seen(beat(), at(4060)) == []

    def test_each_file_is_its_own_bot(self) -> None:
        e = Expectations([RULE])
        e.seen(beat("a.log"), at(0))
        e.seen(beat("b.log"), at(200))
        (missing,) = e.tick(at(300))
        assert missing.hit is not None
        assert missing.hit.record.path == "a.log"

    def test_other_rules_are_not_watched(self) -> None:
        assert not Expectations(shipped_rules()).watched("binance.margin-insufficient")
        assert Expectations(shipped_rules()).watched(RULE.id)


def test_a_missing_heartbeat_renders_with_the_rule_text() -> None:
    e = Expectations([RULE])
    e.seen(beat(), at(0))
    (missing,) = e.tick(at(300))
    message = render(missing, RULE, "en", "telegram")
    assert message.title == "CRITICAL: freqtrade stopped its heartbeat"
    assert "none for 5 minutes" in message.body


def _rules(
    tmp_path: Path, extra: str, patterns: str = "    patterns: ['HEARTBEAT OK']\n"
) -> Path:
    (tmp_path / "mine.yaml").write_text(
        "rules:\n  - id: my.beat\n    severity: error\n"
        "    title: {en: Beat gone, ru: Нет сигнала}\n"
        "    remedy: {en: Restart it, ru: Перезапустите}\n"
        + patterns
        + "    samples: ['HEARTBEAT OK']\n    near_misses: ['HEARTBEAT', 'OK']\n"
        + extra,
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("    expect: 5s\n", "expect: Input should be greater than or equal to 30"),
        ("    expect: 30d\n", "expect: Input should be less than or equal to 604800"),
        ("    expect: .nan\n", "expect: nan is not a duration"),
        ("    expect: soon\n", "'soon' is not a duration"),
    ],
)
def test_an_expect_out_of_bounds_is_reported_at_its_line(
    tmp_path: Path, extra: str, problem: str
) -> None:
    with pytest.raises(InvalidConfig) as info:
        load_rules([_rules(tmp_path, extra)])
    text = info.value.format_message()
    assert f"{tmp_path / 'mine.yaml'}:9: rule my.beat: " in text
    assert problem in text


def test_an_expect_without_a_pattern_is_reported_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig) as info:
        load_rules([_rules(tmp_path, "    expect: 5m\n", patterns="")])
    assert f"{tmp_path / 'mine.yaml'}:2: rule my.beat: patterns" in (
        info.value.format_message()
    )


@pytest.mark.usefixtures("fake_channels")
def test_a_freqtrade_bot_that_stops_its_heartbeat_is_alerted_then_resolved(
    tmp_path: Path,
) -> None:
    (tmp_path / "logs").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: ft\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: tg, url: 'fake://tg', send_resolved: true}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    daemon = Daemon(config, clock, {}, io.StringIO())
    daemon.start()
    log = tmp_path / "logs" / "freqtrade.log"

    def step_until(pred: object, what: str) -> None:
        def go() -> bool:
            clock.advance(1)
            daemon.step()
            return bool(pred())  # type: ignore[operator]

        wait_until(go, 5, what)

    try:
        daemon.step()
        write(log, beat_at(clock.now()))
        step_until(lambda: daemon.activity.lines_read["ft"] == 1, "the first beat")
        assert fakes.SENT.get("tg") is None  # a heartbeat is no error
        clock.advance(300)
        step_until(lambda: len(fakes.SENT.get("tg", [])) == 1, "the missing alert")
        assert fakes.SENT["tg"][0][0] == "CRITICAL: freqtrade stopped its heartbeat"
        write(log, beat_at(clock.now()))
        step_until(lambda: len(fakes.SENT.get("tg", [])) == 2, "the resolved message")
        assert (
            fakes.SENT["tg"][1][0] == "Back to normal: freqtrade stopped its heartbeat"
        )
    finally:
        daemon.close()
