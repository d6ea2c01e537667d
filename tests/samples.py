"""Sample hits and rules shared by the tests."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from logwatch.alerts.window import Window
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import RuleSet

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@functools.cache
def shipped_rules() -> RuleSet:
    """The built-in rules and catalogue, loaded from their files once per process.

    Two dozen test modules want them; loading them in each was half of collecting
    the suite. The tests of loading itself (``test_ruleload``, ``test_rulecache``)
    call ``load_rules``.
    """
    return load_rules()


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
            id="a1",
            kind=AlertKind.FIRST,
            rule_id=full.rule_id,
            severity=Severity.ERROR,
            fingerprint="binance.margin-insufficient\x1fBinance\x1f",
            created_at=T0,
            hit=full,
        ),
        Alert(
            id="a2",
            kind=AlertKind.DIGEST,
            rule_id=full.rule_id,
            severity=Severity.ERROR,
            fingerprint="fp",
            created_at=at(600.123456),
            hit=full,
            count=37,
            first_at=at(1.5).astimezone(plus3),
            last_at=at(599),
            window_s=600.0,
            not_before=at(3600),
            text="",
            first_log="10:00:05 +03:00",
            last_log="10:09:59 +03:00",
        ),
        Alert(
            id="a3",
            kind=AlertKind.SELF,
            rule_id="logwatch.self",
            severity=Severity.WARNING,
            fingerprint="self",
            created_at=T0,
        ),
        Alert(
            id="a4",
            kind=AlertKind.RESOLVED,
            rule_id="logwatch.self",
            severity=Severity.INFO,
            fingerprint="channels",
            created_at=at(900),
            text="Снова на связи ✓",
            started_at=at(300),
        ),
        Alert(
            id="a5",
            kind=AlertKind.REMINDER,
            rule_id=bare.rule_id,
            severity=Severity.CRITICAL,
            fingerprint="r",
            created_at=at(1),
            hit=bare,
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
