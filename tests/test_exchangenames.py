"""Attribution on its own: which exchanges a text names as whole words, and which of
them a statement at a position is nearest."""

from __future__ import annotations

import pytest

from logwatch.match.exchangenames import ExchangeNames, Named, message_span, outside
from tests.samples import shipped_rules

NAMES = ExchangeNames(shipped_rules().catalogue)


def exchanges(text: str) -> list[str]:
    return [n.exchange for n in NAMES.names(text)]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("bybit then binance -2019", ["bybit", "binance"]),
        ("my_kraken kucoin_perpetual", ["kucoin"]),  # a connector's id, not a word's
        ("WOO-USDT at woo", ["woo"]),  # a symbol is not the exchange
        ("BitfinexBrokerage.GetHistory: failed", ["bitfinex"]),
        ("krakenish and binanced", []),
        ("", []),
    ],
)
def test_names_are_whole_words_in_order(text: str, named: list[str]) -> None:
    assert exchanges(text) == named


def test_the_name_nearest_the_statement_is_attributed() -> None:
    named = NAMES.names("bybit then binance -2019")
    assert NAMES.attribute(named, 19) == named[1]
    assert NAMES.attribute(named, 0) == named[0]


def test_a_record_naming_none_is_attributed_by_its_connection_field() -> None:
    found = NAMES.attribute([], 0, {"connection": "mexc_client"})
    assert found == Named("mexc", -1, -1, "connection", "mexc_client")
    assert NAMES.attribute([], 0, {"account": "mexc_client"}) is None


def test_names_inside_a_message_are_left_out() -> None:
    text = 'binance {"msg": "use bybit"}'
    named = NAMES.names(text)
    start, end = message_span(text, "use bybit")
    assert (start, end) == (17, 26)
    assert [n.exchange for n in outside(named, text, start, end)] == ["binance"]
    assert message_span(text, "absent") == (0, 0)
