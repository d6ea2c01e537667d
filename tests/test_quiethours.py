"""Quiet hours: which local times they cover, and when they end."""

from __future__ import annotations

from datetime import time

from logwatch.alerts.quiethours import QuietHours


def test_quiet_hours_may_span_midnight() -> None:
    quiet = QuietHours(time(23), time(7))
    assert quiet.covers(time(23, 30))
    assert quiet.covers(time(6, 59))
    assert not quiet.covers(time(7))
    assert not quiet.covers(time(12))
