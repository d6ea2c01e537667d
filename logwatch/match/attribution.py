"""Whose a line is: which exchange a rule's or a shape's match may be alerted as,
from what the line names and from the shapes only one exchange prints.
"""

from __future__ import annotations

from logwatch.core.model import Record
from logwatch.match.recognizer import Recognizer
from logwatch.rulebook.catalogue import Catalogue

#: rule prefixes of bots and of logwatch's generic rules: no exchange of their own,
#: so their alerts name the exchange the record names
NEUTRAL = frozenset({"", "freqtrade", "hummingbot", "generic", "error", "copier"})
#: platforms whose rules match their own log files: the match itself says whose
_OWN_LOGS = frozenset({"mt4", "mt5", "quantower", "ninjatrader", "ib"})
#: shapes other exchanges' APIs and libraries print too: a plain code and message
#: (MEXC answers ``{"code":-2013,"msg":…}`` as Binance does; python-bitget prints
#: ``API Request Error(code=…)`` as python-okx does). A line in one of them that
#: names no exchange is the category's alone; the other shapes are one library's.
SHARED_SHAPES = frozenset(
    {
        "binance.json",
        "binance.dict",
        "bybit.json",
        "bybit.dict",
        "okx.json",
        "okx.dict",
        "okx.json-message-first",
        "okx.python-okx",
    }
)


class Attribution:
    """The catalogue's exchanges, and whether a line that names none is one's."""

    def __init__(self, catalogue: Catalogue, recognizer: Recognizer) -> None:
        self._catalogue = catalogue
        self._recognizer = recognizer
        #: exchanges whose rules and shapes must not fire for a line naming another
        self.exchanges = frozenset(catalogue.exchanges)

    def owns(self, exchange: str, record: Record) -> bool:
        """Whether a record that names no exchange is still known to be
        ``exchange``'s: a platform's rule matches its own log; an API's code or text
        alone does not say whose (MEXC answers with Binance's codes and texts), an
        envelope or a library class only it has does."""
        if exchange in _OWN_LOGS:
            return True
        for shape in self._catalogue.shapes:
            if (
                shape.exchange == exchange
                and shape.id not in SHARED_SHAPES
                and shape.pattern.search(record.text) is not None
            ):
                return True  # one library's print: binance-connector's tuple
        owner = self._recognizer.owner(record.text)
        return owner is not None and owner.exchange == exchange
