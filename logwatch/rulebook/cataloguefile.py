"""The error catalogue's files: categories, exchanges and shapes in YAML, and the
exception classes in ``exception-classes.csv``.

Shapes, categories and exchanges live in a YAML file with top-level ``categories:``,
``exchanges:`` and ``shapes:``; codes in CSV files (``codesfile``). Loading checks
every entry and reports every problem as ``path:line: …``; the pieces are put
together by ``catalogueassembly``; every code in every shape is checked by
``engine.catalogue_problems`` (``logwatch check``, tests), not at each start.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from logwatch.core.errors import ConfigError
from logwatch.core.model import Severity
from logwatch.rulebook.catalogue import SILENT, Category, Entry, Exchange, Shape
from logwatch.rulebook.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    keyword_variants,
    nested_quantifier,
    parse,
)

if TYPE_CHECKING:
    from logwatch.core.yamlfile import Document

_Err = Callable[[tuple[str | int, ...], str], None]


class Problems(list[ConfigError]):
    """Every problem found in the catalogue's files, each as ``path:line: …``."""

    def add(self, source: str, line: int, message: str) -> None:
        """One more problem, at ``source:line``."""
        self.append(ConfigError(source, line, message))


#: Top-level keys of a catalogue YAML file (a rule file has ``rules:`` instead).
YAML_KEYS = ("categories", "exchanges", "shapes")
#: The file that maps exception class names to categories.
CLASSES_FILE = "exception-classes.csv"
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

    from logwatch.core.yamlfile import describe
    from logwatch.rulebook.rulespec import CategorySpec, ExchangeSpec

    assert isinstance(doc.data, dict)  # noqa: S101  is_catalogue said so
    errors = Problems()
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
            id=name,
            name=ex.name,
            title=ex.title.model_dump() if ex.title else title,
            remedy=ex.remedy.model_dump() if ex.remedy else remedy,
            aliases=tuple(dict.fromkeys(a.strip().lower() for a in ex.aliases)),
            hosts=tuple(dict.fromkeys(h.strip().lower() for h in ex.hosts)),
            source=ex.source,
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

    from logwatch.core.yamlfile import describe
    from logwatch.rulebook.rulespec import ShapeSpec

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
        id=spec.id,
        exchange=spec.exchange,
        pattern=pattern,
        keywords=tuple(sorted(keywords)),
        formats=tuple(spec.formats),
        examples=tuple(spec.examples),
        source=doc.source,
        line=doc.line_of(("shapes", i)),
    )


def parse_classes(text: str, source: str, parts: CatalogueParts) -> list[ConfigError]:
    """Add the exception classes of an ``exception-classes.csv`` to ``parts``
    (their categories are checked when the catalogue is put together)."""
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    errors = Problems()
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
