"""The ``Workers`` one ``Setup`` runs: follower, outbox dispatcher, pinger, remotes.

A reload (configured.py builds the new Setup first) stops the old Workers and starts
new ones on the same State, lock, metrics, channel threads and bot pollers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from logwatch.alerts.dedup import Deduper
from logwatch.alerts.notices import Notice, notice, render_notice
from logwatch.alerts.pipeline import admission
from logwatch.alerts.quiethours import QuietHours
from logwatch.alerts.render import Message
from logwatch.app.configured import Setup, source_name
from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.app.follower_events import (
    Activity,
    FileWarning,
    FollowEvent,
    Matched,
    SaveFailed,
    SaveResumed,
    fan_out,
    log_event,
)
from logwatch.app.heartbeat import STATUS_FILE, Pinger, Pulse
from logwatch.app.remote import Remote, Remotes, remote_chats
from logwatch.app.senders import Pollers, Senders
from logwatch.core.clock import Clock
from logwatch.core.configsecrets import config_secrets
from logwatch.core.formats import FORMATS
from logwatch.core.model import Alert, AlertKind
from logwatch.deliver import alertmanager
from logwatch.deliver.delivery import Dispatcher, MessageFormat, channels_for
from logwatch.deliver.telegram import BotApi
from logwatch.follow.tailer import Held
from logwatch.match.engine import Engine, Scan
from logwatch.match.redact import secret_forms
from logwatch.rulebook.rules import Rule
from logwatch.store.state import State

if TYPE_CHECKING:  # prometheus_client is imported only when metrics are asked for
    from logwatch.app.metrics import Metrics

log = structlog.get_logger("logwatch.daemon")

#: How long a stop waits for a bot's poll under way (a long poll lasts up to POLL_S;
#: it ends in the background).
POLL_JOIN_S = 0.5


def note_hits(scan: Scan, metrics: Metrics | None) -> None:
    """Each hit logged (at debug: a flood would fill the journal) and counted."""
    for hit in scan.hits:
        log.debug("hit", rule=hit.rule_id, path=hit.record.path, line=hit.line)
        if metrics is not None:
            metrics.hit(hit.rule_id, str(hit.severity))


class Workers:
    """The workers one Setup runs (and the matcher they share): the follower, the
    outbox's dispatcher, the heartbeat's pinger and the phone's remotes.

    Built stopped; ``start`` starts the threads, ``stop`` joins them and releases the
    followed files (State stays open: it belongs to the daemon).
    """

    def __init__(
        self,
        setup: Setup,
        state: State,
        clock: Clock,
        metrics: Metrics | None,
        *,
        problem: Callable[[], str],
        senders: Senders | None = None,
        pollers: Pollers | None = None,
        held: Held | None = None,
    ) -> None:
        self.setup, self.state, self.clock, self.metrics = setup, state, clock, metrics
        #: the channel threads and the bots' pollers; the daemon's outlive these Workers
        #: (``None``: Workers start and close their own)
        self._senders, self._pollers = senders, pollers
        self._own_senders: Senders | None = None
        self._own_pollers: Pollers | None = None
        config = setup.loaded.config
        # by id: a rule set read back from the cache unpacks an exchange's entries'
        # rules when one of them is asked for
        self._rules = setup.rules.by_id
        self.engine = Engine(setup.rules, secrets=secret_forms(config_secrets(config)))
        quiet = config.quiet_hours
        # the stages, in order: see pipeline
        alerting = admission(
            setup.rules.rules,  # the packed rules' policy is the default's
            config.dedup.window,
            QuietHours(quiet.start, quiet.end) if quiet else None,
            resolved=self.wants_resolved,
            route=lambda a: channels_for(
                setup.notifier,
                a.severity,
                resolved=a.kind is AlertKind.RESOLVED,
                route=self._route(a),
            ),
            source_of=self._source_of,
            on_committed=lambda: self.dispatcher.poke(),
        )
        self.dispatcher = Dispatcher(
            state,
            setup.notifier,
            self._rules,  # one map of ~10,000 rules, read-only: shared
            setup.lang,
            clock,
            config.max_age,
            instance=setup.instance,
            formats={"alertmanager": self._alertmanager_format(alerting.deduper)},
            on_outcome=metrics.outcome if metrics is not None else None,
        )
        #: what the follower read, per source (metrics, silence checks)
        self.activity = Activity()
        self.follower = Follower(
            self.engine,
            list(setup.sources),
            clock,
            state=state,
            events=fan_out(log_event, self.activity, self._on_event),
            alerting=alerting,
            settings=FollowSettings(
                max_age_s=config.max_age,
                source_formats={
                    s.name: FORMATS[s.format]
                    for s in config.sources
                    if s.format != "auto"
                },
            ),
            held=held,
        )
        self.pinger: Pinger | None = None
        beat = config.heartbeat
        if beat is not None:
            fail_url = beat.fail_url.get_secret_value() if beat.fail_url else None
            self.pinger = Pinger(
                Pulse(beat.url.get_secret_value(), beat.every, fail_url),
                clock,
                problem,
                self.describe,
                state.path.parent / STATUS_FILE,
                beat.timeout,
                on_success=metrics.heartbeat.set if metrics is not None else None,
                secrets=(beat.url.get_secret_value(), fail_url or ""),
            )
        self.remotes = Remotes(
            Remote(
                BotApi(chats.token, setup.notifier.telegram_api),
                chats,
                state,
                clock,
                lang=setup.lang,
                rules=(r.id for r in setup.rules),
                sources=(s.name for s in setup.sources),
                titles={
                    r.id: r.title.get(setup.lang) or r.title["en"] for r in setup.rules
                },
                instance=setup.instance,
            )
            for chats in remote_chats(
                config.channels, lambda c: c.url.get_secret_value()
            )
        )

    def start(self) -> None:
        """Start delivering, following, pinging and answering the phone."""
        senders = self._senders
        if senders is None:
            senders = self._own_senders = Senders()
        senders.serve(self.dispatcher)
        self.follower.start()
        if self.pinger is not None:
            self.pinger.start()
        pollers = self._pollers
        if pollers is None:
            pollers = self._own_pollers = Pollers()
        kept = pollers.serve(self.remotes)
        if kept:  # each polls on for the old config until its poll under way ends
            log.info("telegram_commands_handed_over", bots=len(kept))

    def stop(self) -> None:
        """Join every thread and close the followed files (positions are saved).

        Shared channel threads and bot pollers are not joined: they stop for these
        Workers after the message or poll under way, and go on with the Workers served
        next.
        """
        self.remotes.stop()
        if self.pinger is not None:
            self.pinger.close()
            self.pinger = None
        self.follower.release()
        self.dispatcher.stop()
        if self._own_senders is not None:
            self._own_senders.close()
            self._own_senders = None
        if self._own_pollers is not None:
            self._own_pollers.close(POLL_JOIN_S)
            self._own_pollers = None

    @property
    def wants_resolved(self) -> bool:
        """Whether a channel asked for "back to normal" messages."""
        return any(c.resolved for c in self.setup.notifier.channels.values())

    def self_alert(self, said: Notice, about: str = "") -> None:
        """An alert about logwatch itself, through every channel that takes it."""
        self.dispatcher.self_alert(said, about=about)
        log.warning("self_alert", text=render_notice(said, "en"))

    def resolved(self, said: Notice, about: str, since: datetime) -> None:
        """Back to normal: said to the channels with send_resolved."""
        if self.wants_resolved:
            self.dispatcher.self_alert(said, about=about, resolves=since)
        log.info("resolved", about=about, text=render_notice(said, "en"))

    def health_changed(self) -> None:
        """Tell the heartbeat at once, not at its next period."""
        if self.pinger is not None:
            self.pinger.wake.set()

    def describe(self) -> str:
        """What this logwatch does, in one line (the heartbeat's message)."""
        setup = self.setup
        return (
            f"logwatch {setup.instance}: following "
            f"{self.follower.open_files} files from "
            f"{', '.join(s.name for s in setup.sources) or 'no sources'}; "
            f"alerts go to {', '.join(setup.notifier.channels)}"
        )

    def observe(self, metrics: Metrics) -> None:
        """Bring the metrics of following and the outbox up to date."""
        now = self.clock.monotonic()
        wall = self.clock.now().timestamp()
        names = [s.name for s in self.setup.sources]
        files = dict.fromkeys(names, 0) | dict(self.follower.files_per_source())
        activity = self.activity
        metrics.observe(
            dict(activity.lines_read),
            files,
            {s: wall - (now - t) for s, t in activity.last_read.items() if s},
            self.state.deliveries.waiting(),
            list(self.setup.notifier.channels),
        )

    def _alertmanager_format(self, deduper: Deduper) -> MessageFormat:
        setup = self.setup

        def format_alerts(alerts: Sequence[tuple[Alert, Rule | None]]) -> Message:
            body = []
            for alert, rule in alerts:
                path = alert.hit.record.path if alert.hit is not None else ""
                body += alertmanager.payload(
                    alert,
                    rule,
                    instance=setup.instance,
                    source=source_name(path, setup.sources) if path else "logwatch",
                    lang=setup.lang,
                    # a missing heartbeat lasts until it is seen again
                    window_s=alertmanager.LASTING_S
                    if rule is not None and rule.expect_s is not None
                    else deduper.policy(alert.rule_id).window_s,
                )
            return alertmanager.message(body)

        return format_alerts

    def _route(self, alert: Alert) -> tuple[str, str, tuple[str, ...]] | None:
        """What a channel's filters look at: the alert's rule, its source and its
        rule's category and tags (None for logwatch's own alerts: they go to all)."""
        if alert.kind == AlertKind.SELF:
            return None
        source = self._source_of(alert)
        rule = self._rules.get(alert.rule_id)
        kinds = (rule.category, *rule.tags) if rule is not None else ()
        return alert.rule_id, source, tuple(k for k in kinds if k)

    def _source_of(self, alert: Alert) -> str:
        """The name of the source of an alert's line ("" for none)."""
        path = alert.hit.record.path if alert.hit else ""
        return source_name(path, self.setup.sources) if path else ""

    def _on_event(self, event: FollowEvent) -> None:
        """The follower's events the daemon acts on: hits logged and counted, file
        problems logged, saving failed or working again said to the channels."""
        if isinstance(event, Matched):
            note_hits(event.scan, self.metrics)
        elif isinstance(event, FileWarning):
            log.warning("file_problem", path=event.path, problem=event.problem)
        elif isinstance(event, SaveFailed):
            self.dispatcher.say_now(notice("state_unsaved", problem=event.problem))
        elif isinstance(event, SaveResumed):
            self.self_alert(notice("state_saved"))
