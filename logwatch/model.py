"""The values that flow from hop to hop: Line -> Record -> Hit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: Fields a Format can fill in on a Record; rules may name them in their dedup ``key``.
RECORD_FIELDS = (
    "platform",
    "connection",
    "symbol",
    "exchange",
    "code",
    "level",
    "logger",
    "account",
)


class Severity(StrEnum):
    """How urgent an error is, in increasing order."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 3 for critical."""
        return _RANKS[self]


_RANKS = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a file, decoded, without its line ending."""

    text: str
    number: int
    offset: int
    end: int
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """One log entry: a line, or a line with its continuation lines (a traceback).

    ``text`` is what rules match: the message as a person reads it (JSON decoded).
    """

    path: str
    format: str
    first_line: int
    offset: int
    end: int
    text: str
    raw: str
    timestamp: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule matched a record."""

    rule_id: str
    severity: Severity
    codes: tuple[int, ...]
    record: Record
    line: int
    captures: Mapping[str, str]
    key: tuple[str, ...]
    #: the exchange or platform the error came from (``binance``, ``mt5``…)
    exchange: str = ""
    #: the exchange's own message, when a catalogue shape found one
    message: str = ""


@dataclass(frozen=True, slots=True)
class FileState:
    """Where following one file's content stands: what State saves and restores.

    ``fp_hash`` is a hash of the file's first ``fp_n`` bytes (its content identity);
    ``marker`` a hash of the bytes just before ``offset``, to catch a file replaced or
    truncated while logwatch was stopped.
    """

    id: str
    fp_hash: bytes
    fp_n: int
    path: str
    offset: int
    marker: bytes
    line: int
    last_seen: float
