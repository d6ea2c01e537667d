"""The error catalogue: what each documented code means, and the shapes that find them.

Most error lines already say which exchange and which code, in one of a few ways per
library (a *shape*: ``binance {"code":-1013,…}``, ``APIError(code=-1013)``, ``(ErrCode:
10001)``, ``retcode=10019``…). A shape finds (exchange, code, message); the catalogue
says what that code means. Codes live in ``<exchange>.codes.csv`` files, one row a code,
cheap to load; shapes, categories and exchanges in a YAML file. Loading checks every
row; every code in every shape is checked by ``check_examples`` (``logwatch check``,
tests), not at each start.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

import regex
from pydantic import Field, ValidationError

from logwatch.errors import ConfigError
from logwatch.model import Severity
from logwatch.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    keyword_variants,
    nested_quantifier,
    parse,
)
from logwatch.rules import CODES_SUFFIX, NonEmpty, Strict, Texts
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
#: Severity of a category whose codes raise nothing (confirmations, success codes).
SILENT = "none"
UNKNOWN = "unknown-error"
_ID = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"
#: Placeholders in documented texts: %s, %d, <A>, {param0}, [xxx]
#: (the stdlib engine: thousands of short substitutions at load, where it is faster)
PLACEHOLDER = re.compile(r"%[sd]|<[A-Za-z_]{1,20}>|\{[A-Za-z_0-9]{1,20}\}")


class CategorySpec(Strict):
    """What a kind of error means to a trader, for codes without their own remedy."""

    severity: Severity | Literal["none"]
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


@dataclass(frozen=True, slots=True)
class Entry:
    """One code of one exchange."""

    exchange: str
    code: int
    category: str
    #: the rule a hit of this code is reported as; None: the code raises nothing
    rule_id: str | None
    severity: Severity | None
    title: dict[str, str]
    remedy: dict[str, str]
    message: str
    aliases: tuple[str, ...]
    markets: tuple[str, ...]
    source: str
    line: int
    #: the rule id the row asked for (a hand-written rule), if any
    refers_to: str = ""


@dataclass(frozen=True, slots=True)
class Found:
    """What a shape found in a record."""

    shape: Shape
    code: int | None
    message: str
    entry: Entry | None
    captures: dict[str, str]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Shapes, and the entries they lead to."""

    shapes: tuple[Shape, ...] = ()
    entries: Mapping[tuple[str, int], Entry] = field(default_factory=dict)
    texts: Mapping[tuple[str, str], Entry] = field(default_factory=dict)
    exchanges: Mapping[str, Exchange] = field(default_factory=dict)
    categories: Mapping[str, Category] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, exchange: str, code: int | None, message: str) -> Entry | None:
        """The entry for a code, else for a text the platform prints instead of one."""
        if code is not None:
            return self.entries.get((exchange, code))
        text = normalise_text(message)
        entry = self.texts.get((exchange, text))
        if entry is None:
            head = text.split(" ", 1)[0]
            entry = self.texts.get((exchange, head))
        return entry

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
            return Found(
                shape, code, message, self.lookup(shape.exchange, code, message), groups
            )
        return None


def normalise_text(text: str) -> str:
    """A message as a lookup key: lower case, single spaces, no closing period."""
    return " ".join(text.lower().split()).rstrip(".")


def clean_message(text: str) -> str:
    """A captured message without JSON escapes and a library's leading ``Error:``."""
    text = text.replace('\\"', '"').replace("\\/", "/").strip()
    for prefix in ("Error: ", "error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def fill(template: str, code: int | None, message: str) -> str:
    """A shape example with a code and a message (or the message escaped as in JSON)
    put in."""
    escaped = json.dumps(message, ensure_ascii=False)[1:-1]
    return (
        template.replace("{code}", "" if code is None else str(code))
        .replace("{json_message}", escaped)
        .replace("{message}", message)
    )


def real_message(message: str) -> str:
    """A documented text with its placeholders replaced by values a real line holds."""
    return PLACEHOLDER.sub("0.001", message)


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
    for word in spec.keywords:
        if len(word) < MIN_KEYWORD_CHARS:
            problems.append(f"keyword {word!r} is shorter than {MIN_KEYWORD_CHARS}")
    for problem in problems:
        err(("shapes", i, "pattern"), f"{label}: {problem}")
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


def rule_id_for(exchange: str, code: int) -> str:
    """The rule id of a code without a rule of its own: ``binance.code-1013``."""
    return f"{exchange}.code-{abs(code)}"


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
            what = f" ({ex.name} {row.code})" + (
                f": {_short(row.message)}" if row.message else ""
            )
            title = {lang: text + what for lang, text in category.title.items()}
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
    texts: dict[tuple[str, str], Entry] = {}
    for entry in entries.values():
        for text in (*entry.aliases, entry.message):
            if text and not PLACEHOLDER.search(text):
                texts.setdefault((entry.exchange, normalise_text(text)), entry)
    catalogue = Catalogue(
        tuple(s for s in parts.shapes if s.exchange in parts.exchanges),
        entries,
        texts,
        dict(parts.exchanges),
        dict(parts.categories),
    )
    return catalogue, errors


def example_lines(entry: Entry, shape: Shape) -> list[str]:
    """Lines that print ``entry`` in ``shape``, from the shape's examples."""
    if shape.exchange != entry.exchange:
        return []
    if "code" in shape.pattern.groupindex:
        texts: list[tuple[int | None, str]] = [
            (entry.code, real_message(entry.message) or "error")
        ]
    else:
        texts = [(None, alias) for alias in entry.aliases]
    return [
        fill(example, code, text) for example in shape.examples for code, text in texts
    ]
