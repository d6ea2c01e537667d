"""The evidence corpus (tests/corpus/): real log lines, each scanned as ``logwatch scan
--json`` scans a file. Benign lines raise nothing; error lines are recognised and
attributed to the exchange that printed them. The corpus is evidence to measure with,
not a list to tune rules to line by line (tests/corpus/README.md).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.corpus_check import CORPUS, Entry, Outcome, entries, scan_entries

#: Categories a record may expect: the catalogue's, and those issue 19 adds.
NEW_CATEGORIES = frozenset(
    {
        "nonce",
        "maintenance",
        "market_closed",
        "order_not_found",
        "position",
        "account_restricted",
        "connection_lost",
        "not_supported",
        "duplicate_order",
    }
)
CATALOGUE = Path(__file__).parent.parent / "rules" / "catalogue.yaml"
#: Share of the error lines that must be recognised with the right exchange.
RIGHT_EXCHANGE_SHARE = 0.95
_ID = re.compile(r"[a-z0-9]++")

ENTRIES = list(entries())


def _categories() -> frozenset[str]:
    doc = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return frozenset(doc["categories"]) | NEW_CATEGORIES


@pytest.fixture(scope="module", name="outcomes")
def _outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    return scan_entries(ENTRIES, tmp_path_factory.mktemp("corpus"))


def _where(entry: Entry) -> str:
    return f"{entry.file}:{entry.number}: {entry.line[:120]}"


class TestRecords:
    def test_every_record_says_where_it_was_seen_and_what_it_expects(self) -> None:
        categories = _categories()
        problems = [
            _where(e)
            for e in ENTRIES
            if not e.line.strip()
            or not e.source.startswith("https://")
            or (e.exchange is not None and not _ID.fullmatch(e.exchange))
            or (e.category is not None and e.category not in categories)
            or (e.kind == "benign" and e.exchange is not None)
        ]
        assert problems == []

    def test_no_line_is_recorded_twice(self) -> None:
        counts = Counter((e.kind, e.line) for e in ENTRIES)
        assert [line for line, n in counts.items() if n > 1] == []

    def test_corpus_is_large_and_broad(self) -> None:
        errors = [e for e in ENTRIES if e.kind == "errors"]
        benign = [e for e in ENTRIES if e.kind == "benign"]
        exchanges = {e.exchange for e in errors if e.exchange}
        assert len(errors) >= 400
        assert len(benign) >= 200
        assert len(exchanges) >= 20


def test_benign_lines_raise_nothing(outcomes: list[Outcome]) -> None:
    alarms = [
        f"{_where(o.entry)} -> {[a['rule'] for a in o.alerts]}"
        for o in outcomes
        if o.entry.kind == "benign" and o.alerts
    ]
    assert alarms == []


def test_error_lines_are_recognised_with_the_right_exchange(
    outcomes: list[Outcome],
) -> None:
    errors = [o for o in outcomes if o.entry.kind == "errors"]
    right = sum(o.right for o in errors)
    missed = [_where(o.entry) for o in errors if not o.right]
    assert right >= RIGHT_EXCHANGE_SHARE * len(errors), (
        f"{right} of {len(errors)} right; first misses:\n" + "\n".join(missed[:40])
    )


def test_no_alert_names_another_exchange(outcomes: list[Outcome]) -> None:
    wrong = [
        f"{_where(o.entry)} -> {sorted(o.named)} (expected {o.entry.exchange})"
        for o in outcomes
        if o.wrong
    ]
    assert wrong == []


def test_corpus_is_the_one_in_the_repository() -> None:
    """The records come from tests/corpus/{errors,benign}/*.jsonl, nowhere else."""
    assert CORPUS.is_dir()
    assert {e.kind for e in ENTRIES} == {"errors", "benign"}
