"""Start to READY of ``logwatch run``, paired: this tree against another, in turn.

    python bench/ready_bench.py [--runs 8] [--vs MAIN] [--files 10 1000 5000]
                                [--console-only]

Starts ``python -m logwatch run`` on the daemon bench's kind of config (one source per
log format, a JSON webhook and the console; ``--console-only``: the console alone)
under a NOTIFY_SOCKET, and takes, at the moment READY=1 arrives, the wall time since
the start, the daemon's CPU time (user + system, from /proc) and its RSS. With ``--vs
MAIN`` (a source tree: ``git archive <commit> | tar -x -C MAIN``, then ``python -m
compileall -q MAIN``) the two run in turn, A B A B …, and the ratios are taken pair by
pair. CPU at READY is far less noisy than wall time on a shared machine. Each run has
a rules cache of its own, filled first by ``check`` with the same config, as on every
start after the first. With ``--files N …`` one more source follows a folder of N quiet
files (``bot0000.log`` …, each its own first line); the counts run in turn too, and
each count's CPU is given over the first count's, pair by pair; with ``--vs MAIN`` too,
each count runs A B in turn and the ratios are taken per count. Linux only (/proc,
NOTIFY_SOCKET).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = str(Path(__file__).resolve().parent.parent)
FORMATS = ("quantower", "metatrader", "ninjatrader", "python", "json", "generic")


@dataclass(frozen=True)
class Ready:
    wall: float
    cpu: float
    rss_mb: float


def config(work: Path, files: int = 0, console_only: bool = False) -> Path:
    sources = ""
    for fmt in FORMATS:
        (work / fmt).mkdir()
        (work / fmt / "a.log").write_bytes(f"start {fmt}\n".encode())
        sources += (
            f"  - name: {fmt}\n    format: {fmt}\n    paths: ['{work / fmt}/a*']\n"
        )
    if files:
        quiet = work / "quiet"
        quiet.mkdir()
        for i in range(files):
            (quiet / f"bot{i:04d}.log").write_bytes(f"start bot{i:04d}\n".encode())
        sources += (
            f"  - name: quiet\n    format: generic\n    paths: ['{quiet}/*.log']\n"
        )
    path = work / "c.yaml"
    path.write_text(
        f"language: en\nstate_dir: {work / 'state'}\nsources:\n{sources}"
        "channels:\n"
        + ("" if console_only else "  - name: hook\n    url: 'json://127.0.0.1:9/a'\n")
        + "  - name: console\n    url: 'console://'\n"
    )
    return path


def once(tree: str, files: int = 0, console_only: bool = False) -> Ready:
    work = Path(tempfile.mkdtemp(prefix="logwatch-ready-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": tree,
        "HOME": str(work),
        "LOGWATCH_CACHE_DIR": str(work / "cache"),
        "NOTIFY_SOCKET": str(work / "notify"),
    }
    path = config(work, files, console_only)
    # fills the rules cache, as any earlier start would have: with the run's own
    # config, whose state_dir holds the key the cache is signed with (a scan without
    # it signs with another key, and the daemon then loads the rules from their files)
    filled = subprocess.run(
        [sys.executable, "-m", "logwatch", "check", "--config", str(path)],
        env=env,
        capture_output=True,
        check=False,
        cwd="/",
    )
    assert filled.returncode == 0, filled.stderr
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(env["NOTIFY_SOCKET"])
        notify.settimeout(300)  # 5,000 files on a loaded machine
        started = os.times().elapsed
        proc = subprocess.Popen(
            [sys.executable, "-m", "logwatch", "run", "--config", str(path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
        )
        try:
            while not notify.recv(256).startswith(b"READY=1"):
                pass
            wall = os.times().elapsed - started
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1]
            user, system = (int(f) for f in fields.split()[11:13])
            status = Path(f"/proc/{proc.pid}/status").read_text().splitlines()
            rss = next(int(r.split()[1]) for r in status if r.startswith("VmRSS:"))
        finally:
            proc.terminate()
            proc.wait(10)
    shutil.rmtree(work, ignore_errors=True)
    return Ready(wall, (user + system) / os.sysconf("SC_CLK_TCK"), rss / 1024)


def channels(console_only: bool) -> str:
    """The channels a run's config has, for the label of its figures."""
    return "console only" if console_only else "webhook + console"


def describe(name: str, runs: list[Ready]) -> str:
    def spread(values: list[float], unit: str) -> str:
        return (
            f"{statistics.median(values):.3f} {unit} "
            f"({min(values):.3f}–{max(values):.3f})"
        )

    return (
        f"{name}: wall {spread([r.wall for r in runs], 's')}, "
        f"CPU {spread([r.cpu for r in runs], 's')}, "
        f"RSS {spread([r.rss_mb for r in runs], 'MB')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--vs", help="a source tree to pair against")
    parser.add_argument(
        "--files",
        type=int,
        nargs="+",
        help="also follow N quiet files (each N in turn)",
    )
    parser.add_argument(
        "--console-only",
        action="store_true",
        help="no webhook: the console channel alone (the zero-config default's)",
    )
    args = parser.parse_args()
    sent = channels(args.console_only)
    if args.files and args.vs:
        paired: dict[tuple[str, int], list[Ready]] = {
            (tree, n): [] for tree in (HERE, args.vs) for n in args.files
        }
        for _ in range(args.runs):
            for n in args.files:
                for tree in (HERE, args.vs):
                    paired[tree, n].append(once(tree, n, args.console_only))
        for n in args.files:
            mine, theirs = paired[HERE, n], paired[args.vs, n]
            print(describe(f"{n} quiet files + 6, {sent}, {HERE}", mine))
            print(describe(f"{n} quiet files + 6, {sent}, {args.vs}", theirs))
            cpu = statistics.median(
                a.cpu / b.cpu for a, b in zip(mine, theirs, strict=True)
            )
            wall = statistics.median(
                a.wall / b.wall for a, b in zip(mine, theirs, strict=True)
            )
            print(f"  A/B median of {args.runs} pairs: CPU {cpu:.3f}, wall {wall:.3f}")
        return
    if args.files:
        counts: dict[int, list[Ready]] = {n: [] for n in args.files}
        for _ in range(args.runs):
            for n in args.files:
                counts[n].append(once(HERE, n, args.console_only))
        first = args.files[0]
        for n, runs in counts.items():
            ratio = statistics.median(
                a.cpu / b.cpu for a, b in zip(runs, counts[first], strict=True)
            )
            print(
                describe(f"{n} quiet files + 6, {sent}", runs)
                + f"; CPU over {first} files' {ratio:.2f}"
            )
        return
    trees = [HERE] + ([args.vs] if args.vs else [])
    results: dict[str, list[Ready]] = {tree: [] for tree in trees}
    for _ in range(args.runs):
        for tree in trees:
            results[tree].append(once(tree, console_only=args.console_only))
    for tree in trees:
        print(describe(f"6 sources, {sent}, {tree}", results[tree]))
    if args.vs:
        mine, theirs = results[HERE], results[args.vs]
        wall = statistics.median(
            a.wall / b.wall for a, b in zip(mine, theirs, strict=True)
        )
        cpu = statistics.median(
            a.cpu / b.cpu for a, b in zip(mine, theirs, strict=True)
        )
        print(f"A/B median of {args.runs} pairs: wall {wall:.3f}, CPU {cpu:.3f}")


if __name__ == "__main__":
    main()
