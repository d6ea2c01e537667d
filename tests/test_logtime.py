"""A log's own time: parsed in one place, written back as the log means it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from logwatch.core.logtime import format_log_time, parse_timestamp
from logwatch.core.model import Record
from tests.samples import make_record as sample_record


def record(stamp: str, path: str = "bot.log") -> Record:
    return sample_record(path=path, timestamp=stamp)


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("2026-05-01 10:20:30,123", "2026-05-01 10:20:30"),
        ("2026-05-01T10:20:30Z", "2026-05-01 10:20:30 UTC"),
        ("2026-05-01T10:20:30+03:00", "2026-05-01 10:20:30 +03:00"),
        ("2026-05-01T10:20:30-05:30", "2026-05-01 10:20:30 -05:30"),
        ("01.05.2026 10:20:30", "2026-05-01 10:20:30"),
    ],
)
def test_a_parsed_time_is_written_back_with_the_zone_the_log_gave(
    stamp: str, shown: str
) -> None:
    when = parse_timestamp(record(stamp))
    assert when is not None
    assert format_log_time(when) == shown
    assert format_log_time(when, date=False) == shown[11:]


def test_a_time_of_day_takes_its_date_from_the_files_name() -> None:
    when = parse_timestamp(record("10:20:30.500", path="20260501.log"))
    assert when == datetime(2026, 5, 1, 10, 20, 30, 500000)


@pytest.mark.parametrize("stamp", ["", "   ", "yesterday", "10:20:30.500"])
def test_no_time_is_none(stamp: str) -> None:
    assert parse_timestamp(record(stamp)) is None


def test_a_zone_of_whole_hours_and_utc_read_as_people_write_them() -> None:
    moscow = datetime(2026, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=3)))
    assert format_log_time(moscow) == "2026-05-01 10:00:00 +03:00"
    assert format_log_time(moscow.astimezone(UTC)) == "2026-05-01 07:00:00 UTC"
