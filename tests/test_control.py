"""Stopping and reloading a running logwatch: signals, console events, reload requests."""

from __future__ import annotations

import io
import signal
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from logwatch.app import control
from logwatch.core.errors import StateError
from tests.conftest import wait_until
from tests.daemon_run import Run, logwatch
from tests.fakes import FakeClock
from tests.follow_harness import write

HALT_RULE = (
    "rules:\n  - id: my.halt\n    severity: critical\n"
    "    title: {en: Trading halted, ru: Торговля остановлена}\n"
    "    remedy: {en: Check the venue, ru: Проверьте площадку}\n"
    "    patterns: ['TRADING HALTED']\n    samples: ['TRADING HALTED']\n"
    "    near_misses: ['trading resumed', 'halted? no']\n"
)


def _config(tmp_path: Path, rules: Path) -> str:
    return (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n"
        f"rules:\n  dirs: ['{rules}']\n"
    )


@pytest.mark.timeout(300)
def test_logwatch_reload_makes_the_running_daemon_take_new_rules(
    tmp_path: Path,
) -> None:
    """Windows has no SIGHUP: ``logwatch reload`` is how the config is re-read there.
    Tested with real processes on Linux, where the same request file is used."""
    (tmp_path / "logs").mkdir()
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    run = Run(tmp_path, _config(tmp_path, rules))
    try:
        (rules / "mine.yaml").write_text(HALT_RULE, encoding="utf-8")
        done = logwatch("reload", "--config", str(tmp_path / "config.yaml"))
        assert done.returncode == 0, done.stderr
        assert "has reloaded" in done.stdout
        # (written before it returned; read from the pipe by another thread)
        wait_until(lambda: any("reloaded" in x for x in run.err), 10, "the reload")
        write(tmp_path / "logs" / "bot.log", b"12:00:00 TRADING HALTED on venue\n")
        wait_until(
            lambda: any("Trading halted" in x for x in run.err),
            10,
            "an alert from the new rule",
        )
    finally:
        assert run.stop() == 0
    assert not (tmp_path / "state" / control.RELOAD_REQUEST).exists()


@pytest.mark.timeout(300)
def test_reload_with_a_broken_rule_asks_nothing_and_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        "rules:\n  - id: my.halt\n    severity: loud\n", encoding="utf-8"
    )
    (tmp_path / "config.yaml").write_text(_config(tmp_path, rules), encoding="utf-8")
    done = logwatch("reload", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 2
    assert f"{rules / 'mine.yaml'}:2: rule my.halt" in done.stderr
    assert not (tmp_path / "state" / control.RELOAD_REQUEST).exists()


@pytest.mark.timeout(300)
def test_reload_with_no_daemon_running_says_so_and_withdraws_the_request(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(_config(tmp_path, rules), encoding="utf-8")
    done = logwatch(
        "reload", "--config", str(tmp_path / "config.yaml"), "--timeout", "0.2"
    )
    assert done.returncode == 1
    assert "no running logwatch took the request within 0.2 s" in done.stderr
    assert not (tmp_path / "state" / control.RELOAD_REQUEST).exists()


def test_a_request_is_taken_once(tmp_path: Path) -> None:
    assert not control.take_reload_request(tmp_path)
    control.reload_request(tmp_path).write_text("reload\n", encoding="utf-8")
    assert control.take_reload_request(tmp_path)
    assert not control.take_reload_request(tmp_path)


def test_request_reload_returns_once_the_reload_is_done(tmp_path: Path) -> None:
    """It returned when the request was taken, before anything was re-read, so
    `systemctl reload` (ExecReload runs it) returned before the reload was done."""
    taken, release = threading.Event(), threading.Event()

    def daemon() -> None:
        wait_until(lambda: control.take_reload_request(tmp_path), 30)
        taken.set()
        release.wait(30)  # the reload itself
        control.reload_done(tmp_path)

    taker = threading.Thread(target=daemon)
    taker.start()
    answer: list[bool | None] = []
    asker = threading.Thread(
        target=lambda: answer.append(control.request_reload(tmp_path, FakeClock(), 5))
    )
    asker.start()
    assert taken.wait(30)
    assert asker.is_alive()  # taken, not done: still waiting
    assert answer == []
    release.set()
    asker.join(30)
    taker.join(30)
    assert answer == [True]


def test_a_request_made_during_a_reload_gets_a_reload_of_its_own(
    tmp_path: Path,
) -> None:
    """With the request kept until done, a second one made meanwhile found it there
    and was answered by the first reload, which had read the config before its edit."""
    control.reload_request(tmp_path).write_text("reload\n", encoding="utf-8")
    assert control.take_reload_request(tmp_path)  # the first reload begins
    control.reload_request(tmp_path).write_text("reload\n", encoding="utf-8")
    control.reload_done(tmp_path)  # the first ends
    assert control.take_reload_request(tmp_path)  # the second is there, its own


def test_a_reload_still_going_at_the_deadline_is_said_so(tmp_path: Path) -> None:
    clock = FakeClock()
    control.reload_request(tmp_path).write_text("reload\n", encoding="utf-8")
    assert control.take_reload_request(tmp_path)  # taken, never done
    assert control.request_reload(tmp_path, clock, 0) is None


@pytest.mark.skipif(
    sys.platform == "win32", reason="a symbolic link needs a privilege on Windows"
)
@pytest.mark.parametrize("target", ["missing", "victim"])
def test_a_link_in_place_of_the_request_is_named_not_taken_for_a_reload(
    tmp_path: Path, target: str
) -> None:
    """A dangling link at ``reload.request``: creating the request failed, and the
    link did not "exist", so the reload said it was taken while no daemon saw it."""
    victim = tmp_path / target
    if target == "victim":
        victim.write_text("the victim's own text\n", encoding="utf-8")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    link = control.reload_request(state)
    link.symlink_to(victim)
    with pytest.raises(StateError) as caught:  # no wait: it must not come to one
        control.request_reload(state, FakeClock(), 0)
    assert caught.value.format_message().startswith(f"{link}: a link")
    assert link.is_symlink()
    assert victim.exists() == (target == "victim")


def test_ctrl_break_stops_like_ctrl_c_where_there_is_sigbreak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows' signal module has SIGBREAK (Ctrl-Break, console close); simulated by
    giving this one the attribute. Before: only SIGINT and SIGTERM stopped it."""
    assert signal.SIGINT in control.stop_signals()
    assert signal.SIGTERM in control.stop_signals()
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGABRT, raising=False)
    assert signal.SIGABRT in control.stop_signals()


@pytest.mark.parametrize(
    ("ctrl_type", "handled"),
    [(0, False), (1, False), (2, True), (5, True), (6, True)],
)
def test_a_console_close_waits_for_the_save_before_windows_ends_the_process(
    ctrl_type: int, handled: bool
) -> None:
    """The console handler's logic, without the Win32 registration: Ctrl-C (0) and
    Ctrl-Break (1) go to the signal handlers; close (2), logoff (5) and shutdown (6)
    ask to stop and hold Windows off until the state is saved."""
    stopped = threading.Event()
    asked: list[bool] = []

    def stop() -> None:
        asked.append(True)
        threading.Timer(0.01, stopped.set).start()  # the main thread saving

    assert control.on_close_event(ctrl_type, stop, stopped) is handled
    assert asked == ([True] if handled else [])
    assert stopped.is_set() is handled


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on Windows")
def test_on_signals_stops_and_reloads_then_gives_the_handlers_back() -> None:
    hup = signal.SIGHUP  # type: ignore[attr-defined,unused-ignore]
    calls: list[str] = []
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(hup)
    with control.on_signals(
        lambda: calls.append("stop"), lambda: calls.append("reload")
    ):
        signal.raise_signal(hup)
        signal.raise_signal(signal.SIGTERM)
    assert calls == ["reload", "stop"]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(hup)) == before


def test_on_signals_in_another_thread_installs_nothing() -> None:
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def inside() -> None:
        with control.on_signals(lambda: None):
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=inside)
    thread.start()
    thread.join(5)
    assert seen == [before]


@pytest.mark.timeout(300)
@pytest.mark.skipif(
    sys.platform == "win32", reason="a symbolic link needs a privilege on Windows"
)
@pytest.mark.parametrize("mode", [0o700, 0o777], ids=oct)
def test_reload_writes_nothing_through_a_planted_request_link(
    tmp_path: Path, mode: int
) -> None:
    """Issue 18 item 10: ``logwatch reload`` wrote its request through a
    ``reload.request`` link into the link's target. Now a state folder others can
    write is refused, and in a private one the link is never followed."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(_config(tmp_path, rules), encoding="utf-8")
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(mode)
    victim = tmp_path / "victim"
    victim.write_text("the victim's own text\n", encoding="utf-8")
    (state / control.RELOAD_REQUEST).symlink_to(victim)
    done = logwatch(
        "reload", "--config", str(tmp_path / "config.yaml"), "--timeout", "0.2"
    )
    # a state folder others can write is a config error at its line (exit 2)
    assert done.returncode == (2 if mode & 0o022 else 1), done.stderr
    assert "Traceback" not in done.stderr
    if mode & 0o022:
        assert f"{state}: refusing this state folder: others can write it" in (
            done.stderr
        )
    else:  # named, not waited on as if it were a request
        link = state / control.RELOAD_REQUEST
        assert f"{link}: a link, not a reload request" in done.stderr
    assert victim.read_text(encoding="utf-8") == "the victim's own text\n"


@pytest.mark.timeout(300)
def test_logwatch_stop_makes_the_running_daemon_save_and_exit_0(
    tmp_path: Path,
) -> None:
    """Windows has no SIGTERM from outside, and the windowless logwatchw no console
    for Ctrl-Break: ``logwatch stop`` is how it is stopped cleanly there. The request
    file works on Linux too, where it is tested with the same real processes."""
    (tmp_path / "logs").mkdir()
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(HALT_RULE, encoding="utf-8")
    run = Run(tmp_path, _config(tmp_path, rules))
    write(tmp_path / "logs" / "bot.log", b"12:00:00 TRADING HALTED on venue\n")
    wait_until(lambda: any("Trading halted" in x for x in run.err), 30, "the alert")
    done = logwatch("stop", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 0, done.stderr
    assert "stopping" in done.stdout
    assert run.proc.wait(timeout=10) == 0
    assert not (tmp_path / "state" / control.STOP_REQUEST).exists()
    # what it read was saved: the file's offset is its end
    log = tmp_path / "logs" / "bot.log"
    conn = sqlite3.connect(f"file:{tmp_path / 'state' / 'state.db'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT offset FROM files WHERE path = ?", (str(log),))
        assert [offset for (offset,) in rows] == [log.stat().st_size]
    finally:
        conn.close()


@pytest.mark.timeout(300)
def test_stop_with_no_daemon_running_says_so_and_withdraws_the_request(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(_config(tmp_path, rules), encoding="utf-8")
    done = logwatch(
        "stop", "--config", str(tmp_path / "config.yaml"), "--timeout", "0.2"
    )
    assert done.returncode == 1
    assert "no running logwatch took the request within 0.2 s" in done.stderr
    assert not (tmp_path / "state" / control.STOP_REQUEST).exists()


def test_a_stop_request_left_from_before_a_start_is_not_taken_for_a_new_one(
    tmp_path: Path,
) -> None:
    """One left by a ``logwatch stop`` that timed out while no daemon ran must not
    stop the next start; the daemon drops it before it announces itself."""
    assert not control.take_stop_request(tmp_path)
    (tmp_path / control.STOP_REQUEST).write_bytes(b"stop\n")
    assert control.take_stop_request(tmp_path)
    assert not control.take_stop_request(tmp_path)


@pytest.mark.timeout(300)
def test_a_busy_file_does_not_make_the_loop_look_for_requests_at_every_wake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23: every write wakes the loop, and it tried to take both request files
    at each wake (two failed unlinks: a quarter of its time at 1,000 lines a second).
    It looks at most every ``REQUESTS_EVERY_S`` of its clock now, and a stop asked
    for is still taken within that bound."""
    from logwatch.app.daemon import REQUESTS_EVERY_S, Daemon

    logs = tmp_path / "logs"
    logs.mkdir()
    write(logs / "bot.log", b"bot started\n")
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{logs}/*.log']\n"
        "channels:\n  - {name: console, url: 'console://'}\n",
        encoding="utf-8",
    )
    looks: list[Path] = []
    take = control.take_stop_request

    def counted(state_dir: Path) -> bool:
        looks.append(state_dir)
        return take(state_dir)

    monkeypatch.setattr(control, "take_stop_request", counted)
    clock = FakeClock()
    daemon = Daemon(path, clock, {}, io.StringIO())
    ran = threading.Thread(target=daemon.run)
    ran.start()
    try:
        wait_until(lambda: daemon.parts is not None and len(looks) == 1, 60, "READY")
        steps: list[int] = []
        step = daemon.step

        def counted_step() -> None:
            steps.append(1)
            step()

        monkeypatch.setattr(daemon, "step", counted_step)
        for n in range(1, 21):  # twenty writes, each woken for
            woken = len(steps)
            write(logs / "bot.log", f"line {n}\n".encode())

            def woke(since: int = woken) -> bool:
                return len(steps) > since

            wait_until(woke, 30, f"a wake for line {n}")
        assert len(looks) == 1  # its clock has not moved: no look since the start
        (tmp_path / "state" / control.STOP_REQUEST).write_text(
            "stop\n", encoding="utf-8"
        )
        clock.advance(REQUESTS_EVERY_S)
        ran.join(60)
        assert not ran.is_alive()
        assert len(looks) == 2
    finally:
        daemon.stop.set()
        if daemon.parts is not None:
            daemon.parts.follower.wake()
        ran.join(60)
