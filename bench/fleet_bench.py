"""Figures for issue 13: what the heartbeat and /metrics cost, and line -> Alertmanager.

    python bench/fleet_bench.py [--seconds 20] [--rate 200] [--alerts 40]

1. Cost: the real ``logwatch run`` four times (plain, + heartbeat every 10 s to a loopback
   monitor, + /metrics scraped every second, + both), each for ``--seconds`` while a writer
   adds ``--rate`` lines a second (1 % errors); CPU seconds (utime+stime from /proc) and
   peak RSS (VmHWM) of each, as ratios to the plain run.
2. Latency: a real Alertmanager (Debian's prometheus-alertmanager) on a loopback port and a
   logwatch with an ``alertmanager://`` channel; each error line names a new symbol, and
   the API is polled until the alert is there. Reference, in the same process: the same
   alert posted straight to the API, polled the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# the test harness (tests/), after whatever PYTHONPATH puts first: a run paired against
# another checkout still imports that checkout's logwatch
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.daemon_run import Run
from tests.servers import free_port

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(name, None)

ERROR = "Refuse (Binance Futures): Margin is insufficient. ({symbol})\n"


def monitor() -> int:
    class Ping(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ping)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return int(server.server_address[1])


def proc_figures(pid: int) -> tuple[float, int]:
    """CPU seconds so far and peak RSS (bytes) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    return cpu, hwm


def cost(work: Path, seconds: float, rate: int) -> None:
    ping = monitor()
    results = {}
    for label in ("plain", "heartbeat", "metrics", "both"):
        home = work / label
        (home / "logs").mkdir(parents=True)
        port = free_port()
        extra = ""
        if label in ("heartbeat", "both"):
            extra += f"heartbeat: {{url: 'http://127.0.0.1:{ping}/p', every: 10s}}\n"
        if label in ("metrics", "both"):
            extra += f"metrics: {{listen: '127.0.0.1:{port}'}}\n"
        run = Run(
            home,
            f"language: en\nstate_dir: {home / 'state'}\n"
            f"sources:\n  - name: bot\n    paths: ['{home / 'logs'}/*.log']\n"
            "channels:\n  - {name: c, url: 'console://', min_severity: critical}\n"
            + extra,
        )
        proc = run.proc
        log = (home / "logs" / "bot.log").open("a")
        cpu0, _ = proc_figures(proc.pid)
        t0 = time.monotonic()
        n = 0
        while (elapsed := time.monotonic() - t0) < seconds:
            while n < elapsed * rate:
                if n % 100 == 0:
                    log.write(ERROR.format(symbol=f"S{n}USDT"))
                else:
                    log.write(f"2026-11-30 12:00:00 INFO tick {n} ok\n")
                n += 1
            log.flush()
            if label in ("metrics", "both") and int(elapsed) != int(elapsed - 0.05):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as r:
                    r.read()
            time.sleep(0.05)
        cpu1, hwm = proc_figures(proc.pid)
        run.stop()
        log.close()
        results[label] = (cpu1 - cpu0, hwm)
    base_cpu, base_rss = results["plain"]
    print(f"cost over {seconds:g} s, writer at {rate} lines/s (1 % errors):")
    for label, (cpu, hwm) in results.items():
        print(
            f"  {label:<10} CPU {cpu:6.2f} s ({100 * cpu / seconds:5.2f} % of a core), "
            f"ratio {cpu / base_cpu:4.2f}; peak RSS {hwm / 2**20:6.1f} MiB, "
            f"ratio {hwm / base_rss:4.2f}"
        )


def latency(work: Path, count: int) -> None:
    binary = shutil.which("prometheus-alertmanager")
    if binary is None:
        print("latency: prometheus-alertmanager is not installed; skipped")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (work / "am.yml").write_text(
        "route: {receiver: 'null'}\nreceivers: [{name: 'null'}]\n"
    )
    am = subprocess.Popen(
        [
            binary,
            f"--config.file={work / 'am.yml'}",
            f"--storage.path={work / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/ready") as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)

        def visible(symbol: str) -> bool:
            query = urllib.parse.quote(f'symbol="{symbol}"')
            with urllib.request.urlopen(f"{base}/api/v2/alerts?filter={query}") as r:
                return bool(json.loads(r.read()))

        def wait(symbol: str, t0: float) -> float:
            while not visible(symbol):
                time.sleep(0.002)
            return time.perf_counter() - t0

        reference = []
        for i in range(count):
            body = json.dumps(
                [{"labels": {"alertname": "ref", "symbol": f"R{i}"}, "annotations": {}}]
            ).encode()
            t0 = time.perf_counter()
            request = urllib.request.Request(
                f"{base}/api/v2/alerts", body, {"Content-Type": "application/json"}
            )
            urllib.request.urlopen(request).read()
            reference.append(wait(f"R{i}", t0))
        home = work / "am-pc"
        (home / "logs").mkdir(parents=True)
        run = Run(
            home,
            f"language: en\ninstance: bench\nstate_dir: {home / 'state'}\n"
            f"sources:\n  - name: bot\n    paths: ['{home / 'logs'}/*.log']\n"
            f"channels:\n  - {{name: am, url: 'alertmanager://127.0.0.1:{port}'}}\n",
        )
        try:
            times = []
            with (home / "logs" / "bot.log").open("a") as log:
                for i in range(count):
                    symbol = f"L{i}USDT"
                    t0 = time.perf_counter()
                    log.write(ERROR.format(symbol=symbol))
                    log.flush()
                    times.append(wait(symbol, t0))
        finally:
            run.stop()
    finally:
        am.terminate()
        am.wait(10)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"line -> alert visible in Alertmanager's API ({count} alerts):")
    print(f"  logwatch   p50 {p(times, 0.5):6.1f} ms  p99 {p(times, 0.99):6.1f} ms")
    print(
        f"  reference  p50 {p(reference, 0.5):6.1f} ms  p99 {p(reference, 0.99):6.1f} ms"
        "  (the same alert posted straight to the API)"
    )
    print(
        f"  ratio of medians {statistics.median(times) / statistics.median(reference):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="logwatch-fleet-bench-"))
    try:
        cost(work, args.seconds, args.rate)
        latency(work, args.alerts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
