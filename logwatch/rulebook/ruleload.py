"""Loading rules: the rule and catalogue files of the rule folders -> one RuleSet.

Finds the files (``rule_files``), parses each (rules by ``rulecompile``, the
catalogue's by ``cataloguefile`` and ``codesfile``), puts the catalogue together
(``catalogueassembly``) and checks the whole (duplicate ids, mutes of unknown
rules). ``load_rules`` goes through the rules cache first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

import logwatch
from logwatch.core.errors import ConfigError, InvalidConfig, RuleError
from logwatch.core.paths import RulesCache
from logwatch.rulebook import catalogueassembly, codesfile
from logwatch.rulebook import cataloguefile as cat
from logwatch.rulebook.rulecache import CacheFile
from logwatch.rulebook.rulecompile import parse_rules
from logwatch.rulebook.rules import UNMATCHED, Rule, RuleSet


def builtin_rules_dir() -> Path:
    """The rule packs shipped with logwatch (in the wheel, or the repo's ``rules/``)."""
    package = Path(logwatch.__file__).parent
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.resolve().parent / "rules"


def rule_files(dirs: Iterable[Path], builtin: bool = True) -> list[Path]:
    """The rule and catalogue files to load, built-in first, each directory's by name.

    Raises:
        InvalidConfig: a directory does not exist.
    """
    files: list[Path] = []
    missing = []
    for directory in ([builtin_rules_dir()] if builtin else []) + list(dirs):
        if not directory.is_dir():
            missing.append(ConfigError(str(directory), 0, "no such rules directory"))
            continue
        # sub-folders too (rules/ccxt/…), each folder's files before its sub-folders'
        files.extend(
            sorted(
                (
                    p
                    for p in directory.rglob("*")
                    if (
                        p.suffix in (".yaml", ".yml")
                        or p.name.endswith(codesfile.CODES_SUFFIX)
                        or p.name == cat.CLASSES_FILE
                    )
                    and p.is_file()
                ),
                key=lambda p: (len(p.relative_to(directory).parts), p),
            )
        )
    if missing:
        raise InvalidConfig(missing)
    return files


def load_rules(
    dirs: Iterable[Path] = (),
    builtin: bool = True,
    cache: RulesCache | None = None,
    warnings: list[str] | None = None,
) -> RuleSet:
    """Every rule and catalogue entry from the built-in packs and ``dirs``.

    With ``cache`` (``paths.rules_cache``), a rule set loaded before from the very
    same files by the very same code is read from its folder instead, when signed
    with the user's key in its ``key_file`` (see ``rulecache.CacheFile``). A cache
    that was refused, or that cannot be used for want of a key, is named in
    ``warnings``.

    Raises:
        InvalidConfig: with every problem in every file, duplicate ids included.
    """
    dirs = list(dirs)
    # thousands of small objects and no cycles: collecting while they are made only
    # costs time (a third of the load at start-up)
    enabled = gc.isenabled()
    gc.disable()
    kept = None
    try:
        if cache is not None:
            try:
                files = rule_files(dirs, builtin)
            except (OSError, InvalidConfig):
                files = None  # loading from the files reports what is wrong
            if files is not None:
                kept = CacheFile.of(cache.folder, cache.key_file, dirs, builtin, files)
        cached = kept.read() if kept is not None else None
        if cached is not None:
            return cached
        ruleset = _load_rules(dirs, builtin)
        if kept is not None:
            kept.write(ruleset)
        return ruleset
    finally:
        if kept is not None and kept.warning and warnings is not None:
            warnings.append(kept.warning)
        if enabled:
            gc.enable()


def _load_rules(dirs: Iterable[Path], builtin: bool) -> RuleSet:
    """The work of ``load_rules``, done while the collector is paused."""
    # here, not at the top: a start from the cache never imports YAML
    from logwatch.core.yamlfile import load_yaml

    rules: list[Rule] = []
    errors: list[ConfigError] = []
    parts = cat.CatalogueParts()
    rows: list[codesfile.Row] = []
    shipped = builtin_rules_dir()
    builtin_sources: set[str] = set()
    for path in rule_files(dirs, builtin):
        if builtin and shipped in path.parents:
            builtin_sources.add(str(path))
        if path.name == cat.CLASSES_FILE:
            try:
                errors.extend(cat.parse_classes(cat.read_text(path), str(path), parts))
            except ConfigError as exc:
                errors.append(exc)
            continue
        if path.name.endswith(codesfile.CODES_SUFFIX):
            try:
                text = cat.read_text(path)
            except ConfigError as exc:
                errors.append(exc)
                continue
            found_rows, problems = codesfile.parse_codes(
                text, str(path), codesfile.exchange_of(path.name)
            )
            rows.extend(found_rows)
            errors.extend(problems)
            continue
        try:
            doc, problems = load_yaml(path)
        except ConfigError as exc:
            errors.append(exc)
            continue
        errors.extend(problems)
        if cat.is_catalogue(doc):
            errors.extend(cat.parse_catalogue_yaml(doc, parts))
            continue
        found, problems = parse_rules(doc)
        errors.extend(problems)
        rules.extend(found)
    catalogue, problems = catalogueassembly.assemble(
        parts, rows, {r.id for r in rules}, builtin_sources
    )
    errors.extend(problems)
    rules.extend(catalogueassembly.catalogue_rules(catalogue, {r.id for r in rules}))
    rules.append(UNMATCHED)
    ids = {rule.id for rule in rules}
    for rule in rules:
        for target in rule.mutes:
            if target not in ids:
                errors.append(
                    RuleError(
                        rule.source,
                        rule.line,
                        rule.id,
                        f"mutes unknown rule {target!r}",
                    )
                )
    first: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in first:
            other = first[rule.id]
            errors.append(
                RuleError(
                    rule.source,
                    rule.line,
                    rule.id,
                    f"duplicate id: already defined at {other.source}:{other.line}",
                )
            )
        else:
            first[rule.id] = rule
    if errors:
        raise InvalidConfig(errors)
    return RuleSet(tuple(first.values()), catalogue)
