"""The dead-man's switch: its schedule (pure, clock given), and its pings against a real
HTTP server on 127.0.0.1 that answers, fails, refuses or hangs."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from logwatch.app.daemon import Daemon
from logwatch.app.heartbeat import (
    RETRY_S,
    Ping,
    Pinger,
    Pulse,
    describe_ping_status,
    fail_url_for,
    read_ping_status,
    request,
)
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.servers import free_port


class Monitor:
    """A ping receiver on 127.0.0.1 (healthchecks.io's role): records each request's
    method, path and body; answers ``status``, or never answers while ``hang``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        self.status = 200
        self.hang = threading.Event()
        self.release = threading.Event()
        monitor = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if monitor.hang.is_set():
                    monitor.release.wait(10)
                    return
                monitor.requests.append(("GET", self.path, body))
                self.send_response(monitor.status)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(name="monitor")
def _monitor() -> Iterator[Monitor]:
    server = Monitor()
    yield server
    server.close()


# -- the schedule ------------------------------------------------------------------------


class TestPulse:
    def test_healthy_pings_at_once_then_every_period(self) -> None:
        pulse = Pulse("http://m/ping", 60, None)
        ping = pulse.due(0, "", "watching")
        assert ping == Ping("ok", "http://m/ping", "watching")
        pulse.done(ping, "", 0, 1000.0)
        assert pulse.due(59.9, "", "watching") is None
        assert pulse.wait_s(30) == 30
        assert pulse.due(60, "", "watching") is not None
        assert pulse.last_success == 1000.0

    def test_unhealthy_requests_the_fail_url_once_per_change_with_the_reason(
        self,
    ) -> None:
        pulse = Pulse("https://hc-ping.com/abc", 60, None)
        pulse.done(pulse.due(0, "", "w") or Ping("", "", ""), "", 0, 1.0)
        fail = pulse.due(10, "bot is silent", "w")
        assert fail is not None
        assert (fail.kind, fail.url) == ("fail", "https://hc-ping.com/abc/fail")
        assert "unhealthy: bot is silent" in fail.body
        pulse.done(fail, "", 10, 2.0)
        # still unhealthy, same reason: no more pings of either kind
        assert pulse.due(70, "bot is silent", "w") is None
        assert pulse.due(700, "bot is silent", "w") is None
        # another reason is another change
        again = pulse.due(701, "bot is silent; rule x is disabled", "w")
        assert again is not None
        assert again.kind == "fail"
        pulse.done(again, "", 701, 3.0)
        # healthy again: an ok ping at once
        back = pulse.due(702, "", "w")
        assert back is not None
        assert back.kind == "ok"

    def test_a_failed_ping_is_retried_with_backoff_never_later_than_the_period(
        self,
    ) -> None:
        pulse = Pulse("http://m/ping", 30, None)
        waits = []
        now = 0.0
        for _ in range(5):
            ping = pulse.due(now, "", "w")
            assert ping is not None
            pulse.done(ping, "HTTP 500", now, now)
            waits.append(pulse.wait_s(now))
            now += pulse.wait_s(now)
        assert waits == [RETRY_S, RETRY_S * 2, RETRY_S * 4, 30, 30]
        assert pulse.last_error == "HTTP 500"
        assert pulse.last_success is None

    def test_an_unknown_service_without_fail_url_sends_nothing_when_unhealthy(
        self,
    ) -> None:
        pulse = Pulse("https://example.org/beat", 60, None)
        assert pulse.fail_url is None
        assert pulse.due(0, "no channel is reachable", "w") is None

    @pytest.mark.parametrize(
        ("url", "fail"),
        [
            ("https://hc-ping.com/5f0c-uuid", "https://hc-ping.com/5f0c-uuid/fail"),
            (
                "https://hc-ping.com/key/my-slug/",
                "https://hc-ping.com/key/my-slug/fail",
            ),
            (
                "https://healthchecks.example.net/ping/uuid",
                "https://healthchecks.example.net/ping/uuid/fail",
            ),
            (
                "https://kuma.example.net/api/push/Ab12?status=up&msg=OK&ping=",
                "https://kuma.example.net/api/push/Ab12?status=down&msg=&ping=",
            ),
            ("https://example.org/beat", None),
        ],
    )
    def test_the_default_fail_url_of_known_monitors(
        self, url: str, fail: str | None
    ) -> None:
        assert fail_url_for(url) == fail

    def test_an_uptime_kuma_fail_ping_carries_the_reason_in_msg(self) -> None:
        pulse = Pulse("http://k/api/push/Ab12?status=up&msg=OK&ping=", 60, None)
        ping = pulse.due(0, "bot is silent", "w")
        assert ping is not None
        assert ping.url == "http://k/api/push/Ab12?status=down&msg=bot+is+silent&ping="


# -- the requests ------------------------------------------------------------------------


def test_a_ping_is_a_get_whose_body_says_what_is_watched(monitor: Monitor) -> None:
    assert request(Ping("ok", monitor.url + "/uuid", "logwatch pc1: 3 files"), 5) == ""
    assert monitor.requests == [("GET", "/uuid", "logwatch pc1: 3 files")]


def test_a_500_a_refused_port_and_a_hanging_url_are_errors_not_exceptions(
    monitor: Monitor,
) -> None:
    monitor.status = 500
    assert request(Ping("ok", monitor.url + "/x", ""), 5).startswith("HTTP 500")
    refused = request(Ping("ok", f"http://127.0.0.1:{free_port()}/x", ""), 5)
    assert refused.startswith("not reached:")
    monitor.hang.set()
    hung = request(Ping("ok", monitor.url + "/x", ""), 0.3)
    assert "timed out" in hung


def test_the_pinger_pings_at_the_period_and_saves_its_status(
    monitor: Monitor, tmp_path: Path
) -> None:
    clock = FakeClock()
    successes: list[float] = []
    pinger = Pinger(
        Pulse(monitor.url + "/uuid", 60, None),
        clock,
        lambda: "",
        lambda: "watching bot",
        tmp_path / "heartbeat.json",
        on_success=successes.append,
    )
    for _ in range(3):
        assert pinger.step() == 60
        assert pinger.step() == 60  # nothing due yet: no request
        clock.advance(60)
    assert monitor.paths() == ["/uuid"] * 3
    assert len(successes) == 3
    saved = read_ping_status(tmp_path)
    assert saved is not None
    assert saved["healthy"]
    assert saved["last_success"] == successes[-1]
    assert "last ping answered" in describe_ping_status(saved)


def test_a_failing_monitor_is_retried_quietly_and_shown_in_status(
    monitor: Monitor, tmp_path: Path
) -> None:
    clock = FakeClock()
    monitor.status = 500
    pinger = Pinger(
        Pulse(monitor.url + "/uuid", 60, None),
        clock,
        lambda: "",
        lambda: "",
        tmp_path / "heartbeat.json",
    )
    assert pinger.step() == RETRY_S
    clock.advance(RETRY_S)
    assert pinger.step() == RETRY_S * 2
    monitor.status = 200
    clock.advance(RETRY_S * 2)
    assert pinger.step() == 60
    assert len(monitor.requests) == 3
    saved = read_ping_status(tmp_path)
    assert saved is not None
    assert saved["last_error"].startswith("HTTP 500")
    text = describe_ping_status(saved)
    assert "last error" in text
    assert "HTTP 500" in text


# -- in the daemon ------------------------------------------------------------------------


def _daemon(tmp_path: Path, monitor: Monitor, clock: FakeClock) -> Daemon:
    (tmp_path / "logs").mkdir(exist_ok=True)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\ninstance: desk-7\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "    silence: 5m\n"
        "channels:\n  - {name: mine, url: 'fake://mine'}\n"
        # every 10 min: no ok ping falls due while the test moves the clock 5 min
        f"heartbeat:\n  url: '{monitor.url}/ping/uuid'\n  every: 10m\n"
        f"  fail_url: '{monitor.url}/ping/uuid/fail'\n  timeout: 2s\n",
        encoding="utf-8",
    )
    daemon = Daemon(config, clock, {}, io.StringIO())
    daemon.start()
    return daemon


@pytest.mark.usefixtures("fake_channels")
def test_the_daemon_pings_while_healthy_fails_once_when_a_source_is_silent_and_stops(
    tmp_path: Path, monitor: Monitor
) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    daemon = _daemon(tmp_path, monitor, clock)
    try:
        daemon.step()
        wait_until(lambda: monitor.paths() == ["/ping/uuid"], 5, "the first ping")
        assert "logwatch desk-7: following 0 files from bot" in monitor.requests[0][2]
        clock.advance(301)  # the source stays silent past its 5 minutes
        daemon.step()
        assert daemon.problem == "bot is silent"
        wait_until(lambda: len(monitor.requests) == 2, 5, "the fail ping")
        _, path, body = monitor.requests[1]
        assert path == "/ping/uuid/fail"
        assert "unhealthy: bot is silent" in body
        (tmp_path / "logs" / "bot.log").write_text("a line\n", encoding="utf-8")

        def healthy() -> bool:
            clock.advance(1)  # the next listing of the folder is due
            daemon.step()
            return daemon.problem == ""

        wait_until(healthy, 5, "the source to be read again")
        wait_until(lambda: len(monitor.requests) == 3, 5, "the ok ping on recovery")
        assert monitor.paths()[2] == "/ping/uuid"
    finally:
        daemon.close()
    count = len(monitor.requests)
    assert daemon.pinger is None  # its thread was joined: nothing while stopped
    clock.advance(3600)
    assert len(monitor.requests) == count


@pytest.mark.usefixtures("fake_channels")
def test_a_hanging_heartbeat_url_does_not_hold_up_alerts(
    tmp_path: Path, monitor: Monitor
) -> None:
    from tests import fakes
    from tests.follow_harness import write

    monitor.hang.set()
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    daemon = _daemon(tmp_path, monitor, clock)
    try:
        daemon.step()
        write(
            tmp_path / "logs" / "bot.log",
            b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n",
        )
        daemon.step()
        clock.advance(1)  # past the wait for continuation lines
        daemon.step()
        wait_until(lambda: bool(fakes.SENT.get("mine")), 5, "the alert")
        assert fakes.SENT["mine"][0][0].startswith("ERROR: Not enough margin")
        assert fakes.SENT["mine"][0][1].endswith("· desk-7")
    finally:
        monitor.release.set()
        daemon.close()


def test_status_shows_the_heartbeat(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from logwatch.app.cli import cli

    state = tmp_path / "state"
    state.mkdir()
    (state / "heartbeat.json").write_text(
        '{"healthy": false, "problem": "bot is silent", "last_success": 1700000000,'
        ' "last_error": "HTTP 500", "last_error_at": 1700000060}',
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        f"state_dir: {state}\nheartbeat: {{url: 'https://hc-ping.com/u', every: 1m}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["status", "--config", str(config)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert (
        "heartbeat: UNHEALTHY (bot is silent); last ping answered 20" in result.output
    )
    assert "HTTP 500" in result.output
    assert "hc-ping.com/u" not in result.output  # the ping URL is a secret


def test_a_closed_port_for_a_heartbeat_is_quiet_not_fatal(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    pinger = Pinger(
        Pulse(f"http://127.0.0.1:{port}/x", 60, None),
        clock,
        lambda: "",
        lambda: "",
        tmp_path / "heartbeat.json",
    )
    assert pinger.step() == RETRY_S
    assert pinger.pulse.last_error.startswith("not reached:")
