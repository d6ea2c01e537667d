"""The way of an alert: every stage from a hit to a message, built in one place.

In the follower's thread (``alerting.PendingAlerts``, written to the outbox in the
same transaction as the file offsets), a hit passes:

1. heartbeats   hits of ``expect:`` rules are signs of life, not errors
                (``expect.Expectations``)
2. threshold    ``at_least:`` rules alert only in bursts (``threshold.Threshold``)
3. dedup        the first hit at once, repeats counted into a digest, reminders,
                "back to normal"; quiet hours hold back what is not critical
                (``dedup.Deduper`` with ``quiethours.QuietHours``)
4. user mutes   a mute sent from the phone sends the alert to no channel
                (``alerting.UserMutes``, read from State by the follower at each
                commit that writes alerts); logwatch's own alerts are never muted
5. routes       the channels whose severity and filters take it (``route``)

Then each channel's thread takes it from the outbox (``delivery.Dispatcher``):

6. flood budget ``max_per_minute`` messages a minute, the rest grouped
                (``flood.Budget``)
7. pacing       Telegram's limits per chat and group (``outbox.Pacer``)
8. retries      with backoff (``outbox.backoff_s``) until ``max_age``
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from logwatch.alerts.alerting import PendingAlerts, UserMutes
from logwatch.alerts.dedup import build
from logwatch.alerts.expect import Expectations
from logwatch.alerts.outbox import Pacer
from logwatch.alerts.quiethours import QuietHours
from logwatch.alerts.threshold import Threshold
from logwatch.core.flood import Budget
from logwatch.core.model import Alert, AlertKind
from logwatch.rulebook.rules import Rule


def admission(
    rules: Iterable[Rule],
    window_s: float,
    quiet: QuietHours | None,
    *,
    resolved: bool,
    route: Callable[[Alert], list[str]],
    source_of: Callable[[Alert], str],
    on_committed: Callable[[], None],
) -> PendingAlerts:
    """Stages 1-5: hits -> the alerts the outbox keeps, each with its channels.

    Args:
        resolved: say "back to normal" when an error stops (a channel asked).
        route: the channels that take an alert (stage 5).
        source_of: the name of the source an alert's line came from.
        on_committed: told when alerts were made durable (delivery wakes).
    """
    rules = list(rules)
    return PendingAlerts(
        build(rules, window_s, quiet, resolved=resolved),
        unmuted(route, source_of),
        on_committed,
        Expectations(rules),
        Threshold({r.id: r.at_least for r in rules if r.at_least}),
    )


def unmuted(
    route: Callable[[Alert], list[str]], source_of: Callable[[Alert], str]
) -> Callable[[Alert, UserMutes], list[str]]:
    """Stages 4-5: no channel for an alert the phone's mutes cover, else its routes."""

    def targets(alert: Alert, mutes: UserMutes) -> list[str]:
        if (
            alert.kind is not AlertKind.SELF
            and mutes.targets
            and mutes.covers(alert.rule_id, source_of(alert))
        ):
            return []
        return route(alert)

    return targets


def delivery_stages(per_minute: Mapping[str, int]) -> tuple[dict[str, Budget], Pacer]:
    """Stages 6-7: each channel's flood budget (``max_per_minute`` by channel name),
    and Telegram's pacing."""
    return {name: Budget(limit) for name, limit in per_minute.items()}, Pacer()
