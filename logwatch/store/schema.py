"""The state file's tables, as migrations: each takes the schema one version up.

A state written by an older logwatch is migrated at open; ``user_version`` says where
it stands.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE files (
            id TEXT PRIMARY KEY,
            fp_hash BLOB NOT NULL,
            fp_n INTEGER NOT NULL,
            path TEXT NOT NULL,
            offset INTEGER NOT NULL,
            marker BLOB NOT NULL,
            last_seen REAL NOT NULL
        )"""
    )


def _v2(conn: sqlite3.Connection) -> None:
    # line numbers in reports stay right after a restart
    conn.execute("ALTER TABLE files ADD COLUMN line INTEGER NOT NULL DEFAULT 1")


def _v3(conn: sqlite3.Connection) -> None:
    # the outbox: alerts and their delivery per channel; dedup windows and mutes
    conn.execute(
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            payload TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE deliveries (
            alert_id TEXT NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at REAL NOT NULL,
            error TEXT NOT NULL DEFAULT '',
            done_at REAL,
            PRIMARY KEY (alert_id, channel)
        )"""
    )
    conn.execute("CREATE INDEX deliveries_due ON deliveries (channel, status, next_at)")
    conn.execute(
        "CREATE TABLE windows (fingerprint TEXT PRIMARY KEY, payload TEXT NOT NULL)"
    )
    conn.execute(
        """CREATE TABLE muted (
            rule_id TEXT NOT NULL, connection TEXT NOT NULL, until REAL NOT NULL,
            PRIMARY KEY (rule_id, connection)
        )"""
    )


def _v4(conn: sqlite3.Connection) -> None:
    # per channel: when it last delivered and its last error, for `logwatch status`
    conn.execute(
        """CREATE TABLE channels (
            name TEXT PRIMARY KEY,
            last_ok REAL,
            last_error TEXT NOT NULL DEFAULT '',
            last_error_at REAL
        )"""
    )


def _v5(conn: sqlite3.Connection) -> None:
    # commands from the phone: mutes, reminders of critical alerts until /ack, and
    # where reading Telegram's updates stands
    conn.execute(
        """CREATE TABLE user_mutes (
            target TEXT PRIMARY KEY, until REAL NOT NULL, by TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE reminders (
            alert_id TEXT NOT NULL, channel TEXT NOT NULL, title TEXT NOT NULL,
            next_at REAL NOT NULL, sent INTEGER NOT NULL DEFAULT 0, acked_at REAL,
            PRIMARY KEY (alert_id, channel)
        )"""
    )
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v6(conn: sqlite3.Connection) -> None:
    # the glob patterns followed, and when last: files a pattern not followed before
    # finds at a start are read from their ends, however long the state has been kept
    conn.execute(
        "CREATE TABLE followed (pattern TEXT PRIMARY KEY, last_seen REAL NOT NULL)"
    )


#: MIGRATIONS[i] takes a database from schema version i to i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
)
SCHEMA_VERSION = len(MIGRATIONS)
