"""The one SQLite file that makes following durable across restarts and crashes.

State is its parts on one connection (``statefile``): ``offsets``, ``deliveries`` (the
outbox), ``windows`` (dedup), and what the phone sets (``mutes``, ``reminders``,
``settings``). WAL mode with ``synchronous=NORMAL`` (see ``statefile.SYNCHRONOUS``):
a commit survives a crash of logwatch; a power cut may take the last ones back. Each
batch is one transaction (``commit``), so the offsets and whatever they caused
(alerts, dedup windows) are saved together or not at all. A write that fails (a full
disk) raises ``StateError`` and leaves nothing half done; a state file deleted or
replaced under a running daemon is written again from the open database at the next
commit. The file holds log lines, so it is created private (0600, its dir 0700).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from logwatch.core.clock import Clock
from logwatch.core.model import FileState, Queued
from logwatch.core.paths import state_path as state_path  # computed there
from logwatch.store.dedupwindows import DedupWindows, save_windows
from logwatch.store.deliveries import Deliveries, drop_ended, queue
from logwatch.store.offsets import Offsets, drop_followed, save_files, save_followed
from logwatch.store.phonestate import MuteRows, Reminders, Settings
from logwatch.store.statefile import StateFile

#: Entries of files not seen for this long are dropped.
EXPIRE_S = 7 * 24 * 3600


class State:
    """Saved positions of followed files, the outbox, dedup windows and what the
    phone set, in one SQLite file; ``commit`` writes what following changed at once."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.clock = clock
        #: the file and its one connection (how it was opened: ``fresh``, ...)
        self.file = StateFile(path, clock)
        self.offsets = Offsets(self.file)
        self.deliveries = Deliveries(self.file, clock)
        self.windows = DedupWindows(self.file)
        self.mutes = MuteRows(self.file)
        self.reminders = Reminders(self.file)
        self.settings = Settings(self.file)

    @property
    def path(self) -> Path:
        """The state file (another name if the unusable one could not be moved)."""
        return self.file.path

    @property
    def fresh(self) -> bool:
        """No usable saved state: following starts at the ends of existing files."""
        return self.file.fresh

    @property
    def moved_aside(self) -> tuple[Path, str] | None:
        """Where an unusable database was moved, and why."""
        return self.file.moved_aside

    @property
    def recreated(self) -> str | None:
        """Why the state file was written again from memory (deleted, replaced), until
        someone said so (and set it back to None)."""
        return self.file.recreated

    @recreated.setter
    def recreated(self, why: str | None) -> None:
        self.file.recreated = why

    @property
    def unmovable(self) -> tuple[Path, str, str] | None:
        """An unusable database that could not be moved aside: its path, why it is
        unusable and why it could not be moved (``path`` is then a fresh file)."""
        return self.file.unmovable

    def commit(
        self,
        files: Iterable[FileState] = (),
        forget: Iterable[str] = (),
        alerts: Iterable[Queued] = (),
        windows: Iterable[tuple[str, str]] = (),
        closed: Iterable[str] = (),
        mutes: Iterable[tuple[str, str, float]] | None = None,
        followed: Iterable[str] = (),
    ) -> None:
        """Save in one durable transaction: file positions (``forget``: ids to drop),
        ``alerts`` for the outbox, the dedup ``windows`` that changed (fingerprint,
        JSON), the ``closed`` ones to drop, unless None every mute (rule, scope,
        until), and the glob patterns ``followed`` now.

        Raises:
            StateError: it could not be written (nothing of it was).
        """
        seen = self.clock.now().timestamp()

        def write(conn: sqlite3.Connection) -> None:
            save_files(conn, files, forget)
            save_followed(conn, followed, seen)
            queue(conn, alerts)
            save_windows(conn, windows, closed, mutes)

        self.file.transaction(write)

    def expire(self, max_age_s: float = EXPIRE_S) -> list[str]:
        """Drop entries of files not seen for ``max_age_s`` (their ids are returned),
        patterns not followed that long, and alerts whose deliveries all ended that
        long ago, so State stays bounded."""
        cutoff = self.clock.now().timestamp() - max_age_s
        ids = self.offsets.stale(cutoff)

        def write(conn: sqlite3.Connection) -> None:
            save_files(conn, (), ids)
            drop_followed(conn, cutoff)
            drop_ended(conn, cutoff)

        self.file.transaction(write)
        return ids

    def close(self) -> None:
        """Close the database."""
        self.file.close()
