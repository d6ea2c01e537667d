"""Platforms' and bots' own wordings (issue 19, classes 3-5): NinjaTrader 8's log and
trace lines, MetaTrader 4 and the tester's two-date lines, Quantower's broker connections,
Hummingbot's failed orders. Each published line raises its rule and nothing else; the
benign lines of the same logs raise nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from logwatch.match.engine import Engine
from logwatch.match.stream import Stream
from tests.samples import shipped_rules

DATA = yaml.safe_load(
    (Path(__file__).parent / "data" / "platform_lines.yaml").read_text(encoding="utf-8")
)
ENGINE = Engine(shipped_rules())


def hits_of(line: str) -> list[str]:
    stream = Stream(ENGINE, "sample")
    scan = stream.feed(line.encode("utf-8") + b"\n")
    scan.extend(stream.flush())
    return [h.rule_id for h in scan.hits]


@pytest.mark.parametrize(
    ("rule_id", "line"),
    [(e["rule"], e["line"]) for e in DATA["errors"]],
    ids=[f"{e['rule']}:{i}" for i, e in enumerate(DATA["errors"])],
)
def test_a_published_line_raises_its_rule_alone(rule_id: str, line: str) -> None:
    assert hits_of(line) == [rule_id]


@pytest.mark.parametrize("line", DATA["benign"])
def test_a_benign_line_of_the_same_logs_raises_nothing(line: str) -> None:
    assert hits_of(line) == []


def test_every_published_line_says_where_it_was_seen() -> None:
    assert all(e.get("seen") for e in DATA["errors"])


@pytest.mark.parametrize(
    ("line", "exchange", "code"),
    [
        # MQL4's numbers after MQL4's trade calls are MetaTrader 4's ...
        ("EA EURUSD,H1: OrderSend error 130", "mt4", 130),
        ("EA EURUSD,H1: OrderModify error 1", "mt4", 1),
        ("EA EURUSD,H1: OrderClose error 4108", "mt4", 4108),
        # ... MQL5's are MetaTrader 5's, whatever the call
        ("EA (EURUSD,H1): OrderSend error 4756", "mt5", 4756),
        ("EA (EURUSD,H1): OrderSend error 10016", "mt5", 10016),
    ],
)
def test_mql4_and_mql5_numbers_name_their_own_terminal(
    line: str, exchange: str, code: int
) -> None:
    stream = Stream(ENGINE, "sample")
    scan = stream.feed(line.encode("utf-8") + b"\n")
    scan.extend(stream.flush())
    ((hit_exchange, codes),) = [(h.exchange, h.codes) for h in scan.hits]
    assert hit_exchange == exchange
    assert codes[0] == code


def test_the_mql4_table_holds_the_documented_trade_codes() -> None:
    """MQL4's trade server return codes, 0-150 as documented (no 10-63, 66-127, 142-144)."""
    documented = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 65}
    documented |= set(range(128, 142)) | set(range(145, 151))
    codes = {
        c
        for ex, c in ENGINE.catalogue.entries
        if ex == "mt4" and isinstance(c, int) and c < 4000
    }
    assert codes == documented
