"""Test doubles for the things logwatch injects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from logwatch.app.follower_events import FollowEvent, Matched, Sink
from logwatch.match.engine import Scan


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward."""
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


def each_scan(on_scan: Callable[[Scan], None]) -> Sink:
    """A follower's sink that hands each ``Matched`` scan to ``on_scan`` and ignores
    the rest (the daemon and ``scan`` subscribe to more than scans)."""

    def emit(event: FollowEvent) -> None:
        if isinstance(event, Matched):
            on_scan(event.scan)

    return emit


# A recording Apprise channel: fake://NAME delivers to SENT[NAME] unless NAME is in DOWN.
SENT: dict[str, list[tuple[str, str]]] = {}
DOWN: set[str] = set()


def _fake(
    body: str,
    title: str,
    notify_type: str,
    meta: dict[str, str],
    *args: object,
    **kwargs: object,
) -> bool:
    host = meta["host"]
    if host in DOWN:
        return False
    SENT.setdefault(host, []).append((title, body))
    return True


def _register() -> None:
    from apprise.decorators import notify

    notify(on="fake", name="Fake")(_fake)  # type: ignore[no-untyped-call]


_register()
