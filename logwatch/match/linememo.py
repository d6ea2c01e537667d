"""What a line gave, remembered by its bytes: a one-line record whose line differs
from one seen before only in digits that its format's patterns and its statement's
rules treat alike is neither decoded into a Line nor parsed again (``Engine``).
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

from logwatch.core.formats import Format, field_spans
from logwatch.core.model import Record
from logwatch.follow.blocks import Block
from logwatch.match.memo import Remembered

#: An ASCII digit: a field holding one is keyed by its place
_DIGIT = regex.compile(r"[0-9]")
#: what a line memo keeps: its record's fields, how many characters its timestamp
#: takes at its start (-1: none), and what the statement memo gave
Outcome = tuple[Mapping[str, str], int, Remembered]


def translation(classes: dict[int, int]) -> bytes:
    """A ``digit_classes`` table as a ``bytes.translate`` table."""
    return bytes.maketrans(
        b"0123456789", bytes(classes[ord(str(d))] for d in range(10))
    )


def field_places(fmt: Format, record: Record) -> list[tuple[int, int]] | None:
    """Where a one-line record's fields holding a digit are in its line: another
    line whose digits the format's patterns treat alike has its fields at the same
    places, the same where they hold none. None when a field is not a slice of the
    line found there, or the timestamp is not the line's start."""
    raw = record.raw
    spans = field_spans(fmt.name, raw)
    if spans is None or record.text is not raw:
        return None
    timestamp = record.timestamp
    if spans.get("ts") != (None if timestamp is None else (0, len(timestamp))):
        return None
    places = []
    for name, value in record.fields.items():
        span = spans.get(name)
        if span is None:
            if name == "platform" and value == fmt.platform:
                continue
            return None
        if raw[span[0] : span[1]] != value:
            return None
        if _DIGIT.search(value):
            places.append(span)
    return places


def line_record(
    outcome: Outcome, block: Block, at: tuple[int, int, int], path: str, fmt_name: str
) -> Record:
    """The record of the ASCII line at ``at`` (its start and end in the block's
    data, its index), from what a line of its key gave: the same fields (the
    format's patterns treat the digits of the two alike, so they find them at the
    same places; those holding a digit are in the key) and its timestamp at the
    same place."""
    start, stop, index = at
    fields, time_chars, _ = outcome
    raw = block.data[start:stop].decode("ascii")
    if raw[-1:] == "\r":
        raw = raw[:-1]
    if block.spans is None:
        offset, end = block.offset + start, block.offset + stop + 1
    else:
        offset, end = block.spans[index]
    return Record(
        path=path,
        format=fmt_name,
        first_line=block.first_line + index,
        offset=offset,
        end=end,
        text=raw,
        raw=raw,
        timestamp=raw[:time_chars] if time_chars >= 0 else None,
        fields=fields,
    )
