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
from typing import Annotated, Literal

import regex
from pydantic import Field, ValidationError

from logwatch.catalogue import (
    PLACEHOLDER,
    SILENT,
    Catalogue,
    Category,
    Entry,
    Exchange,
    Shape,
    normalise_text,
    rule_id_for,
)
from logwatch.errors import ConfigError
from logwatch.model import Severity
from logwatch.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    keyword_variants,
    nested_quantifier,
    parse,
)
from logwatch.rules import CODES_SUFFIX, Rule
from logwatch.rulespec import NonEmpty, Strict, Texts
from logwatch.yamlfile import Document, describe

_Err = Callable[[tuple[str | int, ...], str], None]
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
_ID = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"


class CategorySpec(Strict):
    """What a kind of error means to a trader, for codes without their own remedy."""

    severity: Literal["info", "warning", "error", "critical", "none"]
    title: Texts
    remedy: Texts | None = None


class ExchangeSpec(Strict):
    """An exchange or platform: its display name and what its unknown codes say."""

    name: NonEmpty
    title: Texts
    remedy: Texts


class ShapeSpec(Strict):
    """One way a library prints an exchange's error."""

    id: Annotated[str, Field(pattern=_ID, max_length=80)]
    exchange: Annotated[str, Field(pattern=r"^[a-z0-9]+$")]
    pattern: NonEmpty
    keywords: Annotated[list[NonEmpty], Field(min_length=1)]
    #: only records of these formats (default: any)
    formats: tuple[NonEmpty, ...] = ()
    #: real lines of this shape with ``{code}`` and ``{message}`` (or
    #: ``{json_message}``, escaped as in JSON) where they go
    examples: Annotated[list[NonEmpty], Field(min_length=1)]


# -- the YAML part ---------------------------------------------------------------------


@dataclass(slots=True)
class Parts:
    """The catalogue's pieces as loaded, before they are put together."""

    categories: dict[str, Category] = field(default_factory=dict)
    exchanges: dict[str, Exchange] = field(default_factory=dict)
    shapes: list[Shape] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def is_catalogue(doc: Document) -> bool:
    """Whether a YAML document is a catalogue file rather than a rule file."""
    return isinstance(doc.data, dict) and any(k in doc.data for k in YAML_KEYS)


def parse_catalogue_yaml(doc: Document, parts: Parts) -> list[ConfigError]:
    """Add the categories, exchanges and shapes of ``doc`` to ``parts``."""
    assert isinstance(doc.data, dict)  # noqa: S101  is_catalogue said so
    errors: list[ConfigError] = []
    source = doc.source

    def err(loc: tuple[str | int, ...], message: str) -> None:
        errors.append(ConfigError(source, doc.line_of(loc), message))

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
        parts.exchanges[name] = Exchange(
            name, ex.name, ex.title.model_dump(), ex.remedy.model_dump()
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
    code: int
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


def exchange_of(name: str) -> str:
    """``binance`` for ``binance.codes.csv``."""
    return name[: -len(CODES_SUFFIX)]


_HOLE_CHARS = frozenset("%<{")
_SEVERITIES = {s.value: s for s in Severity}
_RULE_ID = regex.compile(_ID)


def _pair(en: str, ru: str, what: str, problems: list[str]) -> dict[str, str] | None:
    en, ru = en.strip(), ru.strip()
    if bool(en) != bool(ru):
        has, missing = ("en", "ru") if en else ("ru", "en")
        problems.append(f"{what} in {has} but not in {missing}")
        return None
    return {"en": en, "ru": ru} if en else None


def _row(
    cells: list[str], exchange: str, source: str, line: int
) -> tuple[Row | None, list[str]]:
    if len(cells) != len(COLUMNS):
        return None, [f"expected {len(COLUMNS)} columns, found {len(cells)}"]
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
    try:
        code = int(code_text)
    except ValueError:
        return None, [f"code {code_text!r} is not a whole number"]
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
        return None, [f"code {code}: {p}" for p in problems]
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
    )
    return row, problems


def parse_codes(
    text: str, source: str, exchange: str
) -> tuple[list[Row], list[ConfigError]]:
    """The rows of a codes file (``#`` lines are comments), and every problem in it."""
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    rows: list[Row] = []
    errors: list[ConfigError] = []
    header = False
    seen: dict[int, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if not header:
                if tuple(c.strip() for c in cells) != COLUMNS:
                    msg = f"the first row must be the header {','.join(COLUMNS)}"
                    return [], [ConfigError(source, line, msg)]
                header = True
                continue
            row, problems = _row(cells, exchange, source, line)
            errors.extend(ConfigError(source, line, p) for p in problems)
            if row is None:
                continue
            if row.code in seen:
                errors.append(
                    ConfigError(
                        source,
                        line,
                        f"code {row.code}: duplicate code (first at line "
                        f"{seen[row.code]})",
                    )
                )
                continue
            seen[row.code] = line
            rows.append(row)
    except csv.Error as exc:
        errors.append(ConfigError(source, reader.line_num, f"not valid CSV: {exc}"))
    if not header and not errors:
        errors.append(
            ConfigError(
                source, 1, f"empty file: expected the header {','.join(COLUMNS)}"
            )
        )
    return rows, errors


# -- putting it together ---------------------------------------------------------------


def _short(message: str, limit: int = 120) -> str:
    text = (
        PLACEHOLDER.sub("…", message) if _HOLE_CHARS.intersection(message) else message
    )
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def assemble(
    parts: Parts, rows: Iterable[Row], rule_ids: set[str], builtin: set[str]
) -> tuple[Catalogue, list[ConfigError]]:
    """The catalogue from its loaded pieces, and every problem in putting them together.

    Args:
        rule_ids: ids of the hand-written rules a row may name.
        builtin: sources shipped with logwatch; a row elsewhere may replace theirs.
    """
    errors: list[ConfigError] = []
    entries: dict[tuple[str, int], Entry] = {}
    unknown_exchange: set[str] = set()
    for row in rows:
        ex = parts.exchanges.get(row.exchange)
        if ex is None:
            if row.source not in unknown_exchange:
                unknown_exchange.add(row.source)
                errors.append(
                    ConfigError(
                        row.source,
                        1,
                        f"unknown exchange {row.exchange!r} (the file name says it; "
                        "add it under `exchanges:` of a catalogue file)",
                    )
                )
            continue
        where = f"code {row.code}: "
        category = parts.categories.get(row.category)
        if category is None:
            known = ", ".join(sorted(parts.categories))
            errors.append(
                ConfigError(
                    row.source,
                    row.line,
                    f"{where}unknown category {row.category!r} (known: {known})",
                )
            )
            continue
        if row.rule and row.rule not in rule_ids:
            errors.append(
                ConfigError(row.source, row.line, f"{where}no rule {row.rule!r}")
            )
            continue
        key = (row.exchange, row.code)
        if key in entries:
            first = entries[key]
            if first.source in builtin and row.source not in builtin:
                pass  # a trader's own row replaces the shipped one
            else:
                errors.append(
                    ConfigError(
                        row.source,
                        row.line,
                        f"{where}duplicate code (first at {first.source}:{first.line})",
                    )
                )
                continue
        silent = row.silent or (category.severity is None and row.severity is None)
        remedy = row.remedy or category.remedy
        if remedy is None and not silent:
            errors.append(
                ConfigError(
                    row.source,
                    row.line,
                    f"{where}no remedy: category {category.name} has none, so the "
                    "row needs remedy_en and remedy_ru",
                )
            )
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
        entries[key] = Entry(
            row.exchange,
            row.code,
            category.name,
            None if silent else (row.rule or rule_id_for(row.exchange, row.code)),
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
            errors.append(
                ConfigError(
                    shape.source,
                    shape.line,
                    f"shape {shape.id}: unknown exchange {shape.exchange!r}",
                )
            )
    # a text shared by several codes leads to the first of them
    texts: dict[tuple[str, str], Entry] = {}
    templates: dict[str, dict[str, Entry]] = {}
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
    )
    return catalogue, errors


def catalogue_rules(catalogue: Catalogue) -> list[Rule]:
    """A rule per catalogue code that has no hand-written one, and per exchange one
    for codes the catalogue does not know."""
    out = []
    for entry in catalogue.entries.values():
        if entry.rule_id is None or entry.refers_to or entry.severity is None:
            continue
        out.append(
            Rule(
                id=entry.rule_id,
                severity=entry.severity,
                codes=(entry.code,),
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
        )
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
    return out


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
