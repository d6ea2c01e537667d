"""Step 2 of a match: the catalogue's shapes, each by its index in
``Catalogue.shapes`` (a space of its own: never a rule's index), and the hit for
what a shape found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from logwatch.core.formats import DIGITS_AS_ZERO
from logwatch.core.model import Hit, Recognition, Record
from logwatch.match.attribution import SHARED_SHAPES, Attribution
from logwatch.match.exchangenames import Named
from logwatch.match.memo import DIGITS
from logwatch.match.recognizer import Recognizer
from logwatch.match.seen import Masker, Seen
from logwatch.rulebook.catalogue import Catalogue, Found, normalise_text
from logwatch.rulebook.rules import Rule


class Shaped(NamedTuple):
    """What a shape found in a record, and the exchange the line names outside the
    message (None: it names none)."""

    found: Found
    named: Named | None


class ShapeStep:
    """The catalogue's shapes: what the first that fits finds, and its hit."""

    def __init__(
        self,
        catalogue: Catalogue,
        recognizer: Recognizer,
        attribution: Attribution,
        masker: Masker,
        enabled: Callable[[str], Rule | None],
        timeout_s: float,
    ) -> None:
        self.catalogue = catalogue
        self._recognizer = recognizer
        self._attribution = attribution
        self._masker = masker
        self._enabled = enabled
        self._timeout_s = timeout_s
        #: by shape index: whether the shape captures a code
        self._coded = tuple(
            "code" in shape.pattern.groupindex for shape in catalogue.shapes
        )

    def found(
        self, seen: Seen, indexes: frozenset[int], hits: list[Hit]
    ) -> Shaped | None:
        """What the first of the shapes at ``indexes`` that fits the record finds;
        None when none fits, or what it finds is another exchange's line in its
        shape. ``hits``: the rules' hits on the record."""
        record = seen.record
        tried = self._tried(indexes, hits)
        found = self._identify(seen, tried) if tried else None
        if found is None:
            return None
        if found.entry is None:
            seen.opaque = True  # the recognizer's: not for the memo
        # a code, a text with digits: the memo keys the statement by those digits
        seen.spans.extend(found.spans)
        exchange = found.shape.exchange
        if exchange not in self._attribution.exchanges:
            return Shaped(found, None)
        span = self._recognizer.message_span(record.text, found.message)
        if span[1] and DIGITS.intersection(found.message):
            # found where its digits are: another line of the statement finds it
            # there too when its digits there are the same and no earlier place
            # could hold it
            seen.spans.append(span)
            zeroed = found.message.translate(DIGITS_AS_ZERO)
            if record.text.translate(DIGITS_AS_ZERO).find(zeroed) != span[0]:
                seen.opaque = True
        named = self._recognizer.attribute(
            self._recognizer.outside(seen.names(), record.text, *span),
            found.start,
            record.fields,
        )
        if named is not None and named.exchange != exchange:
            return None  # another exchange's line in this one's shape
        if named is None and found.shape.id in SHARED_SHAPES:
            seen.opaque = True  # whose library printed it: not for the memo
            if not self._attribution.owns(exchange, record):
                return None  # no exchange named: the recognizer's category alone
        return Shaped(found, named)

    def _tried(self, indexes: frozenset[int], hits: list[Hit]) -> list[int]:
        """The shapes at ``indexes`` worth trying, in order: with ``hits`` (a
        hand-written rule already explains the record) only those that find a
        code, or a text of another exchange's, can change the hit."""
        tried = sorted(indexes)
        if not hits:
            return tried
        shapes = self.catalogue.shapes
        return [
            i
            for i in tried
            if self._coded[i] or any(h.exchange != shapes[i].exchange for h in hits)
        ]

    def _identify(self, seen: Seen, shapes: list[int]) -> Found | None:
        """What the shapes find in the record's text, else in its raw line (a JSON
        line's text is only its message); ``start`` is made a position in the raw
        record, or 0 when the match was in a text made from it."""
        record = seen.record
        try:
            found = self.catalogue.identify(
                record.text, record.format, shapes, self._timeout_s
            )
            if found is not None:
                return found if record.raw == record.text else replace(found, start=0)
            if record.raw != record.text:
                return self.catalogue.identify(
                    record.raw, record.format, shapes, self._timeout_s
                )
        except TimeoutError:
            seen.opaque = True  # another line's search may not time out
            return None
        return None

    def hits(self, seen: Seen, shaped: Shaped) -> list[Hit]:
        """The hit for what a shape found: its code's rule, or the unknown code's
        (none when the config disabled that rule)."""
        found = shaped.found
        entry, exchange = found.entry, found.shape.exchange
        rule_id = (
            entry.rule_id
            if entry is not None and entry.rule_id
            else f"{exchange}.unknown-error"
        )
        rule = self._enabled(rule_id)
        if rule is None:
            return []  # disabled by the config
        record = seen.masked()
        captures = {
            k: self._masker.text(v) for k, v in found.captures.items() if k != "q"
        }
        message = self._masker.text(found.message)
        if message:
            captures["message"] = message
        what = str(found.code) if found.code is not None else normalise_text(message)
        return [
            Hit(
                rule_id=rule.id,
                severity=rule.severity,
                codes=(found.code,) if found.code is not None else rule.codes,
                record=record,
                line=seen.record.first_line
                + seen.record.raw.count("\n", 0, found.start),
                captures=captures,
                key=(_where(record, captures), what),
                exchange=exchange,
                message=message,
                recognition=_recognition(shaped),
            )
        ]


def _where(record: Record, captures: dict[str, str]) -> str:
    """Where a shape's hit happened, for its key: the connection, the account, or
    the venue the line names."""
    return (
        record.fields.get("connection")
        or record.fields.get("account")
        or captures.get("venue", "")
    )


def _recognition(shaped: Shaped) -> Recognition:
    """How a shape's hit was recognised: the shape, the exchange and what it found."""
    found, named = shaped
    return Recognition(
        "shape",
        found.shape.id,
        found.shape.exchange,
        named.how if named is not None else "shape",
        named.words if named is not None else found.shape.id,
        _how(found),
        str(found.code) if found.code is not None else found.message[:120],
        found.entry.category if found.entry is not None else "unknown",
    )


def _how(found: Found) -> str:
    """What a shape found: a known code, a known text, or a code its table lacks."""
    if found.entry is None:
        return "unknown"
    return "code" if found.code is not None else "text"
