"""The ``alertmanager://`` channel: the v2 alert it makes, and its POST, against a
loopback HTTP server that checks the path and basic auth (the real Alertmanager is in
test_fleet.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from logwatch.alerts.render import Message
from logwatch.core.model import Alert, AlertKind, Severity
from logwatch.deliver.alertmanager import GRACE_S, api_url, payload
from logwatch.match.engine import Engine
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.rules import RuleSet
from tests.samples import shipped_rules
from tests.servers import Hook, free_port, notifier

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def first_alert(rule_id: str = "binance.margin-insufficient") -> tuple[Alert, Any]:
    rule = next(r for r in shipped_rules() if r.id == rule_id)
    (hit,) = Engine(RuleSet((rule,))).match(sample_record(rule.samples[0]))
    return Alert(
        id="a1",
        kind=AlertKind.FIRST,
        rule_id=rule.id,
        severity=rule.severity,
        fingerprint="fp",
        created_at=T0,
        hit=hit,
    ), rule


def test_an_alert_carries_the_labels_and_annotations_of_the_contract() -> None:
    alert, rule = first_alert()
    hit = alert.hit
    assert hit is not None
    hit = replace(
        hit,
        record=replace(
            hit.record,
            fields={
                "exchange": "binance",
                "connection": "Binance Futures",
                "symbol": "BTCUSDT",
            },
        ),
    )
    (got,) = payload(
        replace(alert, hit=hit),
        rule,
        instance="desk-7",
        source="quantower",
        lang="en",
        window_s=600,
    )
    assert got["labels"] == {
        "alertname": "binance.margin-insufficient",
        "severity": "error",
        "instance": "desk-7",
        "source": "quantower",
        "exchange": "binance",
        "connection": "Binance Futures",
        "symbol": "BTCUSDT",
    }
    assert got["annotations"]["summary"] == rule.title["en"]
    assert got["annotations"]["description"] == rule.remedy["en"]
    assert got["annotations"]["line"] == hit.record.raw
    assert got["annotations"]["codes"] == "-2019"
    assert got["startsAt"] == "2026-11-24T12:00:00.000Z"
    assert got["endsAt"] == "2026-11-24T12:11:00.000Z"  # the window, and a grace


def test_unknown_fields_are_left_out_and_russian_text_is_used() -> None:
    alert, rule = first_alert()
    (got,) = payload(alert, rule, instance="i", source="s", lang="ru", window_s=60)
    assert "exchange" not in got["labels"]
    assert got["annotations"]["summary"] == rule.title["ru"]


def test_a_digest_keeps_the_alert_firing_from_its_first_hit_a_window_ahead() -> None:
    alert, rule = first_alert()
    closes = T0 + timedelta(seconds=600)
    digest = replace(
        alert,
        kind=AlertKind.DIGEST,
        created_at=closes,
        count=5,
        first_at=T0 + timedelta(seconds=30),
        started_at=T0,
    )
    (got,) = payload(digest, rule, instance="i", source="s", lang="en", window_s=600)
    assert got["startsAt"] == "2026-11-24T12:00:00.000Z"
    assert got["endsAt"] == "2026-11-24T12:21:00.000Z"


def test_a_digest_of_folded_errors_names_no_one_symbol() -> None:
    """Issue 18: past the cap on open windows, errors are folded into one digest per
    rule; the last folded line's symbol is not what it is about."""
    alert, rule = first_alert()
    assert alert.hit is not None
    fields = {"exchange": "binance", "connection": "Binance Futures", "symbol": "X"}
    hit = replace(alert.hit, record=replace(alert.hit.record, fields=fields))
    folded = replace(alert, hit=hit, kind=AlertKind.DIGEST, count=40, folded=900)
    (got,) = payload(folded, rule, instance="i", source="s", lang="en", window_s=600)
    assert {k: v for k, v in got["labels"].items() if k in fields} == {
        "exchange": "binance"
    }
    assert got["annotations"]["folded"] == "40 repeats of 900 errors"


def test_a_short_window_has_a_short_grace() -> None:
    alert, rule = first_alert()
    (got,) = payload(alert, rule, instance="i", source="s", lang="en", window_s=2)
    assert got["endsAt"] == "2026-11-24T12:00:04.000Z"
    assert GRACE_S > 2


def test_a_resolved_alert_ends_when_it_is_made() -> None:
    alert, rule = first_alert()
    done = replace(
        alert,
        kind=AlertKind.RESOLVED,
        created_at=T0 + timedelta(minutes=7),
        started_at=T0,
    )
    (got,) = payload(done, rule, instance="i", source="s", lang="en", window_s=600)
    assert got["startsAt"] == "2026-11-24T12:00:00.000Z"
    assert got["endsAt"] == "2026-11-24T12:07:00.000Z"


def test_self_alerts_are_told_apart_by_their_first_line() -> None:
    alert = Alert(
        id="s1",
        kind=AlertKind.SELF,
        rule_id="logwatch.self",
        severity=Severity.ERROR,
        fingerprint="logwatch.self",
        created_at=T0,
        text="logwatch: bot has written nothing for 5 min\nmore",
    )
    (got,) = payload(
        alert, None, instance="i", source="logwatch", lang="en", window_s=60
    )
    assert got["labels"]["alertname"] == "logwatch.self"
    assert got["labels"]["about"] == "logwatch: bot has written nothing for 5 min"
    assert got["annotations"]["description"].endswith("more")


@pytest.mark.parametrize(
    ("url", "api"),
    [
        (
            {"schema": "alertmanager", "host": "am", "port": 9093},
            "http://am:9093/api/v2/alerts",
        ),
        (
            {"schema": "alertmanagers", "host": "am.example"},
            "https://am.example/api/v2/alerts",
        ),
        (
            {"schema": "alertmanager", "host": "h", "port": 80, "fullpath": "/am/"},
            "http://h:80/am/api/v2/alerts",
        ),
        (
            {"schema": "alertmanager", "host": "::1", "port": 9093},
            "http://[::1]:9093/api/v2/alerts",
        ),
    ],
)
def test_the_api_url(url: dict[str, Any], api: str) -> None:
    assert api_url(url) == api


@pytest.fixture(name="am")
def _am() -> Iterator[Hook]:
    """An HTTP server on 127.0.0.1 that takes what a POST /api/v2/alerts carries."""
    server = Hook()
    yield server
    server.close()


def test_the_channel_posts_the_alert_with_basic_auth(am: Hook) -> None:
    alert, rule = first_alert()
    alerts = payload(alert, rule, instance="i", source="s", lang="en", window_s=60)
    n = notifier(f"am=alertmanager://ops:p%2Fss@127.0.0.1:{am.port}/prefix")
    result = n.send("am", Message("t", json.dumps(alerts)), Severity.ERROR)
    assert result.status == "sent"
    ((path, auth, body),) = am.posts
    assert path == "/prefix/api/v2/alerts"
    assert base64.b64decode(auth.removeprefix("Basic ")) == b"ops:p/ss"
    assert body == alerts


def test_a_plain_message_becomes_an_alert_of_its_own(am: Hook) -> None:
    """What test-notify sends: not our JSON, still a valid alert."""
    n = notifier(f"am=alertmanager://127.0.0.1:{am.port}")
    assert n.send("am", Message("[test] hello", "body"), Severity.INFO).ok
    ((_, auth, body),) = am.posts
    assert auth == ""
    assert body == [
        {
            "labels": {"alertname": "logwatch.message", "severity": "info"},
            "annotations": {"summary": "[test] hello", "description": "body"},
        }
    ]


def test_a_rejected_post_and_a_down_alertmanager_are_failed_sends_with_a_reason(
    am: Hook,
) -> None:
    am.status = 400
    am.reply = b"bad alert"
    n = notifier(
        f"am=alertmanager://127.0.0.1:{am.port}",
        f"down=alertmanager://127.0.0.1:{free_port()}",
    )
    bad = n.send("am", Message("t", "[]"), Severity.ERROR)
    assert bad.status == "failed"
    assert "HTTP 400 bad alert" in bad.error
    down = n.send("down", Message("t", "[]"), Severity.ERROR)
    assert down.status == "failed"
    assert "not reached" in down.error


def test_alertmanager_channels_send_resolved_by_default_others_opt_in() -> None:
    from logwatch.core.config import config_from_text

    loaded = config_from_text(
        "channels:\n"
        "  - {name: am, url: 'alertmanager://h:9093'}\n"
        "  - {name: quiet-am, url: 'alertmanagers://h:9093', send_resolved: false}\n"
        "  - {name: hook, url: 'json://h/x'}\n"
        "  - {name: tg, url: 'json://h/y', send_resolved: true}\n",
        {},
    )
    assert [(c.name, c.kind, c.resolved) for c in loaded.config.channels] == [
        ("am", "alertmanager", True),
        ("quiet-am", "alertmanager", False),
        ("hook", "webhook", False),
        ("tg", "webhook", True),
    ]


def test_alertmanager_is_not_paced_a_flood_reaches_it_alert_by_alert(
    am: Hook, tmp_path: Path
) -> None:
    """Alertmanager groups by itself: the per-channel budget that folds a flood for
    people (10 a minute) does not hold its alerts back, unless the config sets one."""
    import random

    from logwatch.alerts.outbox import queue_rows
    from logwatch.core.config import config_from_text
    from logwatch.deliver.delivery import Dispatcher, channels_for, per_minute
    from logwatch.deliver.notifier import Notifier
    from logwatch.store.state import State
    from tests.fakes import FakeClock

    clock = FakeClock(T0)
    state = State(tmp_path / "state.db", clock)
    loaded = config_from_text(
        f"channels:\n  - {{name: am, url: 'alertmanager://127.0.0.1:{am.port}'}}\n"
        f"  - {{name: slow, url: 'alertmanager://127.0.0.1:{am.port}', "
        "max_per_minute: 5}\n",
        {},
    )
    notifier = Notifier(loaded)
    assert [per_minute(c) for c in loaded.config.channels] == [600, 5]
    rules = {r.id: r for r in shipped_rules()}
    dispatcher = Dispatcher(state, notifier, rules, "en", clock, rng=random.Random(1))
    alert, _rule = first_alert()
    alerts = [
        replace(alert, id=f"a{i}", fingerprint=f"f{i}", created_at=T0)
        for i in range(40)
    ]
    rows = queue_rows(alerts, lambda a: channels_for(notifier, a.severity, skip="slow"))
    state.commit(alerts=rows)
    dispatcher.step("am")
    assert len(am.posts) == 40
    assert all(len(body) == 1 for _p, _a, body in am.posts)
    state.close()
