"""A followed file's record, made from the tailer's Opened event."""

from __future__ import annotations

from datetime import timedelta

from logwatch.app.followed import Followed
from logwatch.follow.tailer import Opened, Source
from tests.follow_harness import EVERY_LINE
from tests.samples import T0


def opened(**changes: object) -> Opened:
    values: dict[str, object] = {
        "id": "f1",
        "path": "/logs/bot.log",
        "source": "bot",
        "offset": 0,
        "fresh": True,
        "size": 120,
    }
    values.update(changes)
    return Opened(**values)  # type: ignore[arg-type]


def test_a_file_starts_at_its_offset_and_line_with_its_sources_level() -> None:
    source = Source("bot", ("/logs/*.log",), unmatched="error")
    f = Followed.opened(
        opened(offset=40), source, EVERY_LINE, None, line=3, now=5.0, wall=T0
    )
    assert (f.source, f.last_data, f.catchup) == ("bot", 5.0, None)
    assert (f.stream.path, f.stream.offset, f.stream.line) == ("/logs/bot.log", 40, 3)
    assert not f.drained


def test_a_new_file_of_a_backfilled_source_keeps_its_size_and_cutoff() -> None:
    source = Source("bot", ("/logs/*.log",), backfill_s=600)
    f = Followed.opened(
        opened(catch_up=True), source, EVERY_LINE, None, line=1, now=0.0, wall=T0
    )
    assert f.catchup == (120, T0 - timedelta(seconds=600))
    known = Followed.opened(
        opened(catch_up=True, fresh=False),
        source,
        EVERY_LINE,
        None,
        line=1,
        now=0.0,
        wall=T0,
    )
    assert known.catchup is None
