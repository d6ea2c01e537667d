"""The daemon's own log: structlog to stderr, never stdout, where hits are printed."""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter, deque
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from logwatch.clock import Clock, SystemClock
from logwatch.redact import redact

#: Events of one name and level let through per THROTTLE_WINDOW_S; the rest are counted.
THROTTLE_BURST = 10
THROTTLE_WINDOW_S = 60.0


class Throttle:
    """A processor that rate-limits repeated events: at most ``burst`` of one name and
    level per ``window_s``; the rest are dropped, and the next one let through says how
    many were (``suppressed=N``)."""

    def __init__(
        self,
        clock: Clock,
        burst: int = THROTTLE_BURST,
        window_s: float = THROTTLE_WINDOW_S,
    ) -> None:
        self.clock, self.burst, self.window_s = clock, burst, window_s
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._dropped: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        key = (str(event.get("event")), method)
        now = self.clock.monotonic()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.burst:
                self._dropped[key] += 1
                raise structlog.DropEvent
            times.append(now)
            if self._dropped[key]:
                event["suppressed"] = self._dropped.pop(key)
        return event


def _masked(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Every text masked (API keys, passwords, tokens, IPs) before it is written."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


def configure(
    stream: TextIO | None = None,
    as_json: bool | None = None,
    clock: Clock | None = None,
) -> None:
    """Send structlog events (and stdlib ones, e.g. watchdog's) to ``stream``.

    JSON lines when ``as_json`` (the default when the stream is not a terminal, for
    journald), else one readable line per event.
    """
    stream = stream or sys.stderr
    if as_json is None:
        as_json = not stream.isatty()
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        _masked,  # ours and other libraries' records alike
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # debug events cost nothing at info
            Throttle(clock or SystemClock()),
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("watchdog").setLevel(logging.WARNING)
