"""The evidence corpus (tests/corpus/) per exchange, as a Markdown table.

Runs every line through the recognition ``logwatch scan --json`` uses (each line is
its own file; see tests/corpus_check.py) and prints, per expected exchange or
platform: error lines, recognised (any alert), right exchange (an alert naming the
expected exchange, or naming none when the line names none), wrong exchange (an
alert naming another exchange) and false alarms (benign lines that raised an alert,
counted against the exchange the alert names; ``(none)`` when it names none).

    python bench/corpus_report.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus_check import CORPUS, Outcome, entries, scan_entries  # noqa: E402

COLUMNS = ("lines", "recognised", "right exchange", "wrong exchange", "false alarms")


def table(outcomes: list[Outcome]) -> str:
    """The per-exchange Markdown table, with a total row."""
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    for o in outcomes:
        if o.entry.kind == "benign":
            for name in sorted(o.named) or (["(none)"] if o.alerts else []):
                rows[name][4] += 1
            continue
        row = rows[o.entry.exchange or "(none named)"]
        row[0] += 1
        row[1] += o.recognised
        row[2] += o.right
        row[3] += o.wrong
    total = [sum(r[i] for r in rows.values()) for i in range(len(COLUMNS))]
    benign = sum(o.entry.kind == "benign" for o in outcomes)
    out = [
        "| exchange | " + " | ".join(COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for name in sorted(rows, key=lambda n: (-rows[n][0], n)):
        out.append(f"| {name} | " + " | ".join(str(v) for v in rows[name]) + " |")
    share = f"{100 * total[2] / total[0]:.1f} %" if total[0] else "-"
    out.append(
        "| **total** | "
        + " | ".join(f"**{v}**" for v in total)
        + f" |\n\nRight exchange: {total[2]} of {total[0]} error lines ({share}); "
        f"false alarms: {total[4]} of {benign} benign lines."
    )
    return "\n".join(out) + "\n"


def main() -> None:
    """Print the table for the corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = scan_entries(entries(args.corpus), Path(tmp))
    sys.stdout.write(table(outcomes))


if __name__ == "__main__":
    main()
