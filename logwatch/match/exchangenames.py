"""Which exchanges a text names, and which of them a statement is nearest: the
recognizer's attribution, one Aho-Corasick pass over the names of exchanges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from logwatch.rulebook.catalogue import Catalogue, exchange_names

#: What a bot's connector id adds to an exchange's: ``kucoin_perpetual``,
#: ``binance_paper_trade``; and an exchange's own SDK's package: ``gate_api``
CONNECTOR_SUFFIXES = ("perpetual", "paper_trade", "testnet", "futures", "spot", "api")
#: What a platform's class name adds to an exchange's: a brokerage plugin of the
#: algorithmic-trading engine is ``<Exchange>Brokerage`` (``BitfinexBrokerage``)
CLASS_SUFFIXES = ("Brokerage",)


class Named(NamedTuple):
    """An exchange a text names, where, and how (a tuple: made for every hit)."""

    exchange: str
    start: int
    end: int
    how: str
    words: str


class ExchangeNames:
    """The catalogue's exchanges' names (aliases, connections, API hosts), compiled
    once into one automaton."""

    def __init__(self, catalogue: Catalogue) -> None:
        names = exchange_names(catalogue.exchanges)[0]
        self._names = tuple(names)
        self._owners = tuple(names.values())
        self._automaton = (
            AhoCorasick(list(self._names), matchkind=MatchKind.LeftmostLongest)
            if self._names
            else None
        )

    def with_digits(self) -> tuple[str, ...]:
        """The names that hold an ASCII digit, lowered."""
        return tuple(n for n in self._names if any(c in "0123456789" for c in n))

    def names(self, text: str) -> list[Named]:
        """Every exchange ``text`` names, as whole words, in order."""
        if self._automaton is None or not text:
            return []
        low = text.lower()
        found = []
        for index, start, end in self._automaton.find_matches_as_indexes(low):
            before = low[start - 1] if start else " "
            after = low[end] if end < len(low) else " "
            if after.isalnum() and text.startswith(CLASS_SUFFIXES, end):
                after = " "  # BitfinexBrokerage.GetHistory: Bitfinex's plugin
            if before.isalnum() or after.isalnum() or before == "_":
                continue  # inside a word: "delta-neutral" is one, DELTA_NEUTRAL too
            if after == "_" and not low.startswith(CONNECTOR_SUFFIXES, end + 1):
                continue  # DELTA_NEUTRAL; but kucoin_perpetual is KuCoin's connector
            word = text[start:end]
            if (before in "-/" or after in "-/") and word.isupper():
                continue  # a symbol: WOO-USDT, BTC/WOO
            exchange, how = self._owners[index]
            found.append(Named(exchange, start, end, how, word))
        return found

    def attribute(
        self, named: list[Named], near: int, fields: Mapping[str, str] | None = None
    ) -> Named | None:
        """The exchange named nearest to position ``near``, else the one a record's
        connection (or exchange, logger) field names."""
        if len(named) == 1:
            return named[0]
        if named:
            return min(
                named,
                key=lambda n: (
                    n.start - near if n.start >= near else max(0, near - n.end),
                    n.start >= near,  # equally near: the one before the code wins
                ),
            )
        for key in ("connection", "exchange", "logger", "platform"):
            value = (fields or {}).get(key)
            if value:
                # a logger's or connection's name: mexc_client, kucoin.api
                found = self.names(value.replace("_", " "))
                if found:
                    n = found[0]
                    return Named(n.exchange, -1, -1, "connection", value)
        return None


def outside(named: list[Named], text: str, start: int, end: int) -> list[Named]:
    """The names not inside ``text[start:end]`` (an exchange's own message or a
    rule's match: "delta-reducing orders" names no exchange)."""
    if not named or end <= start:
        return named
    return [n for n in named if n.end <= start or n.start >= end]


def message_span(text: str, message: str) -> tuple[int, int]:
    """Where an envelope's message is in ``text`` ((0, 0): not found as is)."""
    at = text.find(message) if message else -1
    return (at, at + len(message)) if at >= 0 else (0, 0)
