"""A dedup window, one per fingerprint: what identifies a hit (its fingerprint, the
scope of its mutes), what a window keeps of its hits, and the hashes by which an
overflow window recognises the errors folded into it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from hashlib import blake2b

from logwatch.core.logtime import format_log_time, parse_timestamp
from logwatch.core.model import Hit, Severity

#: Characters a window keeps of its hit's line and captures: more than any alert shows
#: of them (render.LINE_CHARS), far less than a line may hold (64 KB).
KEPT_CHARS = 1000
#: Ends the fingerprint of a rule's overflow window: a real one has ``\x1f`` there.
OVERFLOW = "\x1d(folded)"
#: Bytes an overflow window keeps of each error folded into it (``folded_hash``).
HASH_BYTES = 8
#: A mute scope that is a file, not a connection, starts with this.
FILE_SCOPE = "file:"


@dataclass(slots=True)
class Window:
    """The open dedup window of one fingerprint (saved in State across restarts)."""

    fingerprint: str
    rule_id: str
    severity: Severity
    opened_at: datetime
    closes_at: datetime
    repeats: int = 0
    first_repeat_at: datetime | None = None
    last_repeat_at: datetime | None = None
    #: Whole windows this error has kept happening in (for reminders).
    streak: int = 0
    since_reminder: int = 0
    last_hit: Hit | None = None
    #: the log's own times of the first and last repeat ("" when a line has none)
    first_repeat_log: str = ""
    last_repeat_log: str = ""
    #: a rule's overflow window: the distinct errors folded into it (0: a plain one)
    folded: int = 0
    #: an overflow window: the ``folded_hash`` of each error folded into it that it
    #: recognises, end to end (their hits count here while it is open)
    folded_hashes: bytes = b""


def fingerprint(hit: Hit) -> str:
    """The dedup identity of a hit: its rule and its key values; when they are all
    empty and the line names no connection, its file too (two bots, two errors)."""
    parts = (hit.rule_id, *hit.key)
    if not any(hit.key) and not hit.record.fields.get("connection"):
        parts += (FILE_SCOPE + hit.record.path,)
    return "\x1f".join(parts)


def mute_scope(hit: Hit) -> str:
    """What a mute caused by (or applied to) a hit covers: its connection, or, when
    its line names none (freqtrade, ccxt), its file: one bot's broken key must not
    silence another bot."""
    connection = hit.record.fields.get("connection", "")
    return connection if connection else FILE_SCOPE + hit.record.path


def log_time(hit: Hit) -> str:
    """The time of day the log gives for a hit ("" when its line has none)."""
    when = parse_timestamp(hit.record)
    return format_log_time(when, date=False) if when is not None else ""


def kept(hit: Hit) -> Hit:
    """What a window keeps of a hit: its line, message and captures cut to
    ``KEPT_CHARS`` (a traceback or a 64 KB line is not kept whole per window)."""
    record = hit.record
    texts = (record.raw, record.text, hit.message, *hit.captures.values())
    if all(len(t) <= KEPT_CHARS for t in texts):
        return hit
    raw = record.raw[:KEPT_CHARS]
    return replace(
        hit,
        record=replace(
            record,
            raw=raw,
            text=raw if record.text is record.raw else record.text[:KEPT_CHARS],
            truncated=True,
        ),
        captures={k: v[:KEPT_CHARS] for k, v in hit.captures.items()},
        message=hit.message[:KEPT_CHARS],
    )


def repeat(window: Window, hit: Hit, now: datetime) -> None:
    """Count ``hit`` as a repeat in ``window`` (its last line, its times)."""
    window.repeats += 1
    logged = log_time(hit)
    if window.first_repeat_at is None:
        window.first_repeat_log = logged
    window.first_repeat_at = window.first_repeat_at or now
    window.last_repeat_at = now
    window.last_repeat_log = logged
    window.last_hit = kept(hit)


def folded_hash(fp: str) -> bytes:
    """What an overflow window keeps of a fingerprint folded into it: 8 bytes. A new
    error is taken for one of 20,000 folded ones once in ~9 * 10^14 errors."""
    return blake2b(fp.encode(), digest_size=HASH_BYTES).digest()


def split_hashes(blob: bytes) -> list[bytes]:
    """The ``folded_hash`` values ``blob`` holds end to end."""
    whole = len(blob) - len(blob) % HASH_BYTES
    return [blob[i : i + HASH_BYTES] for i in range(0, whole, HASH_BYTES)]
