"""``logwatch run``: following, dedup and delivery in one process, until told to stop.

The composition root and its lifecycle: ``Daemon`` takes the state's lock, opens State
and the metrics port, ``start``s the ``Workers`` a config makes (wiring.py), drives them
and its ``Health`` checks in one loop, and ``close``s it all. SIGTERM/SIGINT: save and
exit 0. SIGHUP: reload config and rules, validated in full before anything is swapped
(on error the old ones stay). Under systemd (``Type=notify``) it says READY, pings the
watchdog and says STOPPING.
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import structlog

from logwatch.alerts.notices import Notice, notice
from logwatch.app import control, logs
from logwatch.app.configured import (
    build_setup,
    check_state_dir,
    config_sources,
    setup_of,
)
from logwatch.app.daemon_text import announcement, state_notices, status_line
from logwatch.app.follower import Follower
from logwatch.app.follower_events import Activity
from logwatch.app.health import Health
from logwatch.app.heartbeat import Pinger
from logwatch.app.lock import StateLock
from logwatch.app.senders import Pollers, Senders
from logwatch.app.supervisor import sd_notify
from logwatch.app.wiring import POLL_JOIN_S, Workers
from logwatch.core.clock import Clock
from logwatch.core.config import load_config
from logwatch.core.configsecrets import config_secrets
from logwatch.core.errors import InvalidConfig, LogwatchError
from logwatch.core.paths import default_config_path
from logwatch.deliver.delivery import Dispatcher
from logwatch.follow.held import Held, hold
from logwatch.match.redact import secret_forms
from logwatch.store.state import State, state_path

if TYPE_CHECKING:  # prometheus_client is imported only when metrics are asked for
    from logwatch.app.metrics import Metrics

log = structlog.get_logger("logwatch.daemon")

#: Metrics are brought up to date at most this often (seconds).
OBSERVE_EVERY_S = 1.0
#: How often, at most, the loop looks for `logwatch stop` and `reload` requests: a
#: busy file wakes it at every write, and two failed unlinks per wake were a quarter of
#: its time; signals (and console events) still act at once.
REQUESTS_EVERY_S = 0.2


def settle(replaced: bool = False) -> None:
    """Set what start-up (or a reload) made apart from the cyclic collector.

    The rules, the catalogue and the imports live as long as the config; a full
    collection walked all of them (~25 ms here, more on a busy PC), a stall in the way
    of whatever line came then. Frozen, they are no longer walked, and are still freed
    by reference counting. After a reload (``replaced``) what the old config made is
    unfrozen and its cycles collected first.
    """
    if replaced:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


class Daemon:
    """The running service: ``start``, then ``step()`` (or ``run``), then ``close``.

    A context manager too: ``with Daemon(...) as daemon`` starts and closes it.
    """

    #: serves /metrics when the config asks for it
    metrics: Metrics | None = None
    #: what the config makes, once started
    parts: Workers | None = None

    def __init__(
        self, config_path: Path | None, clock: Clock, env: dict[str, str], out: TextIO
    ) -> None:
        self.config_path, self.clock, self.env, self.out = config_path, clock, env, out
        # one daemon per state: a second one stops here, naming the first, before it
        # spends time on rules and channels
        loaded = load_config(config_path, env)
        if loaded.config.state_dir:
            check_state_dir(loaded, Path(loaded.config.state_dir).expanduser())
        path = state_path(loaded.config.state_dir, env)
        self.lock = StateLock(path)
        where = (config_path or default_config_path(env)).expanduser().absolute()
        self.lock.acquire(config=where)
        #: the sources' files, opened before the slow part of start-up (rules, State):
        #: what a rotation storm renames away or deletes meanwhile is still read from
        #: these handles by the first listing; None once the follower has them
        self._held: Held | None = None
        try:
            self._held = hold(config_sources(loaded.config, env))
            self.setup = setup_of(loaded, env)  # the config is read once at start
            logs.mask_also(secret_forms(config_secrets(self.setup.loaded.config)))
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
            if self._held is not None:
                self._held.close()
            self.lock.release()
            raise
        self.health = Health(clock)
        #: one thread per channel, and one poller per bot, for the daemon's life:
        #: Workers come and go on reload
        self.senders = Senders()
        self.pollers = Pollers()
        self._observed_at = -OBSERVE_EVERY_S
        #: the last STATUS= told to systemd
        self._status_said = ""

    def _serve_metrics(self) -> Metrics | None:
        """Serve /metrics when the config asks; a port in use is a config error."""
        wanted = self.setup.loaded.config.metrics
        if wanted is None:
            return None
        from logwatch.app.metrics import Metrics

        metrics = Metrics(
            self.setup.instance, self.setup.loaded.config.heartbeat is not None
        )
        try:
            metrics.serve(wanted.listen)
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

    # -- the lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Start following, delivering, the heartbeat and the phone (once)."""
        if self.parts is not None:
            return
        try:
            self.parts = self._parts()
            self.parts.start()
        except BaseException:
            self.close()
            raise
        for said in state_notices(self.state):
            self.self_alert(said)

    def close(self) -> None:
        """Stop every part, save, close State and release its lock (once ``run`` has
        ended, or for a daemon driven by ``step``)."""
        if self.stopped.is_set():
            return
        if self.parts is not None:
            self.parts.stop()
        if self._held is not None:  # never started: nobody took them
            self._held.close()
            self._held = None
        self.pollers.close(POLL_JOIN_S)
        self.senders.close()
        if self.metrics is not None:
            self.metrics.close()
        self.state.close()
        self.lock.release()
        self.stopped.set()

    def __enter__(self) -> Daemon:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _parts(self) -> Workers:
        held, self._held = self._held, None  # the first Workers only: a start's
        try:
            return Workers(
                self.setup,
                self.state,
                self.clock,
                self.metrics,
                problem=lambda: self.problem,
                senders=self.senders,
                pollers=self.pollers,
                held=held,
            )
        except BaseException:
            if held is not None:
                held.close()
            raise

    def _running(self) -> Workers:
        if self.parts is None:
            raise RuntimeError("the daemon is not started")
        return self.parts

    @property
    def follower(self) -> Follower:
        """The files followed (after ``start``)."""
        return self._running().follower

    @property
    def activity(self) -> Activity:
        """What the follower read, per source (after ``start``)."""
        return self._running().activity

    @property
    def dispatcher(self) -> Dispatcher:
        """The outbox's deliveries (after ``start``)."""
        return self._running().dispatcher

    @property
    def pinger(self) -> Pinger | None:
        """The heartbeat's pings, when configured and running."""
        return None if self.parts is None else self.parts.pinger

    @property
    def problem(self) -> str:
        """Why logwatch is unhealthy now ("" when it is not), as its heartbeat says."""
        return self.health.problem

    # -- the loop -------------------------------------------------------------------

    def run(self) -> int:
        """Follow until SIGTERM/SIGINT or ``logwatch stop``; 0 on a clean stop."""
        with control.on_signals(self._stop_requested, self._reload_requested), self:
            if threading.current_thread() is threading.main_thread():
                control.watch_console_close(self._stop_requested, self.stopped)
            try:
                self._loop()
            finally:
                sd_notify("STOPPING=1", self.env)
        return 0

    def _stop_requested(self) -> None:
        self.stop.set()
        if self.parts is not None:
            self.parts.follower.wake()

    def _reload_requested(self) -> None:
        self.reload.set()
        if self.parts is not None:
            self.parts.follower.wake()

    def _loop(self) -> None:
        requests = self.state.path.parent  # where `logwatch reload` and `stop` ask
        # ones left from before this start; taken before the start is announced, so a
        # request made on seeing the announcement is never dropped as one of them
        control.take_reload_request(requests)
        control.reload_done(requests)
        control.take_stop_request(requests)
        self.follower.step()
        self._announce()
        settle()
        self._status_said = self._status()
        sd_notify(f"READY=1\nSTATUS={self._status_said}", self.env)
        watchdog = int(self.env.get("WATCHDOG_USEC", "0")) / 2e6
        looked, skipped = self.clock.monotonic(), False
        while not self.stop.is_set():
            wait = self.follower.next_timeout()
            if watchdog:
                wait = min(wait, watchdog)
            if skipped:  # the look skipped at the last wake is made within the bound
                since = self.clock.monotonic() - looked
                wait = max(min(wait, REQUESTS_EVERY_S - since), 0.0)
            self.follower.wait(wait)
            asked = self.reload.is_set()
            now = self.clock.monotonic()
            skipped = now - looked < REQUESTS_EVERY_S
            if not skipped:
                looked = now
                if control.take_stop_request(requests):
                    self.stop.set()
                    break
                asked = asked or control.take_reload_request(requests)
            if asked:
                self.reload.clear()
                self._reload()
                control.reload_done(requests)  # `logwatch reload` waits for this
            self.step()
            if watchdog:
                sd_notify("WATCHDOG=1", self.env)

    def step(self) -> None:
        """One look at the files, then the checks a supervisor makes."""
        parts = self._running()
        parts.follower.step()
        self.health.check(parts)
        now = self.clock.monotonic()
        if now - self._observed_at >= OBSERVE_EVERY_S:
            self._observed_at = now
            if self.metrics is not None:
                parts.observe(self.metrics)
            status = self._status()
            if status != self._status_said:
                self._status_said = status
                sd_notify(f"STATUS={status}", self.env)

    def _status(self) -> str:
        """One line for a supervisor (systemd's ``STATUS=``): what is followed and the
        last alert."""
        parts = self._running()
        alerting = parts.follower.alerting
        last = alerting.last if alerting is not None else None
        return status_line(parts.follower.open_files, last)

    def _reload(self) -> None:
        # systemd (Type=notify-reload, or notify with RELOADING=) shows "reloading"
        # until READY=1 says it is done, whether it worked or not
        usec = time.monotonic_ns() // 1000  # CLOCK_MONOTONIC, as systemd wants
        sd_notify(f"RELOADING=1\nMONOTONIC_USEC={usec}", self.env)
        try:
            self._replace()
        finally:
            self._status_said = self._status()
            sd_notify(f"READY=1\nSTATUS={self._status_said}", self.env)

    def _replace(self) -> None:
        try:
            setup = build_setup(self.config_path, self.env)
        except Exception as exc:
            if isinstance(exc, LogwatchError):
                errors = exc.errors if isinstance(exc, InvalidConfig) else [exc]
                problems = [error.format_message() for error in errors]
            else:  # a bug: said, and the old config keeps running
                log.exception("reload_crashed")
                problems = [f"{type(exc).__name__}: {exc}"]
            for problem in problems:
                log.error("reload_failed", problem=problem)
            shown = "\n".join(problems[:5])
            self.self_alert(notice("reload_failed", problems=shown))
            return
        logs.mask_also(secret_forms(config_secrets(setup.loaded.config)))
        before = self._running().follower.alerting
        self._running().stop()
        self.setup = setup
        self.parts = self._parts()
        after = self.parts.follower.alerting
        if before is not None and after is not None:
            after.last = before.last  # the status line keeps the last alert
        self.parts.start()
        # its first look, as at start-up: `reloaded` means the files are listed, so a
        # line written after it is new (one written before would be taken as old)
        self.parts.follower.step()
        settle(replaced=True)
        log.info("reloaded", rules=len(setup.rules), sources=len(setup.sources))

    # -- what it says ----------------------------------------------------------------

    def self_alert(self, said: Notice, about: str = "") -> None:
        """An alert about logwatch itself, through every channel that takes it."""
        self._running().self_alert(said, about)

    def _announce(self) -> None:
        self.out.write(
            announcement(
                self.setup,
                self.follower.open_files,
                self.follower.listed_sources(),
                self.state.path,
                self.config_path,
                self.env,
            )
        )
        self.out.flush()


def run(
    config_path: Path | None, clock: Clock, env: dict[str, str], out: TextIO
) -> int:
    """``logwatch run``.

    Raises:
        LogwatchError: the config or rules are wrong (exit 2), the state is unusable.
    """
    return Daemon(config_path, clock, env, out).run()
