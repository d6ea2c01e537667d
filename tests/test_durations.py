"""Durations as config and rule files write them."""

from __future__ import annotations

import pytest

from logwatch.core.durations import parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30),
        ("10m", 600),
        ("1h", 3600),
        ("1.5h", 5400),
        (90, 90),
        ("0", 0),
        ("2d", 172800),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["soon", -1, True, "10 weeks", None])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)
