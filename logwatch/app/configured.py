"""What one config makes: the validated ``Setup``, read from its file or given.

Everything is checked before anything runs: rules, sources, channels and their
filters, thresholds and the state folder; every problem is reported at its line
(``InvalidConfig``). A reload builds a new Setup first and swaps nothing on error.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from logwatch.alerts.render import default_language
from logwatch.app.places import default_sources, known_folders
from logwatch.core.channel import default_channels, kind_name
from logwatch.core.codepages import default_fallback
from logwatch.core.config import Config, LoadedConfig, load_config
from logwatch.core.errors import ConfigError, InvalidConfig, StateError
from logwatch.core.paths import rules_cache
from logwatch.core.privatefiles import check_private_dir
from logwatch.deliver.apprisefile import apprise_channels
from logwatch.deliver.desktop import desktop_session
from logwatch.deliver.notifier import Notifier
from logwatch.follow.listing import expand_folders, path_matches
from logwatch.follow.tailer import Source
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import Rule, RuleSet


def source_name(path: str, sources: tuple[Source, ...]) -> str:
    """The name of the source whose patterns match ``path`` ("" if none does)."""
    for source in sources:
        if any(path_matches(path, pattern) for pattern in source.patterns):
            return source.name
    return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Setup:
    """Everything the config and rules make; replaced whole on reload."""

    loaded: LoadedConfig
    rules: RuleSet
    sources: tuple[Source, ...]
    notifier: Notifier
    lang: str
    zero_config: bool
    #: names this logwatch in alerts, footers and metrics
    instance: str


def build_setup(config_path: Path | None, env: dict[str, str]) -> Setup:
    """Config (read from its file), rules, sources and channels, all validated.

    Raises:
        InvalidConfig: with every problem in the config and rule files.
    """
    loaded = load_config(config_path, env)
    if loaded.config.state_dir:
        check_state_dir(loaded, Path(loaded.config.state_dir).expanduser())
    return setup_of(loaded, env)


def setup_of(loaded: LoadedConfig, env: dict[str, str]) -> Setup:
    """Rules, sources and channels for a config already read, all validated (its
    ``state_dir`` checked by the caller: ``build_setup``, or the daemon before it
    takes the state's lock).

    Raises:
        InvalidConfig: with every problem in the config and rule files.
    """
    config = loaded.config
    dirs = [Path(d).expanduser() for d in config.rules.dirs]
    rules = load_rules(
        dirs, cache=rules_cache(config.state_dir, env), warnings=loaded.warnings
    )
    unknown = [
        loaded.error(
            ("rules", "disable", i), f"rules.disable: unknown rule id {rule_id!r}"
        )
        for i, rule_id in enumerate(config.rules.disable)
        if rules.rule(rule_id) is None
    ]
    if unknown:
        raise InvalidConfig(unknown)
    if config.rules.disable:
        rules = RuleSet(
            tuple(r for r in rules if r.id not in config.rules.disable),
            rules.catalogue,
        )
    rules, problems = _with_thresholds(loaded, rules)
    sources = config_sources(config, env)
    loaded, read = with_apprise_config(loaded)
    config = loaded.config
    problems += read
    problems += _route_problems(loaded, rules, [s.name for s in sources])
    if problems:
        raise InvalidConfig(sorted(problems, key=lambda e: e.line))
    if not config.channels:
        config = config.model_copy(
            update={"channels": default_channels(desktop_session())}
        )
        loaded = LoadedConfig(config, loaded.doc, loaded.warnings)
    notifier = Notifier(loaded)
    lang = config.language or default_language(env)
    instance = config.instance or socket.gethostname()
    return Setup(
        loaded=loaded,
        rules=rules,
        sources=sources,
        notifier=notifier,
        lang=lang,
        zero_config=not loaded.config.sources,
        instance=instance,
    )


def config_sources(config: Config, env: dict[str, str]) -> tuple[Source, ...]:
    """The sources a config follows (the usual folders when it names none); quick,
    so a start can hold their files before it loads the rules."""
    fallback = config.fallback_encoding or default_fallback()
    return tuple(
        Source(
            s.name,
            expand_folders(s.paths),
            exclude=tuple(s.exclude),
            force_polling=s.force_polling,
            backfill_s=s.backfill,
            unmatched=s.unmatched,
            encoding=s.encoding,
            fallback=fallback,
        )
        for s in (config.sources or default_sources(known_folders(env), sys.platform))
    )


def _with_thresholds(
    loaded: LoadedConfig, rules: RuleSet
) -> tuple[RuleSet, list[ConfigError]]:
    """The rules with the config's ``rules.at_least`` (by id or pattern) applied, and
    a problem at its line for each pattern that names no rule."""
    wanted = loaded.config.rules.at_least
    problems = [
        loaded.error(
            ("rules", "at_least", pattern),
            f"rules.at_least: {pattern!r} names no rule (`logwatch rules` lists them)",
        )
        for pattern in wanted
        if not any(fnmatch.fnmatchcase(r.id, pattern) for r in rules)
    ]
    if not wanted:
        return rules, problems

    def threshold(rule: Rule) -> Rule:
        for pattern, at_least in wanted.items():
            if fnmatch.fnmatchcase(rule.id, pattern):
                return dataclasses.replace(
                    rule, at_least=(at_least.count, at_least.within)
                )
        return rule

    return RuleSet(tuple(threshold(r) for r in rules), rules.catalogue), problems


def with_apprise_config(
    loaded: LoadedConfig,
) -> tuple[LoadedConfig, list[ConfigError]]:
    """The config with the channels of its ``apprise_config`` file added (each URL of
    it one channel, secrets masked like any channel's), and each problem with the
    file at the ``apprise_config`` line (a URL refused is one, never dropped)."""
    config = loaded.config
    path = config.apprise_config_path(loaded.doc.source if loaded.doc else None)
    if path is None:
        return loaded, []
    taken = [c.name for c in config.channels]
    channels, said = apprise_channels(path, config.apprise_tags, taken)
    problems = [
        loaded.error(("apprise_config",), f"apprise_config {path}: {why}")
        for why in said
    ]
    config = config.model_copy(update={"channels": [*config.channels, *channels]})
    return LoadedConfig(config, loaded.doc, loaded.warnings), problems


def _route_problems(
    loaded: LoadedConfig, rules: RuleSet, sources: list[str]
) -> list[ConfigError]:
    """Each channel's ``sources``, ``rules`` and ``categories`` must name something
    that exists (a filter that matches nothing would silently send that channel
    nothing): a problem at its line for each that does not."""
    categories = {kind_name(c) for c in (*rules.catalogue.categories, *rules.tags())}
    problems = []
    for i, channel in enumerate(loaded.config.channels):
        for j, name in enumerate(channel.sources or ()):
            if name not in sources:
                problems.append(
                    loaded.error(
                        ("channels", i, "sources", j),
                        f"channel {channel.name}: no source named {name!r} "
                        f"(sources: {', '.join(sources)})",
                    )
                )
        for j, pattern in enumerate(channel.rules or ()):
            if not any(fnmatch.fnmatchcase(r.id, pattern) for r in rules):
                problems.append(
                    loaded.error(
                        ("channels", i, "rules", j),
                        f"channel {channel.name}: {pattern!r} names no rule "
                        "(`logwatch rules` lists them)",
                    )
                )
        for j, category in enumerate(channel.categories or ()):
            if kind_name(category) not in categories:
                problems.append(
                    loaded.error(
                        ("channels", i, "categories", j),
                        f"channel {channel.name}: no category or tag {category!r} "
                        f"(known: {', '.join(sorted(categories))})",
                    )
                )
    return problems


def check_state_dir(loaded: LoadedConfig, path: Path) -> None:
    """A state_dir that cannot be created or written, or that is not private (the
    check of ``StateLock``), is a config error at its line: ``check`` and ``run``
    refuse the same folders.

    Raises:
        InvalidConfig: naming the ``state_dir`` line.
    """
    file = next(
        (f for f in (path, *path.parents) if f.exists() and not f.is_dir()), None
    )
    if file is not None:  # mkdir would say only "File exists" / "Not a directory"
        where = "" if file == path else f", so state_dir {path} cannot be made there"
        raise InvalidConfig(
            [
                loaded.error(
                    ("state_dir",),
                    f"state_dir {file} is a file, not a folder{where}: name a "
                    "folder for logwatch's state (or move the file away)",
                )
            ]
        )
    try:  # private from the start: a group-writable one would then be refused
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path}: {exc.strerror or exc}")]
        ) from exc
    try:
        check_private_dir(path)
    except StateError as exc:
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {exc.format_message()}")]
        ) from exc
    if not os.access(path, os.W_OK):
        raise InvalidConfig(
            [loaded.error(("state_dir",), f"state_dir {path} is not writable")]
        )
