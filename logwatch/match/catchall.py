"""The catch-all: a record written at error or warning level that no rule, shape or
recognizer explains is still an alert, in the record's own words and keyed by their
shape. Here too the level marks each format writes, which say a record's level.
"""

from __future__ import annotations

import regex

from logwatch.core.model import Hit, Record, Severity
from logwatch.rulebook.rules import UNMATCHED

#: Where each format writes a record's level, for a level and the levels above it: the
#: catch-all's own prefilter (NinjaTrader's numeric fields are not documented, so its
#: records go by the words, like generic logs).
_PY_ERROR = rb" - (?:ERROR|CRITICAL) - |\[(?:ERROR|CRITICAL) \| "
_PY_WARNING = rb" - (?:WARNING|ERROR|CRITICAL) - |\[(?:WARNING|ERROR|CRITICAL) \| "
_JSON_ERROR = rb'"(?:@l|[Ll]evel|lvl)"\s*:\s*"(?i:error|fatal|critical)"'
_JSON_WARNING = rb'"(?:@l|[Ll]evel|lvl)"\s*:\s*"(?i:warn|warning|error|fatal|critical)"'
_WORD_ERROR = rb"\b(?:ERROR|CRITICAL|FATAL|Error:)"
_WORD_WARNING = rb"\b(?:WARN|WARNING|ERROR|CRITICAL|FATAL|Error:|Warning:)"
LEVEL_MARKS: dict[str, dict[Severity, regex.Pattern[bytes]]] = {
    name: {
        Severity.ERROR: regex.compile(error),
        Severity.WARNING: regex.compile(warning),
    }
    for name, error, warning in (
        ("python", _PY_ERROR, _PY_WARNING),
        ("metatrader", rb"(?m)^[A-Z]{2}\t2\t", rb"(?m)^[A-Z]{2}\t[12]\t"),
        ("json", _JSON_ERROR, _JSON_WARNING),
        (
            "quantower",
            _JSON_ERROR + rb"|\] (?:ERROR|FATAL) ",
            _JSON_WARNING + rb"|\] (?:WARN|ERROR|FATAL) ",
        ),
        ("ninjatrader", _WORD_ERROR, _WORD_WARNING),
        ("generic", _WORD_ERROR, _WORD_WARNING),
    )
}
# a hex word holding a digit: the look-ahead finds the digit, then the word is taken
# whole (``[0-9a-f]*\d[0-9a-f]*`` tried each split of a long one)
_NUMBERS = regex.compile(
    r"0x[0-9a-f]+|\b(?=[0-9a-f]*\d)[0-9a-f]++\b|\d+(?:[.,]\d+)*", regex.I
)
_PREFIX = regex.compile(
    r"^.*? - (?:\d+ - )?[\w.]+ - [A-Z_]+ - |^\[[A-Z]+ \| [^\]]*\] "
    r"|^(?:[^\t\n]*\t){2,4}(?:'\d+': ?)?|^(?:[^|\n]*\|){3}"
)


def level_marks(format_name: str) -> dict[Severity, regex.Pattern[bytes]]:
    """The level marks of a format (a generic log's words for one without)."""
    return LEVEL_MARKS.get(format_name, LEVEL_MARKS["generic"])


def own_words(record: Record) -> str:
    """A record's message without its format's prefix: its first line, cut at 200."""
    first = record.text.split("\n", 1)[0]
    first = _PREFIX.sub("", first, count=1)
    return first[:200]


def normalise_message(text: str) -> str:
    """A message with its numbers, ids and prices replaced: one error, one key."""
    return _NUMBERS.sub("#", text.lower())


def unmatched_hit(record: Record, masked: Record, error: bool) -> Hit:
    """The catch-all's hit on ``record`` (``masked``: its masked copy)."""
    words = own_words(masked)
    return Hit(
        rule_id=UNMATCHED.id,
        severity=Severity.ERROR if error else Severity.WARNING,
        codes=(),
        record=masked,
        line=record.first_line,
        captures={"message": words},
        key=(masked.fields.get("connection", ""), normalise_message(words)),
        exchange=masked.fields.get("platform", ""),
        message=words,
    )
