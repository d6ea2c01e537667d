from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from logwatch.dedup import Window
from logwatch.model import Alert, AlertKind, Hit, Record, Severity
from logwatch.outbox import (
    BACKOFF_MAX_S,
    Pacer,
    alert_from_json,
    alert_to_json,
    backoff_s,
    window_from_json,
    window_to_json,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RECORD = Record(
    "f.log",
    "python",
    3,
    10,
    90,
    "text ж",
    "raw ж",
    "2026-11-24 12:00:00,000",
    {"connection": "B"},
    True,
)
HIT = Hit(
    "binance.margin-insufficient",
    Severity.ERROR,
    (-2019,),
    RECORD,
    4,
    {"n": "1"},
    ("B", ""),
)


def test_alerts_survive_the_round_trip_through_state() -> None:
    alert = Alert(
        "id\x1e1",
        AlertKind.DIGEST,
        HIT.rule_id,
        Severity.ERROR,
        "fp",
        NOW,
        HIT,
        37,
        NOW,
        NOW,
        600.0,
        NOW,
        "x",
        "10:00:05 +03:00",
        "10:03:00 +03:00",
    )
    assert alert_from_json(alert_to_json(alert)) == alert
    bare = replace(alert, hit=None, first_at=None, last_at=None, not_before=None)
    assert alert_from_json(alert_to_json(bare)) == bare


def test_windows_survive_the_round_trip() -> None:
    window = Window(
        "fp", HIT.rule_id, Severity.ERROR, NOW, NOW, 3, NOW, NOW, 2, 5, HIT, "1", "2"
    )
    back = window_from_json(window_to_json(window))
    assert back == window
    empty = Window("fp", HIT.rule_id, Severity.ERROR, NOW, NOW)
    assert window_from_json(window_to_json(empty)) == empty


def test_backoff_doubles_is_capped_jittered_and_respects_retry_after() -> None:
    rng = random.Random(1)
    delays = [backoff_s(n, rng) for n in range(1, 12)]
    assert delays[0] >= 1.6
    assert delays[0] <= 2.4
    assert delays[1] >= 3.2
    assert delays[1] <= 4.8
    assert max(delays) <= BACKOFF_MAX_S * 1.2
    assert delays[-1] >= BACKOFF_MAX_S * 0.8
    assert backoff_s(1, rng, retry_after_s=30) == 30


def test_pacer_one_a_second_per_chat_and_twenty_a_minute_per_group() -> None:
    pacer = Pacer()
    assert pacer.ready_at("42", 100.0) == 100.0
    pacer.record("42", 100.0)
    assert pacer.ready_at("42", 100.2) == 101.0
    assert pacer.ready_at("43", 100.2) == 100.2
    for i in range(20):
        pacer.record("-100", 200.0 + i * 1.0)
    assert pacer.ready_at("-100", 220.0) == 260.0
