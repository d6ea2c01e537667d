"""What the tailer reports of the followed files: opened, read, moved, drained."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Opened:
    """Bytes of file ``id`` will now be read from ``offset``.

    ``fresh``: a file not known before; ``catch_up``: read from its start when first
    followed because its source asks for a backfill; ``head``: its first bytes;
    ``line``: the number of the line at ``offset`` when it was counted (0: not).
    """

    id: str
    path: str
    source: str
    offset: int
    fresh: bool
    size: int = 0
    head: bytes = b""
    catch_up: bool = False
    line: int = 0


@dataclass(frozen=True, slots=True)
class Read:
    """Bytes read from file ``id``, starting at ``offset``."""

    id: str
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Moved:
    """File ``id`` now has this path (renamed, or its content moved to a copy)."""

    id: str
    path: str


@dataclass(frozen=True, slots=True)
class Drained:
    """No more bytes will come from file ``id``: it was rotated away, deleted or cut."""

    id: str


Event = Opened | Read | Moved | Drained
