"""A log line's own time: read from its record, and written back as the log means it.

The one place that parses a log's timestamp (the follower's age check, dedup's
repeat times, the report and the message all ask here) and formats one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

import regex

from logwatch.core.model import Record

_DATE_IN_NAME = regex.compile(r"(?<!\d)(\d{4})(\d\d)(\d\d)(?!\d)")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S,%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S:%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y.%m.%d %H:%M:%S.%f",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S.%f",
)


def parse_timestamp(record: Record) -> datetime | None:
    """When the record was written, if its line says so (naive when the line is)."""
    raw = record.timestamp
    if not raw:
        return None
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw.replace(",", "."))
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(raw, fmt)  # noqa: DTZ007  the log's own local time
        except ValueError:
            continue
    m = _DATE_IN_NAME.search(PurePath(record.path).name)
    if m and regex.fullmatch(r"\d\d:\d\d:\d\d[.:]\d{3}", raw):
        try:
            return datetime.strptime(  # noqa: DTZ007  the log's own local time
                "".join(m.groups()) + " " + raw[:8] + "." + raw[9:],
                "%Y%m%d %H:%M:%S.%f",
            )
        except ValueError:
            return None
    return None


def format_log_time(when: datetime, date: bool = True) -> str:
    """A log's own time as it means it: with its zone when it gives one (``+03:00``,
    ``UTC``), as written when it does not (the log's local time)."""
    text = when.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    offset = when.utcoffset()
    if offset is None:
        return text
    if not offset:
        return f"{text} UTC"
    zone = when.strftime("%z")
    return f"{text} {zone[:3]}:{zone[3:5]}"
