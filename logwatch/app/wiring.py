"""What one config makes: the validated ``Setup``, and the ``Workers`` running it.

A reload builds a new Setup first (every problem reported, nothing swapped on error),
then stops the old Workers and starts new ones on the same State, lock, metrics,
channel threads and bot pollers.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from logwatch.alerts.dedup import Deduper, QuietHours
from logwatch.alerts.notices import Notice, notice, render_notice
from logwatch.alerts.pipeline import admission
from logwatch.alerts.render import Message, default_language
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
from logwatch.app.places import default_sources, known_folders
from logwatch.app.remote import Remote, Remotes, remote_chats
from logwatch.app.senders import Pollers, Senders
from logwatch.core.clock import Clock
from logwatch.core.codepages import default_fallback
from logwatch.core.config import (
    Config,
    LoadedConfig,
    config_secrets,
    default_channels,
    kind_name,
    load_config,
)
from logwatch.core.errors import ConfigError, InvalidConfig, StateError
from logwatch.core.formats import FORMATS
from logwatch.core.model import Alert, AlertKind
from logwatch.core.paths import rules_cache
from logwatch.core.privatefiles import check_private_dir
from logwatch.deliver import alertmanager
from logwatch.deliver.delivery import Dispatcher, MessageFormat, channels_for
from logwatch.deliver.notifier import Notifier, apprise_channels, desktop_session
from logwatch.deliver.telegram import BotApi
from logwatch.follow.listing import expand_folders, path_matches
from logwatch.follow.tailer import Held, Source
from logwatch.match.engine import Engine, Scan
from logwatch.match.redact import secret_forms
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import Rule, RuleSet
from logwatch.store.state import State

if TYPE_CHECKING:  # prometheus_client is imported only when metrics are asked for
    from logwatch.app.metrics import Metrics

log = structlog.get_logger("logwatch.daemon")

#: How long a stop waits for a bot's poll under way (a long poll lasts up to POLL_S;
#: it ends in the background).
POLL_JOIN_S = 0.5


def source_name(path: str, sources: tuple[Source, ...]) -> str:
    """The name of the source whose patterns match ``path`` ("" if none does)."""
    for source in sources:
        if any(path_matches(path, pattern) for pattern in source.patterns):
            return source.name
    return ""


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything the config and rules make; replaced whole on reload."""

    loaded: LoadedConfig
    rules: RuleSet
    sources: tuple[Source, ...]
    notifier: Notifier
    lang: str
    zero_config: bool
    #: names this logwatch in alerts, footers and metrics
    instance: str


def build_setup(config_path: Path | None, env: dict[str, str]) -> Setup:
    """Config (read from its file), rules, sources and channels, all validated.

    Raises:
        InvalidConfig: with every problem in the config and rule files.
    """
    return setup_of(load_config(config_path, env), env)


def setup_of(loaded: LoadedConfig, env: dict[str, str]) -> Setup:
    """Rules, sources and channels for a config already read, all validated.

    Raises:
        InvalidConfig: with every problem in the config and rule files.
    """
    config = loaded.config
    if config.state_dir:
        check_state_dir(loaded, Path(config.state_dir).expanduser())
    dirs = [Path(d).expanduser() for d in config.rules.dirs]
    rules = load_rules(
        dirs, cache=rules_cache(config.state_dir, env), warnings=loaded.warnings
    )
    known = {r.id for r in rules}
    unknown = [
        loaded.error(
            ("rules", "disable", i), f"rules.disable: unknown rule id {rule_id!r}"
        )
        for i, rule_id in enumerate(config.rules.disable)
        if rule_id not in known
    ]
    if unknown:
        raise InvalidConfig(unknown)
    rules = RuleSet(
        tuple(r for r in rules if r.id not in config.rules.disable), rules.catalogue
    )
    rules, problems = _with_thresholds(loaded, rules)
    sources = config_sources(config, env)
    loaded, read = with_apprise_config(loaded)
    config = loaded.config
    problems += read
    problems += _route_problems(loaded, rules, [s.name for s in sources])
    if problems:
        raise InvalidConfig(sorted(problems, key=lambda e: e.line))
    if not config.channels:
        config = config.model_copy(
            update={"channels": default_channels(desktop_session())}
        )
        loaded = LoadedConfig(config, loaded.doc, loaded.warnings)
    notifier = Notifier(loaded)
    lang = config.language or default_language(env)
    instance = config.instance or socket.gethostname()
    return Setup(
        loaded, rules, sources, notifier, lang, not loaded.config.sources, instance
    )


def config_sources(config: Config, env: dict[str, str]) -> tuple[Source, ...]:
    """The sources a config follows (the usual folders when it names none); quick,
    so a start can hold their files before it loads the rules."""
    fallback = config.fallback_encoding or default_fallback()
    return tuple(
        Source(
            s.name,
            expand_folders(s.paths),
            tuple(s.exclude),
            s.force_polling,
            s.backfill,
            s.unmatched,
            s.encoding,
            fallback,
        )
        for s in (config.sources or default_sources(known_folders(env), sys.platform))
    )


def _with_thresholds(
    loaded: LoadedConfig, rules: RuleSet
) -> tuple[RuleSet, list[ConfigError]]:
    """The rules with the config's ``rules.at_least`` (by id or pattern) applied, and
    a problem at its line for each pattern that names no rule."""
    wanted = loaded.config.rules.at_least
    problems = [
        loaded.error(
            ("rules", "at_least", pattern),
            f"rules.at_least: {pattern!r} names no rule (`logwatch rules` lists them)",
        )
        for pattern in wanted
        if not any(fnmatch.fnmatchcase(r.id, pattern) for r in rules)
    ]
    if not wanted:
        return rules, problems

    def threshold(rule: Rule) -> Rule:
        for pattern, at_least in wanted.items():
            if fnmatch.fnmatchcase(rule.id, pattern):
                return dataclasses.replace(
                    rule, at_least=(at_least.count, at_least.within)
                )
        return rule

    return RuleSet(tuple(threshold(r) for r in rules), rules.catalogue), problems


def with_apprise_config(
    loaded: LoadedConfig,
) -> tuple[LoadedConfig, list[ConfigError]]:
    """The config with the channels of its ``apprise_config`` file added (each URL of
    it one channel, secrets masked like any channel's), and each problem with the
    file at the ``apprise_config`` line (a URL refused is one, never dropped)."""
    config = loaded.config
    path = config.apprise_config_path(loaded.doc.source if loaded.doc else None)
    if path is None:
        return loaded, []
    taken = [c.name for c in config.channels]
    channels, said = apprise_channels(path, config.apprise_tags, taken)
    problems = [
        loaded.error(("apprise_config",), f"apprise_config {path}: {why}")
        for why in said
    ]
    config = config.model_copy(update={"channels": [*config.channels, *channels]})
    return LoadedConfig(config, loaded.doc, loaded.warnings), problems


def _route_problems(
    loaded: LoadedConfig, rules: RuleSet, sources: list[str]
) -> list[ConfigError]:
    """Each channel's ``sources``, ``rules`` and ``categories`` must name something
    that exists (a filter that matches nothing would silently send that channel
    nothing): a problem at its line for each that does not."""
    categories = {
        kind_name(c)
        for c in (*rules.catalogue.categories, *(t for r in rules for t in r.tags))
    }
    problems = []
    for i, channel in enumerate(loaded.config.channels):
        for j, name in enumerate(channel.sources or ()):
            if name not in sources:
                problems.append(
                    loaded.error(
                        ("channels", i, "sources", j),
                        f"channel {channel.name}: no source named {name!r} "
                        f"(sources: {', '.join(sources)})",
                    )
                )
        for j, pattern in enumerate(channel.rules or ()):
            if not any(fnmatch.fnmatchcase(r.id, pattern) for r in rules):
                problems.append(
                    loaded.error(
                        ("channels", i, "rules", j),
                        f"channel {channel.name}: {pattern!r} names no rule "
                        "(`logwatch rules` lists them)",
                    )
                )
        for j, category in enumerate(channel.categories or ()):
            if kind_name(category) not in categories:
                problems.append(
                    loaded.error(
                        ("channels", i, "categories", j),
                        f"channel {channel.name}: no category or tag {category!r} "
                        f"(known: {', '.join(sorted(categories))})",
                    )
                )
    return problems


def check_state_dir(loaded: LoadedConfig, path: Path) -> None:
    """A state_dir that cannot be created or written, or that is not private (the
    check of ``StateLock``), is a config error at its line: ``check`` and ``run``
    refuse the same folders.

    Raises:
        InvalidConfig: naming the ``state_dir`` line.
    """
    file = next(
        (f for f in (path, *path.parents) if f.exists() and not f.is_dir()), None
    )
    if file is not None:  # mkdir would say only "File exists" / "Not a directory"
        where = "" if file == path else f", so state_dir {path} cannot be made there"
        raise InvalidConfig(
            [
                loaded.error(
                    ("state_dir",),
                    f"state_dir {file} is a file, not a folder{where}: name a "
                    "folder for logwatch's state (or move the file away)",
                )
            ]
        )
    try:  # private from the start: a group-writable one would then be refused
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path}: {exc.strerror or exc}")]
        ) from exc
    try:
        check_private_dir(path)
    except StateError as exc:
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {exc.format_message()}")]
        ) from exc
    if not os.access(path, os.W_OK):
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path} is not writable")]
        )


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
        self._rules = {r.id: r for r in setup.rules}
        self.engine = Engine(setup.rules, secrets=secret_forms(config_secrets(config)))
        quiet = config.quiet_hours
        # the stages, in order: see pipeline
        alerting = admission(
            setup.rules,
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
            self._rules,  # one map of ~9,700 rules, read-only: shared
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
                setup.lang,
                (r.id for r in setup.rules),
                (s.name for s in setup.sources),
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
