"""Durations (``30s``, ``10m``, ``1h``) and times of day (``23:00``) as config and
rule files write them, read into seconds and ``time`` values with their bounds."""

from __future__ import annotations

import math
from datetime import time
from typing import Annotated

import regex
from pydantic import AfterValidator, BeforeValidator

_DURATION = regex.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
_UNITS = {
    None: 1.0,
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}


#: No duration in a config or rule file may be longer (dedup windows, mutes, backfill).
MAX_DURATION_S = 30 * 86400.0
#: ``max_age`` below this would expire alerts before a retry could deliver them.
MIN_MAX_AGE_S = 60.0


def parse_duration(value: object) -> float:
    """Seconds from ``30s``, ``10m``, ``1h``, ``1d`` or a number of seconds; finite,
    not negative and at most ``MAX_DURATION_S``."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds is None or math.isnan(seconds):
        raise ValueError(f"{value!r} is not a duration like 30s, 10m or 1h")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"{value!r} is longer than the longest allowed, 30d")
    return seconds


def _at_least_a_minute(seconds: float) -> float:
    if seconds < MIN_MAX_AGE_S:
        raise ValueError(
            f"{seconds:g} s is too short: alerts would expire before a retry; "
            "use 1m or more"
        )
    return seconds


def _parse_time(value: object) -> object:
    if isinstance(value, int) and not isinstance(
        value, bool
    ):  # YAML 1.1 reads 23:00 as 1380
        return time(value // 60 % 24, value % 60)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a time like 23:00") from None
    return value


Duration = Annotated[float, BeforeValidator(parse_duration)]
#: A duration of a minute or more.
LongDuration = Annotated[
    float, BeforeValidator(parse_duration), AfterValidator(_at_least_a_minute)
]
ClockTime = Annotated[time, BeforeValidator(_parse_time)]
