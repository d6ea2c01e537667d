"""Decode cost of legacy code pages: ``logwatch scan --json`` CPU on three 1M-line logs.

The scan bench's log (``scan_bench.generate``, ASCII), the same with a Russian phrase on
every line in UTF-8, and the same in cp1251 (each line read in the fallback code page).
Prints the CPU seconds (user + system) of each scan, as a separate process; with
``--baseline DIR`` (a source tree of another logwatch version) runs that version on the
same files in the same run and prints the ratio. Each version keeps its own rules cache
(two versions sharing one would rebuild it at every turn), warmed by a first run.

    python bench/codepage_bench.py [--lines N] [--workdir DIR] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_bench import generate  # a script beside this one

PHRASE = " | Ордер принят, ожидание исполнения"


def variants(workdir: Path, lines: int) -> dict[str, Path]:
    """The three logs, written once."""
    ascii_log = workdir / f"log.20260916.{lines:05d}.txt"
    if not ascii_log.exists():
        generate(ascii_log, lines)
    out = {"ascii": ascii_log}
    for name, encoding in (("utf-8", "utf-8"), ("cp1251", "cp1251")):
        path = workdir / f"log.20260916.{lines:05d}.ru-{name}.txt"
        if not path.exists():
            with (
                ascii_log.open(encoding="utf-8") as src,
                path.open("w", encoding=encoding, newline="\n") as dst,
            ):
                for line in src:
                    dst.write(line.rstrip("\n") + PHRASE + "\n")
        out[name] = path
    return out


def cpu_of(log: Path, env: dict[str, str] | None) -> tuple[float, str]:
    """CPU seconds of one ``scan --json`` and its in-process lines/s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-m", "logwatch", "scan", "--json", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rate = re.search(r"\(([\d,]+) lines/s\)", proc.stderr.decode("utf-8", "replace"))
    return cpu, rate.group(1) if rate else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logwatch-bench"))
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    this_env = dict(os.environ, LOGWATCH_CACHE_DIR=str(args.workdir / "cache-this"))
    base_env = (
        dict(
            os.environ,
            PYTHONPATH=str(args.baseline.resolve()),
            LOGWATCH_CACHE_DIR=str(args.workdir / "cache-baseline"),
        )
        if args.baseline
        else None
    )
    logs = variants(args.workdir, args.lines)
    for env in (this_env, base_env):  # warm each rules cache
        if env is not None:
            cpu_of(logs["ascii"], env)
    for name, log in logs.items():
        for _ in range(args.repeat):
            cpu, rate = cpu_of(log, this_env)
            line = f"{name:7} this: CPU {cpu:6.2f} s, {rate:>9} lines/s"
            if base_env is not None:
                base_cpu, base_rate = cpu_of(log, base_env)
                line += (
                    f" | baseline: CPU {base_cpu:6.2f} s, {base_rate:>9} lines/s"
                    f" | ratio {cpu / base_cpu:.2f}"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
