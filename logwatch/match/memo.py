"""What a statement gave, remembered: one-line records that differ only in their
digits (a time, an id, an address) are matched once.

A log repeats its statements; each line differs from the last of its kind in its time
and numbers. A pattern that treats every ASCII digit alike (``\\d``, ``\\w``, ``.``,
never a digit of its own) matches two such lines at the same places, so their hits
are the same but for the record they carry, as long as no exchange's name with a
digit could be found in either. A pattern with digits of its own (``[0-2]``) tells
only some digits apart: the key keeps which of those each digit is. Where a step
decided by the digits of a text (a code, a message looked up) or a hit took a text
holding digits (evidence, a capture), the statement is keyed by the digits at those
places too: a line with another code there is matched afresh. What a step cannot
promise that of (a pattern that names a digit by number, a code the catalogue
lacks, the recognizer, a search that timed out) is not remembered.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

import regex

from logwatch.core.formats import REMEMBERED_CHARS
from logwatch.core.model import Hit, Record

#: How many statements a memo keeps (a log has a few hundred kinds of line).
MAX_STATEMENTS = 4096
#: A repeat count (``{2,20}``): digits that say how many, not which
_COUNT = regex.compile(r"\{\d*(?:,\d*)?\}\??\+?")
#: Syntax that names characters by number or text, refers back to a group, or reads
#: a class by name: a digit could be told from another through it
_OPAQUE = ("\\x", "\\u", "\\U", "\\N", "\\p", "\\P", "\\g", "\\L", "(?P=", "(?P>", "[:")
#: A comment, or an inline flag that makes text a comment (verbose) or reads classes
#: as sets (``V1``): a ``[`` there is not read as ``_TOKEN`` reads it
_UNREAD = regex.compile(r"\(\?#|\(\?[abefilmprsuwx01V-]*[xV]")
#: A backslash or a group's call before a digit: a back-reference, an octal escape,
#: a recursion (what the digit means is not a digit of the text)
_BY_NUMBER = regex.compile(r"\\[0-9]|\(\?[+-]?[0-9]")
#: The ASCII digits: where a text a hit takes holds one, the memo keys by its place
DIGITS = frozenset("0123456789")
#: An escape, a class (``]`` first in it is not its end: such a class is read as
#: opaque) or any other character, in a pattern read left to right
_TOKEN = regex.compile(r"\\.|\[\^?\]|\[(?:\\.|[^\]\\])*\]|.", regex.S)

#: what ``Engine._match`` gives: the hits and whether the record was recognised
Matched = tuple[list[Hit], bool]
#: what a memo keeps of a statement: that, and whether its lines are left as they
#: are by masking (then a line's hits carry it unmasked)
Remembered = tuple[list[Hit], bool, bool]
#: (path, format, what the keywords asked, the fields, the line with its digits as
#: the first alike to each)
Key = tuple[object, ...]
#: places in a statement's line: (start, end)
Spans = tuple[tuple[int, int], ...]


def digit_cuts(pattern: str) -> frozenset[int] | None:
    """Where ``pattern`` tells ASCII digits apart: for each digit of its own (but in
    a repeat count) that digit and the next, so that digits between two cuts are
    alike to it (a range holds all of them or none); None when it could tell them
    apart otherwise (a character given by number or by name, a back-reference, a
    fuzzy count, a comment or a flag that changes how its classes are read)."""
    if _UNREAD.search(pattern):
        return None
    text = _without_full_ranges(_COUNT.sub("", pattern))
    if text is None:
        return None
    if "{" in text.replace("\\{", "") or _BY_NUMBER.search(text):
        return None
    if any(mark in text for mark in _OPAQUE):
        return None
    return frozenset(
        cut for c in text if "0" <= c <= "9" for cut in (int(c), int(c) + 1)
    ) - {0, 10}


def _without_full_ranges(pattern: str) -> str | None:
    """``pattern`` with each class's range ``0-9`` taken out (the class holds every
    digit: it tells none apart); None for a class ``digit_cuts`` cannot read."""
    out = []
    for m in _TOKEN.finditer(pattern):
        token = m[0]
        if token in ("[]", "[^]"):
            return None
        if token.startswith("[") and "0-9" in token:
            # a range ending in 0 (``[/-0-9]``) does not start a range 0-9
            token = regex.sub(r"(?<![-\\])0-9", "", token)
        out.append(token)
    return "".join(out)


def digit_blind(pattern: str) -> bool:
    """Whether ``pattern`` treats every ASCII digit alike (``digit_cuts`` none)."""
    return digit_cuts(pattern) == frozenset()


def digit_classes(cuts: frozenset[int]) -> dict[int, int]:
    """A ``str.translate`` table giving each ASCII digit the first of those alike
    to it between ``cuts`` (no cuts: every digit ``0``)."""
    firsts = sorted({0, *cuts})
    return {ord(str(d)): ord(str(max(f for f in firsts if f <= d))) for d in range(10)}


def rebuilt(hits: Sequence[Hit], record: Record) -> list[Hit]:
    """``hits`` remembered of another record of the statement, made ``record``'s (a
    one-line record, masked: every hit's line is its first)."""
    return [
        Hit(
            rule_id=h.rule_id,
            severity=h.severity,
            codes=h.codes,
            record=record,
            line=record.first_line,
            captures=h.captures,
            key=h.key,
            exchange=h.exchange,
            message=h.message,
            recognition=h.recognition,
        )
        for h in hits
    ]


#: what a memo keeps (``Remembered`` for statements)
V = TypeVar("V")


class Memo(Generic[V]):
    """Statements and what they gave, up to MAX_STATEMENTS (then it starts again).

    A statement is kept as the places whose digits its match depended on, and what
    it gave by the texts there (one entry when there are none). Its line is a str or
    (``Engine``'s line memo) the bytes it was read from.
    """

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[Spans, dict[tuple[Hashable, ...], V]]] = {}
        self._count = 0

    @staticmethod
    def key(record: Record, wanted: object, classes: dict[int, int]) -> Key | None:
        """A one-line ``record``'s key, its line with each digit the first of its
        ``classes`` (``digit_classes``) last; None when its text is not its line (a
        JSON record's message)."""
        raw = record.raw
        if record.text is not raw or "\n" in raw:
            return None
        fields = tuple(record.fields.items())
        return (
            record.path,
            record.format,
            wanted,
            fields,
            raw.translate(classes),
        )

    def get(self, key: Hashable, line: str | bytes) -> V | None:
        """What the statement gave for ``line``'s digits at its places, if
        remembered."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        spans, by_digits = kept
        if not spans:
            return by_digits.get(())
        return by_digits.get(tuple([line[a:b] for a, b in spans]))

    def places(self, key: Hashable) -> Spans | None:
        """The places the statement ``key`` is kept by, if it is kept."""
        kept = self._kept.get(key)
        return None if kept is None else kept[0]

    def put(
        self,
        key: Hashable,
        line: str | bytes,
        spans: Sequence[tuple[int, int]],
        remembered: V,
    ) -> None:
        """Remember what the statement gave for ``line``, whose match depended on
        the digits at ``spans`` (a line with other places starts the key again).
        A line longer than ``REMEMBERED_CHARS`` is not kept."""
        if len(line) > REMEMBERED_CHARS:
            return
        if self._count >= MAX_STATEMENTS:
            self.clear()
        places = tuple(sorted(set(spans)))
        kept = self._kept.get(key)
        if kept is None or kept[0] != places:
            kept = self._kept[key] = (places, {})
        kept[1][tuple(line[a:b] for a, b in places)] = remembered
        self._count += 1

    def clear(self) -> None:
        """Forget everything (a rule was disabled)."""
        self._kept.clear()
        self._count = 0
