"""Figures for ``logwatch run``: start to READY, line -> webhook latency, idle CPU, RSS.

    python bench/daemon_bench.py [--lines 100] [--idle-seconds 60]

Runs the real service with 3 sources and 2 channels (a loopback webhook and the console),
under a NOTIFY_SOCKET so READY=1 can be timed, writes error lines (each for another symbol,
so dedup holds none back) at random 20-100 ms gaps, and measures when the webhook has each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="logwatch-daemon-bench-"))
    received: dict[str, float] = {}

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()
            for word in body["message"].split():
                if word.startswith("(BENCH") or word.startswith("BENCH"):
                    received.setdefault(word.strip("()"), time.perf_counter())

        def log_message(self, *a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dirs = [work / f"src{i}" for i in range(3)]
    for d in dirs:
        d.mkdir()
        (d / "bot.log").write_text("2026-11-24 12:00:00 start\n")
    sources = "".join(
        f"  - name: s{i}\n    paths: ['{d}/*.log']\n" for i, d in enumerate(dirs)
    )
    (work / "config.yaml").write_text(
        f"language: en\nstate_dir: {work / 'state'}\nsources:\n{sources}"
        f"channels:\n  - name: hook\n    url: 'json://127.0.0.1:{server.server_address[1]}/a'\n"
        "  - name: console\n    url: 'console://'\n"
    )
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(work / "notify"))
    env = {**os.environ, "NOTIFY_SOCKET": str(work / "notify"), "NO_PROXY": "127.0.0.1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "logwatch",
            "run",
            "--config",
            str(work / "config.yaml"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    notify.settimeout(30)
    while notify.recv(256) != b"READY=1":
        pass
    ready_s = time.perf_counter() - started
    rnd = random.Random(5)
    written: dict[str, float] = {}
    for n in range(args.lines):
        symbol = f"BENCH{n:04d}USDT"
        with (dirs[n % 3] / "bot.log").open("a") as fh:
            fh.write(f"Refuse (Binance Futures): Margin is insufficient. ({symbol})\n")
        written[symbol] = time.perf_counter()
        time.sleep(rnd.uniform(0.02, 0.1))
    deadline = time.perf_counter() + 10
    while len(received) < args.lines and time.perf_counter() < deadline:
        time.sleep(0.01)
    ms = sorted((received[s] - w) * 1000 for s, w in written.items() if s in received)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"start to READY: {ready_s:.2f} s")
    print(
        f"line written -> loopback webhook: {len(ms)}/{args.lines} alerts, p50 "
        f"{statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
    )
    stat = Path(f"/proc/{proc.pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

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
        f"idle, 3 sources and 2 channels, {args.idle_seconds:.0f} s: {used * 1000:.0f} ms CPU = "
        f"{100 * used / args.idle_seconds:.3f} % of one core; peak RSS {rss:.0f} MB"
    )
    proc.terminate()
    proc.wait(10)
    server.shutdown()


if __name__ == "__main__":
    main()
