"""The evidence corpus (tests/corpus/) through logwatch's own recognition, as
``logwatch scan --json`` runs it: each line is its own file, read and fed to a
``Stream`` over the shipped rules, its hits rendered by ``Report`` as JSON. Shared by
tests/test_corpus.py and bench/corpus_report.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logwatch.app.report import Report
from logwatch.match.engine import Engine
from logwatch.match.stream import Stream
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import RuleSet

CORPUS = Path(__file__).with_name("corpus")
#: Exchange ids as the corpus and the catalogue spell them (lower-case ccxt ids) and
#: platform ids; an alert names one when its ``exchange`` field or its rule prefix is
#: such an id.
PLATFORMS = frozenset({"mt4", "mt5", "ninjatrader", "quantower", "ib"})
#: Rule prefixes that name no exchange (logwatch itself, bot-level rules).
#: rule prefixes that name no exchange: logwatch's own, bots', and the recognizer's
#: ``error.<category>`` for an error of no named exchange
NEUTRAL_PREFIXES = frozenset(
    {"logwatch", "freqtrade", "hummingbot", "generic", "error", "copier"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One corpus record: a line as printed, where it was seen, what it should give."""

    kind: str  # "errors" or "benign"
    file: str
    number: int
    line: str
    source: str
    exchange: str | None
    category: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What logwatch alerted for one entry, and the exchanges those alerts name."""

    entry: Entry
    alerts: tuple[dict[str, Any], ...]
    named: frozenset[str]

    @property
    def recognised(self) -> bool:
        """An error line raised at least one alert."""
        return bool(self.alerts)

    @property
    def right(self) -> bool:
        """Recognised, and naming the expected exchange (or none, when none is)."""
        if not self.alerts:
            return False
        if self.entry.exchange is None:
            return not self.named
        return self.entry.exchange in self.named

    @property
    def wrong(self) -> bool:
        """An alert names an exchange other than the expected one."""
        return bool(self.named - {self.entry.exchange})


def entries(root: Path = CORPUS) -> Iterator[Entry]:
    """Every record of every ``errors/*.jsonl`` and ``benign/*.jsonl`` file."""
    for kind in ("errors", "benign"):
        for path in sorted((root / kind).glob("*.jsonl")):
            text = path.read_text(encoding="utf-8")
            for number, row in enumerate(text.splitlines(), start=1):
                if not row.strip():
                    continue
                rec = json.loads(row)
                yield Entry(
                    kind=kind,
                    file=f"{kind}/{path.name}",
                    number=number,
                    line=rec["line"],
                    source=rec["source"],
                    exchange=rec.get("exchange"),
                    category=rec.get("category"),
                )


def shipped_rules() -> RuleSet:
    """The rules ``logwatch scan`` loads with no ``--rules``."""
    return load_rules([])


def _named(alert: dict[str, Any], ids: frozenset[str]) -> str | None:
    exchange = alert.get("exchange")
    if isinstance(exchange, str) and exchange:
        return None if exchange.lower() in NEUTRAL_PREFIXES else exchange.lower()
    prefix = str(alert["rule"]).split(".", 1)[0].lower()
    if prefix in NEUTRAL_PREFIXES:
        return None
    return prefix if prefix in ids else None


def scan_entries(
    items: Iterable[Entry], workdir: Path, rules: RuleSet | None = None
) -> list[Outcome]:
    """Each entry written to its own file under ``workdir`` and scanned as
    ``logwatch scan --json`` scans a file."""
    rules = rules if rules is not None else shipped_rules()
    engine = Engine(rules)
    report = Report("en", True, rules)
    listed = list(items)
    ids = PLATFORMS | {e.exchange for e in listed if e.exchange}
    ids |= {str(r.id).split(".", 1)[0] for r in rules} - NEUTRAL_PREFIXES
    outcomes = []
    for i, entry in enumerate(listed):
        path = workdir / f"{i:05d}.log"
        path.write_text(entry.line + "\n", encoding="utf-8")
        stream = Stream(engine, str(path))
        printed = report.add(stream.feed(path.read_bytes()))
        printed += report.add(stream.flush())
        alerts = tuple(json.loads(row) for row in printed.splitlines() if row)
        named = frozenset(n for a in alerts if (n := _named(a, ids)) is not None)
        outcomes.append(Outcome(entry, alerts, named))
    return outcomes
