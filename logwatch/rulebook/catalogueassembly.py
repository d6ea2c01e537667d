"""The catalogue put together: its loaded pieces -> a Catalogue, and its rules.

``assemble`` checks the codes files' rows against the categories and exchanges of
the YAML files (a trader's own row replaces a shipped one); ``catalogue_rules``
makes the rules catalogue codes and categories alert by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from logwatch.core.errors import ConfigError
from logwatch.core.model import Code, Severity
from logwatch.rulebook.catalogue import (
    Catalogue,
    Category,
    Entry,
    Exchange,
    exchange_names,
)
from logwatch.rulebook.cataloguefile import CatalogueParts, Problems
from logwatch.rulebook.cataloguepacks import shared
from logwatch.rulebook.cataloguetext import (
    PLACEHOLDER,
    Title,
    category_rule_id,
    normalise_text,
    rule_id_for,
    slug,
)
from logwatch.rulebook.codesfile import Row
from logwatch.rulebook.rules import Rule


def assemble(
    parts: CatalogueParts, rows: Iterable[Row], rule_ids: set[str], builtin: set[str]
) -> tuple[Catalogue, list[ConfigError]]:
    """The catalogue from its loaded pieces, and every problem in putting them together.

    Args:
        rule_ids: ids of the hand-written rules a row may name.
        builtin: sources shipped with logwatch; a row elsewhere may replace theirs.
    """
    errors = Problems()
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
        if row.title is None:  # made when read: see catalogue.Title
            title: Mapping[str, str] = Title(
                category.title, ex.name, row.code, row.message
            )
        else:
            title = row.title
        entries[(row.exchange, row.code)] = Entry(
            exchange=row.exchange,
            code=row.code,
            category=category.name,
            rule_id=(
                None if silent else (row.rule or _own_id(row.exchange, row.code, made))
            ),
            severity=None if silent else (row.severity or category.severity),
            title=title,
            remedy=remedy or {"en": "", "ru": ""},
            message=row.message,
            aliases=row.aliases,
            markets=row.markets,
            source=row.source,
            line=row.line,
            refers_to=row.rule,
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
        shapes=tuple(s for s in parts.shapes if s.exchange in parts.exchanges),
        entries=entries,
        texts=texts,
        exchanges=dict(parts.exchanges),
        categories=dict(parts.categories),
        templates={ex: tuple(by_text.items()) for ex, by_text in templates.items()},
        # the longest text first: the most specific of the rows a message contains
        broad={
            ex: tuple(sorted(by_text.items(), key=lambda kv: -len(kv[0])))
            for ex, by_text in broad.items()
        },
        classes=classes,
        class_exchanges=class_exchanges,
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
    title = row.title or Title(category.title, ex.name)
    return Entry(
        exchange=row.exchange,
        code=None,
        category=category.name,
        rule_id=rule_id,
        severity=None if silent else (row.severity or category.severity),
        title=title,
        remedy=remedy or {"en": "", "ru": ""},
        message=row.message,
        aliases=row.aliases,
        markets=row.markets,
        source=row.source,
        line=row.line,
        refers_to=(
            row.rule if row.rule else ("" if row.title is not None else "category")
        ),
    )


def _unattributable(parts: CatalogueParts) -> list[ConfigError]:
    """Exchanges a log line cannot name: its own id is another exchange's alias."""
    errors = Problems()
    for ex, other, word in exchange_names(parts.exchanges)[1]:
        source, line = parts.defined.get(("exchange", ex.id), ("", 0))
        errors.add(
            source,
            line,
            f"exchange {ex.id}: cannot be told apart from {other}: "
            f"{other} is named {word!r} too",
        )
    return errors


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
            title = Title(cat.title, name) if name else dict(cat.title)
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
        tags=shared((entry.exchange, entry.category)),
        link=None,
        samples=(),
        near_misses=(),
        source=entry.source,
        line=entry.line,
        exchange=entry.exchange,
        category=entry.category,
    )
