"""The catalogue's codes files: ``<exchange>.codes.csv``, one row a code, cheap to load.

Each row is checked on its own here (``parse_codes``); rows are checked against the
categories and exchanges when the catalogue is put together (``catalogueassembly``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import regex

from logwatch.core.errors import ConfigError
from logwatch.core.model import Code, Severity
from logwatch.rulebook.catalogue import SILENT
from logwatch.rulebook.cataloguefile import Problems
from logwatch.rulebook.cataloguepacks import shared
from logwatch.rulebook.cataloguetext import as_code, normalise_text
from logwatch.rulebook.rules import ID_PATTERN

#: Files of catalogue codes end with this (``binance.codes.csv``).
CODES_SUFFIX = ".codes.csv"
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


@dataclass(frozen=True, slots=True, kw_only=True)
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
        exchange=exchange,
        code=code,
        category=category,
        severity=severity,
        silent=severity_text == SILENT,
        rule=rule,
        title=title,
        remedy=remedy,
        aliases=(
            tuple(a.strip() for a in aliases.split("|") if a.strip()) if aliases else ()
        ),
        markets=shared(tuple(markets.split())),
        message=message.strip(),
        source=source,
        line=line,
        match=match,
    )
    return row, problems


def parse_codes(
    text: str, source: str, exchange: str
) -> tuple[list[Row], list[ConfigError]]:
    """The rows of a codes file (``#`` lines are comments), and every problem in it."""
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    rows: list[Row] = []
    errors = Problems()
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
