"""State's part that owns the dedup windows open and the mutes the deduper keeps, so
a restart continues them (and does not alert again inside a window)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from logwatch.store.statefile import StateFile


class DedupWindows:
    """The open dedup windows (JSON payloads) and the deduper's mutes."""

    def __init__(self, file: StateFile) -> None:
        self._file = file

    def saved(self) -> tuple[list[str], list[tuple[str, str, float]]]:
        """The saved windows (JSON payloads) and mutes (rule, scope, until)."""
        with self._file.lock:
            conn = self._file.conn
            windows = [r[0] for r in conn.execute("SELECT payload FROM windows")]
            muted = conn.execute(
                "SELECT rule_id, connection, until FROM muted"
            ).fetchall()
        return windows, muted


def save_windows(
    conn: sqlite3.Connection,
    windows: Iterable[tuple[str, str]],
    closed: Iterable[str],
    mutes: Iterable[tuple[str, str, float]] | None,
) -> None:
    """Write the windows that changed, drop the ``closed`` ones and, unless None,
    replace every mute, in the open transaction."""
    conn.executemany(
        "INSERT INTO windows VALUES (?, ?) ON CONFLICT(fingerprint) "
        "DO UPDATE SET payload = excluded.payload",
        list(windows),
    )
    conn.executemany(
        "DELETE FROM windows WHERE fingerprint = ?", [(fp,) for fp in closed]
    )
    if mutes is not None:
        conn.execute("DELETE FROM muted")
        conn.executemany("INSERT INTO muted VALUES (?, ?, ?)", list(mutes))
