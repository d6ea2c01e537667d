"""A committed alert -> a loopback webhook has it: p50/p99 over 200 alerts; and the
CPU a repeat hit costs with 0 / 2,000 / 10,000 open dedup windows.

    python bench/alert_bench.py [--alerts 200] [--repeats 300]

The alert is committed to State the way the follower does it, the Dispatcher's channel
thread is woken, and the time until a real HTTP server on 127.0.0.1 has the request is
measured. A repeat hit is admitted, ticked and committed the way the follower does it;
its CPU time is compared with the same commit rewriting every open window (the way
before issue 11), in the same process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from logwatch.alerts.alerting import PendingAlerts
from logwatch.alerts.outbox import queue_rows
from logwatch.app.senders import Senders
from logwatch.core.clock import SystemClock
from logwatch.core.config import config_from_text
from logwatch.core.model import Alert, AlertKind, Severity
from logwatch.deliver.delivery import Dispatcher, channels_for
from logwatch.deliver.notifier import Notifier
from logwatch.rulebook.ruleload import load_rules
from logwatch.store.state import State
from tests.servers import Hook


def commit(state: State, alerting: PendingAlerts, rewrite_all: bool = False) -> None:
    """Save what alerting holds; ``rewrite_all``: every open window, as every commit
    did before."""
    from logwatch.alerts.codec import WINDOWS

    c = alerting.changes()
    windows = c.windows
    if rewrite_all:
        windows = [(fp, WINDOWS.dumps(w)) for fp, w in alerting.deduper.windows.items()]
    state.commit(alerts=c.alerts, windows=windows, closed=c.closed, mutes=c.mutes)
    alerting.committed()


def repeat_hit_cpu(open_windows: int, repeats: int, rewrite_all: bool) -> float:
    """Mean CPU ms of one repeat hit (admit, tick, commit) with windows open."""
    from datetime import timedelta

    from logwatch.alerts.alerting import PendingAlerts
    from logwatch.alerts.dedup import Deduper
    from logwatch.alerts.window import fingerprint
    from logwatch.core.model import Hit, Record

    def hit(symbol: str) -> Hit:
        text = f"Refuse (Binance Futures): Margin is insufficient. ({symbol})"
        record = Record(
            path="bot.log",
            format="quantower",
            first_line=1,
            offset=0,
            end=len(text),
            text=text,
            raw=text,
            timestamp=None,
            fields={},
        )
        return Hit(
            rule_id="binance.margin-insufficient",
            severity=Severity.ERROR,
            codes=(-2019,),
            record=record,
            line=1,
            captures={"symbol": symbol},
            key=("", symbol),
        )

    work = Path(tempfile.mkdtemp(prefix="logwatch-dedup-bench-"))
    clock = SystemClock()
    state = State(work / "state.db", clock)
    # all of them open: none folded to stay within the cap
    alerting = PendingAlerts(
        Deduper(max_windows=open_windows + 1), lambda a, mutes: ["hook"]
    )
    start = clock.now()
    alerting.admit([hit(f"S{i}USDT") for i in range(open_windows)], start)
    commit(state, alerting)
    repeat = hit("REPEATUSDT")
    alerting.admit([repeat], start)
    commit(state, alerting)

    assert fingerprint(repeat) in alerting.deduper.windows
    used = 0.0
    for n in range(repeats):
        now = start + timedelta(seconds=1 + n * 0.01)
        cpu = time.process_time()
        alerting.admit([repeat], now)
        alerting.tick(now)
        commit(state, alerting, rewrite_all)
        used += time.process_time() - cpu
    state.close()
    return used / repeats * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)  # at most 600 a minute
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    import logging

    import structlog

    # one line per sent alert would bury the figures
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )
    for open_windows in (0, 2000, 10000):
        now_ms = repeat_hit_cpu(open_windows, args.repeats, rewrite_all=False)
        old_ms = repeat_hit_cpu(open_windows, max(10, args.repeats // 10), True)
        print(
            f"repeat hit with {open_windows:>5} open windows: {now_ms:.3f} ms CPU "
            f"(rewriting every window, as before: {old_ms:.3f} ms; "
            f"ratio {now_ms / old_ms:.3f})"
        )
    os.environ["NO_PROXY"] = "127.0.0.1"
    hook = Hook()
    work = Path(tempfile.mkdtemp(prefix="logwatch-alert-bench-"))
    clock = SystemClock()
    state = State(work / "state.db", clock)
    # the most a channel may send in a minute: more alerts than that are grouped
    # (issue 11) and would wait for the next minute
    notifier = Notifier(
        config_from_text(
            f"channels:\n  - {{name: hook, url: 'json://127.0.0.1:{hook.port}/a', "
            "max_per_minute: 600}\n",
            {},
        )
    )
    dispatcher = Dispatcher(
        state, notifier, {r.id: r for r in load_rules()}, "en", clock
    )
    senders = Senders()
    senders.serve(dispatcher)
    latencies = []
    for i in range(args.alerts):
        alert = Alert(
            id=f"b{i}",
            kind=AlertKind.SELF,
            rule_id="logwatch.self",
            severity=Severity.ERROR,
            fingerprint=f"b{i}",
            created_at=clock.now(),
            text=f"bench alert {i}",
        )
        rows = queue_rows([alert], lambda a: channels_for(notifier, a.severity))
        started = time.perf_counter()
        state.commit(alerts=rows)
        dispatcher.poke()
        with hook.cond:
            hook.cond.wait_for(lambda i=i: len(hook.arrived) > i, timeout=10)
        latencies.append((hook.arrived[i] - started) * 1000)
    senders.close()
    hook.close()
    ms = sorted(latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"committed alert -> loopback webhook: {len(ms)} alerts, p50 "
        f"{statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms "
        "(the commit itself, with synchronous=FULL, included)"
    )


if __name__ == "__main__":
    main()
