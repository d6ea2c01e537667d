from __future__ import annotations

import io
import json
import logging

import structlog

from logwatch.logs import configure


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
