"""One record as the steps of a match share it, and the masking of what a hit may
carry out of the engine: secrets never leave it.
"""

from __future__ import annotations

from logwatch.core.model import Record
from logwatch.match.exchangenames import Named
from logwatch.match.recognizer import Recognizer
from logwatch.match.redact import redact_head

#: Record fields that are free text and may hold a secret (the rest are fixed shapes).
_FREE_TEXT = frozenset({"connection", "logger", "account"})
#: How many masked field values a masker remembers (they repeat: a few per file).
_MASKED_FIELDS = 4096


class Masker:
    """The engine's secrets, masked out of texts and records."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = secrets
        #: field values (a connection's name, a logger's) repeat: masked once each
        self._fields: dict[str, str] = {}

    def text(self, value: str) -> str:
        """``value`` masked, up to redact.MAX_REDACTED_CHARS, the rest cut."""
        return redact_head(value, self.secrets)

    def record(self, record: Record) -> Record:
        """``record`` with its text, raw line and free-text fields masked."""
        fields = record.fields
        for k in _FREE_TEXT.intersection(fields):
            masked_value = self._field(fields[k])
            if masked_value != fields[k]:
                fields = {
                    k: self._field(v) if k in _FREE_TEXT else v
                    for k, v in record.fields.items()
                }
                break
        # masked up to redact.MAX_REDACTED_CHARS each, the rest cut: a record may be
        # 200 lines of 64 KiB, and only the masked part may leave the engine
        raw = redact_head(record.raw, self.secrets)
        text = (
            raw if record.text == record.raw else redact_head(record.text, self.secrets)
        )
        if raw == record.raw and text == record.text and fields is record.fields:
            return record  # nothing to mask: most records
        return Record(
            path=record.path,
            format=record.format,
            first_line=record.first_line,
            offset=record.offset,
            end=record.end,
            text=text,
            raw=raw,
            timestamp=record.timestamp,
            fields=fields,
            truncated=record.truncated,
        )

    def _field(self, value: str) -> str:
        masked = self._fields.get(value)
        if masked is None:
            if len(self._fields) >= _MASKED_FIELDS:
                self._fields.clear()
            masked = self._fields[value] = redact_head(value, self.secrets)
        return masked


class Seen:
    """One record as the steps of ``Engine._match`` share it: the exchange names in
    its text and its masked copy, each made once, when a step first needs it."""

    __slots__ = (
        "_masked",
        "_masker",
        "_names",
        "_recognizer",
        "opaque",
        "record",
        "spans",
    )

    def __init__(self, record: Record, recognizer: Recognizer, masker: Masker) -> None:
        self.record = record
        self._recognizer = recognizer
        self._masker = masker
        self._names: list[Named] | None = None
        self._masked: Record | None = None
        #: whether a step looked at the record in a way ``memo`` cannot vouch for
        #: (or a hit took a text with a digit from it)
        self.opaque = False
        #: where in the line the texts are whose digits a step decided by or a hit
        #: took (``memo`` keys the statement by the digits there too)
        self.spans: list[tuple[int, int]] = []

    def names(self) -> list[Named]:
        """The exchanges the record's text names, where."""
        if self._names is None:
            self._names = self._recognizer.names(self.record.text)
        return self._names

    def masked(self) -> Record:
        """The record with its secrets masked: what a hit may carry."""
        if self._masked is None:
            self._masked = self._masker.record(self.record)
        return self._masked
