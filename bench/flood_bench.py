"""A flood of distinct errors -> messages per channel, and peak memory while it lasts.

    python bench/flood_bench.py [--errors 1000] [--repeats 2]

Each of ``--errors`` distinct errors (one connection each) is written ``--repeats``
times into a real followed file; the real follower, dedup, outbox (State) and
dispatcher deliver to a real HTTP server on 127.0.0.1. The clock is driven by the
script (a minute of delivery takes no minute): messages are counted in the first
minute, until the dedup windows close, and after their digests. The reference is one
message per alert, what logwatch sent before grouping. Peak RSS is compared with the
process before the flood (Linux: ``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
from pathlib import Path

import structlog

from logwatch.alerts.alerting import PendingAlerts
from logwatch.alerts.dedup import build
from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.app.follower_events import Activity, fan_out, log_event
from logwatch.deliver.delivery import Dispatcher
from logwatch.follow.tailer import Source
from logwatch.match.engine import Engine
from logwatch.rulebook.ruleload import load_rules
from logwatch.store.state import State
from tests import servers
from tests.fakes import FakeClock
from tests.servers import Hook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ["NO_PROXY"] = "127.0.0.1"
    structlog.configure(  # the figures only, not a line per message sent
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )
    logging.getLogger("apprise").setLevel(logging.WARNING)
    clock = FakeClock()  # the script moves it
    hook = Hook()
    work = Path(tempfile.mkdtemp(prefix="logwatch-flood-bench-"))
    (work / "logs").mkdir()
    log_path = work / "logs" / "bot.log"
    log_path.write_bytes(b"")
    rules = load_rules()
    state = State(work / "state.db", clock)
    notifier = servers.notifier(f"hook=json://127.0.0.1:{hook.port}/a")
    dispatcher = Dispatcher(state, notifier, {r.id: r for r in rules}, "en", clock)
    alerts_queued = 0

    def count(alert: object, mutes: object) -> list[str]:
        nonlocal alerts_queued
        alerts_queued += 1
        return ["hook"]

    alerting = PendingAlerts(build(rules, 600.0), count)
    activity = Activity()
    follower = Follower(
        Engine(rules),
        [Source("bot", (str(work / "logs" / "*.log"),))],
        clock,
        state=state,
        events=fan_out(log_event, activity),
        alerting=alerting,
        settings=FollowSettings(poll_interval=0),
    )
    follower.step()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = clock.monotonic()
    lines = b"".join(
        b"Refuse (Binance Futures %d): Margin is insufficient. (BTCUSDT)\n" % i
        for i in range(args.errors)
    )
    with log_path.open("ab") as log:
        for _ in range(args.repeats):
            log.write(lines)
    read = 0
    while read < args.repeats * args.errors:
        follower.step()
        read = activity.lines_read.get("bot", 0)

    def deliver_for(seconds: float) -> None:
        end = clock.monotonic() + seconds
        while clock.monotonic() < end:
            follower.step()  # closes dedup windows when due
            dispatcher.step("hook")
            clock.advance(1.0)

    deliver_for(60)
    first_minute = len(hook.requests)
    first_alerts = alerts_queued
    deliver_for(600)  # the dedup windows (10 min) close: the digests
    deliver_for(180)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total = len(hook.requests)
    hook.close()
    state.close()
    print(
        f"{args.errors} distinct errors x {args.repeats}: {alerts_queued} alerts "
        f"({first_alerts} first, {alerts_queued - first_alerts} digests) over "
        f"{(clock.monotonic() - start) / 60:.0f} min"
    )
    print(
        f"messages to the channel: first minute {first_minute}, total {total} "
        f"(reference, one per alert: {alerts_queued}; ratio {total / alerts_queued:.3f})"
    )
    print(
        f"peak RSS {rss_peak / 1024:.1f} MiB vs {rss_before / 1024:.1f} MiB before "
        f"the flood (+{(rss_peak - rss_before) / 1024:.1f} MiB, "
        f"ratio {rss_peak / rss_before:.2f}; before includes the test harness)"
    )


if __name__ == "__main__":
    main()
