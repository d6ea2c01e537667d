"""Rules that alert only in bursts (``at_least: {count, within}``): the hits of such a
rule are counted per fingerprint, and go on to dedup only in a burst."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Mapping
from datetime import datetime

from logwatch.alerts.dedup import DEFAULT_MAX_WINDOWS
from logwatch.alerts.window import fingerprint
from logwatch.core.model import Hit


class Threshold:
    """Rules that alert only in bursts (``at_least: {count, within}``): a hit of such
    a rule goes on to dedup only when its fingerprint was hit ``count`` times within
    ``within`` seconds, this one included. The times are kept in memory, at most
    ``count`` per fingerprint and ``max_keys`` fingerprints (the least recently hit
    forgotten first); a restart starts counting again."""

    def __init__(
        self,
        at_least: Mapping[str, tuple[int, float]],
        max_keys: int = DEFAULT_MAX_WINDOWS,
    ) -> None:
        self.at_least, self.max_keys = dict(at_least), max_keys
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def passes(self, hit: Hit, now: datetime) -> bool:
        """Whether this hit goes on (always, for a rule without a threshold)."""
        rule = self.at_least.get(hit.rule_id)
        if rule is None:
            return True
        count, within = rule
        fp = fingerprint(hit)
        times = self._times.pop(fp, None) or deque(maxlen=count)
        self._times[fp] = times  # the most recently hit last
        at = now.timestamp()
        times.append(at)
        while times and times[0] <= at - within:
            times.popleft()
        if len(self._times) > self.max_keys:
            self._times.popitem(last=False)
        return len(times) >= count
