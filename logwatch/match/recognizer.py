"""The recognizer: an exchange's error however it is printed, in three layers.

*Envelope*: where a record states an error (a code and a message in JSON, a dict or
``key=value``; Kraken's ``EOrder:…``; an exception class; ``Error N:``; an error-level
record or a failure's wording). *Attribution*: which exchange the record names (an
alias, a connection's name, an API host), the one nearest the code when it names two.
*Classification*: the exchange's catalogue entry for the code, else for the message
(exact, then broad rows), else the exception class's category, else a category from
the words traders' logs use, else ``<exchange>.unknown-error``. Pure: no I/O.

The envelopes' and the words' patterns are in ``statements``, compiled when a record
first needs them; attribution is one Aho-Corasick pass over the names of exchanges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from logwatch.core.model import Code, Recognition
from logwatch.rulebook.catalogue import (
    Catalogue,
    Entry,
    category_rule_id,
    exchange_names,
    normalise_text,
)

if TYPE_CHECKING:
    from logwatch.match.statements import Envelope

#: Categories of conditions that bots log as warnings while they retry: alerted
#: only when the record is at error level or names its code or class, or states
#: the failure at no level and without saying it retries.
_RETRIED = frozenset({"connection_lost", "maintenance", "rate_limit"})
#: A record's words that say it is a notice or that the bot retries (a level word
#: or a retry's; "max retries exceeded" is giving up, not retrying)
_RETRYING = re.compile(
    r"\b(?:WARN(?:ING)?|INFO|DEBUG|TRACE|NOTICE|[Ww]arn(?:ing)?|[Ii]nfo|[Dd]ebug)\b"
    r"|(?i:\bretrying\b|\bwill (?:retry|try again)\b|\bretry(?:ing)? in\b"
    r"|\breconnect(?:ing)?\b|\btrying again\b)"
)

#: Envelopes whose message is the exchange's own text, apart from the printer's
#: What may come before the exchange's id at the start of a ccxt message
_LEAD = re.compile(r"(?i:message:)?[\s\"']{0,3}")
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
#: What a bot's connector id adds to an exchange's: ``kucoin_perpetual``,
#: ``binance_paper_trade``; and an exchange's own SDK's package: ``gate_api``
CONNECTOR_SUFFIXES = ("perpetual", "paper_trade", "testnet", "futures", "spot", "api")
#: What a platform's class name adds to an exchange's: a brokerage plugin of the
#: algorithmic-trading engine is ``<Exchange>Brokerage`` (``BitfinexBrokerage``)
CLASS_SUFFIXES = ("Brokerage",)

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


class Named(NamedTuple):
    """An exchange a text names, where, and how (a tuple: made for every hit)."""

    exchange: str
    start: int
    end: int
    how: str
    words: str


@dataclass(frozen=True, slots=True)
class Recognised:
    """The recognizer's decision: the rule (None: a silent code, nothing to tell)."""

    rule_id: str | None
    exchange: str
    code: Code | None
    message: str
    recognition: Recognition


class Recognizer:
    """The three layers over a catalogue, compiled once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        names = exchange_names(catalogue.exchanges)[0]
        self._names = tuple(names)
        self._owners = tuple(names.values())
        self._automaton = (
            AhoCorasick(list(self._names), matchkind=MatchKind.LeftmostLongest)
            if self._names
            else None
        )
        # the longest first: ``InsufficientFunds`` before a shorter name it holds
        self._class_names = tuple(sorted(catalogue.classes, key=len, reverse=True))
        #: compiled when a record first needs it
        self._class: re.Pattern[str] | None = None
        #: the entries of each code, made when a record first needs them
        self._by_code: dict[Code, list[Entry]] | None = None
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

    @staticmethod
    def outside(named: list[Named], text: str, start: int, end: int) -> list[Named]:
        """The names not inside ``text[start:end]`` (an exchange's own message or a
        rule's match: "delta-reducing orders" names no exchange)."""
        if not named or end <= start:
            return named
        return [n for n in named if n.end <= start or n.start >= end]

    @staticmethod
    def message_span(text: str, message: str) -> tuple[int, int]:
        """Where an envelope's message is in ``text`` ((0, 0): not found as is)."""
        at = text.find(message) if message else -1
        return (at, at + len(message)) if at >= 0 else (0, 0)

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

    def owner(self, text: str) -> Named | None:
        """The exchange a line that names none is still known to be from: an
        envelope only its API prints, or a class of its own library
        (``BinanceAPIException``). A code or a text alone is not enough: other
        exchanges' APIs copy Binance's codes and texts (MEXC's ``-2013 Order does
        not exist.``)."""
        from logwatch.match.statements import owned_by

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
            from logwatch.match.statements import owned_by

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
        return self.classify(env, ex, recognition, words, text)

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

    def _agreed_category(self, code: Code) -> str:
        """The category of ``code`` when every table that has it, two at least, says
        the same one ('' otherwise: a code one table alone has says nothing of whose
        it is, nor what, on a line that names no exchange)."""
        if self._by_code is None:
            by_code: dict[Code, list[Entry]] = {}
            for (_, c), entry in self.catalogue.entries.items():
                by_code.setdefault(c, []).append(entry)
            self._by_code = by_code
        entries = self._by_code.get(code, ())
        categories = {e.category for e in entries if e.rule_id is not None}
        if len(entries) < 2 or len(categories) != 1:
            return ""
        return categories.pop()

    def _by_entry(self, code: Code | None, message: str) -> Named | None:
        """The one exchange whose table has this code with this very text, for a
        line that names no exchange (``{"code":-2019,"msg":"Margin is
        insufficient."}`` is Binance's, whoever printed it)."""
        if code is None or not message:
            return None
        if self._by_code is None:
            by_code: dict[Code, list[Entry]] = {}
            for (_, c), entry in self.catalogue.entries.items():
                by_code.setdefault(c, []).append(entry)
            self._by_code = by_code
        text = normalise_text(message)
        owners = {
            e.exchange
            for e in self._by_code.get(code, ())
            if e.message and normalise_text(e.message) == text
        }
        if len(owners) != 1:
            return None
        exchange = owners.pop()
        return Named(exchange, -1, -1, "catalogue", f"{code}: {message[:60]}")

    def classify(
        self,
        env: Envelope,
        ex: str,
        recognition: Recognition,
        words: str = "",
        text: str = "",
    ) -> Recognised | None:
        """The alert for an envelope of exchange ``ex`` (empty: none named);
        ``words``, the record's message, may say what the envelope's does not;
        ``text``, the whole record, whether it is a notice or a retry's (empty: as
        if it were)."""
        cat = self.catalogue
        # an exchange outside the catalogue: named, but no table or rule is its own
        listed = ex if ex in cat.exchanges else ""

        def done(
            entry: Entry | None, rule_id: str | None, how: str, evidence: str, c: str
        ) -> Recognised:
            code = env.code
            if code is None and entry is not None:
                code = entry.code
            return Recognised(
                rule_id,
                ex,
                code,
                env.message,
                _with(recognition, how, evidence, c),
            )

        if listed and env.code is not None:
            entry = cat.entries.get((listed, env.code))
            if entry is not None:
                return done(entry, entry.rule_id, "code", str(env.code), entry.category)
        if listed and env.message:
            entry = cat.by_text(listed, env.message)
            how = "exact"
            if entry is None:
                entry, how = cat.by_broad(listed, env.message), "broad"
            if entry is not None:
                return done(entry, entry.rule_id, how, entry.message, entry.category)
        category = cat.classes.get(env.error_class, "") if env.error_class else ""
        how, evidence = "exception-class", env.error_class
        if not category:
            from logwatch.match.categorywords import classify_words

            said = classify_words(env.message) if env.message else None
            if said is None and isinstance(env.code, str):
                # a code that is words: ``Code: ServiceUnavailable``
                said = classify_words(env.code)
            if said is None and env.code is None and words and words != env.message:
                # the rest of the statement: ``UnhandledPromiseRejectionWarning:
                # Error: NaN…``, whose ``Error:`` value says nothing of itself; a
                # class without a category says nothing by its name either; a code
                # the tables lack is that code's unknown error, not the words'
                rest = words.replace(env.error_class, " ") if env.error_class else words
                said = classify_words(rest)
            if said is not None:
                category, evidence = said
                how = "words"
            elif env.status:
                from logwatch.match.statements import HTTP_CATEGORIES

                category = HTTP_CATEGORIES.get(env.status, "")
                how, evidence = "http-status", str(env.status)
        if not category and not listed and env.code is not None:
            # a code alone, no exchange named: the category every table that has
            # the code agrees on (``Error Code: -2015``: auth_permission wherever)
            agreed = self._agreed_category(env.code)
            if agreed:
                category, how, evidence = agreed, "code-category", str(env.code)
        if not category and env.kind == "network-level":
            # a record at Hummingbot's NETWORK level whose words say no more
            category, how, evidence = "server_network", "level", "NETWORK"
        if not category and env.kind == "request":
            # no answer to a request: a timeout, a refused or reset connection
            category, how, evidence = "server_network", "request", env.evidence
        if (
            category in _RETRIED
            and env.kind == "failure"
            and not env.error_class
            and not env.evidence.lower().startswith(("refuse", "reject", "denied"))
            and (not text or _RETRYING.search(text) is not None)
        ):
            category = ""  # a warning while a bot retries: not an alert by itself
        if category:
            known = cat.categories.get(category)
            if known is not None and known.severity is None:
                return done(None, None, how, evidence, category)  # a benign class
            rule_id = category_rule_id(listed, category)
            return done(None, rule_id, how, evidence, category)
        if listed and env.kind != "failure":
            # an error-level record of a named exchange that says no more: its text
            return done(None, f"{ex}.unknown-error", "unknown", env.message, "unknown")
        return None


@dataclass(frozen=True, slots=True)
class _Listed:
    """The codes one exchange's table has (``code in listed``)."""

    catalogue: Catalogue
    exchange: str

    def __contains__(self, code: object) -> bool:
        return (self.exchange, code) in self.catalogue.entries


def _with(r: Recognition, how: str, evidence: str, category: str) -> Recognition:
    return Recognition(
        r.envelope,
        r.envelope_evidence,
        r.exchange,
        r.attribution,
        r.attribution_evidence,
        how,
        evidence[:120],
        category,
    )
