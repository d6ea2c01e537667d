"""A committed alert -> a loopback webhook has it: p50/p99 over 200 alerts.

    python bench/alert_bench.py [--alerts 200]

The alert is committed to State the way the follower does it, the Dispatcher's channel
thread is woken, and the time until a real HTTP server on 127.0.0.1 has the request is
measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from logwatch.clock import SystemClock
from logwatch.config import config_from_text
from logwatch.dedup import Alert, AlertKind
from logwatch.delivery import Dispatcher, channels_for, queue_rows
from logwatch.model import Severity
from logwatch.notifier import Notifier
from logwatch.rules import load_rules
from logwatch.state import State


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    args = parser.parse_args()
    os.environ["NO_PROXY"] = "127.0.0.1"
    got = threading.Condition()
    received: list[float] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()
            with got:
                received.append(time.perf_counter())
                got.notify_all()

        def log_message(self, *a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="logwatch-alert-bench-"))
    clock = SystemClock()
    state = State(work / "state.db", clock)
    loaded = config_from_text(
        f"channels:\n  - {{name: hook, url: 'json://127.0.0.1:{server.server_address[1]}/a'}}\n",
        {},
    )
    notifier = Notifier(loaded)
    dispatcher = Dispatcher(
        state, notifier, {r.id: r for r in load_rules()}, "en", clock
    )
    dispatcher.start()
    latencies = []
    for i in range(args.alerts):
        alert = Alert(
            f"b{i}",
            AlertKind.SELF,
            "logwatch.self",
            Severity.ERROR,
            f"b{i}",
            clock.now(),
            text=f"bench alert {i}",
        )
        rows = queue_rows([alert], lambda a: channels_for(notifier, a.severity))
        started = time.perf_counter()
        state.commit(extra=lambda conn, rows=rows: State.queue(conn, rows))
        dispatcher.poke()
        with got:
            got.wait_for(lambda i=i: len(received) > i, timeout=10)
        latencies.append((received[i] - started) * 1000)
    dispatcher.stop()
    server.shutdown()
    ms = sorted(latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"committed alert -> loopback webhook: {len(ms)} alerts, p50 "
        f"{statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms "
        "(the commit itself, with synchronous=FULL, included)"
    )


if __name__ == "__main__":
    main()
