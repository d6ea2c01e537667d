"""What a Follower tells: one sink, and the subscribers that keep or log it."""

from __future__ import annotations

from structlog.testing import capture_logs

from logwatch.app.follower_events import (
    Activity,
    DataRead,
    FileWarning,
    FollowEvent,
    LinesRead,
    Matched,
    OldLinesSkipped,
    SaveFailed,
    SaveResumed,
    fan_out,
    log_event,
)
from logwatch.match.engine import Scan
from tests.fakes import each_scan


def test_fan_out_hands_each_event_to_every_sink_in_order() -> None:
    seen: list[tuple[str, FollowEvent]] = []
    sink = fan_out(lambda e: seen.append(("a", e)), lambda e: seen.append(("b", e)))
    event = LinesRead("bot", 3)
    sink(event)
    assert seen == [("a", event), ("b", event)]


def test_each_scan_passes_on_only_what_matching_gave() -> None:
    scans: list[Scan] = []
    sink = each_scan(scans.append)
    scan = Scan()
    sink(LinesRead("bot", 1))
    sink(Matched(scan))
    assert scans == [scan]


def test_activity_counts_lines_and_keeps_the_last_bytes_per_source() -> None:
    activity = Activity()
    for event in (
        LinesRead("bot", 2),
        DataRead("bot", 5.0),
        LinesRead("bot", 3),
        DataRead("bot", 7.0),
        LinesRead("ui", 1),
    ):
        activity(event)
    assert dict(activity.lines_read) == {"bot": 5, "ui": 1}
    assert activity.last_read == {"bot": 7.0}


def test_the_log_says_what_every_follower_says_of_its_own_work() -> None:
    with capture_logs() as logs:
        for event in (
            SaveFailed("disk full", 1.0),
            SaveResumed(),
            OldLinesSkipped("/x.log", 60.0),
            FileWarning("/x.log", "not text"),  # its host's to log or print
            LinesRead("bot", 1),
        ):
            log_event(event)
    assert [(e["event"], e["log_level"]) for e in logs] == [
        ("state_save_failed", "error"),
        ("state_saved_again", "info"),
        ("old_lines_not_alerted", "info"),
    ]
