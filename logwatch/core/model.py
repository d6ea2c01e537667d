"""The values that flow from hop to hop: Line -> Record -> Hit -> Alert -> Queued."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

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


class ChannelKind(StrEnum):
    """How a channel is written for (its message budget, pacing, formatting)."""

    TELEGRAM = "telegram"
    EMAIL = "email"
    DESKTOP = "desktop"
    #: logwatch's own console:// (a terminal or its log file): no limit, our text only
    CONSOLE = "console"
    ALERTMANAGER = "alertmanager"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    """Where one alert's delivery to one channel stands."""

    #: waiting to be sent (again)
    PENDING = "pending"
    SENT = "sent"
    #: sent, but the channel did not confirm it (a timeout after the request)
    MAYBE = "maybe"
    #: given up: older than the channel's max_age (``state.deliveries.expire``)
    EXPIRED = "expired"


class Queued(NamedTuple):
    """An alert for the outbox, as State stores it."""

    id: str
    created: float
    #: the alert as JSON (codec.ALERTS)
    payload: str
    channels: Sequence[str]
    #: when its first delivery is due
    due: float


@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One line of a file, decoded, without its line ending (not to be changed: a
    slot class, not a frozen one, as one is made per line read, and a frozen
    dataclass costs several times as much to make)."""

    text: str
    number: int
    offset: int
    end: int
    truncated: bool = False


@dataclass(slots=True, kw_only=True)
class Record:
    """One log entry: a line, or a line with its continuation lines (a traceback).

    ``text`` is what rules match: the message as a person reads it (JSON decoded).
    Not to be changed once made (``dataclasses.replace`` makes another): not frozen,
    as one is made per matched record and a frozen one costs several times as much.
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


#: An exchange's error code: a number, or a string (Kraken's ``EOrder:…``).
Code = int | str


class Recognition(NamedTuple):
    """Why a record was recognised as it was: each layer's decision and evidence
    (a tuple: one is made per hit, and a tuple is made three times faster)."""

    #: where the error is stated (``json``, ``key-value``, ``exception-class``,
    #: ``kraken``, ``error-number``, ``error-level``, ``shape``, ``rule``)
    envelope: str
    envelope_evidence: str = ""
    #: the exchange named (empty: none), how (``alias``, ``host``, ``connection``,
    #: ``shape``, ``rule``, ``none``) and by which words
    exchange: str = ""
    attribution: str = "none"
    attribution_evidence: str = ""
    #: how the alert was chosen (``code``, ``exact``, ``broad``, ``text``,
    #: ``exception-class``, ``words``, ``unknown``, ``rule``) and by what
    classification: str = ""
    classification_evidence: str = ""
    category: str = ""


@dataclass(slots=True, kw_only=True)
class Hit:
    """A rule matched a record (not to be changed once made; not frozen, as Record)."""

    rule_id: str
    severity: Severity
    codes: tuple[Code, ...]
    record: Record
    line: int
    captures: Mapping[str, str]
    key: tuple[str, ...]
    #: the exchange or platform the error came from (``binance``, ``mt5``…)
    exchange: str = ""
    #: the exchange's own message, when a catalogue shape found one
    message: str = ""
    #: how the recognizer reached this hit (None: a rule alone)
    recognition: Recognition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
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


class AlertKind(StrEnum):
    """Why an alert is sent."""

    FIRST = "first"
    DIGEST = "digest"
    REMINDER = "reminder"
    SELF = "self"
    #: the trouble an earlier alert told of is over
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """One message to send, to every channel that takes its severity."""

    id: str
    kind: AlertKind
    rule_id: str
    severity: Severity
    fingerprint: str
    created_at: datetime
    hit: Hit | None = None
    count: int = 1
    first_at: datetime | None = None
    last_at: datetime | None = None
    window_s: float = 0.0
    #: Not to be delivered before this (quiet hours); None: at once.
    not_before: datetime | None = None
    text: str = ""
    #: The log's own times of the first and last repeat (a digest), when it gives them
    first_log: str = ""
    last_log: str = ""
    #: when the trouble began (a resolved alert: how long it lasted)
    started_at: datetime | None = None
    #: a digest of a rule's overflow window: the distinct errors counted in it
    folded: int = 0
