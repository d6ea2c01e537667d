"""What an error stated in an envelope is: the exchange's catalogue entry for the
code, else for the message (exact, then broad rows), else the exception class's
category, else the words' or the HTTP status's, else ``<exchange>.unknown-error``.

The recognizer's last layer, after the envelope and the attribution. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from logwatch.core.model import Code, Recognition
from logwatch.rulebook.catalogue import Catalogue, Entry, category_rule_id

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
#: What an HTTP status says when the body does not say more.
HTTP_CATEGORIES = {
    400: "request_params",
    401: "auth_permission",
    403: "auth_permission",
    418: "rate_limit",
    429: "rate_limit",
    451: "account_restricted",
    500: "server_network",
    502: "server_network",
    503: "maintenance",
    504: "connection_lost",
}


@dataclass(frozen=True, slots=True)
class Recognised:
    """The recognizer's decision: the rule (None: a silent code, nothing to tell)."""

    rule_id: str | None
    exchange: str
    code: Code | None
    message: str
    recognition: Recognition


class Classifier:
    """The catalogue's tables, categories and classes, as an envelope's alert."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

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
        if it were). Named steps: the exchange's table, then a category, then the
        exchange's unknown error."""
        # an exchange outside the catalogue: named, but no table or rule is its own
        listed = ex if ex in self.catalogue.exchanges else ""
        decision = self._tabled(env, listed)
        if decision is None:
            category, how, evidence = self._category(env, listed, words)
            if category and _retried(category, env, text):
                category = ""  # a warning while a bot retries: not an alert by itself
            decision = self._categorised(category, how, evidence, listed)
        if decision is None and listed and env.kind != "failure":
            # an error-level record of a named exchange that says no more: its text
            decision = _Decision(
                None, f"{ex}.unknown-error", "unknown", env.message, "unknown"
            )
        return None if decision is None else _recognised(env, ex, recognition, decision)

    def _tabled(self, env: Envelope, listed: str) -> _Decision | None:
        """Step 1: the exchange's table, by the code, else by the message (exact
        rows, then broad ones)."""
        cat = self.catalogue
        if listed and env.code is not None:
            entry = cat.entries.get((listed, env.code))
            if entry is not None:
                return _Decision(
                    entry, entry.rule_id, "code", str(env.code), entry.category
                )
        if listed and env.message:
            entry = cat.by_text(listed, env.message)
            how = "exact"
            if entry is None:
                entry, how = cat.by_broad(listed, env.message), "broad"
            if entry is not None:
                return _Decision(
                    entry, entry.rule_id, how, entry.message, entry.category
                )
        return None

    def _category(self, env: Envelope, listed: str, words: str) -> tuple[str, str, str]:
        """Step 2: the category ('' for none), how it was found and by what: the
        exception class's, the words', the HTTP status's, the one every table of
        the code agrees on, the level's or the failed request's."""
        cat = self.catalogue
        category = cat.classes.get(env.error_class, "") if env.error_class else ""
        how, evidence = "exception-class", env.error_class
        if not category:
            said = _said(env, words)
            if said is not None:
                category, evidence = said
                how = "words"
            elif env.status:
                category = HTTP_CATEGORIES.get(env.status, "")
                how, evidence = "http-status", str(env.status)
        if not category and not listed and env.code is not None:
            # a code alone, no exchange named: the category every table that has
            # the code agrees on (``Error Code: -2015``: auth_permission wherever)
            agreed = self.catalogue.agreed_category(env.code)
            if agreed:
                category, how, evidence = agreed, "code-category", str(env.code)
        if not category and env.kind == "network-level":
            # a record at Hummingbot's NETWORK level whose words say no more
            category, how, evidence = "server_network", "level", "NETWORK"
        if not category and env.kind == "request":
            # no answer to a request: a timeout, a refused or reset connection
            category, how, evidence = "server_network", "request", env.evidence
        return category, how, evidence

    def _categorised(
        self, category: str, how: str, evidence: str, listed: str
    ) -> _Decision | None:
        """Step 3: a category's rule (a benign class's: nothing to tell)."""
        if not category:
            return None
        known = self.catalogue.categories.get(category)
        if known is not None and known.severity is None:
            return _Decision(None, None, how, evidence, category)  # a benign class
        return _Decision(
            None, category_rule_id(listed, category), how, evidence, category
        )


class _Decision(NamedTuple):
    """What a step of ``classify`` decided: the entry, the rule (None: silent), how
    and by what, and the category."""

    entry: Entry | None
    rule_id: str | None
    how: str
    evidence: str
    category: str


def _said(env: Envelope, words: str) -> tuple[str, str] | None:
    """The category the envelope's words say, and the words that say it."""
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
    return said


def _retried(category: str, env: Envelope, text: str) -> bool:
    """Whether a failure of ``category`` is a warning a bot logs while it retries."""
    return (
        category in _RETRIED
        and env.kind == "failure"
        and not env.error_class
        and not env.evidence.lower().startswith(("refuse", "reject", "denied"))
        and (not text or _RETRYING.search(text) is not None)
    )


def _recognised(
    env: Envelope, ex: str, recognition: Recognition, decision: _Decision
) -> Recognised:
    """The recognizer's decision for ``env`` of exchange ``ex``."""
    code = env.code
    if code is None and decision.entry is not None:
        code = decision.entry.code
    return Recognised(
        decision.rule_id,
        ex,
        code,
        env.message,
        _with(recognition, decision.how, decision.evidence, decision.category),
    )


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
