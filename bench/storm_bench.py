"""A storm of distinct errors: the RSS of ``logwatch run`` while it lasts.

    python bench/storm_bench.py [--minutes 10] [--rate 100] [--every 30] [--cold]

Runs the real service on one Quantower-style log and a loopback webhook (the
channel's default budget: the storm goes out grouped), and writes ``--rate`` error
lines a second for ``--minutes``, each for another symbol: the rule's dedup key is
connection + symbol, so every line is a distinct error and opens a dedup window (the
default 10 min: none closes during a 10-minute storm). Prints the daemon's RSS every
``--every`` seconds, then the final and peak RSS and its growth a minute over the
second half (least squares). Linux (/proc). With ``PYTHONPATH=MAIN``, from a directory
without a ``logwatch/`` of its own, it measures another version. The rules cache is
filled first by ``check`` with the same config, as on every start after the first
(``--cold``: not; the daemon loads the rules from their files).
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the test harness (tests/), after whatever PYTHONPATH puts first: a run paired against
# another checkout still imports that checkout's logwatch
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.daemon_run import Run
from tests.servers import Hook


def status_mb(pid: int, field: str) -> float:
    """A ``/proc/PID/status`` size (``VmRSS``, ``VmHWM``) in MB."""
    for row in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if row.startswith(field + ":"):
            return int(row.split()[1]) / 1024
    raise LookupError(field)


def slope(samples: list[tuple[float, float]]) -> float:
    """The least-squares growth of RSS in MB a minute over ``(seconds, MB)``."""
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    return 60 * cov / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=int, default=100, help="error lines a second")
    parser.add_argument("--every", type=float, default=30, help="seconds between RSS")
    parser.add_argument("--cold", action="store_true", help="no rules cache filled")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="logwatch-storm-bench-"))
    hook = Hook()  # the tests' loopback webhook
    folder = work / "logs"
    folder.mkdir()
    log = folder / "storm.log"
    log.write_bytes(b"start storm\n")
    config = (
        f"language: en\nstate_dir: {work / 'state'}\nsources:\n"
        f"  - name: storm\n    format: quantower\n    paths: ['{folder}/*.log']\n"
        f"channels:\n  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/a'\n"
    )
    env = {"LOGWATCH_CACHE_DIR": str(work / "c")}
    if not args.cold:
        # as any earlier start would have, with the run's own config (its state_dir
        # holds the key the cache is signed with)
        path = work / "config.yaml"
        path.write_text(config, encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "logwatch", "check", "--config", str(path)],
            env={**os.environ, **env},
            capture_output=True,
            check=True,
        )
    run = Run(work, config, env)  # the tests' own
    pid = run.proc.pid
    samples = [(0.0, status_mb(pid, "VmRSS"))]
    print(f"     0 s  {0:>7} lines  RSS {samples[0][1]:6.1f} MB", flush=True)
    per_tick = max(1, args.rate // 10)  # ten writes a second, as a busy logger does
    total_s = args.minutes * 60
    start = time.perf_counter()
    written = 0
    next_sample = args.every
    with log.open("ab") as fh:
        while (elapsed := time.perf_counter() - start) < total_s:
            due = int(elapsed * args.rate)
            if written < due:
                now = (
                    datetime.datetime.now(datetime.UTC)
                    .astimezone()
                    .strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
                )
                batch = b"".join(
                    f"{now} [Trading] Refuse (Binance Futures): Margin is "
                    f"insufficient. (S{n:08d}USDT)\n".encode()
                    for n in range(written, min(due, written + per_tick * 10))
                )
                fh.write(batch)
                fh.flush()
                written += batch.count(b"\n")
            if elapsed >= next_sample:
                samples.append((elapsed, status_mb(pid, "VmRSS")))
                print(
                    f"{elapsed:6.0f} s  {written:>7} lines  RSS {samples[-1][1]:6.1f} "
                    f"MB  webhook {len(hook.requests)} messages",
                    flush=True,
                )
                next_sample += args.every
            time.sleep(0.1)
    final = status_mb(pid, "VmRSS")
    peak = status_mb(pid, "VmHWM")
    samples.append((time.perf_counter() - start, final))
    # the second half: past the first grouped send (it reads up to 5,000 alerts)
    later = [s for s in samples if s[0] >= total_s / 2]
    print(
        f"{written} distinct error lines in {args.minutes:g} min ({args.rate}/s): "
        f"RSS {samples[0][1]:.1f} -> {final:.1f} MB, peak {peak:.1f} MB; "
        f"second half {slope(later):+.2f} MB/min; webhook "
        f"{len(hook.requests)} messages"
    )
    warned = [x.strip() for x in run.err if "[warning" in x or "[error" in x]
    print(
        f"daemon warnings and errors: {len(warned)}"
        + "".join(f"\n  {w[:150]}" for w in warned[:5])
    )
    stopping = time.perf_counter()
    run.proc.send_signal(signal.SIGTERM)
    code = run.proc.wait(
        timeout=120
    )  # not Run.stop's 2 s: after a storm it may take more
    print(f"exit {code} {time.perf_counter() - stopping:.1f} s after SIGTERM")
    hook.close()


if __name__ == "__main__":
    main()
