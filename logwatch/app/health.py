"""How logwatch itself is doing, checked after every step of the loop.

A state file deleted or replaced, a rule disabled at run time, a source gone silent,
every channel failing: each is said once when it starts and, where asked, once when it
is over; ``problem`` sums up what is wrong now for the heartbeat. A state file or a rule
is looked at after every step; the rest (silence and channels are counted in minutes,
the state directory is a system call) at most once a second.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import structlog

from logwatch.alerts.notices import notice
from logwatch.app.wiring import Workers
from logwatch.core.clock import Clock

log = structlog.get_logger("logwatch.daemon")

#: Every channel failing this long is itself worth an alert (sent when one comes back).
NO_CHANNEL_S = 300.0
#: Every channel failing this long makes logwatch unhealthy for its heartbeat.
HEARTBEAT_NO_CHANNEL_S = 60.0
#: Seconds between two looks at the sources, the channels and the state directory:
#: the loop steps up to 50 times a second while a file is written.
CHECK_EVERY_S = 1.0


class Health:
    """What a supervisor remembers between steps; kept across reloads."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        #: why logwatch is unhealthy ("" when healthy), as its heartbeat reports it
        self.problem = ""
        #: since when no channel is reachable (None: one is)
        self.unreachable_since: datetime | None = None
        #: silent sources, and since when (for "writes again after 2 h")
        self._silent: dict[str, datetime] = {}
        self._disabled_seen: set[str] = set()
        self._started = clock.monotonic()
        #: when the sources, channels and state directory were last looked at
        self._checked: float | None = None

    def check(self, parts: Workers) -> None:
        """Look at the state file, the rules, the sources and the channels."""
        state = parts.state
        now = self.clock.monotonic()
        due = self._checked is None or now - self._checked >= CHECK_EVERY_S
        if state.recreated is not None:
            why, state.recreated = state.recreated, None
            name = "state_deleted" if why == "deleted" else "state_replaced"
            parts.self_alert(notice(name, path=state.path))
        for rule_id, why in parts.engine.disabled.items():
            if rule_id not in self._disabled_seen:
                self._disabled_seen.add(rule_id)
                parts.self_alert(notice("rule_disabled", rule_id=rule_id, why=why))
                due = True  # the problem names it now
        if not due:
            return
        self._checked = now
        self._check_silence(parts)
        self._check_channels(parts)
        self._check_problem(parts)

    def _check_problem(self, parts: Workers) -> None:
        problems = []
        state_dir = parts.state.path.parent
        if not os.access(state_dir, os.W_OK):
            problems.append(f"state directory {state_dir} is not writable")
        elif parts.follower.failing is not None:
            problems.append(f"the state cannot be saved ({parts.follower.failing})")
        problems += [f"{name} is silent" for name in sorted(self._silent)]
        if parts.dispatcher.unreachable_for() >= HEARTBEAT_NO_CHANNEL_S:
            problems.append("no channel is reachable")
        problems += [
            f"rule {rule} is disabled" for rule in sorted(parts.engine.disabled)
        ]
        problem = "; ".join(problems)
        if problem != self.problem:
            self.problem = problem
            log.info("health_changed", problem=problem or "none")
            parts.health_changed()

    def _check_channels(self, parts: Workers) -> None:
        down = parts.dispatcher.unreachable_for()
        if down >= NO_CHANNEL_S and self.unreachable_since is None:
            self.unreachable_since = self.clock.now() - timedelta(seconds=down)
            log.error("no_channel_reachable", minutes=round(down / 60))
            parts.self_alert(
                notice("channels_unreachable", minutes=round(down / 60)),
                about="channels",
            )
        elif down == 0 and self.unreachable_since is not None:
            since, self.unreachable_since = self.unreachable_since, None
            parts.resolved(
                notice("channels_back", lasted_s=self._lasted(since)),
                "channels",
                since,
            )

    def _check_silence(self, parts: Workers) -> None:
        now = self.clock.monotonic()
        for source in parts.setup.loaded.config.sources:
            if source.silence <= 0:
                continue
            last = parts.activity.last_read.get(source.name, self._started)
            name = source.name
            if now - last >= source.silence and name not in self._silent:
                self._silent[name] = self.clock.now() - timedelta(seconds=now - last)
                minutes = round(source.silence / 60)
                parts.self_alert(
                    notice("source_silent", source=name, minutes=minutes),
                    about=f"silent:{name}",
                )
            elif now - last < source.silence and name in self._silent:
                since = self._silent.pop(name)
                parts.resolved(
                    notice("source_back", source=name, lasted_s=self._lasted(since)),
                    f"silent:{name}",
                    since,
                )

    def _lasted(self, since: datetime) -> float:
        return max(0.0, (self.clock.now() - since).total_seconds())
