"""Prints only one exchange's API or library makes: a line in one of them is that
exchange's when it names none. Apart from ``exchangenames`` so that the pattern
compiles only when a record that names no exchange first needs it.
"""

from __future__ import annotations

import re

#: How only one exchange's API or library prints its errors: a line in one of these
#: is that exchange's when it names none. python-binance's ``APIError(code=-2015):``,
#: pybit's ``(ErrCode: 170131) (ErrTime: …)``, OKX's ``sCode``/``sMsg``, Kraken's
#: ``EAPI:Invalid nonce``, IB's ``Error 201, reqId 17:`` and its own API log's
#: ``Msg id (ERRORMESSAGE)=4;…;Error code=1100`` and ``<ErrorProtoBuf>`` records.
_OWNED = re.compile(
    r"(?P<binance>\bAPIError\(code=-?\d)"
    r"|(?P<bybit>\(ErrCode: ?\d{1,10}\))"
    r"|(?P<okx>(?<![\w.])[\"']?sCode[\"']?\s{0,3}[:=])"
    r"|(?P<kraken>(?<!\w)E(?:General|API|BM|Query|Order|Trade|Funding|Service|Session):"
    r"[A-Za-z])"
    r"|(?P<ib>(?<![\w-])(?i:error) -?\d{1,10}, (?i:reqid) -?\d{1,10}[:,]"
    r"|\(ERRORMESSAGE\)=|<ErrorProtoBuf>)"
)


def owned_by(text: str) -> tuple[str, str] | None:
    """(exchange, evidence) when ``text`` is printed in a shape only that exchange's
    API or library uses (see ``_OWNED``); None otherwise."""
    m = _OWNED.search(text)
    if m is None or m.lastgroup is None:
        return None
    return m.lastgroup, m.group()
