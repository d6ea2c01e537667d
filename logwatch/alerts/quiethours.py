"""Quiet hours: the local times when only critical alerts go out at once (the rest
wait for their end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local times between which only critical alerts go out at once."""

    start: time
    end: time

    def covers(self, local: time) -> bool:
        """Whether ``local`` falls inside the quiet hours (which may span midnight)."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, now: datetime) -> datetime:
        """The end of the quiet hours that cover ``now`` (aware, in now's zone)."""
        local = now.astimezone()
        end = local.replace(
            hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
        )
        if end <= local:
            end += timedelta(days=1)
        return end
