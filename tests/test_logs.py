from __future__ import annotations

import io
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import structlog

from logwatch.logs import configure, console
from tests.conftest import wait_until


def test_events_and_stdlib_records_go_to_the_stream_as_json() -> None:
    out = io.StringIO()
    configure(out, as_json=True)
    structlog.get_logger("logwatch.tailer").warning("file_unreadable", path="/x.log")
    logging.getLogger("watchdog").warning("Inotify queue overflowed")
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert (first["event"], first["path"], first["level"]) == (
        "file_unreadable",
        "/x.log",
        "warning",
    )
    assert second["event"] == "Inotify queue overflowed"
    logging.getLogger().handlers.clear()


def test_console_lines_for_a_terminal() -> None:
    out = io.StringIO()
    configure(out, as_json=False)
    structlog.get_logger("x").warning("not_a_file", path="/d")
    assert "not_a_file" in out.getvalue()
    assert "path=/d" in out.getvalue()
    logging.getLogger().handlers.clear()


def test_a_repeated_event_is_rate_limited_and_the_drops_are_counted() -> None:
    from tests.fakes import FakeClock

    out, clock = io.StringIO(), FakeClock()
    configure(out, as_json=True, clock=clock)
    log = structlog.get_logger("logwatch.delivery")
    for i in range(500):
        log.warning("delivery_failed", channel="phone", attempts=i)
    log.warning("other_event")
    clock.advance(61)
    log.warning("delivery_failed", channel="phone", attempts=500)
    events = [json.loads(x) for x in out.getvalue().splitlines()]
    failed = [e for e in events if e["event"] == "delivery_failed"]
    assert len(failed) == 11
    assert failed[-1]["suppressed"] == 490
    assert [e["event"] for e in events].count("other_event") == 1
    logging.getLogger().handlers.clear()


def test_secrets_in_logged_values_are_masked() -> None:
    out = io.StringIO()
    configure(out, as_json=True)
    structlog.get_logger("x").warning(
        "delivery_failed", error="auth failed for binance_api_secret=Zq8Wv2Xr5Ty7"
    )
    logging.getLogger("apprise").warning("POST to 10.1.2.3 failed")
    assert "Zq8Wv2Xr5Ty7" not in out.getvalue()
    assert "10.1.2.3" not in out.getvalue()
    logging.getLogger().handlers.clear()


def test_debug_events_are_not_written_at_info() -> None:
    out = io.StringIO()
    configure(out, as_json=True)
    structlog.get_logger("logwatch.daemon").debug("hit", rule="r")
    assert out.getvalue() == ""
    logging.getLogger().handlers.clear()


def _no_stdio(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stdout/stderr, as under pythonw; called in the test itself, since pytest's
    capture sets ``sys.std*`` again between a fixture and the test."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    # configure() logs crashes instead of printing them; put the hooks back after
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


class TestWithoutAConsole:
    """pythonw.exe, a GUI launcher or a service give Python no stdout/stderr: ``sys``
    docs say they are then ``None``. Simulated here by setting them to ``None``."""

    def test_events_go_to_a_json_file_in_the_log_dir(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Before: ``None.isatty()`` raised AttributeError at start."""
        _no_stdio(monkeypatch)
        path = configure(log_dir=tmp_path / "logs")
        structlog.get_logger("logwatch.daemon").warning("file_problem", path="/x")
        logging.getLogger().handlers[0].flush()
        assert path == tmp_path / "logs" / "logwatch.log"
        (event,) = (json.loads(x) for x in path.read_text("utf-8").splitlines())
        assert (event["event"], event["path"]) == ("file_problem", "/x")
        _close_handlers()

    def test_uncaught_exceptions_are_logged_not_lost(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        _no_stdio(monkeypatch)
        path = configure(log_dir=tmp_path)
        assert path is not None
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        logging.getLogger().handlers[0].flush()
        event = json.loads(path.read_text("utf-8").splitlines()[-1])
        assert event["event"] == "crashed"
        assert "RuntimeError: boom" in event["exception"]
        _close_handlers()

    def test_the_daemons_console_output_becomes_log_events(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Before: ``daemon._announce`` wrote to ``sys.stderr``, which is None."""
        _no_stdio(monkeypatch)
        out = console(sys.stderr)
        with structlog.testing.capture_logs() as events:
            out.write("logwatch: following 3 files\nlogwatch: no ")
            out.write("sources\n")
            out.write("unfinished")
            out.flush()
        assert [e["text"] for e in events] == [
            "logwatch: following 3 files",
            "logwatch: no sources",
            "unfinished",
        ]
        assert console(io.StringIO()) is not out

    def test_the_console_channel_falls_back_to_the_log(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Before: ``console://`` wrote to ``sys.stderr`` (None) and always failed."""
        _no_stdio(monkeypatch)
        from logwatch.config import config_from_text
        from logwatch.model import Severity
        from logwatch.notifier import Notifier
        from logwatch.render import Message

        notifier = Notifier(
            config_from_text("channels:\n  - {name: c, url: 'console://'}\n", {})
        )
        with structlog.testing.capture_logs() as events:
            sent = notifier.send("c", Message("Margin", "top up"), Severity.ERROR)
        assert sent.status == "sent"
        (event,) = [e for e in events if e["event"] == "console_alert"]
        # still marked as logwatch's own output, so a followed log cannot re-alert it
        assert event["text"] == "logwatch| [FAILURE] Margin\nlogwatch| top up\n"


def _close_handlers() -> None:
    for handler in logging.getLogger().handlers:
        handler.close()
    logging.getLogger().handlers.clear()


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="closed std handles through a POSIX shell; on Windows: test_windows's detached logwatchw",
)
@pytest.mark.timeout(300)
def test_logwatch_run_with_fds_0_1_2_closed_stays_up_and_logs_to_a_file(
    tmp_path: Path,
) -> None:
    """The logon task's situation on Linux: no stdin, stdout or stderr at all. Before:
    an AttributeError at start and exit 1, with nothing written anywhere."""
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    (tmp_path / "config.yaml").write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{logs_dir}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "xdg"),
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "logwatch",
            "run",
            "--config",
            str(tmp_path / "config.yaml"),
        ]
    )
    proc = subprocess.Popen(
        ["sh", "-c", f"exec {command} <&- >&- 2>&-"], env=env, stdin=subprocess.DEVNULL
    )
    log_file = tmp_path / "xdg" / "logwatch" / "log" / "logwatch.log"

    def events() -> list[dict[str, Any]]:
        if not log_file.exists():
            return []
        return [json.loads(x) for x in log_file.read_text("utf-8").splitlines()]

    try:
        wait_until(
            lambda: any("following" in e.get("text", "") for e in events()),
            20,
            lambda: f"the start announced in the log file (exit {proc.poll()})",
        )
        with (logs_dir / "bot.log").open("ab") as fh:
            fh.write(b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n")
        wait_until(
            lambda: any(e["event"] == "console_alert" for e in events()),
            20,
            "the console channel's alert in the log file",
        )
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
    assert code == 0
    alert = next(e for e in events() if e["event"] == "console_alert")
    assert "Margin" in alert["text"]


def test_console_channel_lines_are_never_throttled() -> None:
    """Without stdio the console channel writes alerts as ``console`` log events."""
    out = io.StringIO()
    configure(out, as_json=True)
    for i in range(50):
        structlog.get_logger("logwatch.logs").info("console", text=f"alert {i}")
    assert len(out.getvalue().splitlines()) == 50
    logging.getLogger().handlers.clear()
