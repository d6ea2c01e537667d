"""The one SQLite file that makes following durable across restarts and crashes.

WAL mode with ``synchronous=NORMAL`` (see SYNCHRONOUS): a commit survives a crash of
logwatch; a power cut may take the last ones back. Each batch is one transaction
(``commit``), so the offsets and whatever they caused (alerts, dedup windows) are saved
together or not at all. A write that fails
(a full disk) raises ``StateError`` and leaves nothing half done; a state file deleted
or replaced under a running daemon is written again from the open database at the next
commit. The file holds log lines, so it is created private (0600, its dir 0700).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

from logwatch.clock import Clock
from logwatch.drives import on_network_drive
from logwatch.errors import StateError
from logwatch.model import DeliveryStatus, FileState, Queued
from logwatch.paths import state_path as state_path  # computed there
from logwatch.privatefiles import check_private_dir, make_dir
from logwatch.schema import MIGRATIONS, SCHEMA_VERSION

log = structlog.get_logger("logwatch.state")

#: Entries of files not seen for this long are dropped.
EXPIRE_S = 7 * 24 * 3600
#: In WAL mode NORMAL writes a commit to the log without waiting for the disk (the
#: disk is synced at each checkpoint): every commit survives a crash of the process,
#: and a power cut may lose the last ones, whole and in order (the log's checksums
#: drop what was not written entirely). FULL waits for the disk at every commit: ~7x
#: the CPU and ~40x the time of a NORMAL one (bench/commit_bench.py).
SYNCHRONOUS = "NORMAL"


class _Unusable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Pending:
    """An alert still to be delivered to one channel."""

    alert_id: str
    channel: str
    attempts: int
    payload: str
    created_at: float


class State:
    """Saved positions of followed files (and, later, alerts), in one SQLite file."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        #: No usable saved state: following starts at the ends of existing files.
        self.fresh = False
        #: Where an unusable database was moved, and why.
        self.moved_aside: tuple[Path, str] | None = None
        #: Why the state file was written again from memory (deleted, replaced), once.
        self.recreated: str | None = None
        #: An unusable database that could not be moved aside: its path, why it is
        #: unusable and why it could not be moved (``path`` is then a fresh file).
        self.unmovable: tuple[Path, str, str] | None = None
        make_dir(path.parent)
        if on_network_drive(path.parent):
            # WAL needs shared memory on one host: "WAL does not work over a network
            # filesystem" (sqlite.org/wal.html); a dropped share would also stop us
            raise StateError(
                f"{path.parent} is on a network drive; logwatch keeps its state on a "
                "local disk only. Set state_dir (or LOGWATCH_STATE_DIR) to a local "
                "folder."
            )
        check_private_dir(path.parent)
        _refuse_links(path)
        self._lock = threading.RLock()
        with _private():
            self._conn = self._open()
        _tighten(self.path)
        self._identity = _identity(self.path)

    def _open(self) -> sqlite3.Connection:
        path = self.path
        try:
            if path.exists() and path.stat().st_size == 0:
                raise _Unusable("it is empty")
            if not path.exists():
                self.fresh = True
            conn = self._connect()
            try:
                check = conn.execute("PRAGMA quick_check").fetchone()
                if not check or check[0] != "ok":
                    raise _Unusable(
                        f"integrity check failed: {check[0] if check else '?'}"
                    )
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise _Unusable(f"written by a newer logwatch (schema {version})")
                self._migrate(conn, version)
            except BaseException:
                conn.close()
                raise
            return conn
        except (sqlite3.DatabaseError, _Unusable) as exc:
            self._move_aside(str(exc))
            self.fresh = True
            conn = self._connect()
            self._migrate(conn, 0)
            return conn
        except OSError as exc:
            raise StateError(f"{path}: cannot open: {exc.strerror or exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
            conn.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            # closed at once: on Windows SQLite opens without FILE_SHARE_DELETE
            # (os_win.c winOpen), so while a handle is open the file cannot be moved
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        for number in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            MIGRATIONS[number](conn)
            conn.execute(f"PRAGMA user_version={number + 1}")
            conn.execute("COMMIT")

    def _move_aside(self, reason: str) -> None:
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.unusable-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    part.replace(Path(str(target) + suffix))
        except OSError as exc:
            # another process holds it (WinError 32 on Windows): start afresh under
            # another name, so no stale -wal of the old file is ever applied to it
            fresh = self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}")
            error = StateError(f"{self.path}: cannot move aside: {exc.strerror or exc}")
            self.unmovable = (self.path, reason, error.format_message())
            log.error(
                "state_not_moved_aside",
                path=str(self.path),
                reason=reason,
                error=error.format_message(),
                fresh=str(fresh),
            )
            self.path = fresh
            return
        self.moved_aside = (target, reason)
        log.warning(
            "state_moved_aside",
            path=str(self.path),
            moved_to=str(target),
            reason=reason,
        )

    # -- reading and writing ---------------------------------------------------------

    def files(self) -> list[FileState]:
        """Every saved file position."""
        rows = self._conn.execute(
            "SELECT id, fp_hash, fp_n, path, offset, marker, line, last_seen FROM files"
        ).fetchall()
        return [FileState(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]

    def followed(self) -> set[str]:
        """The glob patterns followed before (empty: none saved yet, or a state
        written before they were)."""
        with self._lock:
            rows = self._conn.execute("SELECT pattern FROM followed").fetchall()
        return {r[0] for r in rows}

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
            _save_files(conn, files, forget)
            conn.executemany(
                """INSERT INTO followed (pattern, last_seen) VALUES (?, ?)
                   ON CONFLICT(pattern) DO UPDATE SET last_seen=excluded.last_seen""",
                [(p, seen) for p in followed],
            )
            _queue(conn, alerts)
            _save_windows(conn, windows, closed, mutes)

        self._transaction(write)

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"{self.path}: cannot {what}: {exc}") from exc

    def _check_identity(self) -> None:
        """Write the state again if its file was deleted or replaced since opened."""
        now = _identity(self.path)
        if now == self._identity:
            return
        why = "deleted" if now is None else "replaced by another file"
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if now is not None and part.exists():
                part.replace(Path(f"{self.path}.replaced-{stamp}{suffix}"))
            elif now is None:  # a -wal left of the deleted file is the old one's
                part.unlink(missing_ok=True)
        old = self._conn
        with _private():
            new = self._connect()
        try:
            old.backup(new)
        except BaseException:
            new.close()
            raise
        old.close()
        self._conn = new
        _tighten(self.path)
        self._identity = _identity(self.path)
        self.recreated = why
        log.warning("state_recreated", path=str(self.path), reason=why)

    def _transaction(self, write: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``write`` as one transaction: all of it is saved, or none."""
        with self._lock, self._writing("save"):
            self._check_identity()
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                write(conn)
                conn.execute("COMMIT")
            except BaseException:
                if (
                    conn.in_transaction
                ):  # SQLite may have rolled back already (disk full)
                    conn.execute("ROLLBACK")
                raise

    def expire(self, max_age_s: float = EXPIRE_S) -> list[str]:
        """Drop entries of files not seen for ``max_age_s`` (their ids are returned),
        patterns not followed that long, and alerts whose deliveries all ended that
        long ago, so State stays bounded."""
        cutoff = self.clock.now().timestamp() - max_age_s
        with self._lock:
            ids = [
                r[0]
                for r in self._conn.execute(
                    "SELECT id FROM files WHERE last_seen < ?", (cutoff,)
                )
            ]

        def write(conn: sqlite3.Connection) -> None:
            _save_files(conn, (), ids)
            conn.execute("DELETE FROM followed WHERE last_seen < ?", (cutoff,))
            conn.execute(
                "DELETE FROM deliveries WHERE status != ? AND done_at < ?",
                (DeliveryStatus.PENDING, cutoff),
            )
            conn.execute(
                "DELETE FROM alerts WHERE id NOT IN (SELECT alert_id FROM deliveries)"
            )

        self._transaction(write)
        return ids

    # -- the outbox ----------------------------------------------------------------

    def dedup(self) -> tuple[list[str], list[tuple[str, str, float]]]:
        """The saved windows (JSON payloads) and mutes."""
        with self._lock:
            windows = [r[0] for r in self._conn.execute("SELECT payload FROM windows")]
            muted = self._conn.execute(
                "SELECT rule_id, connection, until FROM muted"
            ).fetchall()
        return windows, muted

    def due(self, channel: str, now: float, limit: int = 20) -> list[Pending]:
        """A channel's deliveries whose time has come, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                """SELECT d.alert_id, d.channel, d.attempts, a.payload, a.created_at
                   FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                   WHERE d.channel = ? AND d.status = 'pending' AND d.next_at <= ?
                   ORDER BY a.created_at LIMIT ?""",
                (channel, now, limit),
            ).fetchall()
        return [Pending(*row) for row in rows]

    def next_due(self, channel: str) -> float | None:
        """When the channel's next delivery is due (None: nothing waits)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT min(next_at) FROM deliveries "
                "WHERE channel = ? AND status = 'pending'",
                (channel,),
            ).fetchone()
        return row[0] if row else None

    def mark(
        self,
        alert_id: str,
        channel: str,
        status: DeliveryStatus | str,
        attempts: int,
        next_at: float,
        error: str = "",
        done_at: float | None = None,
    ) -> None:
        """Record an attempt: ``pending`` again (at ``next_at``), ``sent``, ``maybe``
        or ``failed`` (a DeliveryStatus)."""
        with self._lock, self._writing("save a delivery"):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    """UPDATE deliveries
                       SET status = ?, attempts = ?, next_at = ?, error = ?,
                       done_at = ? WHERE alert_id = ? AND channel = ?""",
                    (status, attempts, next_at, error, done_at, alert_id, channel),
                )
                if status in (DeliveryStatus.SENT, DeliveryStatus.MAYBE):
                    conn.execute(
                        "INSERT INTO channels (name, last_ok) VALUES (?, ?) ON "
                        "CONFLICT(name) DO UPDATE SET last_ok = excluded.last_ok",
                        (channel, done_at),
                    )
                elif error:
                    conn.execute(
                        "INSERT INTO channels (name, last_error, last_error_at) "
                        "VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                        "last_error = excluded.last_error, "
                        "last_error_at = excluded.last_error_at",
                        (channel, error, self.clock.now().timestamp()),
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def expire_deliveries(self, channel: str, created_before: float, now: float) -> int:
        """Give up a channel's deliveries of alerts older than a cutoff; how many."""
        with self._lock, self._writing("expire deliveries"):
            cursor = self._conn.execute(
                """UPDATE deliveries
                   SET status = 'expired', error = 'older than max_age',
                   done_at = ? WHERE channel = ? AND status = 'pending' AND alert_id IN
                   (SELECT id FROM alerts WHERE created_at < ?)""",
                (now, channel, created_before),
            )
        return cursor.rowcount

    def waiting(self) -> dict[str, int]:
        """How many alerts wait per channel."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT channel, count(*) FROM deliveries "
                "WHERE status = 'pending' GROUP BY channel"
            ).fetchall()
        return {channel: count for channel, count in rows}

    # -- commands from the phone ------------------------------------------------------

    def set_mute(self, target: str, until: float, by: str) -> None:
        """Mute a rule, a source or ``all`` until a time (epoch s)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO user_mutes VALUES (?, ?, ?)",
                (target, until, by),
            )

    def clear_mutes(self, target: str | None = None) -> list[str]:
        """Lift one mute (or every one); what was lifted."""
        with self._lock:
            where, args = ("WHERE target = ?", (target,)) if target else ("", ())
            rows = self._conn.execute(
                f"DELETE FROM user_mutes {where} RETURNING target",  # noqa: S608
                args,
            ).fetchall()
        return sorted(r[0] for r in rows)

    def user_mutes(self, now: float) -> dict[str, tuple[float, str]]:
        """Active mutes: target -> (until, who)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT target, until, by FROM user_mutes WHERE until > ?", (now,)
            ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def sent_unreminded(self, channel: str, since: float) -> list[tuple[str, str]]:
        """Alerts delivered to a channel since a time that have no reminder yet:
        (alert id, payload)."""
        with self._lock:
            rows = self._conn.execute(
                """SELECT a.id, a.payload FROM deliveries d
                   JOIN alerts a ON a.id = d.alert_id
                   WHERE d.channel = ? AND d.status IN ('sent', 'maybe')
                   AND d.done_at >= ? AND NOT EXISTS (SELECT 1 FROM reminders r
                   WHERE r.alert_id = d.alert_id AND r.channel = d.channel)""",
                (channel, since),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def remind(
        self, alert_id: str, channel: str, title: str, next_at: float, sent: int
    ) -> None:
        """Save (or move on) a reminder of an alert until it is acknowledged."""
        with self._lock:
            self._conn.execute(
                """INSERT INTO reminders (alert_id, channel, title, next_at, sent)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_id, channel)
                   DO UPDATE SET next_at = excluded.next_at, sent = excluded.sent""",
                (alert_id, channel, title, next_at, sent),
            )

    def reminders(self, channel: str) -> list[tuple[str, str, float, int]]:
        """Open reminders of a channel: (alert id, title, next at, sent)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT alert_id, title, next_at, sent FROM reminders "
                "WHERE channel = ? AND acked_at IS NULL ORDER BY next_at",
                (channel,),
            ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def ack(self, channel: str, now: float) -> list[str]:
        """Acknowledge every open reminder of a channel; their titles."""
        with self._lock:
            rows = self._conn.execute(
                "UPDATE reminders SET acked_at = ? WHERE channel = ? "
                "AND acked_at IS NULL RETURNING title",
                (now, channel),
            ).fetchall()
        return [r[0] for r in rows]

    def setting(self, key: str) -> str | None:
        """A small value logwatch keeps (where reading Telegram's updates stands)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM settings WHERE key = ?", (key,)
            ).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Keep a small value."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value)
            )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()


def _save_files(
    conn: sqlite3.Connection, files: Iterable[FileState], forget: Iterable[str]
) -> None:
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


def _queue(conn: sqlite3.Connection, alerts: Iterable[Queued]) -> None:
    for alert_id, created, payload, channels, due in alerts:
        conn.execute(
            "INSERT OR IGNORE INTO alerts (id, created_at, payload) VALUES (?, ?, ?)",
            (alert_id, created, payload),
        )
        conn.executemany(
            """INSERT OR IGNORE INTO deliveries (alert_id, channel, status, next_at)
               VALUES (?, ?, ?, ?)""",
            [(alert_id, channel, DeliveryStatus.PENDING, due) for channel in channels],
        )


def _save_windows(
    conn: sqlite3.Connection,
    windows: Iterable[tuple[str, str]],
    closed: Iterable[str],
    mutes: Iterable[tuple[str, str, float]] | None,
) -> None:
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


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (device, inode), or None if none is."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


@contextlib.contextmanager
def _private() -> Iterator[None]:
    """Files created inside (the database, its -wal and -shm) are 0600 on POSIX.

    The umask is process-wide: State is opened before the daemon starts its threads."""
    if sys.platform == "win32":
        yield
        return
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _refuse_links(path: Path) -> None:
    """SQLite opens the state file through a link (and the link's target would get our
    tables): refuse one at any of its names.

    Raises:
        StateError: naming the link.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = Path(str(path) + suffix)
        if part.is_symlink():
            raise StateError(
                f"{part}: a link, not a file; logwatch follows no link in its state "
                "folder. Remove it (logwatch then starts a fresh state)."
            )


def _tighten(path: Path) -> None:
    """A state file made by an older logwatch (0644) becomes private too (files only:
    a link's target is never changed)."""
    if sys.platform == "win32":
        return
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(path) + suffix)
        with contextlib.suppress(OSError):
            mode = part.lstat().st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                part.chmod(0o600)
