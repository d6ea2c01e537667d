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

from logwatch.app.logs import configure, console
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


class _Stream(io.StringIO):
    """A text stream that says whether it is a console."""

    def __init__(self, console: bool) -> None:
        super().__init__()
        self.console = console

    def isatty(self) -> bool:
        return self.console


@pytest.mark.parametrize("console", [True, False], ids=["console", "pipe"])
def test_no_colour_escapes_on_a_console_or_a_pipe_and_no_stream_wrapped(
    console: bool,
) -> None:
    """Lines without colour on a console and JSON elsewhere, on every platform: a
    coloured renderer would call colorama on Windows, which wraps the process's
    own stdout and stderr (stripping, or converting, behind ``cli.safe_output``)."""
    streams = (sys.stdout, sys.stderr)
    out = _Stream(console)
    configure(out)
    log = structlog.get_logger("x")
    log.error("file_problem", path="C:\\Logs\\журнал.log")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("crashed")
    text = out.getvalue()
    # raw, or as ``_shown`` writes the escapes of logged text
    assert "\x1b" not in text
    assert "\\u001b" not in text
    assert "журнал.log" in text
    assert ("file_problem " in text) is console  # a console's line, else JSON
    assert (sys.stdout, sys.stderr) == streams
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
        from logwatch.alerts.render import Message
        from logwatch.core.config import config_from_text
        from logwatch.core.model import Severity
        from logwatch.deliver.notifier import Notifier

        notifier = Notifier(
            config_from_text("channels:\n  - {name: c, url: 'console://'}\n", {})
        )
        with structlog.testing.capture_logs() as events:
            sent = notifier.send("c", Message("Margin", "top up"), Severity.ERROR)
        assert sent.status == "sent"
        (event,) = [e for e in events if e["event"] == "console_alert"]
        # still marked as logwatch's own output, so a followed log cannot re-alert it
        assert event["text"] == "logwatch| Margin\nlogwatch| top up\n"


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


def _journal_file(tmp_path: Path) -> tuple[io.TextIOWrapper, dict[str, str]]:
    """A real file as stderr, and the JOURNAL_STREAM systemd would set for it."""
    stream = (tmp_path / "journal").open("w", encoding="utf-8")
    st = os.fstat(stream.fileno())
    return stream, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def test_to_the_journal_lines_carry_their_priority_and_no_json(
    tmp_path: Path,
) -> None:
    """With stderr to the journal it got JSON without priorities, so `journalctl -p
    err` found nothing: now `<N>` before a readable line, and the journal's own time."""
    stream, env = _journal_file(tmp_path)
    configure(stream, env=env)
    log = structlog.get_logger("logwatch.delivery")
    for level, method in ((2, log.critical), (3, log.error), (4, log.warning)):
        method("delivery_failed", channel="phone", level_expected=level)
    log.info("following", files=3)
    stream.close()
    lines = (tmp_path / "journal").read_text(encoding="utf-8").splitlines()
    assert [line[:3] for line in lines] == ["<2>", "<3>", "<4>", "<6>"]
    assert all("delivery_failed" in line for line in lines[:3])
    assert "files=3" in lines[3]
    assert not any(line[3:].lstrip().startswith("{") for line in lines)
    assert not any("2026-" in line or "T" in line.split()[0][3:] for line in lines)
    logging.getLogger().handlers.clear()


def test_a_journal_stream_of_another_file_is_not_taken_for_ours(
    tmp_path: Path,
) -> None:
    """A child whose stderr was redirected inherits JOURNAL_STREAM: it must compare."""
    journal, env = _journal_file(tmp_path)
    journal.close()
    out = (tmp_path / "redirected").open("w", encoding="utf-8")
    configure(out, env=env)
    structlog.get_logger("x").error("boom")
    out.close()
    (line,) = (tmp_path / "redirected").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["event"] == "boom"
    logging.getLogger().handlers.clear()


@pytest.mark.parametrize(
    ("level", "written"),
    [
        ("debug", ["d", "i", "w", "e"]),
        ("info", ["i", "w", "e"]),
        ("warning", ["w", "e"]),
        ("error", ["e"]),
    ],
)
def test_the_log_level_chooses_what_is_written(level: str, written: list[str]) -> None:
    out = io.StringIO()
    configure(out, as_json=True, level=level)
    log = structlog.get_logger("logwatch.x")
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")
    assert [json.loads(x)["event"] for x in out.getvalue().splitlines()] == written
    logging.getLogger().handlers.clear()


def test_logwatch_s_own_listening_address_is_not_masked() -> None:
    out = io.StringIO()
    configure(out, as_json=True)
    structlog.get_logger("logwatch.metrics").info(
        "metrics_listening", address="192.168.1.21", port=9464
    )
    structlog.get_logger("x").warning("delivery_failed", error="POST to 10.1.2.3")
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert first["address"] == "192.168.1.21"
    assert "10.1.2.3" not in second["error"]
    logging.getLogger().handlers.clear()


@pytest.mark.timeout(300)
def test_log_level_from_the_variable_and_a_bad_one_is_named(tmp_path: Path) -> None:
    from tests.daemon_run import logwatch

    log = tmp_path / "bot.log"
    log.write_text("hello\n", encoding="utf-8")
    env = {**os.environ, "LOGWATCH_LOG_LEVEL": "loud"}
    bad = logwatch("scan", str(log), env=env)
    assert bad.returncode == 2
    assert "LOGWATCH_LOG_LEVEL" in bad.stderr
    assert "'loud' is not one of 'debug', 'info'" in bad.stderr
    quiet = logwatch("--log-level", "ERROR", "scan", str(log))
    assert quiet.returncode == 1, quiet.stderr  # nothing matched, and nothing logged
    assert quiet.stderr == ""


def test_at_debug_only_logwatch_s_own_debug_events_are_written() -> None:
    """Other libraries' debug lines hold what logwatch cannot mask (a Slack webhook's
    path): at `--log-level debug` they stayed out, only logwatch's own came in."""
    out = io.StringIO()
    configure(out, as_json=True, level="debug")
    structlog.get_logger("logwatch.follow").debug("read", bytes=10)
    logging.getLogger("urllib3.connectionpool").debug(
        "POST /services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx HTTP/1.1"
    )
    logging.getLogger("urllib3.connectionpool").warning("Retrying")
    events = [json.loads(x)["event"] for x in out.getvalue().splitlines()]
    assert events == ["read", "Retrying"]
    logging.getLogger().handlers.clear()


def test_the_config_s_secrets_are_masked_in_every_event() -> None:
    from logwatch.app.logs import mask_also

    out = io.StringIO()
    configure(out, as_json=True)
    mask_also(("my-ntfy-topic-77",))
    try:
        structlog.get_logger("logwatch.delivery").warning(
            "delivery_failed", error="POST https://ntfy.sh/my-ntfy-topic-77 refused"
        )
    finally:
        mask_also(())
    assert "my-ntfy-topic-77" not in out.getvalue()
    assert "delivery_failed" in out.getvalue()
    logging.getLogger().handlers.clear()


def test_every_line_of_a_traceback_carries_its_priority_to_the_journal(
    tmp_path: Path,
) -> None:
    """journald makes an entry of each line: a traceback's lines had no priority, so
    `journalctl -p err` showed the error without them."""
    stream, env = _journal_file(tmp_path)
    configure(stream, env=env)
    try:
        raise ValueError("boom")
    except ValueError:
        structlog.get_logger("logwatch.daemon").exception("thread_crashed")
    stream.close()
    lines = (tmp_path / "journal").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 3  # the event and its traceback
    assert all(line.startswith("<3>") for line in lines), lines
    logging.getLogger().handlers.clear()
