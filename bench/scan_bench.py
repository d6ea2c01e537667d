"""Throughput of ``logwatch scan --json`` on a 1,000,000-line log, against fail2ban-regex.

Writes a reproducible NinjaTrader-style log (about 1 % error lines across several seed
errors), runs ``logwatch scan --json`` on it as a separate process, and prints lines/s
(as logwatch measures them inside the process), whole-process wall time and peak RSS.
When Debian's fail2ban package can be had (``apt-get download`` + ``dpkg -x``, the service
is never installed), runs ``fail2ban-regex`` with an equivalent filter on the same file and
prints the ratio and both hit counts. With ``--baseline DIR`` (a source tree of another
logwatch version, e.g. ``git archive <commit> | tar -x -C DIR``), runs that version's
scan on the same file too and prints this version's wall time as a ratio of it.

With ``--error-share 0.3`` (and ``--lines 100000``) it measures the work per hit: a log
in which 30 % of the lines are errors.

    python bench/scan_bench.py [--lines N] [--error-share F] [--workdir DIR]
                               [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: (message as Quantower prints it, how many of the 1 % error lines carry it)
ERRORS = (
    "Margin is insufficient. ({sym})",
    "Timestamp for this request is outside of the recvWindow.",
    "Invalid API-key, IP, or permissions for action, request ip: 178.151.{a}.{b}",
    "Order's notional must be no smaller than 5.0 (unless you choose reduce only) ({sym})",
    "Too many new orders.",
    "Balance is insufficient. ({sym})",
    "This listenKey does not exist.",
    "Signature for this request is not valid.",
)
NOISE = (
    "ADataFeeder8. Id={n}.StateChange SetDefaults",
    "Order '{n}' submitted: account='Sim101' instrument='{sym}' qty=1 type=Limit price={p}",
    "Connection status: Binance Futures, price status=Connected, order status=Connected",
    "Strategy 'Scalper/{n}': Entered internal SetState(Realtime)",
    "Bars series loaded: {sym} 1 Minute, {n} bars, from-date 2026-09-01",
    "Position updated: instrument='{sym}' account='Sim101' avgPrice={p} quantity={n}",
    "Order '{n}' filled: account='Sim101' qty=1 price={p} (rate limit margin 80%)",
)
SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ANKRUSDT", "DOGEUSDT")

FILTER = r"""[Definition]
failregex = ^\|\d+\|\d+\|Refuse \(<F-ID>[^)]+</F-ID>\): (?:Margin is insufficient|Timestamp for this request is outside of the recvWindow|Invalid API-key, IP, or permissions for action|Order's notional must be no smaller than|Too many new orders|Balance is insufficient|This listenKey does not exist|Signature for this request is not valid)
datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S:%%f
"""


def generate(
    path: Path, lines: int, seed: int = 20261124, error_share: float = 0.01
) -> int:
    """Write the bench log; return how many error lines it holds."""
    rnd = random.Random(seed)
    errors = 0
    t0 = 1_790_000_000.0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(lines):
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + i * 0.05))
            ms = i * 50 % 1000
            sym = rnd.choice(SYMBOLS)
            if rnd.random() < error_share:
                errors += 1
                msg = "Refuse (Binance Futures): " + rnd.choice(ERRORS).format(
                    sym=sym, a=rnd.randint(0, 255), b=rnd.randint(0, 255)
                )
                fh.write(f"{stamp}:{ms:03d}|0|4|{msg}\n")
            else:
                msg = rnd.choice(NOISE).format(
                    n=rnd.randint(1, 99999),
                    sym=sym,
                    p=round(rnd.uniform(0.1, 70000), 2),
                )
                fh.write(f"{stamp}:{ms:03d}|1|16|{msg}\n")
    return errors


def run(
    cmd: list[str], stdout: Path, env: dict[str, str] | None = None
) -> tuple[float, str]:
    """Run a command, its stdout to a file; return wall seconds and stderr."""
    with stdout.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.run(
            cmd, stdout=out, stderr=subprocess.PIPE, check=False, env=env
        )
        return time.perf_counter() - started, proc.stderr.decode("utf-8", "replace")


def peak_rss_mb(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Peak RSS of one run of ``cmd`` alone (a child of a fresh helper process)."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd],
        capture_output=True,
        check=True,
        env=env,
        text=True,
    )
    return int(out.stdout.strip()) / 1024


def fail2ban_regex(workdir: Path) -> list[str] | None:
    """A command that runs fail2ban-regex, from the system or an unpacked Debian package."""
    found = shutil.which("fail2ban-regex")
    if found:
        return [found]
    root = workdir / "fail2ban-root"
    script = root / "usr/bin/fail2ban-regex"
    if not script.exists():
        debs = list(workdir.glob("fail2ban_*.deb"))
        if not debs:
            got = subprocess.run(
                ["apt-get", "download", "fail2ban"],
                cwd=workdir,
                capture_output=True,
                check=False,
            )
            debs = list(workdir.glob("fail2ban_*.deb"))
            if got.returncode or not debs:
                return None
        subprocess.run(["dpkg", "-x", str(debs[0]), str(root)], check=True)
    site = next((root / "usr/lib/python3/dist-packages").glob("fail2ban"), None)
    if site is None:
        return None
    return [sys.executable, str(script)]


#: The prefilter's keywords of the first rules (the hand-written ones of the seed).
KEYWORDS_OF = (
    "from logwatch.match.engine import Engine; from logwatch.rulebook.ruleload import load_rules; "
    "print('\\n'.join(k.decode() for k in Engine(list(load_rules())[:{n}]).keywords))"
)


def grep_vs(log: Path, workdir: Path, wall: float, rules: int = 26) -> None:
    """The anchor for the prefilter: ``grep -F -i -f`` over the keywords of the first
    ``rules`` rules, its matching lines written to a file, on the same log."""
    grep = shutil.which("grep")
    if grep is None:
        print("grep: not available; no ratio")
        return
    keywords = workdir / f"keywords{rules}.txt"
    keywords.write_text(
        subprocess.run(
            [sys.executable, "-c", KEYWORDS_OF.format(n=rules)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    grep_wall, _ = run(
        [grep, "-F", "-i", "-f", str(keywords), str(log)], workdir / "grep.txt"
    )
    with (workdir / "grep.txt").open("rb") as fh:
        matched = sum(1 for _ in fh)
    print(
        f"grep -F -i -f ({len(keywords.read_text().split())} keywords of the first "
        f"{rules} rules): {matched} lines, wall {grep_wall:.2f} s; "
        f"ratio: logwatch wall = {wall / grep_wall:.1f} x grep's"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logwatch-bench"))
    parser.add_argument(
        "--error-share",
        type=float,
        default=0.01,
        help="share of the lines that are errors (0.01: the 1M bench's 1 %%)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="source tree of another logwatch to compare with (its PYTHONPATH)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    share = "" if args.error_share == 0.01 else f".e{args.error_share:g}"
    log = args.workdir / f"log.20260916.{args.lines:05d}{share}.txt"
    if not log.exists():
        errors = generate(log, args.lines, error_share=args.error_share)
        print(f"wrote {log} ({log.stat().st_size / 1e6:.1f} MB, {errors} error lines)")

    logwatch = [sys.executable, "-m", "logwatch", "scan", "--json", str(log)]
    wall, err = run(logwatch, args.workdir / "logwatch.jsonl")
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if args.baseline is not None:
        env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()))
        base_wall, base_err = run(logwatch, args.workdir / "baseline.jsonl", env)
        base_rss = peak_rss_mb(logwatch, env)
        base_rate = re.search(r"\(([\d,]+) lines/s\)", base_err)
        print(
            f"baseline ({args.baseline}): wall {base_wall:.2f} s, "
            f"{base_rate.group(1) if base_rate else '?'} lines/s in-process, "
            f"peak RSS {base_rss:.0f} MB"
        )
    hits = [
        json.loads(x)
        for x in (args.workdir / "logwatch.jsonl").read_text().splitlines()
    ]
    rate = re.search(r"\(([\d,]+) lines/s\)", err)
    print(
        f"logwatch scan --json: {len(hits)} hits, wall {wall:.2f} s, "
        f"{rate.group(1) if rate else '?'} lines/s in-process, peak RSS {rss_mb:.0f} MB"
    )
    if args.baseline is not None:
        print(f"ratio: this version's wall = {wall / base_wall:.2f} x the baseline's")

    grep_vs(log, args.workdir, wall)
    cmd = fail2ban_regex(args.workdir)
    if cmd is None:
        print(
            "fail2ban-regex: not available (apt-get download fail2ban failed); no ratio"
        )
        return
    filt = args.workdir / "seed.conf"
    filt.write_text(FILTER)
    env_site = str(
        next((args.workdir / "fail2ban-root").glob("usr/lib/python3/dist-packages"), "")
    )
    f2b_wall, f2b_out = run(
        ["env", f"PYTHONPATH={env_site}", *cmd, str(log), str(filt)],
        args.workdir / "f2b.txt",
    )
    report = (args.workdir / "f2b.txt").read_text() + f2b_out
    matched = re.search(r"Lines: \d+ lines, \d+ ignored, (\d+) matched", report)
    f2b_hits = int(matched.group(1)) if matched else -1
    seed_ids = {
        "binance.margin-insufficient",
        "binance.recv-window",
        "binance.invalid-api-key",
        "binance.min-notional",
        "binance.too-many-orders",
        "binance.balance-insufficient",
        "binance.listen-key-missing",
        "binance.invalid-signature",
    }
    ours = sum(1 for h in hits if h["rule"] in seed_ids)
    print(f"fail2ban-regex: {f2b_hits} matched, wall {f2b_wall:.2f} s")
    print(
        f"ratio: logwatch wall = 1/{f2b_wall / wall:.1f} of fail2ban-regex's; "
        f"same hits: {ours == f2b_hits} ({ours} vs {f2b_hits})"
    )


if __name__ == "__main__":
    main()
