"""Issue 19's figure on ccxt's own maps: the share of a sample of every ccxt
exchange's table (rules/ccxt, as the catalogue loads it; see tests/ccxt_maps.py)
whose line names the right exchange, each entry printed as a traceback's last line
and as freqtrade logs ccxt's message; and the share whose alert is the entry's own
rule (its code's or text's, not only its exchange's).

    python bench/ccxt_maps_bench.py [--per-exchange N] [--misses N]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tests.ccxt_maps as maps  # noqa: E402
from logwatch.match.engine import Engine  # noqa: E402
from logwatch.rulebook.ruleload import load_rules  # noqa: E402


def main() -> None:
    """Print the figure per print and in all."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-exchange", type=int, default=maps.PER_EXCHANGE)
    parser.add_argument("--misses", type=int, default=10)
    args = parser.parse_args()
    maps.PER_EXCHANGE = args.per_exchange
    rules = load_rules()
    engine = Engine(rules)
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    own: Counter[str] = Counter()
    missed: list[str] = []
    listed = list(maps.samples(rules.catalogue))
    for s in listed:
        total[s.form] += 1
        hits = maps.hits_of(engine, s.line)
        if hits and all(h.exchange == s.exchange for h in hits):
            right[s.form] += 1
            own[s.form] += hits[0].rule_id == s.entry.rule_id
        else:
            missed.append(f"{s.form}: {s.line[-140:]} -> {[h.rule_id for h in hits]}")
    exchanges = len({s.exchange for s in listed})
    print(f"{exchanges} exchanges, {len(listed)} lines")
    for form in [*maps.PRINTS, "all"]:
        t = sum(total.values()) if form == "all" else total[form]
        r = sum(right.values()) if form == "all" else right[form]
        o = sum(own.values()) if form == "all" else own[form]
        print(
            f"{form}: right exchange {r} of {t} ({100 * r / t:.1f} %); "
            f"the entry's own rule {o} ({100 * o / t:.1f} %)"
        )
    for line in missed[: args.misses]:
        print("missed", line)


if __name__ == "__main__":
    main()
