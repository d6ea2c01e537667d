"""Figures for ``logwatch run``: start to READY, line -> webhook latency per format,
idle CPU, RSS.

    python bench/daemon_bench.py [--lines 100] [--idle-seconds 60] [--files 1000]
        [--spread 200 --spread-ms 150 --same-start]

Also times a second ``logwatch run`` on the same state until it exits (the lock).
Runs the real service with one source per log format (Quantower, MetaTrader in UTF-16,
NinjaTrader, Python logging with the traceback in the same write, JSON lines, generic)
and 2 channels (a loopback webhook and the console), under a NOTIFY_SOCKET so READY=1
can be timed. It writes ``--lines`` error records per format, in turn, at random
20-100 ms gaps, and measures when the webhook has each: p50/p99 per format, and how
many of them arrived. Every record is a distinct alert: each names another symbol (the
rule's dedup key is connection + symbol), and the webhook's flood budget
(``max_per_minute: 600``, the most a channel may set) is above the records written in a
minute, so no alert waits to be grouped; the console channel keeps the default budget.
With ``--spread N`` (and ``--files``), N more generic error records follow, each to
another of the quiet files, one every ``--spread-ms``: a trader's folder of bot logs;
``--same-start`` has the quiet files all start with the same line, as a bot's do.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

# the test harness (tests/), after whatever PYTHONPATH puts first: a run paired against
# another checkout still imports that checkout's logwatch
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.daemon_run import Run, logwatch
from tests.servers import Hook


def _now(fmt: str) -> str:
    """The local time now in ``fmt``: a record older than ``max_age`` is not alerted."""
    return datetime.now().strftime(fmt)  # noqa: DTZ005  the logs' own local time


def _letters(symbol: str) -> str:
    """``BENCH00042USDT`` as ``BENCHAAAECUSDT``: MetaTrader 5's keys count a run of
    digits as one, so symbols that differ only in digits would be one alert."""
    return re.sub(r"\d", lambda m: chr(ord("A") + int(m.group())), symbol)


#: format -> (file name, the bytes of one error record for a symbol); each record is
#: its own alert (a symbol the rule keys by), or the bench would time only the first
#: (a NinjaTrader "Order rejected: ..." or MetaTrader 5's bare message is keyed by the
#: message alone: one alert for all)
SHAPES: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "quantower": (
        "q.log",
        lambda s: (
            f"{_now('%Y-%m-%d %H:%M:%S')}.123 [Trading] Refuse (Binance Futures): "
            f"Margin is insufficient. ({s})\n".encode()
        ),
    ),
    "metatrader": (
        f"{datetime.now():%Y%m%d}.log",  # noqa: DTZ005  its date: the platform's local one
        lambda s: (
            f"CS\t2\t{_now('%H:%M:%S')}.123\tTrades\t'5512345': failed market buy 0.01 "
            f"{s} [Not enough money]\r\n".encode("utf-16-le")
        ),
    ),
    "ninjatrader": (
        "n.txt",
        lambda s: (
            f"{_now('%Y-%m-%d %H:%M:%S')}:591|0|4|Refuse (Binance Futures): Margin is "
            f"insufficient. ({s})\n".encode()
        ),
    ),
    "python": (
        "freqtrade.log",
        lambda s: (
            f"{_now('%Y-%m-%d %H:%M:%S')},123 - bot - ERROR - order failed ({s})\n"
            "Traceback (most recent call last):\n"
            '  File "bot.py", line 3, in place\n'
            "binance.exceptions.BinanceAPIException: APIError(code=-2019): "
            "Margin is insufficient.\n"
        ).encode(),
    ),
    "json": (
        "j.jsonl",
        lambda s: (
            f'{{"@t":"{datetime.now().astimezone().isoformat(timespec="milliseconds")}",'
            '"lvl":"Trading","ev":"Refuse '
            f'(Binance Futures): Margin is insufficient. ({s})"}}\n'
        ).encode(),
    ),
    "generic": (
        "g.log",
        lambda s: f"Refuse (Binance Futures): Margin is insufficient. ({s})\n".encode(),
    ),
}
_SYMBOL = re.compile(r"BENCH(?:\d{5}|[A-J]{5})USDT")


def _stamp(hook: Hook, received: dict[str, float]) -> None:
    """When the webhook had each symbol: stamped as each request is recorded (this
    thread wakes on the hook's condition, some microseconds after the request)."""
    seen = 0
    with hook.cond:
        while True:
            hook.cond.wait_for(lambda n=seen: len(hook.requests) > n)
            at = time.perf_counter()
            for body in hook.requests[seen:]:
                for symbol in _SYMBOL.findall(body["title"] + " " + body["message"]):
                    received.setdefault(symbol, at)
            seen = len(hook.requests)


def _drain(notify: socket.socket) -> None:
    notify.settimeout(None)
    while notify.recv(4096):
        pass


def percentile(ms: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values (nearest rank)."""
    return ms[min(len(ms) - 1, int(len(ms) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100, help="records per format")
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument(
        "--files",
        type=int,
        default=0,
        help="also follow this many quiet files (one more source): the idle figure "
        "for a whole folder of logs",
    )
    parser.add_argument(
        "--spread",
        type=int,
        default=0,
        help="then write this many error records, each to another quiet file",
    )
    parser.add_argument("--spread-ms", type=float, default=150)
    parser.add_argument(
        "--same-start",
        action="store_true",
        help="the quiet files all start with the same line",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start with an empty rules cache (the first start after an install or an "
        "upgrade); by default the cache is filled first, as on every later start",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="logwatch-daemon-bench-"))
    env = {"NOTIFY_SOCKET": str(work / "notify"), "LOGWATCH_CACHE_DIR": str(work / "c")}
    received: dict[str, float] = {}
    hook = Hook()  # the tests' loopback webhook
    threading.Thread(target=_stamp, args=(hook, received), daemon=True).start()
    files: dict[str, Path] = {}
    sources = ""
    for fmt, (name, _shape) in SHAPES.items():
        folder = work / fmt
        folder.mkdir()
        files[fmt] = folder / name
        # a first line of its own: files that start alike wait to tell copies apart
        files[fmt].write_bytes(
            b"\xff\xfe" + f"start {fmt}\r\n".encode("utf-16-le")
            if fmt == "metatrader"
            else f"start {fmt}\n".encode()
        )
        sources += (
            f"  - name: {fmt}\n    format: {fmt}\n"
            f"    paths: ['{folder}/{Path(name).stem}*']\n"
        )
    if args.files:
        quiet = work / "quiet"
        quiet.mkdir()
        for i in range(args.files):
            first = "bot started" if args.same_start else f"start bot{i:04d}"
            (quiet / f"bot{i:04d}.log").write_bytes(f"{first}\n".encode())
        sources += (
            f"  - name: quiet\n    format: generic\n    paths: ['{quiet}/*.log']\n"
        )
    config = (
        f"language: en\nstate_dir: {work / 'state'}\nsources:\n{sources}"
        f"channels:\n  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/a'\n"
        "    max_per_minute: 600\n"
        "  - name: console\n    url: 'console://'\n"
    )
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(work / "notify"))
    if not args.cold:  # `check` loads the same rules as the daemon: the cache fills
        # (with the daemon's own config: its state_dir holds the key the cache is
        # signed with; a scan without it signs with another, which the daemon refuses)
        warm = work / "warm.yaml"
        warm.write_text(config, encoding="utf-8")
        filled = subprocess.run(
            [sys.executable, "-m", "logwatch", "check", "--config", str(warm)],
            env={**os.environ, **env},
            capture_output=True,
            check=False,
        )
        assert filled.returncode == 0, filled.stderr
    started = time.perf_counter()
    run = Run(work, config, env)  # the tests' own
    proc = run.proc
    notify.settimeout(30)
    while not notify.recv(256).startswith(b"READY=1"):
        pass
    ready_s = time.perf_counter() - started
    stat = Path(f"/proc/{proc.pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    ready_cpu = cpu()
    rss_ready = (
        next(
            int(r.split()[1])
            for r in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
            if r.startswith("VmRSS:")
        )
        / 1024
    )
    second = time.perf_counter()
    refused = logwatch("run", "--config", str(work / "config.yaml"))
    second_s = time.perf_counter() - second
    rnd = random.Random(5)
    written: dict[str, tuple[str, float]] = {}
    n = 0
    for _ in range(args.lines):
        for fmt, (_name, shape) in SHAPES.items():
            symbol = f"BENCH{n:05d}USDT"
            if fmt == "metatrader":
                symbol = _letters(symbol)
            n += 1
            with files[fmt].open("ab") as fh:
                fh.write(shape(symbol))  # one write, as a logger does
            written[symbol] = (fmt, time.perf_counter())
            time.sleep(rnd.uniform(0.02, 0.1))
    _, generic = SHAPES["generic"]
    for k in range(args.spread if args.files else 0):
        symbol = f"BENCH{n:05d}USDT"
        n += 1
        with (work / "quiet" / f"bot{(k * 7919) % args.files:04d}.log").open(
            "ab"
        ) as fh:
            fh.write(generic(symbol))
        written[symbol] = ("spread", time.perf_counter())
        time.sleep(args.spread_ms / 1000)
    deadline = time.perf_counter() + 10
    while len(received) < len(written) and time.perf_counter() < deadline:
        time.sleep(0.01)
    print(
        f"start to READY ({'empty' if args.cold else 'filled'} rules cache): "
        f"{ready_s:.2f} s, {ready_cpu:.2f} s CPU; RSS at READY {rss_ready:.0f} MB"
    )
    print(
        f"a second run on the same state: exit {refused.returncode} after "
        f"{second_s:.2f} s ({refused.stderr.strip()[:60]}...)"
    )
    arrived = sum(symbol in received for symbol in written)
    print(f"line written -> loopback webhook: {arrived}/{len(written)} alerts arrived")
    for fmt in [*SHAPES, *(["spread"] if args.spread and args.files else [])]:
        ms = sorted(
            (received[s] - w) * 1000
            for s, (f, w) in written.items()
            if f == fmt and s in received
        )
        count = args.spread if fmt == "spread" else args.lines
        if not ms:
            print(f"  {fmt:<12} 0/{count} alerts")
            continue
        print(
            f"  {fmt:<12} {len(ms)}/{count} alerts, p50 {statistics.median(ms):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {ms[-1]:.1f} ms"
        )
    time.sleep(5)
    before = cpu()
    time.sleep(args.idle_seconds)
    used = cpu() - before
    rss = (
        next(
            int(r.split()[1])
            for r in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
            if r.startswith("VmHWM:")
        )
        / 1024
    )
    print(
        f"idle, {len(SHAPES) + bool(args.files)} sources ({len(SHAPES) + args.files} "
        f"files) and 2 channels, {args.idle_seconds:.0f} s: {used * 1000:.0f} ms CPU = "
        f"{100 * used / args.idle_seconds:.3f} % of one core; peak RSS {rss:.0f} MB"
    )
    print(next((x.strip() for x in run.err if "following" in x), "no 'following' line"))
    warned = [x.strip() for x in run.err if "[warning" in x or "[error" in x]
    print(
        f"daemon warnings and errors: {len(warned)}"
        + "".join(f"\n  {w[:150]}" for w in warned[:5])
    )
    run.stop()
    hook.close()


if __name__ == "__main__":
    main()
