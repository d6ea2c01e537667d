"""State's part that owns the outbox's rows: alerts and their delivery per channel,
and how each channel last went."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from logwatch.core.clock import Clock
from logwatch.core.model import DeliveryStatus, Queued
from logwatch.store.statefile import StateFile

#: Payloads read per statement by ``Deliveries.payloads`` (SQLite allows 32,766 marks).
PAYLOAD_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Pending:
    """An alert still to be delivered to one channel."""

    alert_id: str
    channel: str
    attempts: int
    payload: str
    created_at: float


class Deliveries:
    """The outbox in the state file: what is due per channel, and each attempt."""

    def __init__(self, file: StateFile, clock: Clock) -> None:
        self._file, self._clock = file, clock

    def due(
        self, channel: str, now: float, limit: int = 20, with_payload: bool = True
    ) -> list[Pending]:
        """A channel's deliveries whose time has come, oldest first (``with_payload``
        off: each ``payload`` empty, and SQLite sorts no payloads; ``payloads``
        reads them)."""
        payload = "a.payload" if with_payload else "''"
        rows = self._file.rows(
            f"""SELECT d.alert_id, d.channel, d.attempts, {payload}, a.created_at
               FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.channel = ? AND d.status = ? AND d.next_at <= ?
               ORDER BY a.created_at LIMIT ?""",  # noqa: S608  a constant column
            (channel, DeliveryStatus.PENDING, now, limit),
        )
        return [Pending(*row) for row in rows]

    def payloads(self, alert_ids: Sequence[str]) -> Iterator[tuple[str, str]]:
        """``(alert id, payload)`` of these alerts, read ``PAYLOAD_CHUNK`` at a time
        (the lock is let go between reads); an alert no longer kept is left out."""
        for start in range(0, len(alert_ids), PAYLOAD_CHUNK):
            chunk = alert_ids[start : start + PAYLOAD_CHUNK]
            marks = ", ".join("?" * len(chunk))
            yield from self._file.rows(
                f"SELECT id, payload FROM alerts WHERE id IN ({marks})",  # noqa: S608
                tuple(chunk),
            )

    def next_due(self, channel: str) -> float | None:
        """When the channel's next delivery is due (None: nothing waits)."""
        rows = self._file.rows(
            "SELECT min(next_at) FROM deliveries WHERE channel = ? AND status = ?",
            (channel, DeliveryStatus.PENDING),
        )
        return rows[0][0] if rows else None

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
        """Record an attempt: ``pending`` again (at ``next_at``), ``sent`` or
        ``maybe`` (a DeliveryStatus)."""
        error_at = self._clock.now().timestamp()

        def write(conn: sqlite3.Connection) -> None:
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
                    (channel, error, error_at),
                )

        self._file.transaction(write, "save a delivery", check_identity=False)

    def expire(self, channel: str, created_before: float, now: float) -> int:
        """Give up a channel's deliveries of alerts older than a cutoff; how many."""
        return self._file.count(
            """UPDATE deliveries
               SET status = ?, error = 'older than max_age',
               done_at = ? WHERE channel = ? AND status = ? AND alert_id IN
               (SELECT id FROM alerts WHERE created_at < ?)""",
            (
                DeliveryStatus.EXPIRED,
                now,
                channel,
                DeliveryStatus.PENDING,
                created_before,
            ),
            "expire deliveries",
        )

    def waiting(self) -> dict[str, int]:
        """How many alerts wait per channel."""
        rows = self._file.rows(
            "SELECT channel, count(*) FROM deliveries "
            "WHERE status = ? GROUP BY channel",
            (DeliveryStatus.PENDING,),
        )
        return {channel: count for channel, count in rows}


def queue(conn: sqlite3.Connection, alerts: Iterable[Queued]) -> None:
    """Put alerts in the outbox, one delivery per channel, in the open transaction."""
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


def drop_ended(conn: sqlite3.Connection, cutoff: float) -> None:
    """Drop deliveries that ended before ``cutoff`` and alerts left with none, in the
    open transaction."""
    conn.execute(
        "DELETE FROM deliveries WHERE status != ? AND done_at < ?",
        (DeliveryStatus.PENDING, cutoff),
    )
    conn.execute("DELETE FROM alerts WHERE id NOT IN (SELECT alert_id FROM deliveries)")
