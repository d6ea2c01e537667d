"""Sample hits and rules shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logwatch.model import Hit, Record, Severity

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def hit(
    rule: str = "binance.margin-insufficient",
    key: tuple[str, ...] = ("B", "BTCUSDT"),
    connection: str = "B",
    severity: Severity = Severity.ERROR,
) -> Hit:
    record = Record(
        "f.log", "generic", 1, 0, 1, "x", "x", None, {"connection": connection}
    )
    return Hit(rule, severity, (-2019,), record, 1, {}, key)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


CATASTROPHIC = """
rules:
  - id: user.slow
    severity: error
    title: {en: "Slow", ru: "Медленно"}
    remedy: {en: "Fix", ru: "Исправить"}
    patterns: ['^(?:a|aa)+$']
    keywords: ['aaaa']
    samples: ['aaaa']
    near_misses: ['nothing here', 'aaaab']
"""


GOOD = """
rules:
  - id: my.rule
    severity: warning
    title: {en: "T", ru: "Т"}
    remedy: {en: "R", ru: "Р"}
    patterns: ['Order (?P<order>\\d+) was (?:rejected|refused)']
    key: [order, connection]
    samples: ['Order 12 was rejected']
    near_misses: ['Order 12 was accepted', 'order book rejected']
"""
