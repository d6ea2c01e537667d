"""What one save of following costs, by SQLite's ``synchronous`` setting.

    python bench/commit_bench.py [--commits 2000] [--rounds 5] [--dir DIR]

Each round commits, one transaction each, a file's offset ``--commits`` times (what
following saved per read before issue 23), once with ``synchronous=FULL`` and once with
``NORMAL`` (WAL both), in turn, on a fresh state file in ``--dir`` (a local disk: the
state's own). POSIX only (getrusage). Prints CPU (user + system of this process) and wall time per commit, the
medians over the rounds and the median of the per-round ratios NORMAL / FULL.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logwatch.core.clock import SystemClock
from logwatch.core.model import FileState
from logwatch.store import statefile
from logwatch.store.state import State


def cpu_s() -> float:
    """User + system CPU of this process (getrusage: microseconds, not 10 ms ticks)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(folder: Path, synchronous: str, commits: int) -> tuple[float, float]:
    """(CPU s, wall s) per commit of ``commits`` commits with ``synchronous``."""
    statefile.SYNCHRONOUS = synchronous
    path = folder / f"state-{synchronous}.db"
    state = State(path, SystemClock())
    entry = FileState(
        id="f1",
        fp_hash=b"h",
        fp_n=1,
        path="/logs/a.log",
        offset=0,
        marker=b"m",
        line=1,
        last_seen=0.0,
    )
    state.commit(files=[entry])
    cpu0, wall0 = cpu_s(), time.perf_counter()
    for offset in range(commits):
        state.commit(
            files=[
                FileState(
                    id="f1",
                    fp_hash=b"h",
                    fp_n=1,
                    path="/logs/a.log",
                    offset=offset,
                    marker=b"m",
                    line=1,
                    last_seen=0.0,
                )
            ]
        )
    cpu, wall = cpu_s() - cpu0, time.perf_counter() - wall0
    state.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return cpu / commits, wall / commits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="logwatch-commit-", dir=args.dir))
    folder.chmod(0o700)
    got: dict[str, list[tuple[float, float]]] = {"FULL": [], "NORMAL": []}
    try:
        for _ in range(args.rounds):
            for synchronous in got:
                got[synchronous].append(one(folder, synchronous, args.commits))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    med = statistics.median
    print(f"{args.commits} commits a round, {args.rounds} rounds, in {folder.parent}:")
    for synchronous, runs in got.items():
        print(
            f"  synchronous={synchronous:<6} CPU {med(c for c, _ in runs) * 1e6:7.1f} µs"
            f"  wall {med(w for _, w in runs) * 1e6:8.1f} µs per commit"
        )
    cpu = [n[0] / f[0] for n, f in zip(got["NORMAL"], got["FULL"], strict=True)]
    wall = [n[1] / f[1] for n, f in zip(got["NORMAL"], got["FULL"], strict=True)]
    print(
        f"NORMAL / FULL: CPU {med(cpu):.2f} (rounds {min(cpu):.2f}-{max(cpu):.2f}), "
        f"wall {med(wall):.2f} (rounds {min(wall):.2f}-{max(wall):.2f})"
    )


if __name__ == "__main__":
    main()
