"""Prometheus metrics of logwatch itself, served at ``/metrics`` when asked for.

A fleet's Prometheus scrapes every logwatch and its rules say which one died, fell
silent or cannot deliver (``deploy/prometheus``). prometheus_client writes the
exposition; the daemon's loop sets the values, so a scrape never touches its parts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version

import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    start_http_server,
)

from logwatch.core.config import split_address

log = structlog.get_logger("logwatch.metrics")

#: The label of ``logwatch_build_info`` that carries the config's ``instance:`` name
#: (not ``instance``: Prometheus sets that label itself, to the scrape target, and
#: would store ours as ``exported_instance``)
INSTANCE_LABEL = "logwatch_instance"


def package_version() -> str:
    """The installed version of logwatch."""
    try:
        return version("trading-logwatch")
    except PackageNotFoundError:
        return "unknown"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Metrics:
    """logwatch's own metrics, in a registry of their own."""

    def __init__(self, instance: str, heartbeat: bool = False) -> None:
        # one counter is one series: no ``_created`` companions (process-wide)
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.lines = Counter(
            "logwatch_lines", "Lines read, per source.", ["source"], registry=registry
        )
        self.hits = Counter(
            "logwatch_hits",
            "Rule matches, before dedup.",
            ["rule", "severity"],
            registry=registry,
        )
        self.alerts = Counter(
            "logwatch_alerts",
            "Alerts per channel that were delivered or expired (given up).",
            ["channel", "outcome"],
            registry=registry,
        )
        self.failures = Counter(
            "logwatch_delivery_failures",
            "Sends per channel that failed and will be retried (one send may carry "
            "several alerts).",
            ["channel"],
            registry=registry,
        )
        self.pending = Gauge(
            "logwatch_alerts_pending",
            "Alerts waiting in the outbox, per channel.",
            ["channel"],
            registry=registry,
        )
        self.last_line = Gauge(
            "logwatch_source_last_line_timestamp_seconds",
            "When a source last gave new bytes (Unix time).",
            ["source"],
            registry=registry,
        )
        self.files = Gauge(
            "logwatch_files_followed",
            "Files followed now, per source.",
            ["source"],
            registry=registry,
        )
        #: only with a heartbeat configured (then 0 until its first success)
        self.heartbeat = Gauge(
            "logwatch_heartbeat_last_success_timestamp_seconds",
            "When the heartbeat URL last answered (Unix time).",
            registry=registry if heartbeat else None,
        )
        build = Gauge(
            "logwatch_build_info",
            "logwatch's version and the config's instance name (always 1).",
            ["version", INSTANCE_LABEL],
            registry=registry,
        )
        build.labels(package_version(), instance).set(1)
        self._lines_seen: dict[str, int] = {}
        self._server: object | None = None

    def serve(self, listen: str) -> int:
        """Serve ``/metrics`` on ``host:port`` in a thread; the port it got.

        Raises:
            OSError: the address cannot be bound (in use, not ours).
        """
        host, port = split_address(listen)
        server, thread = start_http_server(port, host, self.registry)
        self._server, self._thread = server, thread
        bound = int(server.server_address[1])
        log.info("metrics_listening", address=host, port=bound)
        if not is_loopback(host):
            log.warning("metrics_on_network", address=host, port=bound)
        return bound

    def close(self) -> None:
        """Stop serving."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()  # type: ignore[attr-defined]
            server.server_close()  # type: ignore[attr-defined]
            self._thread.join(5)

    def observe(
        self,
        lines: Mapping[str, int],
        files: Mapping[str, int],
        last_line: Mapping[str, float],
        pending: Mapping[str, int],
        channels: list[str],
    ) -> None:
        """Set what the daemon's loop knows: lines read so far (cumulative), files
        followed, last bytes (Unix time) per source; alerts waiting per channel."""
        for source, total in lines.items():
            grown = total - self._lines_seen.get(source, 0)
            if grown > 0:
                self.lines.labels(source).inc(grown)
            self._lines_seen[source] = total
        for source, count in files.items():
            self.files.labels(source).set(count)
        for source, at in last_line.items():
            self.last_line.labels(source).set(at)
        for channel in channels:
            self.pending.labels(channel).set(pending.get(channel, 0))

    def outcome(self, channel: str, outcome: str, count: int = 1) -> None:
        """Count ``count`` alerts of one outcome on one channel; a ``failed`` send is
        one failure of the channel, however many alerts it carried (they are counted
        when they are delivered or expire)."""
        if outcome == "failed":
            self.failures.labels(channel).inc()
        else:
            self.alerts.labels(channel, outcome).inc(count)

    def hit(self, rule: str, severity: str) -> None:
        """Count one rule match."""
        self.hits.labels(rule, severity).inc()
