"""The ``logwatch`` command: its group, ``--log-level`` and ``main``, the entry point.

The commands are in the cli_* modules (with this one, the only modules that print or
exit). Imports of heavy modules happen inside the commands, so ``scan`` starts fast.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from typing import IO, Any

import click

from logwatch.app.cli_check import check, list_rules, schema
from logwatch.app.cli_scan import scan
from logwatch.app.cli_service import (
    reload_command,
    run,
    service,
    status,
    stop_command,
)
from logwatch.app.cli_setup import init, test_notify
from logwatch.core.errors import LogwatchError
from logwatch.core.paths import LOG_LEVEL_VARIABLE


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LogwatchError as exc:
            click.echo(exc.format_message(), err=True)
            ctx.exit(exc.exit_code)


#: ``--log-level``'s names, lowest first (``logs.PRIORITIES`` has their priorities)
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trading-logwatch", prog_name="logwatch")
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default="info",
    show_default=True,
    envvar=LOG_LEVEL_VARIABLE,
    show_envvar=True,
    help="The least important of logwatch's own log events to write (to stderr).",
)
@click.pass_context
def cli(ctx: click.Context, log_level: str) -> None:
    """Follow trading-platform logs and explain the errors in them."""
    ctx.meta["log_level"] = log_level.lower()


#: Exit status when logwatch itself failed (a bug): never 1, which ``scan`` uses for
#: "nothing matched", nor 2, a usage or config error.
INTERNAL_ERROR = 3


def main() -> None:
    """Entry point of the ``logwatch`` console script."""
    without_rich(sys.modules)
    safe_output(sys.stdout, os.environ)
    # an error naming a Cyrillic path, on a pipe, is as readable as a hit on stdout
    safe_output(sys.stderr, os.environ)
    try:
        cli(prog_name="logwatch")
    except Exception:  # noqa: BLE001  boundary: a bug must not pass for an outcome
        import traceback

        if sys.stderr is not None:
            traceback.print_exc()
        sys.exit(INTERNAL_ERROR)


def without_rich(modules: dict[str, Any]) -> None:
    """Keep structlog from loading rich, which logwatch does not depend on: where it
    is installed beside it (a tool's dependency), structlog would load it to draw
    tracebacks, 40% of a follower's start-up on a busy PC, and our logs would look
    other than where it is not. An import of rich in this process fails from now."""
    modules.setdefault("rich", None)


def output_encoding(isatty: bool, env: Mapping[str, str]) -> tuple[str | None, str]:
    """How stdout or stderr encodes: ``(encoding, errors)``, ``None`` keeping the
    current one.

    Files and pipes on Windows get the ANSI code page (cp1251, cp1252), which cannot
    hold our titles or ``⏎``: they get UTF-8 instead, unless ``PYTHONIOENCODING`` says
    otherwise. Whatever cannot be encoded is written as a ``\\u`` escape, never raised.
    """
    io_encoding = env.get("PYTHONIOENCODING", "")
    if io_encoding:
        errors = io_encoding.partition(":")[2]
        return None, errors or "backslashreplace"
    return (None if isatty else "utf-8"), "backslashreplace"


def safe_output(stream: IO[str] | None, env: Mapping[str, str]) -> None:
    """Make ``stream`` (stdout or stderr) unable to fail on a character, and UTF-8 on
    a file or pipe (see output_encoding)."""
    if not isinstance(stream, io.TextIOWrapper):
        return  # None under pythonw; a test's capture
    encoding, errors = output_encoding(stream.isatty(), env)
    stream.reconfigure(encoding=encoding, errors=errors)


# each command lives in the cli_* module of its kind; --help lists them by name
for _command in (
    scan,
    check,
    run,
    status,
    reload_command,
    stop_command,
    list_rules,
    schema,
    test_notify,
    service,
    init,
):
    cli.add_command(_command)
