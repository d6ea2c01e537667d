"""Routing, as traders asked for it: a channel may take only some sources, rules or
categories, and a rule may alert only in bursts (``at_least``). A real ``logwatch run``
with two channels on a loopback webhook; the pure parts are tested from data in
test_channel.py and test_threshold.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logwatch.alerts.threshold import Threshold
from logwatch.core.model import Hit, Record, Severity
from tests.conftest import wait_until
from tests.daemon_run import Run, logwatch
from tests.follow_harness import write
from tests.servers import Hook, _hook  # noqa: F401  fixtures

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _hit(path: str = "/logs/bot.log") -> Hit:
    record = Record(
        path=path, format="generic", first_line=1, offset=0, end=10, text="x", raw="x"
    )
    return Hit(
        rule_id="r.burst",
        severity=Severity.ERROR,
        codes=(),
        record=record,
        line=1,
        captures={},
        key=(),
    )


def _config(tmp_path: Path, hook: Hook, extra: str = "") -> str:
    url = f"json://127.0.0.1:{hook.port}"
    return (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        "sources:\n"
        # `**` names the folder's own files too: a depth-0 file is the bot's
        f"  - name: bot\n    paths: ['{tmp_path / 'bot'}/**/*.log']\n"
        f"  - name: mt5\n    paths: ['{tmp_path / 'mt5'}/*.log']\n"
        "channels:\n"
        f"  - name: all\n    url: '{url}/all'\n    max_per_minute: 600\n"
        f"  - name: bans\n    url: '{url}/bans'\n    max_per_minute: 600\n"
        "    sources: [bot]\n    categories: [rate_limit]\n"
        "dedup:\n  window: 0s\n" + extra
    )


@pytest.mark.timeout(300)
def test_check_names_every_filter_that_names_nothing(
    tmp_path: Path, hook: Hook
) -> None:
    extra = "rules:\n  at_least:\n    nosuch.*: {count: 2, within: 1m}\n"
    config = _config(tmp_path, hook, extra).replace(
        "    sources: [bot]\n    categories: [rate_limit]\n",
        "    sources: [bot, other]\n    categories: [rate_limit, nosuch]\n"
        "    rules: [okx.nothing-like-this]\n",
    )
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    done = logwatch("check", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 2
    path = tmp_path / "config.yaml"

    def line(fragment: str) -> int:
        return next(i for i, x in enumerate(config.splitlines(), 1) if fragment in x)

    for fragment, said in (
        ("sources: [bot, other]", "channel bans: no source named 'other'"),
        ("nosuch]", "channel bans: no category or tag 'nosuch'"),
        ("okx.nothing", "channel bans: 'okx.nothing-like-this' names no rule"),
        ("nosuch.*", "rules.at_least: 'nosuch.*' names no rule"),
    ):
        assert f"{path}:{line(fragment)}: {said}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.timeout(300)
def test_check_lists_what_each_channel_gets(tmp_path: Path, hook: Hook) -> None:
    extra = (
        "rules:\n  at_least:\n"
        "    binance.http-too-many-requests: {count: 3, within: 10m}\n"
    )
    (tmp_path / "config.yaml").write_text(_config(tmp_path, hook, extra), "utf-8")
    done = logwatch("check", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "  channel all: info and above; every source, rule and category" in lines
    assert "  channel bans: info and above; sources bot; categories rate_limit" in lines
    assert (
        "  rules binance.http-too-many-requests (1): alert at 3 hits within 600 s"
        in lines
    )


BAN = b"ccxt.base.errors.RateLimitExceeded: binance 429 Too Many Requests %d\n"
MARGIN = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"


@pytest.mark.timeout(300)
def test_a_channel_gets_only_its_sources_and_categories_and_bursts(
    tmp_path: Path, hook: Hook
) -> None:
    extra = (
        "rules:\n  at_least:\n"
        "    binance.http-too-many-requests: {count: 3, within: 10m}\n"
    )
    for folder in ("bot", "mt5"):
        (tmp_path / folder).mkdir()
    run = Run(tmp_path, _config(tmp_path, hook, extra))
    try:
        write(tmp_path / "mt5" / "a.log", MARGIN)
        write(tmp_path / "bot" / "a.log", MARGIN)
        wait_until(lambda: len(hook.posts) == 2, 60, "both margin alerts to `all`")
        assert {p for p, _, _ in hook.posts} == {"/all"}
        write(tmp_path / "mt5" / "a.log", b"".join(BAN % i for i in range(3)))
        write(tmp_path / "bot" / "a.log", BAN % 1 + BAN % 2)
        wait_until(lambda: len(hook.posts) == 3, 60, "the mt5 burst to `all`")
        write(tmp_path / "bot" / "a.log", BAN % 3)  # the third: now a burst
        wait_until(lambda: len(hook.posts) == 5, 60, "the bot burst to both")
    finally:
        assert run.stop() == 0
    got = sorted((p, b["title"]) for p, _, b in hook.posts)
    bans = [p for p, title in got if "request" in title.lower()]
    assert sorted(bans) == ["/all", "/all", "/bans"], got


@pytest.mark.parametrize(
    ("at_least", "expected"),
    [("", None), ("    at_least: {count: 3, within: 1m}\n", (3, 60.0))],
)
def test_a_rule_file_may_say_at_least_itself(
    tmp_path: Path, at_least: str, expected: tuple[int, float] | None
) -> None:
    from logwatch.rulebook.ruleload import load_rules

    (tmp_path / "mine.yaml").write_text(
        "rules:\n  - id: my.halt\n    severity: critical\n"
        "    title: {en: Trading halted, ru: Торговля остановлена}\n"
        "    remedy: {en: Check the venue, ru: Проверьте площадку}\n"
        "    patterns: ['TRADING HALTED']\n    samples: ['TRADING HALTED']\n"
        "    near_misses: ['trading resumed', 'halted? no']\n" + at_least,
        encoding="utf-8",
    )
    (rule,) = [r for r in load_rules([tmp_path], cache=None) if r.id == "my.halt"]
    assert rule.at_least == expected


def test_after_a_burst_every_repeat_is_counted_in_the_digest() -> None:
    """Hits after the burst alert were held by the threshold again, so the digest
    undercounted and "back to normal" could come while the error went on."""
    from logwatch.alerts.alerting import PendingAlerts
    from logwatch.alerts.dedup import Deduper, Policy
    from logwatch.core.model import AlertKind

    alerting = PendingAlerts(
        Deduper(default=Policy(window_s=600.0)),
        lambda a, mutes: ["c"],
        threshold=Threshold({"r.burst": (3, 60.0)}),
    )
    times = [NOW + timedelta(seconds=s) for s in (0, 1, 2, 100, 200, 300)]
    for at in times:
        alerting.admit([_hit()], at)
    firsts = [a for a in alerting.pending if a.kind is AlertKind.FIRST]
    assert len(firsts) == 1  # at the third hit
    alerting.tick(NOW + timedelta(seconds=2 + 601))
    (digest,) = [a for a in alerting.pending if a.kind is AlertKind.DIGEST]
    assert digest.count == 3  # the three hits after it, spaced wider than `within`
