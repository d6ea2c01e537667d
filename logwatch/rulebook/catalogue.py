"""The error catalogue: what each documented code means, and the shapes that find them.

Most error lines already say which exchange and which code, in one of a few ways per
library (a *shape*: ``binance {"code":-1013,…}``, ``APIError(code=-1013)``, ``(ErrCode:
10001)``, ``retcode=10019``…). A shape finds (exchange, code, message); the catalogue
says what that code means. The files it is read from are ``cataloguefile``'s concern,
its texts ``cataloguetext``'s, and how the rules cache keeps it ``cataloguepacks``'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import regex

from logwatch.core.model import Code, Severity
from logwatch.rulebook.cataloguepacks import (
    Keyed,
    Packs,
    PerExchange,
    Tables,
    agreed_categories,
    by_exchange,
    pack,
    restore,
)
from logwatch.rulebook.cataloguetext import PLACEHOLDER

# the names match/ and the tests read here
from logwatch.rulebook.cataloguetext import as_code as as_code
from logwatch.rulebook.cataloguetext import category_rule_id as category_rule_id
from logwatch.rulebook.cataloguetext import clean_message as clean_message
from logwatch.rulebook.cataloguetext import fill as fill
from logwatch.rulebook.cataloguetext import fits as fits
from logwatch.rulebook.cataloguetext import normalise_text as normalise_text
from logwatch.rulebook.cataloguetext import real_message as real_message

#: Severity of a category whose codes raise nothing (confirmations, success codes).
SILENT = "none"
#: An ASCII digit (a found text holding one is where ``memo`` keeps digits)
_DIGIT = regex.compile(r"[0-9]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Shape:
    """A compiled shape."""

    id: str
    exchange: str
    pattern: regex.Pattern[str]
    keywords: tuple[bytes, ...]
    formats: tuple[str, ...]
    examples: tuple[str, ...]
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Category:
    """A compiled category."""

    name: str
    severity: Severity | None
    title: dict[str, str]
    remedy: dict[str, str] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """An exchange or platform known to the catalogue."""

    id: str
    name: str
    title: dict[str, str]
    remedy: dict[str, str]
    #: words that name it in a log (lower case): ids, display names, connections
    aliases: tuple[str, ...] = ()
    #: its API hosts (lower case), such as ``api.kraken.com``
    hosts: tuple[str, ...] = ()
    #: where its facts come from
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One code of one exchange."""

    exchange: str
    #: None for a row keyed by its message (``match`` exact or broad)
    code: Code | None
    category: str
    #: the rule a hit of this code is reported as; None: the code raises nothing
    rule_id: str | None
    severity: Severity | None
    title: Mapping[str, str]
    remedy: dict[str, str]
    message: str
    aliases: tuple[str, ...]
    markets: tuple[str, ...]
    source: str
    line: int
    #: the rule id the row asked for (a hand-written rule), if any
    refers_to: str = ""

    def __setstate__(self, state: Sequence[Any]) -> None:
        restore(self, _ENTRY_SLOTS, state)


_ENTRY_SLOTS = tuple(getattr(Entry, f.name) for f in fields(Entry))


@dataclass(frozen=True, slots=True)
class Found:
    """What a shape found in a record."""

    shape: Shape
    code: Code | None
    message: str
    entry: Entry | None
    captures: dict[str, str]
    #: where the match starts in the text searched
    start: int = 0
    #: where the groups whose text holds an ASCII digit are in the text searched
    #: (what ``memo`` keys a statement with a code by)
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogue:
    """Shapes, and the entries they lead to."""

    shapes: tuple[Shape, ...] = ()
    entries: Mapping[tuple[str, Code], Entry] = field(default_factory=dict)
    texts: Mapping[tuple[str, str], Entry] = field(default_factory=dict)
    exchanges: Mapping[str, Exchange] = field(default_factory=dict)
    categories: Mapping[str, Category] = field(default_factory=dict)
    #: texts with placeholders (``Filter failure: %s``), normalised, per exchange
    templates: Mapping[str, tuple[tuple[str, Entry], ...]] = field(default_factory=dict)
    #: ``broad`` rows: a text the error contains (normalised), per exchange
    broad: Mapping[str, tuple[tuple[str, Entry], ...]] = field(default_factory=dict)
    #: exception class names (``InsufficientFunds``) -> category ("": the code or
    #: message decides)
    classes: Mapping[str, str] = field(default_factory=dict)
    #: exception classes of one exchange's library -> that exchange
    #: (``BinanceAPIException`` -> ``binance``)
    class_exchanges: Mapping[str, str] = field(default_factory=dict)
    #: the templates' texts around their placeholders, by their first word, made
    #: when first needed
    _compiled: dict[str, dict[str, list[tuple[tuple[str, ...], Entry]]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: code -> the category every table that has it agrees on, made when first needed
    _agreed: dict[Code, str] | None = field(default=None, compare=False, repr=False)
    #: read back from the rules cache: each exchange's tables, unpacked when needed
    packs: Packs | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.packed({})

    def packed(self, rules: Mapping[str, dict[str, Any]]) -> tuple[Any, ...]:
        """As the rules cache keeps it: each exchange's tables packed apart, with
        ``rules`` (the ``rules.Rule`` of its entries, by exchange, by id)."""
        tables = by_exchange(self.entries, self.texts, self.templates, self.broad)
        for exchange, own in rules.items():
            empty = Tables({}, {}, (), (), {})
            tables[exchange] = tables.get(exchange, empty)._replace(rules=own)
        sizes = {
            "entries": len(self.entries),
            "texts": len(self.texts),
            "templates": len(self.templates),
            "broad": len(self.broad),
        }
        return (
            self.shapes,
            self.exchanges,
            self.categories,
            self.classes,
            self.class_exchanges,
            pack(tables, self.categories),
            sizes,
            self._agreements(),
        )

    def __setstate__(self, state: Sequence[Any]) -> None:
        shapes, exchanges, categories, classes, owners, packed, sizes, agreed = state
        packs = Packs(packed, categories, sizes)
        for name, value in (
            ("shapes", shapes),
            ("entries", Keyed(packs, "entries")),
            ("texts", Keyed(packs, "texts")),
            ("exchanges", exchanges),
            ("categories", categories),
            ("templates", PerExchange(packs, "templates")),
            ("broad", PerExchange(packs, "broad")),
            ("classes", classes),
            ("class_exchanges", owners),
            ("_compiled", {}),
            ("_agreed", agreed),
            ("packs", packs),
        ):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, exchange: str, code: Code | None, message: str) -> Entry | None:
        """The entry for a code, else for a text the platform prints instead of one:
        a documented text (placeholders stand for any value), else its first word
        (MetaTrader's ``done at 1.0812``)."""
        if code is not None:
            return self.entries.get((exchange, code))
        return self.by_text(exchange, message)

    def by_text(self, exchange: str, message: str) -> Entry | None:
        """The entry whose documented text ``message`` is (exactly, or with values
        where its placeholders are), else its first word."""
        text = normalise_text(message)
        entry = self.texts.get((exchange, text))
        if entry is None:
            entry = self._by_template(exchange, text)
        if entry is None:
            entry = self.texts.get((exchange, text.split(" ", 1)[0]))
        return entry

    def by_broad(self, exchange: str, message: str) -> Entry | None:
        """The first ``broad`` row of ``exchange`` whose text ``message`` contains."""
        rows = self.broad.get(exchange)
        if not rows:
            return None
        text = normalise_text(message)
        return next((entry for needle, entry in rows if needle in text), None)

    def agreed_category(self, code: Code) -> str:
        """The category of ``code`` when every table that has it, two at least, says
        the same one ('' otherwise: a code one table alone has says nothing of whose
        it is, nor what, on a line that names no exchange)."""
        return self._agreements().get(code, "")

    def _agreements(self) -> dict[Code, str]:
        agreed = self._agreed
        if agreed is None:
            agreed = agreed_categories(self.entries.values())
            object.__setattr__(self, "_agreed", agreed)
        return agreed

    def _by_template(self, exchange: str, text: str) -> Entry | None:
        buckets = self._compiled.get(exchange)
        if buckets is None:
            buckets = self._compiled[exchange] = {}
            for template, entry in self.templates.get(exchange, ()):
                pieces = PLACEHOLDER.split(template)
                first = pieces[0].split(" ", 1)[0] if " " in pieces[0] else ""
                buckets.setdefault(first, []).append((tuple(pieces), entry))
        candidates = (*buckets.get(text.split(" ", 1)[0], ()), *buckets.get("", ()))
        return next((e for p, e in candidates if fits(p, text)), None)

    def examples(self, entry: Entry, shape: Shape) -> list[str]:
        """Lines that print ``entry`` in ``shape``, from the shape's examples: with its
        code, or (a shape without one) with each of its texts that leads back to it."""
        if shape.exchange != entry.exchange or entry.code is None:
            return []
        if "code" in shape.pattern.groupindex:
            texts: list[tuple[Code | None, str]] = [
                (entry.code, real_message(entry.message) or "error")
            ]
        else:
            texts = [
                (None, real)
                for text in (*entry.aliases, entry.message)
                if text
                and (real := real_message(text))
                and self.lookup(entry.exchange, None, real) is entry
            ]
        return [
            fill(example, code, text)
            for example in shape.examples
            for code, text in texts
        ]

    def identify(
        self,
        text: str,
        fmt: str,
        shapes: Iterable[int],
        timeout_s: float | None,
    ) -> Found | None:
        """The first of ``shapes`` (indexes) that finds a code or a text in ``text``.

        Raises:
            TimeoutError: a search ran longer than ``timeout_s``.
        """
        for index in shapes:
            shape = self.shapes[index]
            if shape.formats and fmt not in shape.formats:
                continue
            m = shape.pattern.search(text, timeout=timeout_s)
            if m is None:
                continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            raw = groups.get("code")
            code = int(raw) if raw is not None else None
            message = clean_message(groups.get("message", ""))
            entry = self.lookup(shape.exchange, code, message)
            spans = tuple(m.span(k) for k, v in groups.items() if _DIGIT.search(v))
            return Found(shape, code, message, entry, groups, m.start(), spans)
        return None


def exchange_names(
    exchanges: Mapping[str, Exchange],
) -> tuple[dict[str, tuple[str, str]], list[tuple[Exchange, str, str]]]:
    """The words that name each exchange in a log -> (exchange id, ``alias`` or
    ``host``), without the words two exchanges share (a line holding one could be
    either's: ccxt lists Binance's hosts for Binance US too); and the exchanges whose
    own id another exchange claims, with that one's id and the word."""
    owners: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for ex in exchanges.values():
        for host in ex.hosts:
            owners.setdefault(host, set()).add(ex.id)
            kinds.setdefault(host, "host")
        for word in (ex.id, ex.name.lower(), *ex.aliases):
            owners.setdefault(word, set()).add(ex.id)
            kinds.setdefault(word, "alias")
    names = {
        word: (next(iter(ids)), kinds[word])
        for word, ids in owners.items()
        if len(ids) == 1
    }
    clashes = [
        (ex, other, ex.id)
        for ex in exchanges.values()
        for other in sorted(owners[ex.id] - {ex.id})
    ]
    return names, clashes
