"""The recognizer: an exchange's error however it is printed, in three layers.

*Envelope*: where a record states an error (a code and a message in JSON, a dict or
``key=value``; Kraken's ``EOrder:…``; an exception class; ``Error N:``; an error-level
record or a failure's wording). *Attribution*: which exchange the record names (an
alias, a connection's name, an API host), the one nearest the code when it names two.
*Classification*: what the exchange's catalogue, the exception class, the words or
the HTTP status say the error is. Pure: no I/O.

The envelopes' and the words' patterns are in ``statements``, compiled when a record
first needs them; attribution is ``exchangenames``, classification ``classifier``;
this composes them and says which words the prefilter looks for on their behalf.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logwatch.core.model import Recognition
from logwatch.match import exchangenames
from logwatch.match.classifier import Classifier, Recognised
from logwatch.match.exchangenames import ExchangeNames, Named
from logwatch.rulebook.catalogue import Catalogue

if TYPE_CHECKING:
    from logwatch.match.statements import Envelope

#: What may come before the exchange's id at the start of a ccxt message
_LEAD = re.compile(r"(?i:message:)?[\s\"']{0,3}")
#: Envelopes whose message is the exchange's own text, apart from the printer's
_OWN_MESSAGE = frozenset(
    {
        "json",
        "key-value",
        "kraken",
        "error-number",
        "exception-class",
        "http",
        "ib-error",
        "feedback",
    }
)
#: Envelopes only one exchange's API prints: a line in one of them is that
#: exchange's when it names none (Kraken's ``EAPI:Invalid nonce``, IB's ``reqId``)
ENVELOPE_OWNERS = {"kraken": "kraken", "ib-error": "ib"}

#: What the prefilter looks for on the recognizer's behalf (lower case bytes).
KEYWORDS: tuple[bytes, ...] = (
    b'code"',
    b"code'",
    b"code=",
    b"code:",
    b"code\\",
    b"code =",
    b"error",
    b"exception",
    b"failed",
    b"failure",
    b"rejected",
    b"refuse",
    b"denied",
    b"unable to",
    b"could not",
    b"not enough",
    b"insufficient",
    b"eapi:",
    b"eorder:",
    b"egeneral:",
    b"equery:",
    b"etrade:",
    b"efunding:",
    b"eservice:",
    b"esession:",
    b'label"',
    b"label'",
    b"get http",
    b"post http",
    b"put http",
    b"delete http",
    b"http status",
    b"too many requests",
    b"bad request",
    b"unauthorized",
    b"forbidden",
    b"unavailable",
    b"server error",
    b" - network - ",
    b"bad gateway",
    b"gateway time",
    *(w.encode() for w in ("ошибка", "Ошибка", "ОШИБКА", "отклон", "Отклон")),
    *(w.encode() for w in ("не удалось", "Не удалось")),
)


class Recognizer:
    """The three layers over a catalogue, compiled once."""

    #: the names not inside a span of a text (see ``exchangenames.outside``)
    outside = staticmethod(exchangenames.outside)
    #: where an envelope's message is in a text (see ``exchangenames.message_span``)
    message_span = staticmethod(exchangenames.message_span)

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._exchange_names = ExchangeNames(catalogue)
        self._classifier = Classifier(catalogue)
        # the longest first: ``InsufficientFunds`` before a shorter name it holds
        self._class_names = tuple(sorted(catalogue.classes, key=len, reverse=True))
        #: compiled when a record first needs it
        self._class: re.Pattern[str] | None = None
        self.keywords: tuple[bytes, ...] = (
            *KEYWORDS,
            # a class is printed with its module (``…errors.``, ``…exceptions.``),
            # after ``error``/``exception`` words, or alone (``InvalidOrder: mexc
            # createOrder() allows limit orders only``): its name is a keyword
            *(n.lower().encode() for n in self._class_names if len(n) > 5),
        )

    # -- attribution -------------------------------------------------------------

    def names(self, text: str) -> list[Named]:
        """Every exchange ``text`` names, as whole words, in order."""
        return self._exchange_names.names(text)

    def names_with_digits(self) -> tuple[str, ...]:
        """The exchanges' names that hold an ASCII digit (``mt5``), lowered."""
        return self._exchange_names.with_digits()

    def attribute(
        self, named: list[Named], near: int, fields: Mapping[str, str] | None = None
    ) -> Named | None:
        """The exchange named nearest to position ``near``, else the one a record's
        connection (or exchange, logger) field names."""
        return self._exchange_names.attribute(named, near, fields)

    def owner(self, text: str) -> Named | None:
        """The exchange a line that names none is still known to be from: an
        envelope only its API prints, or a class of its own library
        (``BinanceAPIException``). A code or a text alone is not enough: other
        exchanges' APIs copy Binance's codes and texts (MEXC's ``-2013 Order does
        not exist.``)."""
        from logwatch.match.ownedprints import owned_by

        owned = owned_by(text)
        if owned is not None and owned[0] in self.catalogue.exchanges:
            return Named(owned[0], -1, -1, "envelope", owned[1])
        env = self.envelope(text, False, "")
        if env is None:
            return None
        owner = self.catalogue.class_exchanges.get(env.error_class or "")
        if owner is not None:
            return Named(owner, -1, -1, "class", env.error_class)
        return None

    # -- envelope ----------------------------------------------------------------

    def envelope(self, text: str, error_level: bool, words: str) -> Envelope | None:
        """Where ``text`` states an error; None when it does not state one (see
        ``statements.find_envelope``)."""
        from logwatch.match import statements

        if self._class is None and self._class_names:
            self._class = re.compile(
                r"(?<![A-Za-z0-9_])(?P<cls>"
                + "|".join(self._class_names)
                + r")(?![A-Za-z0-9_])"
            )
        return statements.find_envelope(text, error_level, words, self._class)

    # -- classification ----------------------------------------------------------

    def recognise(
        self,
        text: str,
        error_level: bool,
        words: str,
        fields: Mapping[str, str] | None = None,
        exchange: Named | None = None,
    ) -> Recognised | None:
        """What ``text`` (a record's) states, by the three layers; None: no error
        is stated, or none this can name.

        Args:
            exchange: the exchange already attributed (else found here).
        """
        env = self.envelope(text, error_level, words)
        names = self.names(text)
        if env is None:
            env = self._feedback(text, names)
        if env is None:
            return None
        if env.kind in _OWN_MESSAGE:
            # the exchange's own words name no exchange ("delta-reducing orders"),
            # but an API host in them does, and so does the first word of a ccxt
            # message: ``InsufficientFunds: kraken {...}``, freqtrade's ``Message:
            # binance GET https://api.binance.com/...``
            start, end = self.message_span(text, env.message)
            lead = _LEAD.match(text, start)
            first = lead.end() if end and lead is not None else -1
            if env.kind in ENVELOPE_OWNERS:
                first = -1  # the id first is ccxt's print, not Kraken's or IB's
            names = [
                n
                for n in names
                if n.how == "host" or n.start == first or not start <= n.start < end
            ]
        named = exchange or self.attribute(names, env.start, fields)
        if named is None and env.error_class:
            owner = self.catalogue.class_exchanges.get(env.error_class)
            if owner is not None:  # BinanceAPIException: python-binance's, Binance's
                named = Named(owner, -1, -1, "class", env.error_class)
        if named is None:
            from logwatch.match.ownedprints import owned_by

            owned = owned_by(text)
            if owned is not None and owned[0] in self.catalogue.exchanges:
                named = Named(owned[0], -1, -1, "envelope", owned[1])
        if named is None:
            from logwatch.match.unlisted import unlisted_exchange

            unlisted = unlisted_exchange(text, self.catalogue.classes)
            if unlisted is not None:
                named = Named(unlisted[0], -1, -1, "unlisted", unlisted[1])
        ex = named.exchange if named is not None else ""
        recognition = Recognition(
            env.kind,
            env.evidence,
            ex,
            named.how if named is not None else "none",
            named.words if named is not None else "",
        )
        return self._classifier.classify(env, ex, recognition, words, text)

    def _feedback(self, text: str, names: list[Named]) -> Envelope | None:
        """ccxt's feedback, ``<id> <body>``, after a name of an exchange: the error
        in the body (a line that states none otherwise: ``'mexc {"code":26,…}'``)."""
        from logwatch.match.statements import find_feedback

        for n in names:
            if n.how == "alias":
                env = find_feedback(text, n.end, _Listed(self.catalogue, n.exchange))
                if env is not None:
                    return env
        return None


@dataclass(frozen=True, slots=True)
class _Listed:
    """The codes one exchange's table has (``code in listed``)."""

    catalogue: Catalogue
    exchange: str

    def __contains__(self, code: object) -> bool:
        return (self.exchange, code) in self.catalogue.entries
