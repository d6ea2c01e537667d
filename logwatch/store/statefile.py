"""The state's SQLite file and its one connection: opened private, migrated, moved
aside when unusable, written again when deleted or replaced, and one lock around it.

The parts of State (offsets, deliveries, dedup windows, the phone's mutes, reminders
and settings) read and write through it; ``transaction`` makes a write all or nothing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import structlog

from logwatch.core.clock import Clock
from logwatch.core.errors import StateError
from logwatch.core.privatefiles import check_private_dir, make_dir
from logwatch.follow.drives import on_network_drive
from logwatch.store.schema import MIGRATIONS, SCHEMA_VERSION

log = structlog.get_logger("logwatch.state")

#: In WAL mode NORMAL writes a commit to the log without waiting for the disk (the
#: disk is synced at each checkpoint): every commit survives a crash of the process,
#: and a power cut may lose the last ones, whole and in order (the log's checksums
#: drop what was not written entirely). FULL waits for the disk at every commit: ~7x
#: the CPU and ~40x the time of a NORMAL one (bench/commit_bench.py).
SYNCHRONOUS = "NORMAL"


class _Unusable(Exception):
    pass


class StateFile:
    """The state's SQLite file, its connection and the lock every part takes."""

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
        self.lock = threading.RLock()
        with _private():
            self.conn = self._open()
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

    def rows(self, sql: str, args: tuple[Any, ...] = (), what: str = "") -> list[Any]:
        """Run one statement under the lock (its own transaction) and fetch its rows;
        ``what`` it does, if a failure is to raise StateError."""
        with self.lock, self.writing(what) if what else contextlib.nullcontext():
            return self.conn.execute(sql, args).fetchall()

    def count(self, sql: str, args: tuple[Any, ...], what: str) -> int:
        """Run one writing statement under the lock; how many rows it changed.

        Raises:
            StateError: it could not be written (saying ``what`` it was).
        """
        with self.lock, self.writing(what):
            return self.conn.execute(sql, args).rowcount

    @contextlib.contextmanager
    def writing(self, what: str) -> Iterator[None]:
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
        old = self.conn
        with _private():
            new = self._connect()
        try:
            old.backup(new)
        except BaseException:
            new.close()
            raise
        old.close()
        self.conn = new
        _tighten(self.path)
        self._identity = _identity(self.path)
        self.recreated = why
        log.warning("state_recreated", path=str(self.path), reason=why)

    def transaction(
        self,
        write: Callable[[sqlite3.Connection], None],
        what: str = "save",
        check_identity: bool = True,
    ) -> None:
        """Run ``write`` as one transaction: all of it is saved, or none (a file
        deleted or replaced is written again first, unless ``check_identity`` is off).

        Raises:
            StateError: it could not be written (saying ``what`` it was).
        """
        with self.lock, self.writing(what):
            if check_identity:
                self._check_identity()
            conn = self.conn
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

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self.conn.close()


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
