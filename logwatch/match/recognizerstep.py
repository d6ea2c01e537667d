"""The recognizer's step of a match: the hit for a record no rule or shape explains,
from what the recognizer makes of its envelope, class or words.
"""

from __future__ import annotations

from collections.abc import Callable

from logwatch.core.model import Hit, Record, Severity
from logwatch.match.catchall import level_marks, normalise_message, own_words
from logwatch.match.classifier import Recognised
from logwatch.match.exchangenames import Named
from logwatch.match.recognizer import Recognizer
from logwatch.match.seen import Masker
from logwatch.rulebook.rules import Rule


class RecognizerStep:
    """The recognizer's hit on a record, with the rule it names."""

    def __init__(
        self,
        recognizer: Recognizer,
        masker: Masker,
        enabled: Callable[[str], Rule | None],
    ) -> None:
        self._recognizer = recognizer
        self._masker = masker
        self._enabled = enabled

    def hits(
        self, record: Record, named: Named | None = None
    ) -> tuple[list[Hit], bool]:
        """The recognizer's hit for ``record`` (``named``: the exchange a shape
        found), and whether the record was recognised (a benign code or class is,
        with no hit)."""
        found = self._recognised(record, named)
        if found is None:
            return [], False
        if found.rule_id is None:
            return [], True  # a benign code or class: nothing to tell
        rule = self._enabled(found.rule_id)
        if rule is None:
            return [], False
        masked = self._masker.record(record)
        message = self._masker.text(found.message)
        captures = {"message": message} if message else {}
        if found.code is not None:
            captures["code"] = str(found.code)
        where = masked.fields.get("connection") or masked.fields.get("account", "")
        what = str(found.code) if found.code is not None else normalise_message(message)
        return [
            Hit(
                rule_id=rule.id,
                severity=rule.severity,
                codes=(found.code,) if found.code is not None else rule.codes,
                record=masked,
                line=record.first_line,
                captures=captures,
                key=(where, what),
                exchange=found.exchange,
                message=message,
                recognition=found.recognition,
            )
        ], True

    def _recognised(self, record: Record, named: Named | None) -> Recognised | None:
        """What the recognizer makes of the record's text, else of its raw line."""
        marks = level_marks(record.format)
        error_level = marks[Severity.ERROR].search(record.raw.encode()) is not None
        words = own_words(record)
        try:
            found = self._recognizer.recognise(
                record.text, error_level, words, record.fields, named
            )
            if found is None and record.raw != record.text:
                found = self._recognizer.recognise(
                    record.raw, error_level, words, record.fields, named
                )
        except TimeoutError:  # pragma: no cover - the recognizer's patterns are bounded
            return None
        return found
