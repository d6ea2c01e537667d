"""``logwatch scan --json`` on 2 KB JSON lines (a Quantower ``.slog``), against grep.

Writes a reproducible Serilog compact-JSON log in the shape Quantower's ``.slog`` files
are described to have (``@t``, ``@mt`` with its properties, ``@l``, a ``Connection``;
see the research notes on trading logs): lines of about 2 KB, about 1 % of them the seed
errors as Quantower refuses them, the rest order, position and market-data events with
a large ``State`` property. Runs ``logwatch scan --json`` on it as a separate process
and ``grep -F -i -f`` over the prefilter's keywords of the first 26 rules, its matching
lines written to a file, and prints both hit counts and the wall-time ratio.

    python bench/json_bench.py [--lines N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scan_bench import ERRORS, KEYWORDS_OF, SYMBOLS, run

#: The line size the bench aims at (bytes, without the newline).
LINE_BYTES = 2048
NOISE = (
    ("Order {OrderId} placed: {Side} {Quantity} {Symbol} @ {Price}", "Information"),
    ("Position {Symbol} updated: {Quantity} @ {Price}", "Information"),
    ("Quote {Symbol}: bid {Bid} ask {Ask}", "Verbose"),
    ("Strategy {Strategy} state {StrategyState}", "Debug"),
)


def _state(rnd: random.Random, size: int) -> list[dict[str, object]]:
    """An order book snapshot of about ``size`` bytes: the bulk of a .slog line."""
    return [
        {
            "Price": round(rnd.uniform(10, 70000), 2),
            "Size": round(rnd.uniform(0.001, 50), 3),
            "Orders": rnd.randint(10, 40),
        }
        for _ in range(max(size, 0) // 48)  # one level: about 48 bytes of JSON
    ]


def line(rnd: random.Random, i: int, error: bool) -> str:
    """One JSON line of about LINE_BYTES."""
    t0 = 1_790_000_000.0
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + i * 0.05))
    obj: dict[str, object] = {"@t": f"{stamp}.{i * 50 % 1000:03d}+03:00"}
    sym = rnd.choice(SYMBOLS)
    if error:
        text = rnd.choice(ERRORS).format(
            sym=sym, a=rnd.randint(0, 255), b=rnd.randint(0, 255)
        )
        obj.update(
            {
                "@mt": "Refuse ({Connection}): {Text}",
                "@l": "Error",
                "Connection": "Binance Futures",
                "Text": text,
            }
        )
    else:
        template, level = rnd.choice(NOISE)
        obj.update(
            {
                "@mt": template,
                "@l": level,
                "Connection": "Binance Futures",
                "OrderId": rnd.randint(1, 10**9),
                "Side": rnd.choice(("Buy", "Sell")),
                "Quantity": rnd.randint(1, 100),
                "Symbol": sym,
                "Price": round(rnd.uniform(0.1, 70000), 2),
                "Bid": round(rnd.uniform(0.1, 70000), 2),
                "Ask": round(rnd.uniform(0.1, 70000), 2),
                "Strategy": f"Scalper/{rnd.randint(1, 99999)}",
                "StrategyState": "Realtime",
            }
        )
    body = json.dumps(obj, ensure_ascii=False)
    obj["State"] = _state(rnd, LINE_BYTES - len(body) - 40)
    return json.dumps(obj, ensure_ascii=False)


def generate(path: Path, lines: int, seed: int = 20261130) -> int:
    """Write the bench log; return how many error lines it holds."""
    rnd = random.Random(seed)
    errors = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(lines):
            error = rnd.random() < 0.01
            errors += error
            fh.write(line(rnd, i, error) + "\n")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logwatch-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"{args.lines:06d}" / "20260916.slog"
    if not log.exists():
        log.parent.mkdir(parents=True, exist_ok=True)
        errors = generate(log, args.lines)
        print(f"wrote {log} ({log.stat().st_size / 1e6:.1f} MB, {errors} error lines)")

    logwatch = [sys.executable, "-m", "logwatch", "scan", "--json", str(log)]
    wall, err = run(logwatch, args.workdir / "json-logwatch.jsonl")
    hits = (args.workdir / "json-logwatch.jsonl").read_text().splitlines()
    rate = re.search(r"\(([\d,]+) lines/s\)", err)
    print(
        f"logwatch scan --json: {len(hits)} hits, wall {wall:.2f} s, "
        f"{rate.group(1) if rate else '?'} lines/s in-process"
    )
    grep = shutil.which("grep")
    if grep is None:
        print("grep: not available; no ratio")
        return
    keywords = args.workdir / "keywords26.txt"
    keywords.write_text(
        subprocess.run(
            [sys.executable, "-c", KEYWORDS_OF.format(n=26)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    grep_wall, _ = run(
        [grep, "-F", "-i", "-f", str(keywords), str(log)],
        args.workdir / "json-grep.txt",
    )
    with (args.workdir / "json-grep.txt").open("rb") as fh:
        matched = sum(1 for _ in fh)
    print(
        f"grep -F -i -f (keywords of the first 26 rules): {matched} lines, "
        f"wall {grep_wall:.2f} s"
    )
    print(
        f"ratio: logwatch wall = {wall / grep_wall:.1f} x grep's; "
        f"same hits: {len(hits) == matched} ({len(hits)} vs {matched})"
    )


if __name__ == "__main__":
    main()
