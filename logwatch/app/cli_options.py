"""What the commands share: --rules, --lang and --config, the rules loaded through
their cache, the config's state file and the --log-level given to ``logwatch``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from logwatch.core.errors import LogwatchError

if TYPE_CHECKING:
    from logwatch.rulebook.rules import RuleSet


def log_level() -> str:
    """The ``--log-level`` given to ``logwatch`` (for the command running now)."""
    return str(click.get_current_context().meta.get("log_level", "info"))


rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A directory of extra *.yaml rule files (repeatable).",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    help="Language of titles [default: system locale].",
)


def load_rules_cached(
    rule_dirs: Iterable[Path], config_path: Path | None = None
) -> RuleSet:
    """The rules, through the cache whose key is in the config's state folder."""
    from logwatch.core.paths import rules_cache
    from logwatch.rulebook.ruleload import load_rules

    env = dict(os.environ)
    warnings: list[str] = []
    rules = load_rules(
        list(rule_dirs),
        cache=rules_cache(_configured_state_dir(config_path, env), env),
        warnings=warnings,
    )
    for warning in warnings:
        click.echo(f"logwatch: {warning}", err=True)
    return rules


def _configured_state_dir(config_path: Path | None, env: dict[str, str]) -> str | None:
    """The config's ``state_dir``, if there is a config that sets one. The defaults
    set none: with no config file and no setting in the environment, the config's
    models are not even imported (a third of scan's start-up). A config that cannot
    be read sets none here: the commands that need it report it themselves."""
    from logwatch.core.paths import config_given

    if config_path is None and not config_given(env):
        return None
    from logwatch.core.config import load_state_dir

    try:
        return load_state_dir(config_path, env)
    except LogwatchError:
        return None


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The config file [default: $LOGWATCH_CONFIG or the platform's config dir].",
)


def configured_state_path(config_path: Path | None, env: dict[str, str]) -> Path:
    """The state file the config names (its ``state_dir`` alone: no secrets needed)."""
    from logwatch.core.config import load_state_dir
    from logwatch.store.state import state_path

    return state_path(load_state_dir(config_path, env), env)
