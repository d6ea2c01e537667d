"""The JSON State's rows had before one codec (issue 12), written by hand: a state DB
of an older version holds these rows, and an older version reads the rows of this one.

Kept verbatim as a reference for tests/test_codec.py; nothing in logwatch uses it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from logwatch.alerts.window import Window
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity


def _when(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def _at(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _hit_to_dict(hit: Hit | None) -> dict[str, Any] | None:
    if hit is None:
        return None
    r = hit.record
    return {
        "rule_id": hit.rule_id,
        "severity": str(hit.severity),
        "codes": list(hit.codes),
        "line": hit.line,
        "captures": dict(hit.captures),
        "key": list(hit.key),
        "record": {
            "path": r.path,
            "format": r.format,
            "first_line": r.first_line,
            "offset": r.offset,
            "end": r.end,
            "text": r.text,
            "raw": r.raw,
            "timestamp": r.timestamp,
            "fields": dict(r.fields),
            "truncated": r.truncated,
        },
    }


def _hit_from_dict(h: dict[str, Any] | None) -> Hit | None:
    if h is None:
        return None
    r = h["record"]
    record = Record(
        path=r["path"],
        format=r["format"],
        first_line=r["first_line"],
        offset=r["offset"],
        end=r["end"],
        text=r["text"],
        raw=r["raw"],
        timestamp=r["timestamp"],
        fields=r["fields"],
        truncated=r["truncated"],
    )
    return Hit(
        rule_id=h["rule_id"],
        severity=Severity(h["severity"]),
        codes=tuple(h["codes"]),
        record=record,
        line=h["line"],
        captures=h["captures"],
        key=tuple(h["key"]),
    )


def alert_to_json(alert: Alert) -> str:
    """An alert as the JSON text State keeps (already masked: it left the engine)."""
    hit = _hit_to_dict(alert.hit)
    return json.dumps(
        {
            "id": alert.id,
            "kind": str(alert.kind),
            "rule_id": alert.rule_id,
            "severity": str(alert.severity),
            "fingerprint": alert.fingerprint,
            "created_at": alert.created_at.timestamp(),
            "count": alert.count,
            "first_at": _when(alert.first_at),
            "last_at": _when(alert.last_at),
            "window_s": alert.window_s,
            "not_before": _when(alert.not_before),
            "text": alert.text,
            "started_at": _when(alert.started_at),
            "hit": hit,
            "first_log": alert.first_log,
            "last_log": alert.last_log,
        },
        ensure_ascii=False,
    )


def alert_from_json(text: str) -> Alert:
    """The alert State kept."""
    d = json.loads(text)
    hit = _hit_from_dict(d["hit"])
    created = _at(d["created_at"])
    if created is None:
        raise ValueError("a saved alert without its time")
    return Alert(
        id=d["id"],
        kind=AlertKind(d["kind"]),
        rule_id=d["rule_id"],
        severity=Severity(d["severity"]),
        fingerprint=d["fingerprint"],
        created_at=created,
        hit=hit,
        count=d["count"],
        first_at=_at(d["first_at"]),
        last_at=_at(d["last_at"]),
        window_s=d["window_s"],
        not_before=_at(d["not_before"]),
        text=d["text"],
        first_log=d.get("first_log", ""),
        last_log=d.get("last_log", ""),
        started_at=_at(d.get("started_at")),
    )


def window_to_json(window: Window) -> str:
    """A dedup window as JSON, for State."""
    last = _hit_to_dict(window.last_hit)
    return json.dumps(
        {
            "fingerprint": window.fingerprint,
            "rule_id": window.rule_id,
            "severity": str(window.severity),
            "opened_at": window.opened_at.timestamp(),
            "closes_at": window.closes_at.timestamp(),
            "repeats": window.repeats,
            "first_repeat_at": _when(window.first_repeat_at),
            "last_repeat_at": _when(window.last_repeat_at),
            "streak": window.streak,
            "since_reminder": window.since_reminder,
            "last_hit": last,
            "first_repeat_log": window.first_repeat_log,
            "last_repeat_log": window.last_repeat_log,
        },
        ensure_ascii=False,
    )


def window_from_json(text: str) -> Window:
    """A dedup window State kept."""
    d = json.loads(text)
    hit = _hit_from_dict(d["last_hit"])
    opened, closes = _at(d["opened_at"]), _at(d["closes_at"])
    if opened is None or closes is None:
        raise ValueError("a saved window without its times")
    return Window(
        d["fingerprint"],
        d["rule_id"],
        Severity(d["severity"]),
        opened,
        closes,
        d["repeats"],
        _at(d["first_repeat_at"]),
        _at(d["last_repeat_at"]),
        d["streak"],
        d["since_reminder"],
        hit,
        d.get("first_repeat_log", ""),
        d.get("last_repeat_log", ""),
    )
