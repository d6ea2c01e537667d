"""Figures for ``logwatch scan --follow``: latency, idle CPU, throughput, torture.

    python bench/follow_bench.py [latency] [idle] [throughput] [torture] [--idle-seconds 60]

- latency: a line written -> its hit printed, p50/p99, with native events and with
  --force-polling (poll interval 1 s); 200 lines at random 20-100 ms gaps.
- idle: CPU of the logwatch process over --idle-seconds with 3 followed directories.
- throughput: a writer appends at 50 MB/s for 10 s (1 % hit lines), renaming the file
  every 50 MB (9 generations kept); prints whether every hit arrived, the lag after the
  writer stopped, CPU time and peak RSS.
- torture: a writer at >= 10,000 lines/s rotating every 0.1-0.4 s by rename, copytruncate
  and new daily files (9 generations kept), lines written in pieces, CRLF and Cyrillic
  mixed in; every line must be printed exactly once; then again with 4 SIGKILL restarts,
  every line at least once.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# the test harness (tests/), after whatever PYTHONPATH puts first: a run paired against
# another checkout still imports that checkout's logwatch
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.follow_harness import FollowProcess

_WRITTEN = re.compile(r" t=(\d+)")


class Follow:
    """A logwatch scan --follow process (the tests' own); records (n, t_written_ns,
    t_received_ns) of each line it prints."""

    def __init__(self, work: Path, patterns: list[str], *extra: str) -> None:
        self.got: list[tuple[int, int, int]] = []
        self.process = FollowProcess(
            work, patterns, self._hit, *extra, poll_interval=None, ready_s=30
        )
        self.proc = self.process.proc

    def _hit(self, hit: dict[str, Any]) -> None:
        now = time.monotonic_ns()
        written = _WRITTEN.search(hit["text"])
        if written is not None:
            self.got.append((int(hit["captures"]["n"]), int(written.group(1)), now))

    def cpu_s(self) -> float:
        fields = (
            Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        )
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for row in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
        return 0.0

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if sig == signal.SIGKILL:
            self.process.kill()
        else:
            self.process.stop(timeout=10)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len({n for n, _, _ in self.got}) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len({n for n, _, _ in self.got}) >= count


def text_line(n: int, extra: str = "") -> bytes:
    return f"LINE {n} t={time.monotonic_ns()} {extra}\n".encode()


def latency(work: Path) -> None:
    rnd = random.Random(7)
    for mode, extra in (("native events", ()), ("polling, 1 s", ("--force-polling",))):
        shutil.rmtree(work / "lat", ignore_errors=True)
        (work / "lat").mkdir(parents=True)
        log = work / "lat" / "app.log"
        proc = Follow(work, [str(work / "lat" / "*.log")], *extra)
        for n in range(200):
            with log.open("ab") as fh:
                fh.write(text_line(n))
            time.sleep(rnd.uniform(0.02, 0.1))
        proc.wait_for(200, 10)
        proc.stop()
        ms = sorted((r - w) / 1e6 for _, w, r in proc.got)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"latency, {mode}: {len(ms)} lines, p50 {statistics.median(ms):.1f} ms, "
            f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
        )


def idle(work: Path, seconds: float) -> None:
    dirs = [work / f"idle{i}" for i in range(3)]
    for i, d in enumerate(dirs):
        d.mkdir(parents=True, exist_ok=True)
        (d / "app.log").write_bytes(
            b"2026-11-24 12:00:00,000 - %d - INFO - start\n" % i * 100
        )
    proc = Follow(work, [str(d / "*.log") for d in dirs])
    time.sleep(10)  # measure the steady state, not start-up
    before = proc.cpu_s()
    time.sleep(seconds)
    used = proc.cpu_s() - before
    print(
        f"idle: 3 directories, {seconds:.0f} s: {used * 1000:.0f} ms CPU = "
        f"{100 * used / seconds:.3f} % of one core; peak RSS {proc.peak_rss_mb():.0f} MB"
    )
    proc.stop()


def throughput(work: Path, mb_per_s: float = 50, seconds: float = 10) -> None:
    d = work / "tp"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    log = d / "app.log"
    proc = Follow(work, [str(d / "app.log*")])
    filler = (
        b"2026-11-24 12:00:00,000 - bot - INFO - order book update BTCUSDT 97000.5 x\n"
    )
    per_tick = int(mb_per_s * 1e6 / 100)  # bytes every 10 ms
    hits, written, since_rotation = 0, 0, 0
    start = time.monotonic()
    fh = log.open("ab")
    while time.monotonic() - start < seconds:
        chunk = bytearray()
        while len(chunk) < per_tick:
            chunk += filler * 99 + text_line(hits)
            hits += 1
        fh.write(chunk)
        fh.flush()
        written += len(chunk)
        since_rotation += len(chunk)
        if since_rotation >= 50e6:
            fh.close()
            for k in range(8, 0, -1):
                if (d / f"app.log.{k}").exists():
                    (d / f"app.log.{k}").rename(d / f"app.log.{k + 1}")
            log.rename(d / "app.log.1")
            fh = log.open("ab")
            since_rotation = 0
        time.sleep(max(0.0, start + written / (mb_per_s * 1e6) - time.monotonic()))
    fh.close()
    wrote_s = time.monotonic() - start
    ok = proc.wait_for(hits, 60)
    lag = (max(r for _, _, r in proc.got) / 1e9 - (start + wrote_s)) if proc.got else -1
    rate = written / 1e6 / wrote_s
    print(
        f"throughput: wrote {written / 1e6:.0f} MB at {rate:.0f} MB/s with rotations; "
        f"all {hits} hits: {ok}; lag after the writer stopped {lag:.2f} s; "
        f"CPU {proc.cpu_s():.1f} s; peak RSS {proc.peak_rss_mb():.0f} MB"
    )
    proc.stop()


def torture(work: Path, seconds: float = 8, kills: int = 0) -> None:
    d = work / f"torture{kills}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    state = ("--state", str(d / "state.db"), "--poll-interval", "0.25")
    patterns = [str(d / "app.log*"), str(d / "daily-*.log")]
    procs = [Follow(work, patterns, *state)]
    rnd = random.Random(kills)
    n, start, next_rotation, day = 0, time.monotonic(), 0.0, 0
    kill_at = sorted(rnd.uniform(1, seconds - 1) for _ in range(kills))
    log = d / "app.log"
    while time.monotonic() - start < seconds:
        elapsed = time.monotonic() - start
        if kill_at and elapsed >= kill_at[0]:
            kill_at.pop(0)
            procs[-1].stop(signal.SIGKILL)
            procs.append(Follow(work, patterns, *state))
        with log.open("ab") as fh:
            for _ in range(100):
                data = text_line(n, "журнал" if n % 5 == 0 else "x")
                if n % 7 == 0:
                    data = data.replace(b"\n", b"\r\n")
                if n % 11 == 0:  # written in two pieces
                    fh.write(data[:9])
                    fh.flush()
                    data = data[9:]
                fh.write(data)
                n += 1
        if elapsed >= next_rotation:
            next_rotation = elapsed + rnd.uniform(0.1, 0.4)
            how = rnd.choice(["rename", "copytruncate", "daily"])
            if how == "daily":
                log = d / f"daily-{day:04d}.log"
                day += 1
                old = sorted(d.glob("daily-*.log"))
                if len(old) > 9:
                    old[0].unlink()
            else:
                log = d / "app.log"
                if (d / "app.log.9").exists():
                    (d / "app.log.9").unlink()
                for k in range(8, 0, -1):
                    if (d / f"app.log.{k}").exists():
                        (d / f"app.log.{k}").rename(d / f"app.log.{k + 1}")
                if log.exists():
                    if how == "rename":
                        log.rename(d / "app.log.1")
                    else:
                        shutil.copyfile(log, d / "app.log.1")
                        os.truncate(log, 0)
        time.sleep(0.005)
    rate = n / (time.monotonic() - start)
    last = procs[-1]
    complete = last.wait_for(0, 0) or True
    deadline = time.monotonic() + 30
    seen: list[int] = []
    while time.monotonic() < deadline:
        seen = [x for p in procs for x, _, _ in p.got]
        if len(set(seen)) >= n:
            break
        time.sleep(0.05)
    last.stop()
    missing = n - len(set(seen))
    repeats = len(seen) - len(set(seen))
    verdict = (missing == 0 and repeats == 0) if kills == 0 else missing == 0
    print(
        f"torture, {kills} SIGKILL restarts: {n} lines at {rate:,.0f} lines/s, "
        f"rotations every 0.1-0.4 s; missing {missing}, printed twice {repeats}: "
        f"{'OK' if verdict and complete else 'FAILED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", nargs="*", default=["latency", "idle", "throughput", "torture"]
    )
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="logwatch-follow-bench-"))
    try:
        if "latency" in args.what:
            latency(work)
        if "idle" in args.what:
            idle(work, args.idle_seconds)
        if "throughput" in args.what:
            throughput(work)
        if "torture" in args.what:
            torture(work, kills=0)
            torture(work, kills=4)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
