"""Sample hits and rules shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from logwatch.alerts.window import Window
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def make_record(**changes: Any) -> Record:
    """A one-line record of ``f.log`` whose text is ``x``; ``changes`` set any field."""
    values: dict[str, Any] = {
        "path": "f.log",
        "format": "generic",
        "first_line": 1,
        "offset": 0,
        "end": 1,
        "text": "x",
        "raw": "x",
        "timestamp": None,
        "fields": {},
    }
    values.update(changes)
    return Record(**values)


def hit(
    rule: str = "binance.margin-insufficient",
    key: tuple[str, ...] = ("B", "BTCUSDT"),
    connection: str = "B",
    severity: Severity = Severity.ERROR,
) -> Hit:
    return Hit(
        rule_id=rule,
        severity=severity,
        codes=(-2019,),
        record=make_record(fields={"connection": connection}),
        line=1,
        captures={},
        key=key,
    )


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


def stored_values() -> tuple[list[Alert], list[Window]]:
    """Alerts and windows of every shape, as tests/data/state-before-codec.sqlite holds
    them (written by the hand-written JSON of logwatch before one codec, issue 12)."""
    plus3 = timezone(timedelta(hours=3))
    record = Record(
        path="C:/Quantower/Логи/ж.log",
        format="quantower",
        first_line=3,
        offset=10,
        end=90,
        text="Margin is insufficient ж 😀",
        raw='{"msg": "raw"}',
        timestamp="2026-11-24 12:00:00,000",
        fields={"connection": "Binance", "symbol": "BTCUSDT"},
        truncated=True,
    )
    full = Hit(
        rule_id="binance.margin-insufficient",
        severity=Severity.ERROR,
        codes=(-2019, 51008),
        record=record,
        line=4,
        captures={"n": "1"},
        key=("Binance", ""),
    )
    bare = Hit(
        rule_id="user.x",
        severity=Severity.INFO,
        codes=(),
        record=make_record(),
        line=1,
        captures={},
        key=(),
    )
    alerts = [
        Alert(
            "a1",
            AlertKind.FIRST,
            full.rule_id,
            Severity.ERROR,
            "binance.margin-insufficient\x1fBinance\x1f",
            T0,
            full,
        ),
        Alert(
            "a2",
            AlertKind.DIGEST,
            full.rule_id,
            Severity.ERROR,
            "fp",
            at(600.123456),
            full,
            37,
            at(1.5).astimezone(plus3),
            at(599),
            600.0,
            at(3600),
            "",
            "10:00:05 +03:00",
            "10:09:59 +03:00",
        ),
        Alert("a3", AlertKind.SELF, "logwatch.self", Severity.WARNING, "self", T0),
        Alert(
            "a4",
            AlertKind.RESOLVED,
            "logwatch.self",
            Severity.INFO,
            "channels",
            at(900),
            text="Снова на связи ✓",
            started_at=at(300),
        ),
        Alert(
            "a5", AlertKind.REMINDER, bare.rule_id, Severity.CRITICAL, "r", at(1), bare
        ),
    ]
    windows = [
        Window("fp", full.rule_id, Severity.ERROR, T0, at(600)),
        Window(
            "binance.margin-insufficient\x1fBinance\x1f",
            full.rule_id,
            Severity.ERROR,
            at(0.000001),
            at(600),
            3,
            at(10),
            at(20),
            2,
            5,
            full,
            "10:00:10",
            "10:00:20 ж",
        ),
    ]
    return alerts, windows
