"""What ``logwatch status`` shows, read from the state file without writing it (safe
while the daemon runs)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from logwatch.alerts.codec import WINDOWS
from logwatch.core.model import DeliveryStatus
from logwatch.follow.listing import path_matches
from logwatch.store.statusinfo import (
    ChannelRow,
    ErrorRow,
    FileRow,
    HeldRow,
    MuteRow,
    Status,
    UserMuteRow,
    WindowRow,
)


def _mtime(path: str) -> float | None:
    """When a file was last written (its last line), if it still exists."""
    try:
        return os.stat(path).st_mtime  # noqa: PTH116  a string path from the database
    except OSError:
        return None


def read_status(path: Path, now: float) -> Status:
    """What ``logwatch status`` shows, read-only (safe while the daemon runs); mutes
    and reminders active at ``now`` (epoch s)."""
    from datetime import UTC, datetime

    def when(ts: float | None) -> str | None:
        if not ts:
            return None
        return (
            datetime.fromtimestamp(ts, UTC).astimezone().isoformat(timespec="seconds")
        )

    if not path.exists():
        return Status(state=f"{path} (none yet)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    info = Status(state=str(path))
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        patterns = _latest_patterns(conn) if version >= 6 else []
        info.patterns = patterns
        info.files = sorted(
            (
                FileRow(
                    path=r[0],
                    offset=r[1],
                    line=r[2],
                    lines_read=r[2] - 1,
                    last_seen=when(r[3]),
                    last_line_at=when(_mtime(r[0])),
                    followed=not patterns or _matches(r[0], patterns),
                )
                for r in conn.execute(
                    "SELECT path, offset, line, last_seen FROM files ORDER BY path"
                )
            ),
            key=lambda f: not f.followed,
        )
        if version >= 3:
            info.waiting = dict(
                conn.execute(
                    "SELECT channel, count(*) FROM deliveries "
                    "WHERE status = ? GROUP BY channel",
                    (DeliveryStatus.PENDING,),
                ).fetchall()
            )
            info.held = {
                r[0]: HeldRow(count=r[1], until=when(r[2]))
                for r in conn.execute(
                    "SELECT channel, count(*), max(next_at) FROM deliveries "
                    "WHERE status = ? AND attempts = 0 AND error = '' "
                    "AND next_at > ? GROUP BY channel",
                    (DeliveryStatus.PENDING, now),
                )
            }
            info.errors = [
                ErrorRow(channel=r[0], error=r[1], at=when(r[2]))
                for r in conn.execute(
                    "SELECT channel, error, next_at FROM deliveries WHERE error != '' "
                    "AND status = ? ORDER BY next_at DESC LIMIT 10",
                    (DeliveryStatus.PENDING,),
                )
            ]
            info.windows = sorted(
                (
                    _window_row(payload, when, now)
                    for (payload,) in conn.execute("SELECT payload FROM windows")
                ),
                key=lambda w: (w.rule, w.key),
            )
            info.mutes = [
                MuteRow(rule=r[0], connection=r[1], until=when(r[2]))
                for r in conn.execute(
                    "SELECT rule_id, connection, until FROM muted WHERE until > ? "
                    "ORDER BY until",
                    (now,),
                )
            ]
        if version >= 4:
            info.channels = {
                r[0]: ChannelRow(
                    last_ok=when(r[1]),
                    last_error=r[2] or None,
                    last_error_at=when(r[3]),
                )
                for r in conn.execute(
                    "SELECT name, last_ok, last_error, last_error_at FROM channels "
                    "ORDER BY name"
                )
            }
        if version >= 5:
            info.user_mutes = [
                UserMuteRow(target=r[0], until=when(r[1]), by=r[2])
                for r in conn.execute(
                    "SELECT target, until, by FROM user_mutes WHERE until > ? "
                    "ORDER BY target",
                    (now,),
                )
            ]
            info.unacknowledged = conn.execute(
                "SELECT count(*) FROM reminders WHERE acked_at IS NULL"
            ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return Status(state=f"{path} (unreadable: {exc})")
    finally:
        conn.close()
    return info


def _window_row(
    payload: str, when: Callable[[float | None], str | None], now: float
) -> WindowRow:
    """An open dedup window as status shows it (``overdue``: it should have closed by
    ``now``; its digest goes when a daemon runs again)."""
    w = WINDOWS.loads(payload)
    closes = w.closes_at.timestamp()
    return WindowRow(
        rule=w.rule_id,
        key=[k for k in w.fingerprint.split("\x1f")[1:] if k],
        pending=w.repeats,
        closes_at=when(closes),
        overdue=closes < now,
    )


def _latest_patterns(conn: sqlite3.Connection) -> list[str]:
    """The glob patterns the last run followed: each save writes them all with one
    time, so they are the ones seen last (a previous config's are older)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT pattern FROM followed WHERE last_seen = "
            "(SELECT max(last_seen) FROM followed) ORDER BY pattern"
        )
    ]


def _matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether one of ``patterns`` names ``path``, as the listing matched it."""
    return any(path_matches(path, p) for p in patterns)
