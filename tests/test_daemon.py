"""``logwatch run`` as a real process against real files and a loopback webhook."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logwatch.app import control
from logwatch.app.daemon import Daemon
from logwatch.app.supervisor import sd_notify
from logwatch.core.clock import SystemClock
from logwatch.core.errors import LogwatchError
from tests import processes
from tests.conftest import wait_until
from tests.daemon_run import MARGIN, Run, fresh_python, logwatch
from tests.fakes import FakeClock
from tests.follow_harness import write
from tests.servers import Hook, Sink, _hook, _smtp  # noqa: F401  fixtures


def config(tmp_path: Path, hook: Hook, window: str = "1s", rules: str = "") -> str:
    return (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        f"channels:\n  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/alerts'\n"
        f"dedup:\n  window: {window}\n" + rules
    )


def titles(hook: Hook) -> list[str]:
    return [r["title"] for r in hook.requests]


@pytest.mark.timeout(300)
def test_an_alert_at_once_and_a_digest_when_the_window_closes(
    tmp_path: Path, hook: Hook, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    (tmp_path / "logs").mkdir()
    mail = (
        f"  - name: mail\n    url: 'mailto://127.0.0.1:{port}?from=alerts@example.com"
        "&to=trader@example.com&cto=5'\n"
    )
    run = Run(tmp_path, config(tmp_path, hook, "2s").replace("dedup:", mail + "dedup:"))
    write(tmp_path / "logs" / "bot.log", MARGIN * 3)
    wait_until(lambda: len(hook.requests) >= 1, 10, "the first alert")
    assert titles(hook)[0] == "ERROR: Not enough margin for the order (BTCUSDT)"
    wait_until(lambda: len(hook.requests) >= 2, 10, "the digest")
    assert titles(hook)[1] == "Repeated 2×: Not enough margin for the order"
    wait_until(lambda: len(sink.messages) == 2, 10, "both by mail too")

    def events() -> list[str]:
        return [json.loads(line)["event"] for line in run.err if line.startswith("{")]

    # the mail server has a message before logwatch logs that it was sent
    wait_until(lambda: events().count("alert_sent") == 4, 30, "four alert_sent")
    assert run.stop() == 0
    # every hit was logged at info (40 MB of journal for 200,000 lines, issue 11):
    # hits are debug now; what was sent is info
    assert "hit" not in events()
    assert events().count("alert_sent") == 4


@pytest.mark.timeout(300)
def test_kill_9_and_restart_do_not_alert_again_inside_the_window(
    tmp_path: Path, hook: Hook
) -> None:
    """A kill may cut a send off before it is marked, so that alert may come once more;
    but the repeat written after the restart is inside the window: no new alert."""
    (tmp_path / "logs").mkdir()
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    write(tmp_path / "logs" / "bot.log", MARGIN)
    wait_until(lambda: len(hook.requests) == 1, 10, "the first alert")
    run.kill()
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    write(tmp_path / "logs" / "bot.log", MARGIN)
    write(
        tmp_path / "logs" / "bot.log",
        b"binance: Signature for this request is not valid.\n",
    )
    wait_until(
        lambda: any(t.startswith("CRITICAL: Request signature") for t in titles(hook)),
        10,
        "the other error's alert",
    )
    assert run.stop() == 0
    margin = [r["message"] for r in hook.requests if "margin" in r["title"]]
    assert len(margin) in (1, 2)  # the original, and at most one re-send from the kill
    assert all(
        "bot.log:1" in m for m in margin
    )  # never an alert for the repeat on line 2


@pytest.mark.timeout(300)
def test_kill_9_at_random_moments_loses_no_alert(tmp_path: Path, hook: Hook) -> None:
    """Each line is another symbol, so each is an alert of its own; three kill -9s land
    while lines are written and alerts sent. None lost; at most one repeat per kill."""
    import random

    rnd = random.Random(11)
    (tmp_path / "logs").mkdir()
    # every alert on its own, so each can be counted: the default budget (10 a minute)
    # groups the rest of a burst into one message, and the last process has 12 to send
    cfg = config(tmp_path, hook, "10m")
    cfg = cfg.replace("/alerts'\n", "/alerts'\n    max_per_minute: 600\n")
    run = Run(tmp_path, cfg)
    symbols: list[str] = []
    for kill in range(4):
        for _ in range(rnd.randint(3, 8) if kill < 3 else 12):
            symbol = f"S{len(symbols):03d}USDT"
            symbols.append(symbol)
            write(
                tmp_path / "logs" / "bot.log",
                f"Refuse (Binance): Margin is insufficient. ({symbol})\n".encode(),
            )
        if kill < 3:
            # drawn once, not per poll: the seed's sequence must not depend on timing
            def some_sent(n: int = rnd.randint(0, len(symbols))) -> bool:
                return len(hook.requests) >= n

            wait_until(some_sent, 10, "some alerts")
            run.kill()
            run = Run(tmp_path, cfg)
    wanted = {f"({s})" for s in symbols}

    def got() -> list[str]:
        return [t for t in titles(hook) if "(" in t]

    wait_until(lambda: {t[t.rindex("(") :] for t in got()} >= wanted, 20, "every alert")
    assert run.stop() == 0
    assert len(got()) - len(wanted) <= 3  # at most one send cut off per kill


@pytest.mark.timeout(300)
def test_a_webhook_down_then_up_gets_the_alert_once(tmp_path: Path, hook: Hook) -> None:
    (tmp_path / "logs").mkdir()
    hook.status = 500
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    write(tmp_path / "logs" / "bot.log", MARGIN)
    wait_until(lambda: len(hook.requests) >= 2, 15, "two failed attempts")
    hook.status = 200
    failed = len(hook.requests)
    wait_until(lambda: len(hook.requests) == failed + 1, 30, "the retry that succeeds")
    assert run.stop() == 0
    assert len(hook.requests) == failed + 1


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="no SIGHUP on Windows (logwatch reload: test_control)",
)
@pytest.mark.timeout(300)
def test_sighup_with_a_broken_rule_file_keeps_the_old_rules(
    tmp_path: Path, hook: Hook
) -> None:
    (tmp_path / "logs").mkdir()
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        "rules:\n  - id: my.halt\n    severity: critical\n    title: {en: Trading halted, ru: Торговля остановлена}\n"
        "    remedy: {en: Check the venue, ru: Проверьте площадку}\n    patterns: ['TRADING HALTED']\n"
        "    samples: ['TRADING HALTED']\n    near_misses: ['trading resumed', 'halted? no']\n",
        encoding="utf-8",
    )
    run = Run(tmp_path, config(tmp_path, hook, "10m", f"rules:\n  dirs: ['{rules}']\n"))
    (rules / "mine.yaml").write_text(
        "rules:\n  - id: my.halt\n    severity: loud\n", encoding="utf-8"
    )
    run.proc.send_signal(signal.SIGHUP)  # type: ignore[attr-defined,unused-ignore]  # POSIX only
    # one reload_failed line per problem: waited for is the one asserted, not the first
    problem = f"{rules / 'mine.yaml'}:3: rule my.halt: severity"
    wait_until(
        lambda: any("reload_failed" in line and problem in line for line in run.err),
        30,
        "the reload error at the line of the bad severity",
    )
    # a failed reload was only logged (issue 11): now the channels are told too
    wait_until(lambda: len(hook.requests) == 1, 30, "the reload failure's alert")
    assert hook.requests[0]["title"] == (
        "logwatch: reloading the config failed; the old one stays"
    )
    assert f"{rules / 'mine.yaml'}:" in hook.requests[0]["message"]
    now = SystemClock().now().astimezone()  # a line older than max_age is not alerted
    write(
        tmp_path / "logs" / "bot.log",
        f"{now:%Y-%m-%d %H:%M:%S} TRADING HALTED\n".encode(),
    )
    wait_until(lambda: len(hook.requests) == 2, 30, "an alert from the old rules")
    assert titles(hook)[1] == "CRITICAL: Trading halted"
    assert run.stop() == 0


@pytest.mark.timeout(300)
def test_a_reload_while_a_send_hangs_sends_every_alert_exactly_once(
    tmp_path: Path, hook: Hook
) -> None:
    """The old channel thread outlived the reload inside a hung send, and the new one
    sent the same unmarked rows: when the webhook answered, both posted every alert
    (22-45 doubles a run, issue 18). One sender per channel, across reloads."""
    (tmp_path / "logs").mkdir()
    cfg = config(tmp_path, hook, "10m")
    # every alert on its own, so each can be counted; and the hang must outlast no
    # read timeout (4 s by default), or the timed-out send is rightly tried again
    cfg = cfg.replace("/alerts'\n", "/alerts?rto=60'\n    max_per_minute: 600\n")
    run = Run(tmp_path, cfg)
    hook.hold()
    symbols = [f"S{i:03d}USDT" for i in range(30)]
    write(tmp_path / "logs" / "bot.log", b"".join(margin(s) for s in symbols[:20]))
    wait_until(lambda: len(hook.requests) >= 1, 10, "a send that hangs")
    reload = logwatch("reload", "--config", str(tmp_path / "config.yaml"), timeout=20)
    assert reload.returncode == 0, reload.stderr
    wait_until(lambda: any("reloaded" in line for line in run.err), 10, "the reload")
    # new alerts while the first send still hangs: the old thread competed for them too
    write(tmp_path / "logs" / "bot.log", b"".join(margin(s) for s in symbols[20:]))
    assert hook.answered == 0  # still hung: the reload came during the send
    hook.release()

    def sent() -> Counter[str]:
        return Counter(t[t.rindex("(") + 1 : -1] for t in titles(hook) if "(" in t)

    wait_until(lambda: set(sent()) >= set(symbols), 20, lambda: f"all of {sent()}")
    assert run.stop() == 0  # the senders are joined: whatever was posted is counted
    assert sent() == Counter(symbols)  # each alert id exactly once


@processes.needs_console_events  # it stops the daemon by Ctrl-C
@pytest.mark.timeout(300)
def test_zero_config_in_an_empty_home_runs_and_says_how_to_add_sources(
    tmp_path: Path,
) -> None:
    run = Run(
        tmp_path,
        None,
        {
            "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
            "XDG_STATE_HOME": str(tmp_path / "st"),
        },
    )
    text = "".join(run.err)
    assert "no sources configured" in text
    assert "Add your own under `sources:`" in text
    assert "alerts go to console" in text
    assert run.interrupt() == 0


@pytest.mark.timeout(300)
def test_a_config_error_exits_2_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("language: de\n", encoding="utf-8")
    result = logwatch("run", "--config", str(tmp_path / "config.yaml"), check=False)
    assert result.returncode == 2
    assert (
        f"{tmp_path / 'config.yaml'}:1: language: Input should be 'ru' or 'en'"
        in result.stderr
    )


@pytest.mark.skipif(
    sys.platform == "win32", reason="sd_notify is systemd's: an AF_UNIX socket"
)
def test_sd_notify_talks_to_the_notify_socket(tmp_path: Path) -> None:
    import socket

    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        server.bind(path)
        assert sd_notify("READY=1", {"NOTIFY_SOCKET": path})
        assert server.recv(64) == b"READY=1"
    assert not sd_notify("READY=1", {})


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="systemd's notify socket: Linux only"
)
@pytest.mark.timeout(300)
def test_systemd_is_told_ready_status_and_when_a_reload_is_done(
    tmp_path: Path, hook: Hook
) -> None:
    """`Type=notify` with `ExecReload=kill -HUP` let `systemctl reload` return before
    the reload was done, and systemd had no STATUS= line. Now the daemon says
    RELOADING=1 ... READY=1 around a reload, `logwatch reload` (the units'
    ExecReload=) returns only once it is done, and STATUS= names the last alert."""
    import socket

    (tmp_path / "logs").mkdir()
    address = str(tmp_path / "notify")
    said: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        systemd.bind(address)
        systemd.settimeout(60)

        def until(wanted: str) -> str:
            while True:  # a message is read, or recv times out and the test fails
                said.append(systemd.recv(4096).decode())
                if wanted in said[-1]:
                    return said[-1]

        run = Run(tmp_path, config(tmp_path, hook), env={"NOTIFY_SOCKET": address})
        try:
            ready = until("READY=1")
            assert "STATUS=following 0 files; no alert yet" in ready
            write(tmp_path / "logs" / "bot.log", MARGIN)
            status = until("last alert")
            assert status.startswith("STATUS=following 1 files; last alert ")
            done = logwatch("reload", "--config", str(tmp_path / "config.yaml"))
            assert done.returncode == 0, done.stderr
            # everything the reload said was sent before `logwatch reload` returned
            systemd.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                while True:
                    said.append(systemd.recv(4096).decode())
        finally:
            assert run.stop() == 0
    reloading = next(i for i, m in enumerate(said) if m.startswith("RELOADING=1\n"))
    assert "MONOTONIC_USEC=" in said[reloading]
    assert any(m.startswith("READY=1\n") for m in said[reloading + 1 :])


@pytest.mark.timeout(300)
def test_status_reads_the_state_while_the_daemon_runs(
    tmp_path: Path, hook: Hook
) -> None:
    (tmp_path / "logs").mkdir()
    hook.status = 500
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    write(tmp_path / "logs" / "bot.log", MARGIN)
    wait_until(lambda: len(hook.requests) >= 1, 10, "a failed attempt")
    out = logwatch(
        "status", "--json", "--config", str(tmp_path / "config.yaml"), check=True
    ).stdout
    info = json.loads(out)
    assert info["waiting"] == {"hook": 1}
    assert [Path(f["path"]).name for f in info["files"]] == ["bot.log"]
    assert info["files"][0]["last_line_at"] is not None
    assert run.stop() == 0


@pytest.mark.timeout(300)
def test_an_unusable_state_dir_is_a_config_error_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        f"language: en\nstate_dir: {tmp_path / 'file' / 'state'}\n", encoding="utf-8"
    )
    for command in ("check", "run"):
        result = logwatch(
            command, "--config", str(tmp_path / "config.yaml"), check=False
        )
        assert result.returncode == 2, command
        assert (  # issue 21: it was "...: Not a directory"
            f"{tmp_path / 'config.yaml'}:2: state_dir {tmp_path / 'file'} is a file, "
            f"not a folder, so state_dir {tmp_path / 'file' / 'state'} cannot be made "
            "there" in result.stderr
        )


@pytest.mark.timeout(300)
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
@pytest.mark.parametrize("foreign", ["others can write it", "it belongs to uid"])
def test_a_state_dir_run_refuses_is_refused_by_check_too(
    tmp_path: Path, foreign: str
) -> None:
    """`check` said OK to a state folder another user owns or may write, which `run`
    then refused: both refuse it now, the same way, at the `state_dir` line."""
    state = tmp_path / "state"
    state.mkdir()
    if foreign.startswith("others"):
        state.chmod(0o777)
    elif os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
        pytest.skip("giving a folder to another user needs root")
    else:
        os.chown(state, 65534, 65534)  # type: ignore[attr-defined,unused-ignore]
    path = tmp_path / "config.yaml"
    path.write_text(f"language: en\nstate_dir: {state}\n", encoding="utf-8")
    for command in ("check", "run"):
        done = logwatch(command, "--config", str(path), timeout=60)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        said = f"{path}:2: state_dir {state}: refusing this state folder: {foreign}"
        assert said in done.stderr, command
        assert "Traceback" not in done.stderr
    assert list(state.iterdir()) == []


@pytest.mark.timeout(300)
def test_a_source_that_matches_nothing_yet_is_said_and_picked_up_later(
    tmp_path: Path, hook: Hook
) -> None:
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    assert any("source bot matches no files yet" in line for line in run.err)
    (tmp_path / "logs").mkdir()
    write(tmp_path / "logs" / "bot.log", MARGIN)
    wait_until(
        lambda: len(hook.requests) == 1, 10, "the alert from a folder that appeared"
    )
    assert run.stop() == 0


# -- a source followed for the first time (issue 18, item 5) --------------------------


def two_sources(tmp_path: Path, hook: Hook, *names: str) -> str:
    """The config of ``config()`` with one source per name, each its folder's *.log."""
    sources = "".join(
        f"  - name: {n}\n    paths: ['{tmp_path / n}/*.log']\n" for n in names
    )
    return config(tmp_path, hook, "10m").replace(
        f"  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n", sources
    )


def symbols(hook: Hook) -> set[str]:
    """The symbols of the alerts the hook got."""
    return {t[t.rindex("(") + 1 : -1] for t in titles(hook) if t.endswith(")")}


@pytest.mark.timeout(300)
def test_a_source_added_to_a_config_starts_at_the_ends_of_its_files(
    tmp_path: Path, hook: Hook
) -> None:
    """With a state from an earlier run, a source added to the config had its existing
    files read from the start: month-old errors were alerted (issue 18). Its files start
    at their ends now, as on a first start; a file that appeared in a source followed
    before is still read whole, and so is one that appears later in the new source."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    write(tmp_path / "b" / "bot.log", margin("OLDUSDT") + margin("OLD2USDT"))
    run = Run(tmp_path, two_sources(tmp_path, hook, "a"))
    write(tmp_path / "a" / "bot.log", margin("AONEUSDT"))
    wait_until(lambda: symbols(hook) == {"AONEUSDT"}, 10, "source a's alert")
    assert run.stop() == 0
    write(tmp_path / "a" / "daily-2.log", margin("ANEWUSDT"))  # while it was down
    run = Run(tmp_path, two_sources(tmp_path, hook, "a", "b"))
    write(tmp_path / "b" / "bot.log", margin("BNEWUSDT"))
    write(tmp_path / "b" / "later.log", margin("BLATERUSDT"))
    wanted = {"AONEUSDT", "ANEWUSDT", "BNEWUSDT", "BLATERUSDT"}
    wait_until(lambda: symbols(hook) >= wanted, 10, lambda: f"{wanted}: {titles(hook)}")
    assert run.stop() == 0
    assert symbols(hook) == wanted
    assert len(hook.requests) == len(wanted)


@pytest.mark.timeout(300)
def test_a_source_added_by_a_reload_starts_at_the_ends_of_its_files(
    tmp_path: Path, hook: Hook
) -> None:
    """The same on a reload of a daemon whose state was not new when it started."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    Run(tmp_path, two_sources(tmp_path, hook, "a")).stop()  # the state exists now
    write(tmp_path / "b" / "bot.log", margin("OLDUSDT"))
    run = Run(tmp_path, two_sources(tmp_path, hook, "a"))
    (tmp_path / "config.yaml").write_text(
        two_sources(tmp_path, hook, "a", "b"), encoding="utf-8"
    )
    done = logwatch("reload", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 0, done.stderr
    wait_until(lambda: any("reloaded" in x for x in run.err), 10, "the reload")
    write(tmp_path / "b" / "bot.log", margin("BNEWUSDT"))
    wait_until(lambda: "BNEWUSDT" in symbols(hook), 10, "the new line's alert")
    assert run.stop() == 0
    assert symbols(hook) == {"BNEWUSDT"}


@pytest.mark.timeout(300)
def test_zero_config_run_then_init_then_run_alerts_no_old_line(
    tmp_path: Path, hook: Hook
) -> None:
    """The README's path: `run` on the defaults, `init` adding a bot's folder, `run`
    again alerted a ban 46 minutes old from that folder's log (issue 18)."""
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_STATE_HOME": str(tmp_path / "st"),
    }
    bots = tmp_path / "bots"
    bots.mkdir()
    write(bots / "bot.log", margin("OLDUSDT"))
    assert Run(tmp_path, None, env).stop() == 0
    done = logwatch(
        "init",
        "--yes",
        "--language=en",
        f"--source={bots}",
        "--no-telegram",
        "--no-desktop",
        f"--apprise-url=json://127.0.0.1:{hook.port}/alerts",
        "--alert-language=en",
        "--quiet-hours=-",
        "--no-check",
        "--no-service",
        env={**os.environ, "HOME": str(tmp_path), **env},
    )
    assert done.returncode == 0, done.stderr
    run = Run(tmp_path, None, env)
    write(bots / "bot.log", margin("NEWUSDT"))
    wait_until(lambda: "NEWUSDT" in symbols(hook), 20, "the new line's alert")
    assert run.stop() == 0
    assert symbols(hook) == {"NEWUSDT"}


@pytest.mark.timeout(300)
def test_a_second_daemon_on_the_same_state_exits_naming_the_first(
    tmp_path: Path, hook: Hook
) -> None:
    """Two daemons on one state sent every alert twice (issue 11); the second one now
    stops within 5 s, names the lock and the first one's pid, and the first goes on."""
    (tmp_path / "logs").mkdir()
    first = Run(tmp_path, config(tmp_path, hook, "10m"))
    # the 5 s is ~1.5 s alone; the lock's own wait is held to its WAIT_S in
    # test_lock.py. Beside other suites a process waits for a core far longer than it
    # computes, so the whole refusal gets a generous bound, real wall time all the same
    clock = SystemClock()
    started = clock.monotonic()
    second = logwatch(
        "run",
        "--config",
        str(tmp_path / "config.yaml"),
        env={**os.environ, "HOME": str(tmp_path)},
        timeout=60,
    )
    assert clock.monotonic() - started < 30
    assert second.returncode == 1
    lock = tmp_path / "state" / "state.db.lock"
    assert f"{lock}: locked by logwatch pid {first.proc.pid}" in second.stderr
    follow = logwatch(
        "scan",
        "--follow",
        "--state",
        str(tmp_path / "state" / "state.db"),
        str(tmp_path / "logs" / "*.log"),
        timeout=60,
    )
    assert follow.returncode == 1
    assert f"locked by logwatch pid {first.proc.pid}" in follow.stderr
    status = logwatch("status", "--config", str(tmp_path / "config.yaml"), check=True)
    assert f"daemon: running, pid {first.proc.pid}" in status.stdout
    write(tmp_path / "logs" / "bot.log", MARGIN)
    wait_until(lambda: len(hook.requests) == 1, 30, "the first daemon's alert")
    assert first.stop() == 0
    assert len(hook.requests) == 1
    status = logwatch("status", "--config", str(tmp_path / "config.yaml"), check=True)
    assert "daemon: not running" in status.stdout


def margin(symbol: str, pad: int = 0) -> bytes:
    return (
        f"Refuse (Binance Futures): Margin is insufficient. ({symbol}){' ' * pad}\n"
    ).encode()


@pytest.fixture(name="small_disk")
def _small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB tmpfs (mounting needs root on Linux; elsewhere the injected
    SQLITE_FULL test in test_alerting.py covers the same path)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.timeout(300)
def test_a_full_disk_under_the_state_is_survived_and_nothing_is_skipped(
    tmp_path: Path, hook: Hook, small_disk: Path
) -> None:
    """It died with 'database or disk is full' (issue 11). Now it says so once, keeps
    running, and once space returns every line written meanwhile is alerted, once."""
    (tmp_path / "logs").mkdir()
    cfg = config(tmp_path, hook, "10m").replace(
        str(tmp_path / "state"), str(small_disk / "state")
    )
    # one message per alert, so each line's alert can be told apart (no flood grouping)
    cfg = cfg.replace("/alerts'\n", "/alerts'\n    max_per_minute: 600\n")
    run = Run(tmp_path, cfg)
    log = tmp_path / "logs" / "bot.log"
    write(log, margin("S0000USDT"))
    wait_until(lambda: len(hook.requests) == 1, 10, "the first alert")
    filler = small_disk / "filler"
    # unbuffered: a buffered file flushes again when closed, and a full disk made that
    # close fail the test now and then ("No space left on device")
    with filler.open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    symbols = [f"S{i:04d}USDT" for i in range(1, 151)]
    write(log, b"".join(margin(s, 600) for s in symbols))
    wait_until(
        lambda: any("cannot save its state" in t for t in titles(hook)),
        60,
        "the alert that the state cannot be saved",
    )
    assert run.proc.poll() is None
    filler.unlink()
    wanted = {f"({s})" for s in symbols}

    def alerted() -> list[str]:
        return [t[t.rindex("(") :] for t in titles(hook) if "(S" in t]

    # saving is tried again after 1, 2, 4 ... up to 60 s: on a busy machine the disk
    # may have been full long enough for the next try to be a minute away
    wait_until(lambda: set(alerted()) >= wanted, 150, "every line written meanwhile")
    wait_until(
        lambda: any("save its state again" in t for t in titles(hook)),
        60,
        "the all-clear",
    )
    assert run.stop() == 0
    assert sorted(alerted()) == sorted(wanted | {"(S0000USDT)"})  # each once
    assert sum("state_save_failed" in line for line in run.err) == 1


@processes.needs_delete_while_open
@pytest.mark.timeout(300)
def test_a_state_file_deleted_while_running_is_written_again_and_reported(
    tmp_path: Path, hook: Hook
) -> None:
    """Deleting state.db* while it ran gave no warning, and lines written while it was
    stopped afterwards were never read (issue 11)."""
    (tmp_path / "logs").mkdir()
    log = tmp_path / "logs" / "bot.log"
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    write(log, margin("AAAUSDT"))
    wait_until(lambda: len(hook.requests) == 1, 10, "the first alert")
    for path in (tmp_path / "state").glob("state.db*"):
        if not path.name.endswith((".lock", ".pid")):
            path.unlink()
    write(log, margin("BBBUSDT"))
    wait_until(
        lambda: any("was deleted while it ran" in t for t in titles(hook)),
        10,
        "the report of the deleted state",
    )
    wait_until(lambda: any("(BBBUSDT)" in t for t in titles(hook)), 10, "BBB")
    assert run.stop() == 0
    write(log, margin("CCCUSDT"))  # while stopped
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    wait_until(lambda: any("(CCCUSDT)" in t for t in titles(hook)), 10, "CCC")
    assert run.stop() == 0
    assert [t for t in titles(hook) if "(AAAUSDT)" in t] == [
        "ERROR: Not enough margin for the order (AAAUSDT)"
    ]


@pytest.mark.timeout(300)
def test_status_needs_no_secrets_and_shows_windows_mutes_and_channels(
    tmp_path: Path, hook: Hook
) -> None:
    """status failed when the channels' ${VAR} secrets were unset, and did not show
    whether the daemon ran, open windows, mutes or each channel's last success and
    error (issue 11)."""
    (tmp_path / "logs").mkdir()
    cfg = config(tmp_path, hook, "10m").replace(
        "/alerts'", "/alerts?+X-Token=${HOOK_SECRET}'"
    )
    run = Run(tmp_path, cfg, {"HOOK_SECRET": "s3cret-token-value"})
    log = tmp_path / "logs" / "bot.log"
    write(log, MARGIN * 3)
    write(
        log,
        b"Refuse (Binance Futures): Invalid API-key, IP, or permissions for action, "
        b"request ip: 178.151.198.159\n",
    )
    wait_until(lambda: len(hook.requests) == 2, 10, "two alerts")
    hook.status = 500
    write(log, b"binance: Signature for this request is not valid.\n")
    wait_until(lambda: len(hook.requests) >= 3, 10, "a failed delivery")
    env = {k: v for k, v in os.environ.items() if k != "HOOK_SECRET"}
    result = logwatch("status", "--config", str(tmp_path / "config.yaml"), env=env)
    assert run.stop() == 0
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"daemon: running, pid {run.proc.pid}" in out
    assert f"{log}: 5 lines read (" in out
    assert "open dedup windows: 3" in out
    assert (
        "  binance.margin-insufficient [Binance Futures, BTCUSDT]: 2 repeats for the "
        "digest at " in out
    )
    assert "  binance.margin-insufficient [Binance Futures] until " in out
    assert "alerts waiting: hook 1" in out
    assert "  hook: last delivered 20" in out
    assert "; last error 20" in out
    assert "s3cret-token-value" not in out


# -- in-process: the lifecycle and the requests ------------------------------------


@pytest.mark.usefixtures("fake_channels")
def test_a_daemon_starts_on_with_and_closes_releasing_its_state(
    tmp_path: Path,
) -> None:
    (tmp_path / "logs").mkdir()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: mine, url: 'fake://mine'}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    daemon = Daemon(path, clock, {}, io.StringIO())
    with pytest.raises(RuntimeError, match="not started"):
        daemon.step()
    with daemon:
        daemon.step()
        assert daemon.follower.listed_sources() == set()
        with pytest.raises(LogwatchError):  # one daemon per state
            Daemon(path, clock, {}, io.StringIO())
    assert daemon.stopped.is_set()
    with Daemon(path, clock, {}, io.StringIO()) as again:  # the lock was released
        again.step()


@pytest.mark.usefixtures("fake_channels")
def test_the_config_file_is_read_once_at_start_and_again_on_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the daemon read its config for the state's lock, then again for the
    setup: two reads could see two files (one edited between them)."""
    from logwatch.core.yamlfile import load_yaml

    read: list[Path] = []

    def counted(path: Path) -> object:
        read.append(path)
        return load_yaml(path)

    monkeypatch.setattr("logwatch.core.config.load_yaml", counted)
    (tmp_path / "logs").mkdir()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: mine, url: 'fake://mine'}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    with Daemon(path, clock, {}, io.StringIO()) as daemon:
        assert read == [path]
        daemon._reload()  # as SIGHUP does: the file is read again
        assert read == [path, path]


@pytest.mark.usefixtures("fake_channels")
def test_the_state_dir_is_checked_once_at_start_and_again_on_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the daemon checked its state_dir before taking the lock, then the
    setup checked it again (a mkdir, a stat and an access call more per start)."""
    from logwatch.app import configured
    from logwatch.core.config import LoadedConfig

    checked: list[Path] = []
    check = configured.check_state_dir

    def counted(loaded: LoadedConfig, path: Path) -> None:
        checked.append(path)
        check(loaded, path)

    monkeypatch.setattr("logwatch.app.daemon.check_state_dir", counted)
    monkeypatch.setattr("logwatch.app.configured.check_state_dir", counted)
    (tmp_path / "logs").mkdir()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - {name: mine, url: 'fake://mine'}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    with Daemon(path, clock, {}, io.StringIO()) as daemon:
        assert checked == [tmp_path / "state"]
        daemon._reload()  # as SIGHUP does: the new config's state_dir is checked
        assert checked == [tmp_path / "state"] * 2


@pytest.mark.usefixtures("fake_channels")
def test_reloaded_is_logged_once_the_new_sources_files_are_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reloaded` came before the new follower's first look: a line written right
    after it could be in the file before that look, which took it as old and started
    after it (a flaky end-to-end test). `reloaded` now means the listing is done; a
    reload that fails keeps the old follower, which has listed long before."""
    import logwatch.app.daemon as daemon_module

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "b" / "bot.log").write_bytes(margin("OLDUSDT"))
    path = tmp_path / "config.yaml"

    def source(*names: str) -> str:
        return (
            f"language: en\nstate_dir: {tmp_path / 'state'}\nsources:\n"
            + "".join(
                f"  - name: {n}\n    paths: ['{tmp_path / n}/*.log']\n" for n in names
            )
            + "channels:\n  - {name: mine, url: 'fake://mine'}\n"
        )

    path.write_text(source("a"), encoding="utf-8")
    real = daemon_module.log
    listed_when: dict[str, set[str]] = {}

    class Spy:
        def info(self, event: str, **fields: object) -> None:
            listed_when[event] = daemon.follower.listed_sources()
            real.info(event, **fields)

        def error(self, event: str, **fields: object) -> None:
            listed_when[event] = daemon.follower.listed_sources()
            real.error(event, **fields)

    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    with Daemon(path, clock, {}, io.StringIO()) as daemon:
        daemon.step()
        monkeypatch.setattr(daemon_module, "log", Spy())
        path.write_text("sources: [\n", encoding="utf-8")  # broken: the old one stays
        daemon._reload()
        assert "reloaded" not in listed_when
        assert listed_when["reload_failed"] == set()  # a's folder is empty
        path.write_text(source("a", "b"), encoding="utf-8")
        daemon._reload()
        assert listed_when["reloaded"] == {"b"}
        assert daemon.follower.open_files == 1


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_signal_that_comes_while_the_main_thread_holds_a_lock_is_handled() -> None:
    """A handler runs between two steps of the main thread, maybe inside an Event's
    ``clear`` or ``wait`` while it holds the Event's lock. The handler used to set
    Events itself and then waited for that lock for ever: the reload (or the stop)
    never came, which is why the SIGHUP test above failed now and then. Now the
    handler only queues the request and a thread of its own makes the call."""
    held = threading.Lock()  # as an Event's lock, held by the main thread
    called = threading.Event()
    reloaded = threading.Event()

    def on_reload() -> None:
        called.set()
        with held:  # what Event.set does
            reloaded.set()

    with control.on_signals(lambda: None, on_reload), held:
        main = threading.main_thread().ident
        assert main is not None
        signal.pthread_kill(main, signal.SIGHUP)  # type: ignore[attr-defined,unused-ignore]
        # the handler runs at the main thread's next check, in here, holding `held`
        assert called.wait(5), "the reload was never asked for"
        assert not reloaded.is_set()
    assert reloaded.wait(5)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_settle_hides_what_start_made_from_the_collector_and_a_reload_frees_it() -> (
    None
):
    import gc
    import weakref

    from logwatch.app.daemon import settle

    old = _Cycle()
    gone = weakref.ref(old)
    try:
        settle()
        assert gc.get_freeze_count() > 0
        del old
        gc.collect()
        assert gone() is not None  # frozen: a full collection does not walk it
        settle(replaced=True)
        assert gone() is None  # the reload's settle collected the old cycle
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.timeout(300)
def test_a_folder_in_sources_is_its_log_files_at_any_depth(
    tmp_path: Path, hook: Hook
) -> None:
    """Issue 21: ``paths: [FOLDER]`` passed check, then run warned ``not_a_file``
    and followed nothing."""
    logs = tmp_path / "logs"
    (logs / "Binance" / "2026").mkdir(parents=True)
    write(logs / "Binance" / "2026" / "core.log", b"")
    cfg = config(tmp_path, hook, "10m").replace(f"{logs}/*.log", str(logs))
    run = Run(tmp_path, cfg)
    assert not any("not_a_file" in line for line in run.err)
    write(logs / "Binance" / "2026" / "core.log", MARGIN)
    wait_until(lambda: len(hook.requests) == 1, 30, "the alert from two folders down")
    (logs / "later").mkdir()
    write(logs / "later" / "bot.txt", MARGIN.replace(b"BTCUSDT", b"ETHUSDT"))
    wait_until(lambda: len(hook.requests) == 2, 30, "the alert from a file made later")
    assert "(ETHUSDT)" in titles(hook)[1]
    assert run.stop() == 0


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="systemd's notify socket: Linux only"
)
def test_sd_notify_never_blocks_or_raises(tmp_path: Path) -> None:
    """A supervisor that stops reading filled the socket and the daemon's loop blocked
    in sd_notify; one that went away made it raise at shutdown."""
    import socket

    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        server.bind(path)
        sent = [
            sd_notify(f"STATUS={'x' * 1000} {i}", {"NOTIFY_SOCKET": path})
            for i in range(2000)
        ]
        assert sent[0]
        assert not all(sent)  # the queue filled: dropped, not waited on
    assert not sd_notify("READY=1", {"NOTIFY_SOCKET": path})  # nobody listens


#: A console-only daemon started as ``logwatch run`` starts it (up to READY), in a
#: fresh interpreter: what it imported.
_READY_IMPORTS = """
import io, os, sys
from pathlib import Path
import logwatch.app.cli as cli
cli.without_rich(sys.modules)  # as main() does
from logwatch.core.clock import SystemClock
from logwatch.app.daemon import Daemon

daemon = Daemon(Path(sys.argv[1]), SystemClock(), dict(os.environ), io.StringIO())
daemon.start()
try:
    heavy = ("apprise", "requests", "urllib3", "prometheus_client", "http.client")
    print([name for name in heavy if sys.modules.get(name)])
finally:
    daemon.close()
"""


@pytest.mark.timeout(300)
def test_a_console_only_daemon_is_ready_without_apprise_http_or_prometheus(
    tmp_path: Path,
) -> None:
    """Issue 23: RSS at READY. Apprise with its plugins and its HTTP stack (~10 MB at
    rest) and prometheus_client are imported only for a channel or ``metrics:`` that
    needs them; the default console channel needs none."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "c.yaml").write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n  - name: screen\n    url: 'console://'\n",
        encoding="utf-8",
    )
    assert fresh_python(_READY_IMPORTS, str(tmp_path / "c.yaml")) == "[]\n"


# -- files that start alike (issue 23) --------------------------------------------------


@pytest.mark.timeout(300)
def test_files_that_start_alike_are_all_followed_from_the_start_and_after_a_restart(
    tmp_path: Path, hook: Hook
) -> None:
    """Issue 23: 1,000 bot files in one folder that start with the same line; `run`
    said "following 1 files" at READY, each other file being held back as a possible
    copy of the first until five listings had passed, and an error written to one
    reached the webhook seconds late. Files that start alike are each followed at
    once, on the first start and after a restart; one that grows past the file it
    looked a copy of is no copy."""
    logs = tmp_path / "logs"
    logs.mkdir()
    n = 40
    for i in range(n):
        write(logs / f"bot{i:02d}.log", b"bot started\n")
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    assert any(f"following {n} files" in line for line in run.err), run.err
    write(logs / "bot07.log", margin("SEVENUSDT"))
    write(logs / "later.log", b"bot started\n")  # a new file, like the others
    wait_until(lambda: symbols(hook) == {"SEVENUSDT"}, 30, lambda: str(titles(hook)))
    write(logs / "later.log", margin("LATERUSDT"))
    wait_until(lambda: "LATERUSDT" in symbols(hook), 30, lambda: str(titles(hook)))
    assert run.stop() == 0
    run = Run(tmp_path, config(tmp_path, hook, "10m"))
    assert any(f"following {n + 1} files" in line for line in run.err), run.err
    write(logs / "bot23.log", margin("TWENTYTHREEUSDT"))
    wanted = {"SEVENUSDT", "LATERUSDT", "TWENTYTHREEUSDT"}
    wait_until(lambda: symbols(hook) == wanted, 30, lambda: str(titles(hook)))
    assert run.stop() == 0
    assert len(hook.requests) == len(wanted)  # nothing read again


# -- files held from the start (issue 18, item 2) ---------------------------------------


@pytest.mark.usefixtures("fake_channels")
def test_a_file_rotated_away_while_run_starts_is_still_read(tmp_path: Path) -> None:
    """Issue 18: `run` opened the followed files only at its first listing, after the
    rules and State were loaded (seconds on a busy PC); a generation rotated away and
    deleted meanwhile lost the lines written to it before. They are held from the
    start now, as `scan --follow` holds them: the first listing reads the held files
    it no longer shows."""
    logs = tmp_path / "logs"
    logs.mkdir()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{logs}/*.log']\n"
        "channels:\n  - {name: mine, url: 'fake://mine'}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    write(logs / "bot.log", b"bot started\n")
    with Daemon(path, clock, {}, io.StringIO()) as daemon:
        daemon.step()  # the file is followed: its start is saved
    write(logs / "bot.log", margin("LOSTUSDT"))  # while it was down
    daemon = Daemon(path, clock, {}, io.StringIO())  # start-up's slow part is done
    try:
        aside = tmp_path / "bot.log.1"
        (logs / "bot.log").replace(aside)  # rotated past the patterns...
        aside.unlink()  # ...and deleted, before the first listing
        write(logs / "bot.log", b"bot started again\n")
        daemon.start()
        daemon.step()
        assert daemon.activity.lines_read["bot"] == 2  # the lost line, the new one
        alerting = daemon.follower.alerting
        assert alerting is not None
        assert alerting.last is not None
        assert "LOSTUSDT" in str(alerting.last)
    finally:
        daemon.close()
