"""What a dedup window keeps of its hits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from logwatch.alerts.dedup import DEFAULT_WINDOW_S, Deduper
from logwatch.alerts.window import KEPT_CHARS
from tests.samples import at, hit
from tests.samples import make_record as sample_record


@pytest.mark.parametrize("size", [1, KEPT_CHARS, KEPT_CHARS + 1, 64 * 1024])
def test_a_window_keeps_at_most_kept_chars_of_its_line(size: int) -> None:
    line = "Margin is insufficient " + "x" * size
    record = sample_record(text=line, raw=line)
    big = replace(hit(), record=record, captures={"m": line}, message=line)
    d = Deduper()
    (first,) = d.admit(big, at(0))
    assert first.hit == big  # the first alert carries the whole line
    d.admit(big, at(1))
    (window,) = d.windows.values()
    assert window.last_hit is not None
    kept = window.last_hit
    texts = [kept.record.raw, kept.record.text, kept.message, kept.captures["m"]]
    assert [len(t) for t in texts] == [min(len(line), KEPT_CHARS)] * 4
    assert all(line.startswith(t) for t in texts)
    assert kept.record.truncated == (len(line) > KEPT_CHARS)
    (digest,) = d.tick(at(DEFAULT_WINDOW_S))
    assert digest.count == 1


def test_alerts_show_less_of_a_line_than_a_window_keeps() -> None:
    from logwatch.alerts.render import LINE_CHARS

    assert LINE_CHARS < KEPT_CHARS
