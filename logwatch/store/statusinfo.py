"""The value ``logwatch status`` shows: what the state file says, typed, for the two
renderers (the terminal's in report, the phone's in commands) and ``--json``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class FileRow:
    """A followed file: how far it was read (times as local ISO text)."""

    path: str
    offset: int
    line: int
    lines_read: int
    last_seen: str | None
    last_line_at: str | None
    #: matched by the patterns the last run followed (else an earlier config's)
    followed: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowRow:
    """An open dedup window (``overdue``: it should have closed by now)."""

    rule: str
    key: list[str]
    pending: int
    closes_at: str | None
    overdue: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MuteRow:
    """A mute the deduper keeps (a rule, for one connection or all)."""

    rule: str
    connection: str
    until: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldRow:
    """Alerts of a channel held back for the quiet hours, until when."""

    count: int
    until: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelRow:
    """How a channel last went."""

    last_ok: str | None
    last_error: str | None
    last_error_at: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorRow:
    """A pending delivery's last error."""

    channel: str
    error: str
    at: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserMuteRow:
    """A mute set from the phone."""

    target: str
    until: str | None
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DaemonRow:
    """Whether a daemon holds the state's lock, and its pid if known."""

    running: bool
    pid: int | None


@dataclass(slots=True, kw_only=True)
class Status:
    """What ``logwatch status`` shows; ``daemon``, ``lock`` and ``heartbeat`` are
    added by the command that asks (the state file alone does not know them)."""

    state: str
    files: list[FileRow] = field(default_factory=list)
    windows: list[WindowRow] = field(default_factory=list)
    mutes: list[MuteRow] = field(default_factory=list)
    waiting: dict[str, int] = field(default_factory=dict)
    held: dict[str, HeldRow] = field(default_factory=dict)
    patterns: list[str] = field(default_factory=list)
    channels: dict[str, ChannelRow] = field(default_factory=dict)
    errors: list[ErrorRow] = field(default_factory=list)
    user_mutes: list[UserMuteRow] = field(default_factory=list)
    unacknowledged: int = 0
    daemon: DaemonRow | None = None
    lock: str | None = None
    #: the heartbeat's own saved status (its JSON object), when one is configured
    heartbeat: dict[str, Any] | None = None

    @property
    def followed(self) -> list[FileRow]:
        """The files the last run followed (its config's patterns match them)."""
        return [f for f in self.files if f.followed]

    @property
    def earlier(self) -> list[FileRow]:
        """The files of an earlier config: no longer followed, their places kept."""
        return [f for f in self.files if not f.followed]

    def waiting_held(self) -> list[tuple[str, int, HeldRow | None]]:
        """Per channel: how many alerts wait, and those of them held for the quiet
        hours (None: none is)."""
        return [(c, n, self.held.get(c)) for c, n in self.waiting.items()]

    def as_json(self) -> dict[str, Any]:
        """``status --json``'s object: the fields in order, those added only when
        set."""
        out = dataclasses.asdict(self)
        for name in ("daemon", "lock", "heartbeat"):
            if out[name] is None:
                del out[name]
        return out
