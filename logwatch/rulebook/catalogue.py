"""The error catalogue: what each documented code means, and the shapes that find them.

Most error lines already say which exchange and which code, in one of a few ways per
library (a *shape*: ``binance {"code":-1013,…}``, ``APIError(code=-1013)``, ``(ErrCode:
10001)``, ``retcode=10019``…). A shape finds (exchange, code, message); the catalogue
says what that code means. The files it is read from are ``cataloguefile``'s concern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import regex

from logwatch.core.model import Code, Severity

#: Severity of a category whose codes raise nothing (confirmations, success codes).
SILENT = "none"
#: Placeholders in documented texts: %s, %d, <A>, {param0}, [xxx]
#: (the stdlib engine: thousands of short substitutions at load, where it is faster)
#: Quantower's `` (BTCUSDT)`` after a message (upper case only: not "(unless …)")
# (starting only where white space starts: from inside a long run of it, each search
# would read the rest of the run again)
_SYMBOL_AT_END = re.compile(
    r"(?<!\s)\s*+\([A-Z0-9]{2,20}(?:[-_/][A-Z0-9]{2,10})?\)\.?$"
)
PLACEHOLDER = re.compile(r"%[sd]|<[A-Za-z_]{1,20}>|\{[A-Za-z_0-9]{1,20}\}")


#: What in a documented text may be a placeholder (a cheap test before the search)
_HOLE_CHARS = frozenset("%<{")


def short_message(message: str, limit: int = 120) -> str:
    """A documented text as a title shows it: placeholders as ``…``, cut short."""
    text = (
        PLACEHOLDER.sub("…", message) if _HOLE_CHARS.intersection(message) else message
    )
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Title(Mapping[str, str]):
    """A catalogue title in each language, made when it is read from what it is made
    of: ``{category's title} ({exchange} {code})`` (``: {message}`` after it in
    English) for a code, ``{exchange}: {category's title}`` without one.

    ~9,700 catalogue rules each held a title of their own at rest (two strings and a
    dict, ~4.5 MB of the daemon's); this one holds references to the category's title
    and the entry's own values. Read it as any mapping (``get``, ``[]``, ``items``,
    ``==``); ``dict(title)`` for JSON.
    """

    __slots__ = ("_base", "_code", "_message", "_name")

    def __init__(
        self,
        base: Mapping[str, str],
        name: str,
        code: Code | None = None,
        message: str = "",
    ) -> None:
        self._base, self._name, self._code, self._message = base, name, code, message

    def made(self) -> dict[str, str]:
        """The title as a plain dict."""
        if self._code is None:
            return {lang: f"{self._name}: {text}" for lang, text in self._base.items()}
        what = f" ({self._name} {self._code})"
        # the exchange's own words are English: in another language's title they
        # would mix two languages (the line itself is in the body)
        said = f": {short_message(self._message)}" if self._message else ""
        return {
            lang: text + what + (said if lang == "en" else "")
            for lang, text in self._base.items()
        }

    def __getitem__(self, lang: str) -> str:
        return self.made()[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)

    def __repr__(self) -> str:
        return repr(self.made())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Title, (self._base, self._name, self._code, self._message))


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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

    def __setstate__(self, state: Sequence[Any]) -> None:
        restore(self, _CATALOGUE_SLOTS, state)
        # the keys' codes: the entries' own objects (pickle writes them anew)
        entries = {
            (ex, _INTS.get(c, c) if isinstance(c, int) else c): e
            for (ex, c), e in self.entries.items()
        }
        object.__setattr__(self, "entries", entries)

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
            return Found(shape, code, message, entry, groups, m.start())
        return None


_CATALOGUE_SLOTS = tuple(getattr(Catalogue, f.name) for f in fields(Catalogue))


def fits(pieces: Sequence[str], text: str) -> bool:
    """Whether ``text`` is ``pieces`` with one or more characters between each two
    (a template's words around its placeholders), on one line.

    Each piece is placed as early as it fits, which finds a placement when there is
    one, in one pass (a regex of ``.+?`` between them backtracks in time that grows
    with the power of their number).
    """
    if len(pieces) < 2:
        return text == "".join(pieces)
    head, *middle, tail = pieces
    end = len(text) - len(tail)  # where the tail must start
    if "\n" in text or not text.startswith(head) or not text.endswith(tail):
        return False
    pos = len(head)
    for piece in middle:
        at = text.find(piece, pos + 1, end - 1)
        if at < 0:
            return False
        pos = at + len(piece)
    return pos < end


#: one object for equal numbers read back from the rules cache, while it is read:
#: pickle writes each int and float anew (~30,000: line numbers, codes, mute_for_s)
_INTS: dict[int, int] = {}
_FLOATS: dict[float, float] = {}


def restore(obj: object, slots: Sequence[Any], state: Sequence[Any]) -> None:
    """Set a frozen slotted object's fields (``slots``: their descriptors) from its
    pickled ``state``, equal numbers, also in a tuple of codes, one object each."""
    ints, floats = _INTS, _FLOATS
    for slot, value in zip(slots, state, strict=True):
        kind = type(value)
        if kind is int:
            value = ints.setdefault(value, value)
        elif kind is float:
            value = floats.setdefault(value, value)
        elif kind is tuple and value and type(value[0]) is int:
            value = tuple(ints.setdefault(v, v) if type(v) is int else v for v in value)
        slot.__set__(obj, value)


def restored() -> None:
    """Forget the numbers ``restore`` shared: a load of the cache is over."""
    _INTS.clear()
    _FLOATS.clear()


#: one tuple for equal ones: ~10,000 rows and rules hold a few dozen distinct markets
#: and tags (the rules cache keeps them shared: pickle writes an object once)
_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def shared(values: tuple[str, ...]) -> tuple[str, ...]:
    """``values``, or an equal tuple made before: one object for equal ones."""
    return _SHARED.setdefault(values, values)


def normalise_text(text: str) -> str:
    """A message as a lookup key: lower case, single spaces, no closing period."""
    return " ".join(text.lower().split()).rstrip(". ")


def clean_message(text: str) -> str:
    """A captured message without JSON escapes, a library's leading ``Error:`` and a
    platform's trailing ``(SYMBOL)``."""
    text = text.replace('\\"', '"').replace("\\/", "/").strip()
    text = _SYMBOL_AT_END.sub("", text)
    for prefix in ("Error: ", "error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def fill(template: str, code: Code | None, message: str) -> str:
    """A shape example with a code and a message put in: as it is (``{message}``),
    escaped as in JSON (``{json_message}``) or as Python's repr (``{repr_message}``)."""
    escaped = json.dumps(message, ensure_ascii=False)[1:-1]
    return (
        template.replace("{code}", "" if code is None else str(code))
        .replace("{json_message}", escaped)
        .replace("{repr_message}", repr(message))
        .replace("{message}", message)
    )


def real_message(message: str) -> str:
    """A documented text with its placeholders replaced by values a real line holds."""
    return PLACEHOLDER.sub("0.001", message)


def rule_id_for(exchange: str, code: Code) -> str:
    """The rule id of a code without a rule of its own: ``binance.code-1013``
    (``kraken.code-eorder-insufficient-funds`` for a string)."""
    if isinstance(code, int):
        return f"{exchange}.code-{abs(code)}"
    return f"{exchange}.code-{slug(code)}"


def category_rule_id(exchange: str, category: str) -> str:
    """The rule of a category's errors of one exchange, or of none (``error.…``):
    ``kraken.balance-margin``."""
    return f"{exchange or 'error'}.{slug(category)}"


_NOT_ID = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A text as a part of a rule id: ``EOrder:Insufficient funds`` gives
    ``eorder-insufficient-funds``."""
    return _NOT_ID.sub("-", text.lower()).strip("-")[:60].strip("-") or "x"


def as_code(text: str) -> Code:
    """A code as written: a whole number (``-1013``, ``"51008"``), else the text."""
    text = text.strip()
    digits = text[1:] if text[:1] in "-+" else text
    if digits.isascii() and digits.isdigit() and len(digits) < 19:
        return int(text)
    return text


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
