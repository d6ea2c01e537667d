"""``logwatch run``: following, dedup and delivery in one process, until told to stop.

The composition root. SIGTERM/SIGINT: save and exit 0. SIGHUP: reload config and rules,
validated in full before anything is swapped (on error the old ones stay). Under systemd
(``Type=notify``) it says READY, pings the watchdog and says STOPPING.
"""

from __future__ import annotations

import fnmatch
import os
import socket
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import structlog

from logwatch import alertmanager, control
from logwatch.alerting import Alerting
from logwatch.clock import Clock
from logwatch.commands import muted
from logwatch.config import (
    LoadedConfig,
    config_secrets,
    default_channels,
    default_config_path,
    load_config,
)
from logwatch.dedup import Deduper, QuietHours, build
from logwatch.delivery import Dispatcher, Format, channels_for
from logwatch.engine import Engine, Scan
from logwatch.errors import InvalidConfig, LogwatchError
from logwatch.expect import Expectations
from logwatch.follow import Follower
from logwatch.formats import FORMATS
from logwatch.heartbeat import STATUS_FILE, Pinger, Pulse
from logwatch.lock import StateLock
from logwatch.model import Alert, AlertKind
from logwatch.notices import Notice, notice, render_notice
from logwatch.notifier import Notifier, desktop_session
from logwatch.places import default_sources, known_folders
from logwatch.redact import secret_forms
from logwatch.remote import Remote, remote_chats
from logwatch.render import Message, default_language
from logwatch.rules import Rule, RuleSet, load_rules
from logwatch.state import State, state_path
from logwatch.tailer import Source
from logwatch.telegram import BotApi

if TYPE_CHECKING:  # prometheus_client is imported only when metrics are asked for
    from logwatch.metrics import Metrics

log = structlog.get_logger("logwatch.daemon")

#: Every channel failing this long is itself worth an alert (sent when one comes back).
NO_CHANNEL_S = 300.0
#: Every channel failing this long makes logwatch unhealthy for its heartbeat.
HEARTBEAT_NO_CHANNEL_S = 60.0
#: Metrics are brought up to date at most this often (seconds).
OBSERVE_EVERY_S = 1.0


def source_name(path: str, sources: tuple[Source, ...]) -> str:
    """The name of the source whose patterns match ``path`` ("" if none does)."""
    for source in sources:
        for pattern in source.patterns:
            if fnmatch.fnmatch(path, str(Path(pattern).expanduser())):
                return source.name
    return ""


def sd_notify(message: str, env: dict[str, str] | None = None) -> bool:
    """Tell systemd how the service is (``READY=1``...); False without systemd."""
    env = dict(os.environ) if env is None else env
    address = env.get("NOTIFY_SOCKET")
    if not address or not sys.platform.startswith("linux"):
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:  # type: ignore[attr-defined,unused-ignore]
        sock.connect(address)
        sock.sendall(message.encode())
    return True


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
    """Config, rules, sources and channels, all validated.

    Raises:
        InvalidConfig: with every problem in the config and rule files.
    """
    loaded = load_config(config_path, env)
    config = loaded.config
    if config.state_dir:
        _check_state_dir(loaded, Path(config.state_dir).expanduser())
    dirs = [Path(d).expanduser() for d in config.rules.dirs]
    rules = load_rules(dirs)
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
    sources = tuple(
        Source(
            s.name,
            tuple(s.paths),
            tuple(s.exclude),
            s.force_polling,
            s.backfill,
            s.unmatched,
        )
        for s in (config.sources or default_sources(known_folders(env), sys.platform))
    )
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


def _check_state_dir(loaded: LoadedConfig, path: Path) -> None:
    """A state_dir that cannot be created or written is a config error at its line."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path}: {exc.strerror or exc}")]
        ) from exc
    if not os.access(path, os.W_OK):
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path} is not writable")]
        )


class Daemon:
    """The running service: one ``step()`` follows, alerts and supervises."""

    #: serves /metrics when the config asks for it
    metrics: Metrics | None = None

    def __init__(
        self, config_path: Path | None, clock: Clock, env: dict[str, str], out: TextIO
    ) -> None:
        self.config_path, self.clock, self.env, self.out = config_path, clock, env, out
        # one daemon per state: a second one stops here, naming the first, before it
        # spends time on rules and channels
        loaded = load_config(config_path, env)
        if loaded.config.state_dir:
            _check_state_dir(loaded, Path(loaded.config.state_dir).expanduser())
        path = state_path(loaded.config.state_dir, env)
        self.lock = StateLock(path)
        self.lock.acquire()
        try:
            self.setup = build_setup(config_path, env)
            self.stop = threading.Event()
            self.reload = threading.Event()
            #: Set once the state is saved and closed (a console close waits for it).
            self.stopped = threading.Event()
            self.metrics = self._serve_metrics()
            try:
                self.state = State(path, clock)
            except BaseException:
                if self.metrics is not None:
                    self.metrics.close()
                raise
        except BaseException:
            self.lock.release()
            raise
        self._disabled_seen: set[str] = set()
        #: silent sources, and since when (for "writes again after 2 h")
        self._silent: dict[str, datetime] = {}
        self._unreachable: datetime | None = None
        self._started = clock.monotonic()
        #: why logwatch is unhealthy ("" when healthy), as its heartbeat reports it
        self.problem = ""
        self._observed_at = -OBSERVE_EVERY_S
        self.pinger: Pinger | None = None
        self._start()
        if self.state.moved_aside is not None:
            moved, why = self.state.moved_aside
            self.self_alert(notice("state_moved_aside", why=why, moved=moved))
        if self.state.unmovable is not None:
            old, why, error = self.state.unmovable
            self.self_alert(
                notice(
                    "state_unmovable",
                    old=old,
                    why=why,
                    error=error,
                    path=self.state.path,
                )
            )

    def _serve_metrics(self) -> Metrics | None:
        """Serve /metrics when the config asks; a port in use is a config error."""
        wanted = self.setup.loaded.config.metrics
        if wanted is None:
            return None
        from logwatch.metrics import Metrics

        metrics = Metrics(
            self.setup.instance, self.setup.loaded.config.heartbeat is not None
        )
        try:
            self.metrics_port = metrics.serve(wanted.listen)
        except OSError as exc:
            raise InvalidConfig(
                [
                    self.setup.loaded.error(
                        ("metrics", "listen"),
                        f"metrics.listen {wanted.listen}: "
                        f"cannot listen: {exc.strerror or exc}",
                    )
                ]
            ) from exc
        return metrics

    def _start(self) -> None:
        setup = self.setup
        config = setup.loaded.config
        self.engine = Engine(setup.rules, secrets=secret_forms(config_secrets(config)))
        quiet = config.quiet_hours
        deduper = build(
            setup.rules,
            config.dedup.window,
            QuietHours(quiet.start, quiet.end) if quiet else None,
            resolved=self._wants_resolved(),
        )
        metrics = self.metrics
        self.dispatcher = Dispatcher(
            self.state,
            setup.notifier,
            {r.id: r for r in setup.rules},
            setup.lang,
            self.clock,
            config.max_age,
            instance=setup.instance,
            formats={"alertmanager": self._alertmanager_format(deduper)},
            on_outcome=metrics.outcome if metrics is not None else None,
        )
        alerting = Alerting(
            deduper,
            lambda a: (
                []
                if self._muted(a)
                else channels_for(
                    setup.notifier, a.severity, resolved=a.kind is AlertKind.RESOLVED
                )
            ),
            self.dispatcher.poke,
            Expectations(setup.rules),
        )
        self.follower = Follower(
            self.engine,
            list(setup.sources),
            self.clock,
            self.state,
            self._on_scan,
            alerting=alerting,
            on_problem=self._on_problem,
            on_state=self._on_state,
            source_formats={
                s.name: FORMATS[s.format] for s in config.sources if s.format != "auto"
            },
        )
        self.dispatcher.start()
        self.follower.start()
        beat = config.heartbeat
        if beat is not None:
            fail_url = beat.fail_url.get_secret_value() if beat.fail_url else None
            self.pinger = Pinger(
                Pulse(beat.url.get_secret_value(), beat.every, fail_url),
                self.clock,
                lambda: self.problem,
                self._describe,
                self.state.path.parent / STATUS_FILE,
                beat.timeout,
                on_success=metrics.heartbeat.set if metrics is not None else None,
                secrets=(beat.url.get_secret_value(), fail_url or ""),
            )
            self.pinger.start()

        self.remotes = [
            Remote(
                BotApi(chats.token, setup.notifier.telegram_api),
                chats,
                self.state,
                self.clock,
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
        ]
        for remote in self.remotes:
            remote.start()

    def _alertmanager_format(self, deduper: Deduper) -> Format:
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

    def _muted(self, alert: Alert) -> bool:
        """Whether a mute sent from the phone covers this alert (never a self-alert)."""
        if alert.kind == AlertKind.SELF:
            return False
        mutes = self.state.user_mutes(self.clock.now().timestamp())
        if not mutes:
            return False
        path = alert.hit.record.path if alert.hit else ""
        source = source_name(path, self.setup.sources) if path else ""
        return muted(alert.rule_id, source, mutes)

    def _stop_parts(self) -> None:
        for remote in self.remotes:
            remote.stop()
        if self.pinger is not None:
            self.pinger.close()
            self.pinger = None
        self.follower.release()
        self.dispatcher.stop()

    # -- the loop -------------------------------------------------------------------

    def run(self) -> int:
        """Follow until SIGTERM/SIGINT; 0 on a clean stop."""
        with control.on_signals(self._request_stop, self._request_reload):
            if threading.current_thread() is threading.main_thread():
                control.watch_console_close(self._request_stop, self.stopped)
            return self._run()

    def _request_stop(self) -> None:
        self.stop.set()
        self.follower.wake()

    def _request_reload(self) -> None:
        self.reload.set()
        self.follower.wake()

    def _run(self) -> int:
        self.follower.step()
        self._announce()
        sd_notify("READY=1", self.env)
        watchdog = int(self.env.get("WATCHDOG_USEC", "0")) / 2e6
        requests = self.state.path.parent  # where `logwatch reload` asks
        control.take_reload_request(requests)  # one left from before this start
        try:
            while not self.stop.is_set():
                wait = self.follower.next_timeout()
                if watchdog:
                    wait = min(wait, watchdog)
                self.follower.wait(wait)
                if self.reload.is_set() or control.take_reload_request(requests):
                    self.reload.clear()
                    self._reload()
                self.step()
                if watchdog:
                    sd_notify("WATCHDOG=1", self.env)
        finally:
            sd_notify("STOPPING=1", self.env)
            self.close()
        return 0

    def close(self) -> None:
        """Stop every part, save, close State and release its lock (once ``run`` has
        ended, or for a daemon driven by ``step``)."""
        self._stop_parts()
        if self.metrics is not None:
            self.metrics.close()
        self.state.close()
        self.lock.release()
        self.stopped.set()

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def step(self) -> None:
        """One look at the files, then the checks a supervisor makes."""
        self.follower.step()
        if self.state.recreated is not None:
            why, self.state.recreated = self.state.recreated, None
            name = "state_deleted" if why == "deleted" else "state_replaced"
            self.self_alert(notice(name, path=self.state.path))
        for rule_id, why in self.engine.disabled.items():
            if rule_id not in self._disabled_seen:
                self._disabled_seen.add(rule_id)
                self.self_alert(notice("rule_disabled", rule_id=rule_id, why=why))
        self._check_silence()
        self._check_channels()
        self._check_health()
        if self.metrics is not None:
            self._observe(self.metrics)

    def _check_health(self) -> None:
        """Why logwatch is unhealthy now, for its heartbeat ("" when it is not)."""
        problems = []
        state_dir = self.state.path.parent
        if not os.access(state_dir, os.W_OK):
            problems.append(f"state directory {state_dir} is not writable")
        elif self.follower.failing is not None:
            problems.append(f"the state cannot be saved ({self.follower.failing})")
        problems += [f"{name} is silent" for name in sorted(self._silent)]
        if self.dispatcher.unreachable_for() >= HEARTBEAT_NO_CHANNEL_S:
            problems.append("no channel is reachable")
        problems += [
            f"rule {rule} is disabled" for rule in sorted(self.engine.disabled)
        ]
        problem = "; ".join(problems)
        if problem != self.problem:
            self.problem = problem
            log.info("health_changed", problem=problem or "none")
            if self.pinger is not None:
                self.pinger.wake.set()

    def _observe(self, metrics: Metrics) -> None:
        now = self.clock.monotonic()
        if now - self._observed_at < OBSERVE_EVERY_S:
            return
        self._observed_at = now
        wall = self.clock.now().timestamp()
        names = [s.name for s in self.setup.sources]
        files = dict.fromkeys(names, 0) | dict(self.follower.files_per_source())
        metrics.observe(
            dict(self.follower.lines_read),
            files,
            {s: wall - (now - t) for s, t in self.follower.last_read.items() if s},
            self.state.waiting(),
            list(self.setup.notifier.channels),
        )

    def _describe(self) -> str:
        setup = self.setup
        return (
            f"logwatch {setup.instance}: following "
            f"{self.follower.open_files} files from "
            f"{', '.join(s.name for s in setup.sources) or 'no sources'}; "
            f"alerts go to {', '.join(setup.notifier.channels)}"
        )

    def _wants_resolved(self) -> bool:
        channels = self.setup.notifier.channels.values()
        return any(channel.resolved for channel in channels)

    def _on_state(self, problem: str | None) -> None:
        if problem is not None:
            self.dispatcher.say_now(notice("state_unsaved", problem=problem))
            return
        self.self_alert(notice("state_saved"))

    def _check_channels(self) -> None:
        down = self.dispatcher.unreachable_for()
        if down >= NO_CHANNEL_S and self._unreachable is None:
            self._unreachable = self.clock.now() - timedelta(seconds=down)
            log.error("no_channel_reachable", minutes=round(down / 60))
            self.self_alert(
                notice("channels_unreachable", minutes=round(down / 60)),
                about="channels",
            )
        elif down == 0 and self._unreachable is not None:
            since, self._unreachable = self._unreachable, None
            self._resolved(
                notice("channels_back", lasted_s=self._lasted(since)),
                "channels",
                since,
            )

    def _check_silence(self) -> None:
        now = self.clock.monotonic()
        for source in self.setup.loaded.config.sources:
            if source.silence <= 0:
                continue
            last = self.follower.last_read.get(source.name, self._started)
            name = source.name
            if now - last >= source.silence and name not in self._silent:
                self._silent[name] = self.clock.now() - timedelta(seconds=now - last)
                minutes = round(source.silence / 60)
                self.self_alert(
                    notice("source_silent", source=name, minutes=minutes),
                    about=f"silent:{name}",
                )
            elif now - last < source.silence and name in self._silent:
                since = self._silent.pop(name)
                self._resolved(
                    notice("source_back", source=name, lasted_s=self._lasted(since)),
                    f"silent:{name}",
                    since,
                )

    def _lasted(self, since: datetime) -> float:
        return max(0.0, (self.clock.now() - since).total_seconds())

    def _resolved(self, said: Notice, about: str, since: datetime) -> None:
        """Back to normal: said to the channels with send_resolved."""
        if self._wants_resolved():
            self.dispatcher.self_alert(said, about=about, resolves=since)
        log.info("resolved", about=about, text=render_notice(said, "en"))

    def _reload(self) -> None:
        try:
            setup = build_setup(self.config_path, self.env)
        except LogwatchError as exc:
            errors = exc.errors if isinstance(exc, InvalidConfig) else [exc]
            problems = [error.format_message() for error in errors]
            for problem in problems:
                log.error("reload_failed", problem=problem)
            shown = "\n".join(problems[:5])
            self.self_alert(notice("reload_failed", problems=shown))
            return
        self._stop_parts()
        self.setup = setup
        self._start()
        log.info("reloaded", rules=len(setup.rules), sources=len(setup.sources))

    # -- what it says ----------------------------------------------------------------

    def self_alert(self, said: Notice, about: str = "") -> None:
        """An alert about logwatch itself, through every channel that takes it."""
        self.dispatcher.self_alert(said, about=about)
        log.warning("self_alert", text=render_notice(said, "en"))

    def _on_scan(self, scan: Scan) -> None:
        for hit in scan.hits:
            log.debug("hit", rule=hit.rule_id, path=hit.record.path, line=hit.line)
            if self.metrics is not None:
                self.metrics.hit(hit.rule_id, str(hit.severity))

    def _on_problem(self, path: str, text: str) -> None:
        log.warning("file_problem", path=path, problem=text)

    def _announce(self) -> None:
        setup = self.setup
        files = self.follower.open_files
        names = ", ".join(s.name for s in setup.sources)
        channels = ", ".join(setup.notifier.channels)
        self.out.write(
            f"logwatch: following {files} files from {len(setup.sources)} sources "
            f"({names}); alerts go to {channels}; state in {self.state.path}\n"
        )
        if setup.zero_config:
            where = self.config_path or default_config_path(self.env)
            self.out.write(
                "logwatch: no sources configured, so the usual log folders of "
                "Quantower, MetaTrader, NinjaTrader, freqtrade and Hummingbot are "
                "watched (and picked up when they appear). Add your own under "
                f"`sources:` in {where}.\n"
            )
        listed = self.follower.listed_sources()
        for source in [] if setup.zero_config else setup.sources:
            if source.name not in listed:
                self.out.write(
                    f"logwatch: source {source.name} matches no files yet "
                    f"({', '.join(source.patterns)}); "
                    "they are picked up when they appear\n"
                )
        for warning in setup.loaded.warnings:
            self.out.write(f"logwatch: {warning}\n")
        self.out.flush()


def run(
    config_path: Path | None, clock: Clock, env: dict[str, str], out: TextIO
) -> int:
    """``logwatch run``.

    Raises:
        LogwatchError: the config or rules are wrong (exit 2), the state is unusable.
    """
    return Daemon(config_path, clock, env, out).run()
