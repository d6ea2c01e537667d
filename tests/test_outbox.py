from __future__ import annotations

import random

from logwatch.alerts.outbox import BACKOFF_MAX_S, Pacer, backoff_s


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
