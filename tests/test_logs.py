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
