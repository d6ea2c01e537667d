"""Rule files' text -> compiled, checked Rules: ``parse_rules`` and its checks.

Every rule carries sample lines that must match and near-misses that must not;
compiling runs them, so a wrong rule cannot load. Every problem is reported as
``path:line: rule <id>: what is wrong``. pydantic is imported only when a file is
parsed: a start from the rules cache never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import regex

from logwatch.core import formats
from logwatch.core.errors import ConfigError, InvalidConfig, RuleError
from logwatch.core.model import RECORD_FIELDS, Line, Record
from logwatch.rulebook.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    bounded_work,
    keyword_variants,
    nested_quantifier,
    parse,
    required_literals,
)
from logwatch.rulebook.rules import Rule, RuleSet

if TYPE_CHECKING:
    from pydantic import ValidationError

    from logwatch.core.yamlfile import Document
    from logwatch.rulebook.rulespec import RuleSpec


class _Problems:
    def __init__(self, doc: Document, index: int, rule_id: str) -> None:
        self.doc, self.index, self.rule_id = doc, index, rule_id
        self.errors: list[ConfigError] = []

    def add(self, loc: Sequence[str | int], message: str) -> None:
        line = self.doc.line_of(("rules", self.index, *loc))
        self.errors.append(RuleError(self.doc.source, line, self.rule_id, message))


def sample_record(line: str) -> Record:
    """The record a sample line makes, in the format its content looks like."""
    fmt = formats.detect("sample", [line])
    return fmt.record("sample", [Line(line, 1, 0, len(line))])


def _why(exc: regex.error) -> str:
    """A regex compile error as a sentence, with its position when known."""
    msg = getattr(exc, "msg", None) or str(exc)
    pos = getattr(exc, "pos", None)
    return f"{msg} at position {pos}" if pos is not None else msg


def _compile(
    spec: RuleSpec, problems: _Problems, source: str, line: int
) -> Rule | None:
    compiled: dict[str, list[regex.Pattern[str]]] = {"patterns": [], "ignore": []}
    required: list[set[str] | None] = []
    broken = False
    no_parser = ""  # why keywords cannot be read off patterns here, if they cannot
    for field in ("patterns", "ignore"):
        for i, text in enumerate(getattr(spec, field)):
            try:
                pattern = regex.compile(text, PATTERN_FLAGS)
            except regex.error as exc:
                problems.add((field, i), f"{field}[{i}] does not compile: {_why(exc)}")
                broken = True
                continue
            compiled[field].append(pattern)
            try:
                tree = parse(text)
            except LookupError as exc:  # no stdlib parser on this Python
                tree, no_parser = None, str(exc)
            except Exception:  # noqa: BLE001  boundary: regex-only syntax the stdlib parser lacks
                tree = None
            if tree is not None and nested_quantifier(tree):
                problems.add(
                    (field, i),
                    f"{field}[{i}] has a repeat inside a repeat (like (a+)+), which "
                    "can "
                    "backtrack catastrophically; rewrite it without the nesting",
                )
            if field == "patterns":
                required.append(required_literals(tree) if tree is not None else None)
    groups = {name for p in compiled["patterns"] for name in p.groupindex}
    for i, entry in enumerate(spec.key):
        if entry not in groups and entry not in RECORD_FIELDS:
            problems.add(
                ("key", i),
                f"key entry {entry!r} is neither a named group of the patterns "
                f"({', '.join(sorted(groups)) or 'none'}) nor a record field "
                f"({', '.join(RECORD_FIELDS)})",
            )
    keywords: set[bytes] = set()
    if spec.keywords:
        for word in spec.keywords:
            if len(word) < MIN_KEYWORD_CHARS:
                problems.add(
                    ("keywords",),
                    f"keyword {word!r} is shorter than {MIN_KEYWORD_CHARS}",
                )
            keywords |= keyword_variants(word)
    else:
        for i, req in enumerate(required):
            if req is None and no_parser:
                problems.add(("patterns", i), f"patterns[{i}]: {no_parser}")
            elif req is None:
                problems.add(
                    ("patterns", i),
                    f"patterns[{i}] has no literal text of {MIN_KEYWORD_CHARS}+ "
                    "characters "
                    "that every match contains; list some under `keywords:`",
                )
            else:
                for word in req:
                    keywords |= keyword_variants(word)
    rule = Rule(
        id=spec.id,
        severity=spec.severity,
        codes=tuple(spec.codes),
        title=spec.title.model_dump(),
        remedy=spec.remedy.model_dump(),
        patterns=tuple(compiled["patterns"]),
        ignore=tuple(compiled["ignore"]),
        key=tuple(spec.key),
        keywords=tuple(sorted(keywords)),
        tags=tuple(spec.tags),
        link=spec.link,
        samples=tuple(spec.samples),
        near_misses=tuple(spec.near_misses),
        source=source,
        line=line,
        window_s=spec.window,
        reminder_windows=spec.reminder,
        mutes=tuple(spec.mutes),
        mute_for_s=spec.mute_for,
        exchange=spec.id.split(".", 1)[0] if "." in spec.id else "",
        expect_s=spec.expect,
        at_least=(spec.at_least.count, spec.at_least.within) if spec.at_least else None,
        bounded=all(bounded_work(text) for text in (*spec.patterns, *spec.ignore)),
    )
    if not broken and rule.keywords:
        _check_samples(rule, problems)
    return None if problems.errors else rule


def _check_samples(rule: Rule, problems: _Problems) -> None:
    hit_by: set[int] = set()
    for i, sample in enumerate(rule.samples):
        text = sample_record(sample).text
        try:
            matched = [
                j for j, p in enumerate(rule.patterns) if p.search(text, timeout=1.0)
            ]
            vetoed = any(p.search(text, timeout=1.0) for p in rule.ignore)
        except TimeoutError:
            problems.add(("samples", i), f"samples[{i}] took over 1 s to match")
            continue
        if not matched or vetoed:
            why = "an ignore pattern vetoes it" if matched else "no pattern matches it"
            problems.add(("samples", i), f"samples[{i}] does not match: {why}")
        elif not rule.prefiltered(sample):
            problems.add(
                ("samples", i),
                f"samples[{i}] matches but holds none of the keywords "
                f"{sorted(k.decode() for k in rule.keywords)}; fix `keywords:`",
            )
        hit_by.update(matched)
    for j in range(len(rule.patterns)):
        if j not in hit_by:
            problems.add(("patterns", j), f"patterns[{j}] matches none of the samples")
    for i, miss in enumerate(rule.near_misses):
        try:
            hit = rule.prefiltered(miss) and rule.match(sample_record(miss).text, 1.0)
        except TimeoutError:
            problems.add(("near_misses", i), f"near_misses[{i}] took over 1 s to match")
            continue
        if hit:
            problems.add(("near_misses", i), f"near_misses[{i}] matches, but must not")


def parse_rules(doc: Document) -> tuple[list[Rule], list[ConfigError]]:
    """The rules in a YAML document, and every problem found in it."""
    from pydantic import ValidationError

    from logwatch.core.yamlfile import describe
    from logwatch.rulebook.rulespec import RuleSpec

    source, data = doc.source, doc.data
    if data is None:
        return [], [
            ConfigError(source, 1, "empty file: expected a top-level `rules:` list")
        ]
    if not isinstance(data, dict):
        return [], [
            ConfigError(source, 1, "expected a mapping with a top-level `rules:` list")
        ]
    errors: list[ConfigError] = []
    for key in data:
        if key != "rules":
            errors.append(
                ConfigError(source, doc.line_of((key,)), f"unknown key {key!r}")
            )
    items = data.get("rules")
    if not isinstance(items, list):
        errors.append(
            ConfigError(
                source, doc.line_of(("rules",)), "`rules:` must be a list of rules"
            )
        )
        return [], errors
    out = []
    for index, item in enumerate(items):
        rule_id = item.get("id") if isinstance(item, dict) else None
        problems = _Problems(
            doc, index, rule_id if isinstance(rule_id, str) else f"#{index + 1}"
        )
        try:
            spec = RuleSpec.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                problems.add(tuple(err["loc"]), describe(err))
            salvaged = _salvage(item, exc)
            if salvaged is None:
                _compile_only(item, problems)
            else:  # check the rest too, so one fix does not reveal the next problem
                _compile(salvaged, problems, source, doc.line_of(("rules", index)))
            errors.extend(problems.errors)
            continue
        rule = _compile(spec, problems, source, doc.line_of(("rules", index)))
        errors.extend(problems.errors)
        if rule is not None:
            out.append(rule)
    errors.sort(key=lambda e: e.line)
    return out, errors


#: Stand-ins for fields that failed validation, so the rest of a rule can be checked.
_STAND_INS: dict[str, object] = {
    "id": "rule",
    "severity": "warning",
    "title": {"en": "-", "ru": "-"},
    "remedy": {"en": "-", "ru": "-"},
}


def _salvage(item: object, exc: ValidationError) -> RuleSpec | None:
    """The rule with its invalid fields replaced or dropped, if its patterns, samples
    and near-misses are valid; else None."""
    from pydantic import ValidationError

    from logwatch.rulebook.rulespec import RuleSpec

    if not isinstance(item, dict):
        return None
    bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if bad & {"patterns", "samples", "near_misses"}:
        return None
    fixed = {
        k: v for k, v in item.items() if k not in bad and k in RuleSpec.model_fields
    }
    fixed.update({k: v for k, v in _STAND_INS.items() if k in bad})
    try:
        return RuleSpec.model_validate(fixed)
    except ValidationError:
        return None


def _compile_only(item: object, problems: _Problems) -> None:
    """Report patterns that do not compile, in a rule that failed validation."""
    if not isinstance(item, dict):
        return
    for field in ("patterns", "ignore"):
        texts = item.get(field)
        for i, text in enumerate(texts if isinstance(texts, list) else []):
            if isinstance(text, str):
                try:
                    regex.compile(text, PATTERN_FLAGS)
                except regex.error as exc:
                    problems.add(
                        (field, i), f"{field}[{i}] does not compile: {_why(exc)}"
                    )


def rules_from_text(text: str, source: str = "<rules>") -> RuleSet:
    """Rules parsed from YAML text alone (for tests and tools).

    Raises:
        InvalidConfig: with every problem found.
    """
    from logwatch.core.yamlfile import parse_yaml

    doc, problems = parse_yaml(text, source)
    rules, errors = parse_rules(doc)
    if problems or errors:
        raise InvalidConfig([*problems, *errors])
    return RuleSet(tuple(rules))
