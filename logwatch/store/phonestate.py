"""State's parts that the phone's commands own: mutes set from the phone, reminders
of critical alerts until /ack, and small settings (where reading Telegram stands)."""

from __future__ import annotations

from logwatch.core.model import DeliveryStatus
from logwatch.store.statefile import StateFile


class MuteRows:
    """Mutes set from the phone: a rule, a source or ``all``, until a time."""

    def __init__(self, file: StateFile) -> None:
        self._file = file

    def set(self, target: str, until: float, by: str) -> None:
        """Mute a rule, a source or ``all`` until a time (epoch s)."""
        self._file.rows(
            "INSERT OR REPLACE INTO user_mutes VALUES (?, ?, ?)", (target, until, by)
        )

    def clear(self, target: str | None = None) -> list[str]:
        """Lift one mute (or every one); what was lifted."""
        where, args = ("WHERE target = ?", (target,)) if target else ("", ())
        rows = self._file.rows(
            f"DELETE FROM user_mutes {where} RETURNING target",  # noqa: S608
            args,
        )
        return sorted(r[0] for r in rows)

    def active(self, now: float) -> dict[str, tuple[float, str]]:
        """Active mutes: target -> (until, who)."""
        rows = self._file.rows(
            "SELECT target, until, by FROM user_mutes WHERE until > ?",
            (now,),
            what="read the phone's mutes",
        )
        return {r[0]: (r[1], r[2]) for r in rows}


class Reminders:
    """Reminders of critical alerts, per channel, until acknowledged."""

    def __init__(self, file: StateFile) -> None:
        self._file = file

    def unreminded(self, channel: str, since: float) -> list[tuple[str, str]]:
        """Alerts delivered to a channel since a time that have no reminder yet:
        (alert id, payload)."""
        rows = self._file.rows(
            """SELECT a.id, a.payload FROM deliveries d
               JOIN alerts a ON a.id = d.alert_id
               WHERE d.channel = ? AND d.status IN (?, ?)
               AND d.done_at >= ? AND NOT EXISTS (SELECT 1 FROM reminders r
               WHERE r.alert_id = d.alert_id AND r.channel = d.channel)""",
            (channel, DeliveryStatus.SENT, DeliveryStatus.MAYBE, since),
        )
        return [(r[0], r[1]) for r in rows]

    def remind(
        self, alert_id: str, channel: str, title: str, next_at: float, sent: int
    ) -> None:
        """Save (or move on) a reminder of an alert until it is acknowledged."""
        self._file.rows(
            """INSERT INTO reminders (alert_id, channel, title, next_at, sent)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_id, channel)
               DO UPDATE SET next_at = excluded.next_at, sent = excluded.sent""",
            (alert_id, channel, title, next_at, sent),
        )

    def open(self, channel: str) -> list[tuple[str, str, float, int]]:
        """Open reminders of a channel: (alert id, title, next at, sent)."""
        rows = self._file.rows(
            "SELECT alert_id, title, next_at, sent FROM reminders "
            "WHERE channel = ? AND acked_at IS NULL ORDER BY next_at",
            (channel,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def ack(self, channel: str, now: float) -> list[str]:
        """Acknowledge every open reminder of a channel; their titles."""
        rows = self._file.rows(
            "UPDATE reminders SET acked_at = ? WHERE channel = ? "
            "AND acked_at IS NULL RETURNING title",
            (now, channel),
        )
        return [r[0] for r in rows]


class Settings:
    """Small values logwatch keeps (where reading Telegram's updates stands)."""

    def __init__(self, file: StateFile) -> None:
        self._file = file

    def get(self, key: str) -> str | None:
        """The value kept under ``key``, if any."""
        rows = self._file.rows("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set(self, key: str, value: str) -> None:
        """Keep a small value."""
        self._file.rows("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))
