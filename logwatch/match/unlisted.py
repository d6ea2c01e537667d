"""Exchanges outside the catalogue, named where a print's form says which word is an
exchange's: ccxt's feedback after its class or after freqtrade's ``Message:``
(``ExchangeError: yobit {…}``), a Hummingbot connector's module
(``hummingbot.connector.exchange.altmarkets.…``), a brokerage plugin's class
(``TradierBrokerage``). Such a line gets the category alone, under that exchange's
name: no table of the catalogue is that exchange's. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Container

#: Each form, its exchange's word in a group of its own (bounded: no repeat in a
#: repeat, every gap capped).
_FORMS = re.compile(
    # ccxt's message is ``<id> <body>`` or ``<id> <METHOD> <url>``: after the class
    # that carries it (``InvalidOrder: x {…}``, ``[InvalidOrder] x {…}``) or after
    # freqtrade's ``Message:`` around it
    r"(?:(?<![\w])Message: {1,3}[\"']?"
    r"|(?<![\w])(?P<cls>[A-Z][A-Za-z]{2,40})(?:\]|:) {1,3})"
    r"(?P<ccxt>[a-z][a-z0-9]{2,30}) (?=\\?[{\[\"']|(?:GET|POST|PUT|DELETE|PATCH) https?://)"
    # Hummingbot's logger is its connector's module
    r"|(?<![\w.])hummingbot\.connector\.(?:exchange|derivative)\."
    r"(?P<hummingbot>[a-z][a-z0-9_]{1,40})\."
    # the algorithmic-trading engine's brokerage plugins are ``<Broker>Brokerage``
    r"|(?<![\w.])(?P<brokerage>[A-Z][A-Za-z]{2,30})Brokerage(?![A-Za-z])"
)
#: Brokerage plugins that are the engine's own, not a broker's.
_ENGINE_BROKERAGES = frozenset({"backtesting", "paper", "default", "base", "live"})
#: What a Hummingbot connector's id adds to the exchange's (``…_perpetual``).
_CONNECTOR_SUFFIXES = ("_perpetual", "_paper_trade", "_testnet")


def unlisted_exchange(text: str, classes: Container[str]) -> tuple[str, str] | None:
    """(exchange id, the words that name it) of the first form above in ``text``;
    None when there is none. ``classes``: the exception classes a ccxt message may
    follow."""
    for m in _FORMS.finditer(text):
        if m["ccxt"] is not None:
            if m["cls"] is not None and m["cls"] not in classes:
                continue
            return m["ccxt"], m.group()[:80]
        if m["hummingbot"] is not None:
            name = m["hummingbot"]
            for suffix in _CONNECTOR_SUFFIXES:
                name = name.removesuffix(suffix)
            return name, m.group()[:80]
        name = m["brokerage"].lower()
        if name not in _ENGINE_BROKERAGES:
            return name, m.group()[:80]
    return None
