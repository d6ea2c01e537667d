"""The error catalogue's files: categories, exchanges and shapes in YAML, codes in CSV.

Codes live in ``<exchange>.codes.csv`` files, one row a code, cheap to load; shapes,
categories and exchanges in a YAML file with top-level ``categories:``, ``exchanges:``
and ``shapes:``. Loading checks every row and reports every problem as
``path:line: …``; every code in every shape is checked by ``engine.catalogue_problems``
(``logwatch check``, tests), not at each start.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from logwatch.catalogue import (
    PLACEHOLDER,
    SILENT,
    Catalogue,
    Category,
    Entry,
    Exchange,
    Shape,
    as_code,
    category_rule_id,
    exchange_names,
    normalise_text,
    rule_id_for,
    slug,
)
from logwatch.errors import ConfigError
from logwatch.model import Code, Severity
from logwatch.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    keyword_variants,
    nested_quantifier,
    parse,
)
from logwatch.rules import ID_PATTERN, Rule

if TYPE_CHECKING:
    from logwatch.yamlfile import Document

_Err = Callable[[tuple[str | int, ...], str], None]


class _Problems(list[ConfigError]):
    """Every problem found in the catalogue's files, each as ``path:line: …``."""

    def add(self, source: str, line: int, message: str) -> None:
        """One more problem, at ``source:line``."""
        self.append(ConfigError(source, line, message))


#: Top-level keys of a catalogue YAML file (a rule file has ``rules:`` instead).
YAML_KEYS = ("categories", "exchanges", "shapes")
#: Columns of a ``*.codes.csv`` file, in order.
COLUMNS = (
    "code",
    "category",
    "severity",
    "rule",
    "title_en",
    "title_ru",
    "remedy_en",
    "remedy_ru",
    "aliases",
    "markets",
    "message",
)
#: The optional last column: how a row is keyed (``code``, ``exact``, ``broad``).
MATCH_COLUMN = "match"
MATCH_KINDS = ("code", "exact", "broad")
#: The file that maps exception class names to categories.
CLASSES_FILE = "exception-classes.csv"
#: Files of catalogue codes end with this (``binance.codes.csv``).
CODES_SUFFIX = ".codes.csv"
CLASSES_COLUMNS = ("class", "library", "category", "exchange")


def generic_texts(name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The title and remedy of an exchange's codes the catalogue does not know, for
    an exchange whose entry has none of its own."""
    title = {
        "en": f"{name} error not in the catalogue",
        "ru": f"Ошибка {name}, которой нет в каталоге",
    }
    remedy = {
        "en": f"{name} returned an error logwatch does not know yet; its message is "
        "the title of this alert. Check open orders, positions and the connection, "
        f"look the message up in {name}'s API documentation, and add it to a "
        ".codes.csv file in your rules directory so it gets its own remedy.",
        "ru": f"{name} вернула ошибку, которой logwatch пока не знает; её сообщение "
        "стоит в заголовке. Проверьте открытые ордера, позиции и подключение, "
        f"найдите сообщение в документации API {name} и добавьте его в файл "
        ".codes.csv в своей папке правил, чтобы у него был свой совет.",
    }
    return title, remedy


# -- the YAML part ---------------------------------------------------------------------


@dataclass(slots=True)
class CatalogueParts:
    """The catalogue's pieces as loaded, before they are put together."""

    categories: dict[str, Category] = field(default_factory=dict)
    exchanges: dict[str, Exchange] = field(default_factory=dict)
    shapes: list[Shape] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    #: where each exchange and category was defined, for duplicates
    defined: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    #: exception class -> (category, source, line)
    classes: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: class -> (the exchange it names by itself, source, line)
    class_exchanges: dict[str, tuple[str, str, int]] = field(default_factory=dict)


def is_catalogue(doc: Document) -> bool:
    """Whether a YAML document is a catalogue file rather than a rule file."""
    return isinstance(doc.data, dict) and any(k in doc.data for k in YAML_KEYS)


def parse_catalogue_yaml(doc: Document, parts: CatalogueParts) -> list[ConfigError]:
    """Add the categories, exchanges and shapes of ``doc`` to ``parts``."""
    # here, not at the top: a start from the rules cache never imports pydantic
    from pydantic import ValidationError

    from logwatch.rulespec import CategorySpec, ExchangeSpec
    from logwatch.yamlfile import describe

    assert isinstance(doc.data, dict)  # noqa: S101  is_catalogue said so
    errors = _Problems()
    source = doc.source

    def err(loc: tuple[str | int, ...], message: str) -> None:
        errors.add(source, doc.line_of(loc), message)

    for key in doc.data:
        if key not in YAML_KEYS:
            err((key,), f"unknown key {key!r} (a catalogue file holds {YAML_KEYS})")
    for name, item in _mapping(doc, "categories", err):
        try:
            cat = CategorySpec.model_validate(item)
        except ValidationError as exc:
            for e in exc.errors():
                err(("categories", name, *e["loc"]), f"category {name}: {describe(e)}")
            continue
        where = parts.defined.get(("category", name))
        if where is not None:
            err(
                ("categories", name),
                f"category {name}: defined twice (first at {where[0]}:{where[1]})",
            )
            continue
        parts.defined["category", name] = (source, doc.line_of(("categories", name)))
        if cat.severity != SILENT and cat.remedy is None:
            err(("categories", name), f"category {name}: remedy is missing")
        parts.categories[name] = Category(
            name,
            None if cat.severity == SILENT else Severity(cat.severity),
            cat.title.model_dump(),
            cat.remedy.model_dump() if cat.remedy else None,
        )
    for name, item in _mapping(doc, "exchanges", err):
        try:
            ex = ExchangeSpec.model_validate(item)
        except ValidationError as exc:
            for e in exc.errors():
                err(("exchanges", name, *e["loc"]), f"exchange {name}: {describe(e)}")
            continue
        where = parts.defined.get(("exchange", name))
        if where is not None:
            err(
                ("exchanges", name),
                f"exchange {name}: defined twice (first at {where[0]}:{where[1]})",
            )
            continue
        parts.defined["exchange", name] = (source, doc.line_of(("exchanges", name)))
        title, remedy = generic_texts(ex.name)
        parts.exchanges[name] = Exchange(
            name,
            ex.name,
            ex.title.model_dump() if ex.title else title,
            ex.remedy.model_dump() if ex.remedy else remedy,
            tuple(dict.fromkeys(a.strip().lower() for a in ex.aliases)),
            tuple(dict.fromkeys(h.strip().lower() for h in ex.hosts)),
            ex.source,
        )
    items = doc.data.get("shapes") or []
    if not isinstance(items, list):
        err(("shapes",), "`shapes:` must be a list")
        items = []
    for i, item in enumerate(items):
        shape = _shape(doc, i, item, err)
        if shape is not None:
            parts.shapes.append(shape)
    return errors


def _mapping(doc: Document, key: str, err: _Err) -> Iterator[tuple[str, object]]:
    assert isinstance(doc.data, dict)  # noqa: S101  checked by the caller
    value = doc.data.get(key) or {}
    if not isinstance(value, dict):
        err((key,), f"`{key}:` must be a mapping of names")
        return
    for name, item in value.items():
        yield str(name), item


def _shape(doc: Document, i: int, item: object, err: _Err) -> Shape | None:
    from pydantic import ValidationError

    from logwatch.rulespec import ShapeSpec
    from logwatch.yamlfile import describe

    shape_id = item.get("id") if isinstance(item, dict) else None
    label = f"shape {shape_id if isinstance(shape_id, str) else f'#{i + 1}'}"
    try:
        spec = ShapeSpec.model_validate(item)
    except ValidationError as exc:
        for e in exc.errors():
            err(("shapes", i, *e["loc"]), f"{label}: {describe(e)}")
        return None
    try:
        pattern = regex.compile(spec.pattern, PATTERN_FLAGS)
    except regex.error as exc:
        pos = getattr(exc, "pos", None)
        where = f" at position {pos}" if pos is not None else ""
        msg = getattr(exc, "msg", None) or str(exc)
        err(
            ("shapes", i, "pattern"), f"{label}: pattern does not compile: {msg}{where}"
        )
        return None
    problems = []
    if not {"code", "message"} & set(pattern.groupindex):
        problems.append("pattern has no (?P<code>…) or (?P<message>…) group")
    try:
        tree = parse(spec.pattern)
    except Exception:  # noqa: BLE001  boundary: regex-only syntax the stdlib parser lacks
        tree = None
    if tree is not None and nested_quantifier(tree):
        problems.append("pattern has a repeat inside a repeat (like (a+)+)")
    for problem in problems:
        err(("shapes", i, "pattern"), f"{label}: {problem}")
    for word in spec.keywords:
        if len(word) < MIN_KEYWORD_CHARS:
            problems.append(word)
            err(
                ("shapes", i, "keywords"),
                f"{label}: keyword {word!r} is shorter than {MIN_KEYWORD_CHARS}",
            )
    if problems:
        return None
    keywords: set[bytes] = set()
    for word in spec.keywords:
        keywords |= keyword_variants(word)
    return Shape(
        spec.id,
        spec.exchange,
        pattern,
        tuple(sorted(keywords)),
        tuple(spec.formats),
        tuple(spec.examples),
        doc.source,
        doc.line_of(("shapes", i)),
    )


# -- the codes files -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a codes file, checked on its own."""

    exchange: str
    #: None for a row keyed by its message
    code: Code | None
    category: str
    severity: Severity | None
    silent: bool
    rule: str
    title: dict[str, str] | None
    remedy: dict[str, str] | None
    aliases: tuple[str, ...]
    markets: tuple[str, ...]
    message: str
    source: str
    line: int
    match: str = "code"

    @property
    def key(self) -> tuple[str, Code]:
        """What must be unique per exchange: the code, or the kind and the text."""
        if self.code is not None:
            return ("code", self.code)
        return (self.match, normalise_text(self.message))

    def label(self) -> str:
        """``code -1013`` or ``message 'Insufficient funds'``, for problems."""
        if self.code is not None:
            return f"code {self.code}"
        return f"{self.match} message {self.message!r}"


def exchange_of(name: str) -> str:
    """``binance`` for ``binance.codes.csv``."""
    return name[: -len(CODES_SUFFIX)]


_HOLE_CHARS = frozenset("%<{")
_SEVERITIES = {s.value: s for s in Severity}
_RULE_ID = regex.compile(ID_PATTERN)


def _pair(en: str, ru: str, what: str, problems: list[str]) -> dict[str, str] | None:
    en, ru = en.strip(), ru.strip()
    if bool(en) != bool(ru):
        has, missing = ("en", "ru") if en else ("ru", "en")
        problems.append(f"{what} in {has} but not in {missing}")
        return None
    return {"en": en, "ru": ru} if en else None


def _row(
    cells: list[str], exchange: str, source: str, line: int, width: int
) -> tuple[Row | None, list[str]]:
    if len(cells) != width:
        return None, [f"expected {width} columns, found {len(cells)}"]
    match = cells[len(COLUMNS)].strip() or "code" if width > len(COLUMNS) else "code"
    cells = cells[: len(COLUMNS)]
    (
        code_text,
        category,
        severity_text,
        rule,
        title_en,
        title_ru,
        remedy_en,
        remedy_ru,
        aliases,
        markets,
        message,
    ) = cells
    code: Code | None = None
    if match not in MATCH_KINDS:
        return None, [f"match {match!r} is not one of {', '.join(MATCH_KINDS)}"]
    if match == "code":
        if not code_text.strip():
            return None, ["code is missing (or set `match` to exact or broad)"]
        code = as_code(code_text)
    elif code_text.strip():
        return None, [f"a `{match}` row has no code (found {code_text.strip()!r})"]
    elif not message.strip():
        return None, [f"a `{match}` row needs its text in `message`"]
    what = f"code {code}" if code is not None else f"{match} message"
    problems: list[str] = []
    severity = None
    severity_text = severity_text.strip()
    if severity_text and severity_text != SILENT:
        severity = _SEVERITIES.get(severity_text)
        if severity is None:
            problems.append(
                f"severity {severity_text!r} is not one of "
                f"{', '.join(_SEVERITIES)}, {SILENT}"
            )
    category = category.strip()
    if not category:
        problems.append("category is missing")
    rule = rule.strip()
    if rule and not _RULE_ID.match(rule):
        problems.append(f"rule {rule!r} is not a rule id")
    title = (
        _pair(title_en, title_ru, "title", problems) if title_en or title_ru else None
    )
    remedy = (
        _pair(remedy_en, remedy_ru, "remedy", problems)
        if remedy_en or remedy_ru
        else None
    )
    if problems:
        return None, [f"{what}: {p}" for p in problems]
    row = Row(
        exchange,
        code,
        category,
        severity,
        severity_text == SILENT,
        rule,
        title,
        remedy,
        tuple(a.strip() for a in aliases.split("|") if a.strip()) if aliases else (),
        tuple(markets.split()),
        message.strip(),
        source,
        line,
        match,
    )
    return row, problems


def parse_codes(
    text: str, source: str, exchange: str
) -> tuple[list[Row], list[ConfigError]]:
    """The rows of a codes file (``#`` lines are comments), and every problem in it."""
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    rows: list[Row] = []
    errors = _Problems()
    header = False
    width = len(COLUMNS)
    seen: dict[tuple[str, Code], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if not header:
                names = tuple(c.strip() for c in cells)
                if names not in (COLUMNS, (*COLUMNS, MATCH_COLUMN)):
                    msg = (
                        f"the first row must be the header {','.join(COLUMNS)} "
                        f"(and optionally ,{MATCH_COLUMN})"
                    )
                    return [], [ConfigError(source, line, msg)]
                header, width = True, len(names)
                continue
            row, problems = _row(cells, exchange, source, line, width)
            errors.extend(ConfigError(source, line, p) for p in problems)
            if row is None:
                continue
            if row.key in seen:
                errors.add(
                    source,
                    line,
                    f"{row.label()}: duplicate "
                    f"{'code' if row.code is not None else 'message'} "
                    f"(first at line {seen[row.key]})",
                )
                continue
            seen[row.key] = line
            rows.append(row)
    except csv.Error as exc:
        errors.add(source, reader.line_num, f"not valid CSV: {exc}")
    if not header and not errors:
        errors.add(source, 1, f"empty file: expected the header {','.join(COLUMNS)}")
    return rows, errors


# -- putting it together ---------------------------------------------------------------


def _short(message: str, limit: int = 120) -> str:
    text = (
        PLACEHOLDER.sub("…", message) if _HOLE_CHARS.intersection(message) else message
    )
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def assemble(
    parts: CatalogueParts, rows: Iterable[Row], rule_ids: set[str], builtin: set[str]
) -> tuple[Catalogue, list[ConfigError]]:
    """The catalogue from its loaded pieces, and every problem in putting them together.

    Args:
        rule_ids: ids of the hand-written rules a row may name.
        builtin: sources shipped with logwatch; a row elsewhere may replace theirs.
    """
    errors = _Problems()
    entries: dict[tuple[str, Code], Entry] = {}
    by_message: dict[tuple[str, str, Code], Entry] = {}
    made: dict[str, Code] = {}  # rule ids made for codes, and whose
    unknown_exchange: set[str] = set()
    for row in rows:
        ex = parts.exchanges.get(row.exchange)
        if ex is None:
            if row.source not in unknown_exchange:
                unknown_exchange.add(row.source)
                errors.add(
                    row.source,
                    1,
                    f"unknown exchange {row.exchange!r} (the file name says it; "
                    "add it under `exchanges:` of a catalogue file)",
                )
            continue
        where = f"{row.label()}: "
        category = parts.categories.get(row.category)
        if category is None:
            known = ", ".join(sorted(parts.categories))
            errors.add(
                row.source,
                row.line,
                f"{where}unknown category {row.category!r} (known: {known})",
            )
            continue
        if row.rule and row.rule not in rule_ids:
            errors.add(row.source, row.line, f"{where}no rule {row.rule!r}")
            continue
        first = (
            entries.get((row.exchange, row.code))
            if row.code is not None
            else by_message.get((row.exchange, *row.key))
        )
        if first is not None:
            if first.source in builtin and row.source not in builtin:
                pass  # a trader's own row replaces the shipped one
            else:
                what = "code" if row.code is not None else "message"
                errors.add(
                    row.source,
                    row.line,
                    f"{where}duplicate {what} (first at {first.source}:{first.line})",
                )
                continue
        silent = row.silent or (category.severity is None and row.severity is None)
        remedy = row.remedy or category.remedy
        if remedy is None and not silent:
            errors.add(
                row.source,
                row.line,
                f"{where}no remedy: category {category.name} has none, so the "
                "row needs remedy_en and remedy_ru",
            )
            continue
        if row.code is None:
            entry = _message_entry(row, ex, category, silent, remedy)
            by_message[(row.exchange, *row.key)] = entry
            continue
        if row.title is None:
            what = f" ({ex.name} {row.code})"
            said = f": {_short(row.message)}" if row.message else ""
            # the exchange's own words are English: in another language's title they
            # would mix two languages (the line itself is in the body)
            title = {
                lang: text + what + (said if lang == "en" else "")
                for lang, text in category.title.items()
            }
        else:
            title = row.title
        entries[(row.exchange, row.code)] = Entry(
            row.exchange,
            row.code,
            category.name,
            None if silent else (row.rule or _own_id(row.exchange, row.code, made)),
            None if silent else (row.severity or category.severity),
            title,
            remedy or {"en": "", "ru": ""},
            row.message,
            row.aliases,
            row.markets,
            row.source,
            row.line,
            row.rule,
        )
    for shape in parts.shapes:
        if shape.exchange not in parts.exchanges:
            errors.add(
                shape.source,
                shape.line,
                f"shape {shape.id}: unknown exchange {shape.exchange!r}",
            )
    classes: dict[str, str] = {}
    for name, (category_name, source, line) in parts.classes.items():
        if category_name and category_name not in parts.categories:
            errors.add(
                source, line, f"class {name}: unknown category {category_name!r}"
            )
            continue
        classes[name] = category_name
    class_exchanges: dict[str, str] = {}
    for name, (exchange, source, line) in parts.class_exchanges.items():
        if exchange not in parts.exchanges:
            errors.add(source, line, f"class {name}: unknown exchange {exchange!r}")
            continue
        class_exchanges[name] = exchange
    errors.extend(_unattributable(parts))
    # a text shared by several codes leads to the first of them
    texts: dict[tuple[str, str], Entry] = {}
    templates: dict[str, dict[str, Entry]] = {}
    broad: dict[str, dict[str, Entry]] = {}
    for (exchange, kind, key), entry in by_message.items():
        text = str(key)
        if kind == "broad":
            broad.setdefault(exchange, {}).setdefault(text, entry)
        else:
            texts.setdefault((exchange, text), entry)
    for entry in entries.values():
        for text in (*entry.aliases, entry.message):
            norm = normalise_text(text)
            if not norm:
                continue
            if PLACEHOLDER.search(norm):
                templates.setdefault(entry.exchange, {}).setdefault(norm, entry)
            else:
                texts.setdefault((entry.exchange, norm), entry)
    catalogue = Catalogue(
        tuple(s for s in parts.shapes if s.exchange in parts.exchanges),
        entries,
        texts,
        dict(parts.exchanges),
        dict(parts.categories),
        {ex: tuple(by_text.items()) for ex, by_text in templates.items()},
        # the longest text first: the most specific of the rows a message contains
        {
            ex: tuple(sorted(by_text.items(), key=lambda kv: -len(kv[0])))
            for ex, by_text in broad.items()
        },
        classes,
        class_exchanges,
    )
    return catalogue, errors


def _own_id(exchange: str, code: Code, made: dict[str, Code]) -> str:
    """A code's rule id: ``binance.code-1013``; ``code-minus-11`` for a negative code
    whose number another code of the exchange has (``11`` and ``-11``)."""
    rule_id = rule_id_for(exchange, code)
    if made.setdefault(rule_id, code) != code:
        rule_id = (
            f"{exchange}.code-minus-{abs(code)}"
            if isinstance(code, int)
            else (f"{rule_id}-2")
        )
        made.setdefault(rule_id, code)
    return rule_id


def _message_entry(
    row: Row,
    ex: Exchange,
    category: Category,
    silent: bool,
    remedy: dict[str, str] | None,
) -> Entry:
    """The entry of a row keyed by its message: its own rule when it has its own
    title, else the category's rule of that exchange."""
    if silent:
        rule_id = None
    elif row.rule:
        rule_id = row.rule
    elif row.title is not None:
        rule_id = f"{row.exchange}.text-{slug(row.message)}"
    else:
        rule_id = category_rule_id(row.exchange, category.name)
    title = row.title or {
        lang: f"{ex.name}: {text}" for lang, text in category.title.items()
    }
    return Entry(
        row.exchange,
        None,
        category.name,
        rule_id,
        None if silent else (row.severity or category.severity),
        title,
        remedy or {"en": "", "ru": ""},
        row.message,
        row.aliases,
        row.markets,
        row.source,
        row.line,
        row.rule if row.rule else ("" if row.title is not None else "category"),
    )


def _unattributable(parts: CatalogueParts) -> list[ConfigError]:
    """Exchanges a log line cannot name: its own id is another exchange's alias."""
    errors = _Problems()
    for ex, other, word in exchange_names(parts.exchanges)[1]:
        source, line = parts.defined.get(("exchange", ex.id), ("", 0))
        errors.add(
            source,
            line,
            f"exchange {ex.id}: cannot be told apart from {other}: "
            f"{other} is named {word!r} too",
        )
    return errors


def parse_classes(text: str, source: str, parts: CatalogueParts) -> list[ConfigError]:
    """Add the exception classes of an ``exception-classes.csv`` to ``parts``
    (their categories are checked when the catalogue is put together)."""
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    errors = _Problems()
    header = False
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            names = tuple(c.strip() for c in cells)
            if not header:
                if names != CLASSES_COLUMNS:
                    msg = (
                        f"the first row must be the header {','.join(CLASSES_COLUMNS)}"
                    )
                    return [ConfigError(source, line, msg)]
                header = True
                continue
            if len(names) != len(CLASSES_COLUMNS):
                errors.add(
                    source,
                    line,
                    f"expected {len(CLASSES_COLUMNS)} columns, found {len(names)}",
                )
                continue
            name, _library, category, exchange = names
            if not _CLASS_NAME.fullmatch(name):
                errors.add(source, line, f"class {name!r} is not a class name")
                continue
            first = parts.classes.get(name)
            if first is not None and first[0] != category:
                errors.add(
                    source,
                    line,
                    f"class {name}: duplicate with another category (first at "
                    f"{first[1]}:{first[2]})",
                )
                continue
            parts.classes.setdefault(name, (category, source, line))
            if exchange:
                parts.class_exchanges.setdefault(name, (exchange, source, line))
    except csv.Error as exc:
        errors.add(source, reader.line_num, f"not valid CSV: {exc}")
    return errors


_CLASS_NAME = regex.compile(r"[A-Z][A-Za-z0-9_]{2,60}")


def catalogue_rules(catalogue: Catalogue, taken: Iterable[str] = ()) -> list[Rule]:
    """A rule per catalogue code that has no hand-written one, per exchange one for
    codes the catalogue does not know, and per exchange (and for none) one per
    category, for errors known by their category alone (unless a hand-written rule
    in ``taken`` has that id: ``mt5.connection-lost``)."""
    taken = set(taken)
    out = []
    for entry in catalogue.entries.values():
        if entry.rule_id is None or entry.refers_to or entry.severity is None:
            continue
        out.append(_entry_rule(entry, entry.rule_id, (entry.code,)))  # type: ignore[arg-type]
    made = {rule.id for rule in out}
    for by_text in catalogue.broad.values():
        for _, entry in by_text:
            out.extend(_text_rule(entry, made))
    for (_, _), entry in catalogue.texts.items():
        if entry.code is None:
            out.extend(_text_rule(entry, made))
    for ex in catalogue.exchanges.values():
        out.append(
            Rule(
                id=f"{ex.id}.unknown-error",
                severity=Severity.WARNING,
                codes=(),
                title=ex.title,
                remedy=ex.remedy,
                patterns=(),
                ignore=(),
                key=(),
                keywords=(),
                tags=(ex.id, "unknown"),
                link=None,
                samples=(),
                near_misses=(),
                source="catalogue",
                line=0,
                exchange=ex.id,
                category="unknown",
                message_title=True,
            )
        )
    for ex_id, name in (
        *((ex.id, ex.name) for ex in catalogue.exchanges.values()),
        ("", ""),
    ):
        for cat in catalogue.categories.values():
            if (
                cat.severity is None
                or cat.remedy is None
                or category_rule_id(ex_id, cat.name) in taken
            ):
                continue
            title = (
                {lang: f"{name}: {text}" for lang, text in cat.title.items()}
                if name
                else dict(cat.title)
            )
            out.append(
                Rule(
                    id=category_rule_id(ex_id, cat.name),
                    severity=cat.severity,
                    codes=(),
                    title=title,
                    remedy=cat.remedy,
                    patterns=(),
                    ignore=(),
                    key=(),
                    keywords=(),
                    tags=(ex_id or "any", cat.name),
                    link=None,
                    samples=(),
                    near_misses=(),
                    source="catalogue",
                    line=0,
                    exchange=ex_id,
                    category=cat.name,
                )
            )
    return out


def _text_rule(entry: Entry, made: set[str]) -> list[Rule]:
    """The own rule of a message row with its own title (once)."""
    if entry.refers_to or entry.rule_id is None or entry.severity is None:
        return []
    if entry.rule_id in made:
        return []
    made.add(entry.rule_id)
    return [_entry_rule(entry, entry.rule_id, ())]


def _entry_rule(entry: Entry, rule_id: str, codes: tuple[Code, ...]) -> Rule:
    assert entry.severity is not None  # noqa: S101  the callers skip silent entries
    return Rule(
        id=rule_id,
        severity=entry.severity,
        codes=codes,
        title=entry.title,
        remedy=entry.remedy,
        patterns=(),
        ignore=(),
        key=(),
        keywords=(),
        tags=(entry.exchange, entry.category),
        link=None,
        samples=(),
        near_misses=(),
        source=entry.source,
        line=entry.line,
        exchange=entry.exchange,
        category=entry.category,
    )


def read_text(path: Path) -> str:
    """A text file's content, for files that are not YAML.

    Raises:
        ConfigError: the file cannot be read or is not UTF-8 text.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(source, 0, f"cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise ConfigError(source, line, "not a text file: it holds binary data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(source, line, "not a text file: not valid UTF-8") from exc
