"""State's part that owns where each followed file was read to, and which glob
patterns were followed (so a new pattern's files start at their ends)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from logwatch.core.model import FileState
from logwatch.store.statefile import StateFile


class Offsets:
    """The saved position of every followed file, and the patterns followed."""

    def __init__(self, file: StateFile) -> None:
        self._file = file

    def files(self) -> list[FileState]:
        """Every saved file position."""
        rows = self._file.conn.execute(
            "SELECT id, fp_hash, fp_n, path, offset, marker, line, last_seen FROM files"
        ).fetchall()
        return [
            FileState(
                id=r[0],
                fp_hash=r[1],
                fp_n=r[2],
                path=r[3],
                offset=r[4],
                marker=r[5],
                line=r[6],
                last_seen=r[7],
            )
            for r in rows
        ]

    def followed(self) -> set[str]:
        """The glob patterns followed before (empty: none saved yet, or a state
        written before they were)."""
        return {r[0] for r in self._file.rows("SELECT pattern FROM followed")}

    def stale(self, cutoff: float) -> list[str]:
        """Ids of the files not seen since ``cutoff`` (epoch s)."""
        rows = self._file.rows("SELECT id FROM files WHERE last_seen < ?", (cutoff,))
        return [r[0] for r in rows]


def save_files(
    conn: sqlite3.Connection, files: Iterable[FileState], forget: Iterable[str]
) -> None:
    """Write file positions and drop those of ``forget`` (ids), in the open
    transaction."""
    conn.executemany(
        """INSERT INTO files
             (id, fp_hash, fp_n, path, offset, marker, line, last_seen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET fp_hash=excluded.fp_hash,
             fp_n=excluded.fp_n, path=excluded.path, offset=excluded.offset,
             marker=excluded.marker, line=excluded.line,
             last_seen=excluded.last_seen""",
        [
            (f.id, f.fp_hash, f.fp_n, f.path, f.offset, f.marker, f.line, f.last_seen)
            for f in files
        ],
    )
    conn.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in forget])


def save_followed(
    conn: sqlite3.Connection, patterns: Iterable[str], seen: float
) -> None:
    """The glob patterns followed now, seen at ``seen``, in the open transaction."""
    conn.executemany(
        """INSERT INTO followed (pattern, last_seen) VALUES (?, ?)
           ON CONFLICT(pattern) DO UPDATE SET last_seen=excluded.last_seen""",
        [(p, seen) for p in patterns],
    )


def drop_followed(conn: sqlite3.Connection, cutoff: float) -> None:
    """Forget the patterns not followed since ``cutoff``, in the open transaction."""
    conn.execute("DELETE FROM followed WHERE last_seen < ?", (cutoff,))
