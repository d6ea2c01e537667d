"""``logwatch run``: following, dedup and delivery in one process, until told to stop.

The composition root. SIGTERM/SIGINT: save and exit 0. SIGHUP: reload config and rules,
validated in full before anything is swapped (on error the old ones stay). Under systemd
(``Type=notify``) it says READY, pings the watchdog and says STOPPING.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import structlog

from logwatch import control
from logwatch.clock import Clock
from logwatch.config import (
    LoadedConfig,
    config_secrets,
    default_channels,
    default_config_path,
    load_config,
)
from logwatch.dedup import QuietHours, build
from logwatch.delivery import Dispatcher, channels_for
from logwatch.engine import Engine, Scan
from logwatch.errors import InvalidConfig, LogwatchError
from logwatch.follow import Alerting, Follower
from logwatch.formats import FORMATS
from logwatch.lock import StateLock
from logwatch.model import Severity
from logwatch.notifier import Notifier, desktop_session
from logwatch.places import default_sources, known_folders
from logwatch.redact import secret_forms
from logwatch.render import default_language
from logwatch.rules import RuleSet, load_rules
from logwatch.state import State, state_path
from logwatch.tailer import Source

log = structlog.get_logger("logwatch.daemon")

#: Every channel failing this long is itself worth an alert (sent when one comes back).
NO_CHANNEL_S = 300.0


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
    return Setup(loaded, rules, sources, notifier, lang, not loaded.config.sources)


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
            self.state = State(path, clock)
        except BaseException:
            self.lock.release()
            raise
        self._disabled_seen: set[str] = set()
        self._silent: set[str] = set()
        self._unreachable = False
        self._started = clock.monotonic()
        self._start()
        if self.state.moved_aside is not None:
            moved, why = self.state.moved_aside
            self.self_alert(
                f"logwatch: its state file was unusable ({why}) and was moved to "
                f"{moved}; following restarted at the ends of the files",
                f"logwatch: файл состояния был повреждён ({why}) и перемещён в "
                f"{moved}; чтение логов начато с их концов",
                Severity.WARNING,
            )
        if self.state.unmovable is not None:
            old, why, error = self.state.unmovable
            self.self_alert(
                f"logwatch: its state file {old} is unusable ({why}) and could not be "
                f"moved aside ({error}); it started afresh in {self.state.path}. "
                "Delete the old file when nothing holds it open.",
                f"logwatch: файл состояния {old} повреждён ({why}) и не может быть "
                f"перемещён ({error}); начат новый файл {self.state.path}. Удалите "
                "старый файл, когда его никто не держит открытым.",
                Severity.WARNING,
            )

    def _start(self) -> None:
        setup = self.setup
        config = setup.loaded.config
        self.engine = Engine(setup.rules, secrets=secret_forms(config_secrets(config)))
        self.dispatcher = Dispatcher(
            self.state,
            setup.notifier,
            {r.id: r for r in setup.rules},
            setup.lang,
            self.clock,
            config.max_age,
        )
        quiet = config.quiet_hours
        deduper = build(
            setup.rules,
            config.dedup.window,
            QuietHours(quiet.start, quiet.end) if quiet else None,
        )
        alerting = Alerting(
            deduper,
            lambda a: channels_for(setup.notifier, a.severity),
            self.dispatcher.poke,
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

    def _stop_parts(self) -> None:
        self.follower.commit()
        self.follower.tailer.close()
        self.dispatcher.stop()

    # -- the loop -------------------------------------------------------------------

    def run(self) -> int:
        """Follow until SIGTERM/SIGINT; 0 on a clean stop."""
        self._signals()
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
                self.follower.tailer.wake.wait(wait)
                self.follower.tailer.wake.clear()
                if self.reload.is_set() or control.take_reload_request(requests):
                    self.reload.clear()
                    self._reload()
                self.step()
                if watchdog:
                    sd_notify("WATCHDOG=1", self.env)
        finally:
            sd_notify("STOPPING=1", self.env)
            self._stop_parts()
            self.state.close()
            self.lock.release()
            self.stopped.set()
        return 0

    def step(self) -> None:
        """One look at the files, then the checks a supervisor makes."""
        self.follower.step()
        if self.state.recreated is not None:
            why, self.state.recreated = self.state.recreated, None
            self.self_alert(
                f"logwatch: its state file {self.state.path} was {why} while it ran; "
                "it was written again from memory (offsets, dedup windows, alerts "
                "waiting)",
                f"logwatch: файл состояния {self.state.path} был "
                f"{'удалён' if why == 'deleted' else 'подменён'} во время работы; "
                "он записан заново из памяти (позиции, окна, ожидающие оповещения)",
                Severity.WARNING,
            )
        for rule_id, why in self.engine.disabled.items():
            if rule_id not in self._disabled_seen:
                self._disabled_seen.add(rule_id)
                self.self_alert(
                    f"logwatch: rule {rule_id} was disabled: {why}",
                    f"logwatch: правило {rule_id} отключено: {why}",
                    Severity.WARNING,
                )
        self._check_silence()
        self._check_channels()

    def _on_state(self, problem: str | None) -> None:
        if problem is not None:
            self.dispatcher.say_now(
                f"logwatch cannot save its state: {problem}\n"
                "It keeps running and keeps what it has read in memory; nothing more "
                "is read until the state can be saved again (free space on that disk).",
                f"logwatch не может сохранить состояние: {problem}\n"
                "Он продолжает работу и держит прочитанное в памяти; дальше логи "
                "не читаются, пока состояние нельзя сохранить (освободите место).",
                Severity.CRITICAL,
            )
            return
        self.self_alert(
            "logwatch can save its state again; what it held is alerted now",
            "logwatch снова может сохранять состояние; удержанное отправляется сейчас",
            Severity.INFO,
        )

    def _check_channels(self) -> None:
        down = self.dispatcher.unreachable_for()
        if down >= NO_CHANNEL_S and not self._unreachable:
            self._unreachable = True
            log.error("no_channel_reachable", minutes=round(down / 60))
            self.self_alert(
                f"logwatch could not reach any channel for {round(down / 60)} min; "
                "alerts were kept and are sent now",
                f"logwatch не мог связаться ни с одним каналом {round(down / 60)} мин; "
                "оповещения сохранены и отправляются сейчас",
                Severity.ERROR,
            )
        elif down == 0:
            self._unreachable = False

    def _check_silence(self) -> None:
        now = self.clock.monotonic()
        for source in self.setup.loaded.config.sources:
            if source.silence <= 0:
                continue
            last = self.follower.last_read.get(source.name, self._started)
            if now - last >= source.silence and source.name not in self._silent:
                self._silent.add(source.name)
                minutes = round(source.silence / 60)
                self.self_alert(
                    f"logwatch: {source.name} has written nothing for {minutes} min",
                    f"logwatch: {source.name} ничего не пишет уже {minutes} мин",
                    Severity.ERROR,
                )
            elif now - last < source.silence:
                self._silent.discard(source.name)

    def _reload(self) -> None:
        try:
            setup = build_setup(self.config_path, self.env)
        except LogwatchError as exc:
            errors = exc.errors if isinstance(exc, InvalidConfig) else [exc]
            problems = [error.format_message() for error in errors]
            for problem in problems:
                log.error("reload_failed", problem=problem)
            shown = "\n".join(problems[:5])
            self.self_alert(
                f"logwatch: reloading the config failed; the old one stays\n{shown}",
                f"logwatch: новая конфигурация не загружена, работает прежняя\n{shown}",
                Severity.ERROR,
            )
            return
        self._stop_parts()
        self.setup = setup
        self._start()
        log.info("reloaded", rules=len(setup.rules), sources=len(setup.sources))

    def _signals(self) -> None:
        def stop(signum: int, frame: object) -> None:
            self.stop.set()
            self.follower.tailer.wake.set()

        def reload(signum: int, frame: object) -> None:
            self.reload.set()
            self.follower.tailer.wake.set()

        if threading.current_thread() is not threading.main_thread():
            return
        for signum in control.stop_signals():  # Ctrl-Break too on Windows
            signal.signal(signum, stop)
        control.watch_console_close(lambda: stop(0, None), self.stopped)
        if hasattr(signal, "SIGHUP"):  # not on Windows: `logwatch reload` there
            signal.signal(signal.SIGHUP, reload)

    # -- what it says ----------------------------------------------------------------

    def self_alert(self, en: str, ru: str, severity: Severity) -> None:
        """An alert about logwatch itself, through every channel that takes it."""
        self.dispatcher.self_alert(en, ru, severity)
        log.warning("self_alert", text=en)

    def _on_scan(self, scan: Scan) -> None:
        for hit in scan.hits:
            log.debug("hit", rule=hit.rule_id, path=hit.record.path, line=hit.line)

    def _on_problem(self, path: str, text: str) -> None:
        log.warning("file_problem", path=path, problem=text)

    def _announce(self) -> None:
        setup = self.setup
        files = self.follower.tailer.open_files
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
        listed = self.follower.tailer.listed_sources()
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
