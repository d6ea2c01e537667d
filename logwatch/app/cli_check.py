"""``check``, ``rules`` and ``schema``: the config and the rules, checked and listed."""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from logwatch.app.cli_options import (
    config_option,
    lang_option,
    load_rules_cached,
    rules_option,
)

if TYPE_CHECKING:
    from logwatch.rulebook.rules import RuleSet


@click.command()
@rules_option
@config_option
def check(rule_dirs: tuple[Path, ...], config_path: Path | None) -> None:
    """Validate the config file and every rule (built-in, --rules and the config's)."""
    from logwatch.app.configured import build_setup

    if rule_dirs:
        rules = load_rules_cached(rule_dirs, config_path)
        _check_catalogue(rules, rule_dirs)
        click.echo(f"{rules.summary()} OK")
        return
    setup = build_setup(config_path, dict(os.environ))
    own = setup.loaded.config.rules
    _check_catalogue(
        setup.rules, [Path(d).expanduser() for d in own.dirs], bool(own.disable)
    )
    for warning in setup.loaded.warnings:
        click.echo(f"logwatch: {warning}", err=True)
    click.echo(
        f"{setup.loaded.source}: OK; {setup.rules.summary()}, "
        f"{len(setup.sources)} sources, "
        f"{len(setup.notifier.channels)} channels"
    )
    # what each channel gets, and the rules that wait for a burst
    for name, channel in setup.notifier.channels.items():
        routing = channel.routing() or "every source, rule and category"
        click.echo(f"  channel {name}: {channel.min_severity} and above; {routing}")
    # one line per config pattern (binance.* may be 280 rules), then the rule files'
    wanted = setup.loaded.config.rules.at_least
    for pattern, at_least in wanted.items():
        covered = sum(fnmatch.fnmatchcase(r.id, pattern) for r in setup.rules)
        click.echo(
            f"  rules {pattern} ({covered}): alert at {at_least.count} hits within "
            f"{at_least.within:g} s"
        )
    for rule in setup.rules:
        by_config = any(fnmatch.fnmatchcase(rule.id, p) for p in wanted)
        if rule.at_least is not None and not by_config:
            count, within = rule.at_least
            click.echo(f"  rule {rule.id}: alert at {count} hits within {within:g} s")


def _check_catalogue(
    rules: RuleSet, dirs: Iterable[Path], disabled: bool = False
) -> None:
    """Every catalogue code through its shapes (too slow for each start), when the
    user's rule or catalogue files in ``dirs`` or ``disabled`` rules take part. The
    shipped rules alone give the same answer on every PC: logwatch's tests check them,
    and ``check`` and ``init`` do not spend seconds on it again.

    Raises:
        InvalidConfig: codes their shapes do not find as they should.
    """
    from logwatch.core.errors import InvalidConfig
    from logwatch.match.engine import Engine, catalogue_problems, shape_problems
    from logwatch.rulebook.ruleload import rule_files

    if not (disabled or rule_files(dirs, builtin=False)):
        return

    engine = Engine(rules)
    problems = [*shape_problems(engine), *catalogue_problems(engine)]
    if problems:
        raise InvalidConfig(problems)


@click.command(name="rules")
@rules_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@click.option(
    "--exchange",
    "exchange",
    metavar="NAME",
    help="Only this exchange's or platform's rules and codes (binance, mt5…).",
)
def list_rules(
    rule_dirs: tuple[Path, ...], lang: str | None, as_json: bool, exchange: str | None
) -> None:
    """List the rules and catalogue codes: id, severity, codes and title.

    Codes that raise nothing (confirmations, success) are not listed.
    """
    from logwatch.alerts.render import default_language
    from logwatch.app.report import rules_json, rules_table

    loaded = load_rules_cached(rule_dirs)
    lang = lang or default_language()
    rules = [r for r in loaded if exchange is None or r.exchange == exchange.lower()]
    if exchange is not None and not rules:
        known = sorted({r.exchange for r in loaded if r.exchange})
        raise click.BadParameter(
            f"no rules for {exchange!r}; known: {', '.join(known)}",
            param_hint="--exchange",
        )
    if as_json:
        click.echo(rules_json(rules, lang))
        return
    for line in rules_table(rules, lang):
        click.echo(line)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the rule format, for editors."""
    from logwatch.rulebook.rulespec import rule_schema

    click.echo(json.dumps(rule_schema(), indent=2, ensure_ascii=False))
