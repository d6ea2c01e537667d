"""Each send's outcome recorded in State, per alert and channel.

A full disk must not make a delivered alert go again: an attempt State cannot record
is held (its alert is not sent meanwhile) and recorded at the channel's next pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from logwatch.core.errors import StateError
from logwatch.core.model import DeliveryStatus
from logwatch.store.deliveries import Pending
from logwatch.store.state import State

#: what ``Deliveries.mark`` takes after the alert id and channel
Mark = tuple[DeliveryStatus | str, int, float, str, float | None]


class Attempts:
    """The attempts of the deliveries in ``state``; those it could not take yet."""

    def __init__(self, state: State) -> None:
        self.state = state
        #: attempts State could not record yet: (alert id, channel) -> mark arguments
        self._unmarked: dict[tuple[str, str], Mark] = {}

    def delivered(
        self,
        channel: str,
        items: Sequence[Pending],
        status: str,
        error: str,
        now: float,
    ) -> None:
        """The channel took these deliveries at ``now`` (``status``: how it said so)."""
        for item in items:
            self._mark(item, channel, (status, item.attempts + 1, now, error, now))

    def retry(
        self, channel: str, items: Sequence[Pending], next_at: float, error: str
    ) -> None:
        """The channel failed these deliveries: they are tried again at ``next_at``."""
        for item in items:
            mark = (DeliveryStatus.PENDING, item.attempts + 1, next_at, error, None)
            self._mark(item, channel, mark)

    def unrecorded(self, alert_id: str, channel: str) -> bool:
        """Whether an attempt at this delivery waits to be recorded (not sent again)."""
        return (alert_id, channel) in self._unmarked

    def record_again(self, channel: str) -> bool:
        """Record the channel's attempts State could not take; False while it still
        cannot."""
        for alert_id, ch in [k for k in self._unmarked if k[1] == channel]:
            try:
                self.state.deliveries.mark(
                    alert_id, ch, *self._unmarked[(alert_id, ch)]
                )
            except StateError:
                return False
            del self._unmarked[(alert_id, ch)]
        return True

    def adopt(self, old: Attempts, channel: str) -> None:
        """Take over the channel's attempts the ``old`` one could not record."""
        for key, mark in list(old._unmarked.items()):
            if key[1] == channel:
                self._unmarked[key] = mark

    def _mark(self, item: Pending, channel: str, mark: Mark) -> None:
        """Record an attempt; if State cannot take it, hold it and record it later."""
        try:
            self.state.deliveries.mark(item.alert_id, channel, *mark)
        except StateError:
            self._unmarked[(item.alert_id, channel)] = mark
