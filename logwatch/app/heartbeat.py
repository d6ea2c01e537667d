"""The dead-man's switch: pings an outside monitor while healthy, its fail URL when not.

A daemon cannot report its own power loss; a monitor that alerts when the pings stop
(healthchecks.io, an Uptime Kuma push monitor) can. ``Pulse`` decides what to request
and when (pure, given the time); ``Pinger`` makes the requests in a thread of its own,
so a URL that hangs never holds up following or delivery.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import structlog

from logwatch.core.clock import Clock
from logwatch.core.privatefiles import write_private
from logwatch.match.redact import redact

log = structlog.get_logger("logwatch.heartbeat")

#: A failed ping is tried again after this long, doubling, but never later than the
#: next regular ping.
RETRY_S = 5.0
#: The file beside the state that ``status`` reads.
STATUS_FILE = "heartbeat.json"


def fail_url_for(url: str) -> str | None:
    """The failure form of a known monitor's ping URL; None for an unknown one.

    healthchecks.io (and self-hosted Healthchecks): ``<ping URL>/fail``. Uptime Kuma
    push monitors: the same URL with ``status=down``.
    """
    parts = urlsplit(url)
    if "/api/push/" in parts.path:
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update(status="down", msg="")
        return urlunsplit(parts._replace(query=urlencode(query)))
    if parts.hostname and (
        parts.hostname.startswith("hc-ping.") or "healthchecks" in parts.hostname
    ):
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/fail"))
    return None


def with_reason(url: str, reason: str) -> str:
    """An Uptime Kuma push URL says why in its ``msg``; other URLs are left alone."""
    parts = urlsplit(url)
    if "/api/push/" not in parts.path:
        return url
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["msg"] = reason[:200]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True, slots=True)
class Ping:
    """One request to make: ``ok`` (healthy) or ``fail`` (with the reason)."""

    kind: str
    url: str
    body: str


class Pulse:
    """When to ping: every ``every_s`` while healthy; once per change to unhealthy."""

    def __init__(self, url: str, every_s: float, fail_url: str | None) -> None:
        self.url, self.every_s = url, every_s
        self.fail_url = fail_url if fail_url is not None else fail_url_for(url)
        self.problem = ""  # the reason of the last health seen ("" healthy)
        self.next_at = 0.0  # monotonic seconds of the next ok ping
        self.fail_due = False  # a fail ping is owed (made or being retried)
        self.retry_s = RETRY_S
        self.last_success: float | None = None  # Unix time
        self.last_error = ""
        self.last_error_at: float | None = None

    def due(self, now: float, problem: str, body: str) -> Ping | None:
        """The request to make now, if any, given the current health."""
        if problem != self.problem:
            self.problem = problem
            # healthy again: say so at once; unhealthy (or another reason): fail once
            self.fail_due = bool(problem)
            self.next_at = now
            self.retry_s = RETRY_S
        if self.problem:
            if self.fail_due and self.fail_url and now >= self.next_at:
                url = with_reason(self.fail_url, self.problem)
                return Ping("fail", url, f"{body}\nunhealthy: {self.problem}")
            return None
        if now >= self.next_at:
            return Ping("ok", self.url, body)
        return None

    def done(self, ping: Ping, error: str, now: float, wall: float) -> None:
        """Record how a ping went; a failure is retried with backoff."""
        if not error:
            self.retry_s = RETRY_S
            if ping.kind == "fail":
                self.fail_due = False
            else:
                self.last_success = wall
                self.next_at = now + self.every_s
            return
        self.last_error, self.last_error_at = error, wall
        self.next_at = now + min(self.retry_s, self.every_s)
        self.retry_s = min(self.retry_s * 2, self.every_s)

    def wait_s(self, now: float) -> float:
        """Seconds until ``due`` may have something to request."""
        return max(0.0, self.next_at - now)


def request(ping: Ping, timeout_s: float) -> str:
    """Make one ping (GET, the body saying what is watched); "" or the error."""
    import urllib.error  # http.client, email: only with a heartbeat
    import urllib.request

    req = urllib.request.Request(  # noqa: S310  the URL is the user's http(s) monitor
        ping.url,
        ping.body.encode(),
        {"Content-Type": "text/plain; charset=utf-8", "User-Agent": "logwatch"},
        method="GET",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310
            if 200 <= int(resp.status) < 300:
                return ""
            return f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except (OSError, ValueError) as exc:
        return f"not reached: {getattr(exc, 'reason', exc)}"


class Pinger:
    """The heartbeat's thread: asks ``health`` and ``describe``, pings, and writes
    how it went beside the state for ``status``."""

    def __init__(
        self,
        pulse: Pulse,
        clock: Clock,
        health: Callable[[], str],
        describe: Callable[[], str],
        status_path: Path,
        timeout_s: float = 10.0,
        on_success: Callable[[float], None] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.pulse, self.clock = pulse, clock
        self.health, self.describe = health, describe
        self.status_path, self.timeout_s = status_path, timeout_s
        self.on_success = on_success
        self.secrets = secrets
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> float:
        """Make the ping that is due, if any; seconds until the next look."""
        now = self.clock.monotonic()
        ping = self.pulse.due(now, self.health(), self.describe())
        if ping is not None:
            error = redact(request(ping, self.timeout_s), self.secrets)
            wall = self.clock.now().timestamp()
            self.pulse.done(ping, error, self.clock.monotonic(), wall)
            if error:
                log.info("heartbeat_failed", kind=ping.kind, error=error)
            elif ping.kind == "ok" and self.on_success is not None:
                self.on_success(wall)
            elif ping.kind == "fail":
                log.warning("heartbeat_fail_sent", problem=self.pulse.problem)
            self._save()
        return self.pulse.wait_s(self.clock.monotonic())

    def status(self) -> dict[str, Any]:
        """What ``status`` shows of the heartbeat."""
        p = self.pulse
        return {
            "every_s": p.every_s,
            "healthy": not p.problem,
            "problem": p.problem,
            "last_success": p.last_success,
            "last_error": p.last_error,
            "last_error_at": p.last_error_at,
        }

    def _save(self) -> None:
        try:
            write_private(self.status_path, json.dumps(self.status()).encode())
        except OSError as exc:
            log.info("heartbeat_status_not_saved", error=exc.strerror or str(exc))

    def start(self) -> None:
        """Ping in a thread of its own until ``close``."""
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception:  # boundary: the heartbeat thread must live on
                log.exception("heartbeat_loop_failed")
                wait = RETRY_S
            self.wake.wait(min(wait, 1.0))
            self.wake.clear()

    def close(self, timeout: float = 2.0) -> None:
        """Stop pinging (a request under way is abandoned after its timeout)."""
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def read_ping_status(state_dir: Path) -> dict[str, Any] | None:
    """The heartbeat's last saved pings (healthy, last success, last error), if any:
    not the state file's status (``store.status.read_status``)."""
    try:
        data = json.loads((state_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def describe_ping_status(info: dict[str, Any]) -> str:
    """``status``'s heartbeat line from what ``read_ping_status`` gave."""

    def when(ts: float | None) -> str:
        if not ts:
            return "never"
        return (
            datetime.fromtimestamp(ts, UTC).astimezone().isoformat(timespec="seconds")
        )

    if not info:
        return "heartbeat: no ping yet"
    health = "healthy" if info.get("healthy") else f"UNHEALTHY ({info.get('problem')})"
    text = f"heartbeat: {health}; last ping answered {when(info.get('last_success'))}"
    if info.get("last_error"):
        text += f"; last error {when(info.get('last_error_at'))}: {info['last_error']}"
    return text
