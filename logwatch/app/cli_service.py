"""The running logwatch: ``run`` it, ask its ``status``, ``reload`` or ``stop`` it,
and install it as a ``service``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from logwatch.app.cli_options import config_option, configured_state_path, log_level
from logwatch.core.errors import LogwatchError

if TYPE_CHECKING:
    from logwatch.core.clock import Clock

_F = TypeVar("_F", bound=Callable[..., Any])


@click.command()
@config_option
def run(config_path: Path | None) -> None:
    """Follow the configured logs and send alerts, until stopped (the service)."""
    from logwatch.app import daemon, logs
    from logwatch.core.clock import SystemClock

    # no stderr (pythonw): a log file instead
    logs.configure(sys.stderr, level=log_level())
    out = logs.console(sys.stderr)
    try:
        code = daemon.run(config_path, SystemClock(), dict(os.environ), out)
    except LogwatchError as exc:
        if sys.stderr is None:  # nobody would see the message: it goes to the log
            logs.log.error("cannot_start", problem=exc.format_message())
        raise
    sys.exit(code)


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Whether the daemon runs, what it follows, what waits to be sent, open dedup
    windows and mutes, and how each channel last went. Needs no channel secrets."""
    from logwatch.app import heartbeat
    from logwatch.app.lock import StateLock
    from logwatch.app.statustext import status_json, status_text
    from logwatch.core.clock import SystemClock
    from logwatch.store.status import read_status
    from logwatch.store.statusinfo import DaemonRow

    path = configured_state_path(config_path, dict(os.environ))
    info = read_status(path, SystemClock().now().timestamp())
    lock = StateLock(path)
    pid = lock.holder()
    info.daemon = DaemonRow(running=pid is not None, pid=pid or None)
    info.lock = str(lock.path)
    info.heartbeat = heartbeat.read_ping_status(path.parent)
    if as_json:
        click.echo(status_json(info))
        return
    beat = info.heartbeat
    beat_line = heartbeat.describe_ping_status(beat) if beat is not None else None
    for line in status_text(info, beat_line):
        click.echo(line)


def _timeout_option(waits_for: str) -> Callable[[_F], _F]:
    """``--timeout``: how long ``reload`` and ``stop`` wait for the running logwatch."""
    return click.option(
        "--timeout",
        type=click.FloatRange(0, 600),
        default=10.0,
        show_default=True,
        help=f"Seconds to wait for the running logwatch to {waits_for}.",
    )


def _ask_running(
    ctx: click.Context,
    config_path: Path | None,
    timeout: float,
    request: Callable[[Path, Clock, float], bool | None],
    done: str,
) -> None:
    """Ask the logwatch running on this config's state (``control.request_reload``
    or ``request_stop``), say how it went, and exit 1 unless it did it."""
    from logwatch.app.configured import build_setup
    from logwatch.core.clock import SystemClock
    from logwatch.store.state import state_path

    env = dict(os.environ)
    path = state_path(build_setup(config_path, env).loaded.config.state_dir, env)
    answer = request(path.parent, SystemClock(), timeout)
    if answer:
        click.echo(f"logwatch: {done}")
        return
    if answer is None:
        click.echo(
            f"logwatch: the running logwatch took the request but was still reloading "
            f"after {timeout:g} s (its log says when it is done)",
            err=True,
        )
        ctx.exit(1)
    click.echo(
        f"logwatch: no running logwatch took the request within {timeout:g} s "
        f"(is one running with the state in {path.parent}?)",
        err=True,
    )
    ctx.exit(1)


@click.command(name="reload")
@config_option
@_timeout_option("have reloaded")
@click.pass_context
def reload_command(
    ctx: click.Context, config_path: Path | None, timeout: float
) -> None:
    """Make the running logwatch re-read its config and rules (SIGHUP's job on Linux).

    The config and rules are checked here first: with an error, nothing is asked and
    the service keeps what it has. Exit status: 0 when the running logwatch has
    reloaded, 1 when none took the request or it was still reloading at --timeout, 2
    on a config or rule error.
    """
    from logwatch.app.control import request_reload

    _ask_running(
        ctx,
        config_path,
        timeout,
        request_reload,
        "the running logwatch has reloaded its config and rules",
    )


@click.command(name="stop")
@config_option
@_timeout_option("take the request")
@click.pass_context
def stop_command(ctx: click.Context, config_path: Path | None, timeout: float) -> None:
    """Make the running logwatch save its state and exit (SIGTERM's job on Linux).

    Windows has no SIGTERM, and the windowless logwatchw no console for Ctrl-Break.
    Exit status: 0 when the running logwatch took the request, 1 when none did.
    """
    from logwatch.app.control import request_stop

    _ask_running(
        ctx, config_path, timeout, request_stop, "the running logwatch is stopping"
    )


# -- service ---------------------------------------------------------------------------


@click.group()
def service() -> None:
    """Run logwatch in the background: a logon task (Windows), a systemd unit."""


_system_option = click.option(
    "--system",
    is_flag=True,
    help="Linux: the hardened system unit (root; Telegram/e-mail, no desktop).",
)
_dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Print what would be written and run; do nothing."
)


def _show_plan(plan: Any, dry_run: bool) -> None:
    for write in plan.writes:
        click.echo(f"{'would write' if dry_run else 'writing'} {write.path}")
        if dry_run:
            click.echo(write.text)
    for path in plan.removes:
        click.echo(f"{'would remove' if dry_run else 'removing'} {path}")
    if dry_run or not plan.runnable:
        if not dry_run:
            click.echo("no systemd manager is running here; run these yourself:")
        for command in (*plan.commands, *plan.then):
            click.echo("  " + " ".join(command))
    for note in plan.notes:
        click.echo(f"logwatch: note: {note}", err=True)


def _apply_plan(ctx: click.Context, plan: Any, dry_run: bool, strict: bool) -> None:
    from logwatch.app import service as svc

    _show_plan(plan, dry_run)
    if dry_run:
        return
    failed = False
    for command, result in svc.apply(plan, stop_on_error=strict):
        ok = result.returncode == 0
        failed = failed or not ok
        click.echo(f"{'ok' if ok else 'FAILED'}: {' '.join(command)}")
        if not ok:
            click.echo((result.stderr or result.stdout).strip(), err=True)
    if failed and strict:
        ctx.exit(1)


def _system_only_on_linux(system: bool) -> None:
    if system and sys.platform == "win32":
        raise click.UsageError("--system is for Linux; Windows uses a logon task")


class _NotInstalled(click.ClickException):
    """The launcher a service would start is nowhere: exit 2, never a traceback."""

    exit_code = 2


@service.command(name="install")
@_system_option
@config_option
@_dry_run_option
@click.pass_context
def service_install(
    ctx: click.Context, system: bool, config_path: Path | None, dry_run: bool
) -> None:
    """Install and start the service for this user (--system: for the machine)."""
    import shutil

    from logwatch.app import service as svc
    from logwatch.app.servicetask import TASK_TEMPLATE

    env = dict(os.environ)
    scripts = svc.script_dirs(Path(sys.executable))
    _system_only_on_linux(system)
    # the service starts elsewhere than here: it needs the path from the root
    config = config_path.resolve() if config_path else None
    if sys.platform == "win32":
        command = svc.launcher(scripts, shutil.which)
        if command is None:
            raise _NotInstalled(svc.not_found(scripts))
        workdir = svc.default_workdir(env)
        plan = svc.windows_install(
            env,
            command,
            workdir,
            workdir / TASK_TEMPLATE,
            str(config) if config else None,
        )
    else:
        executable = svc.executable(scripts, shutil.which)
        if executable is None:
            raise _NotInstalled(svc.not_found(scripts))
        if system and not dry_run and os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
            raise click.ClickException(
                "--system writes /etc/systemd/system: run it as root (sudo)"
            )
        plan = svc.linux_install(env, executable, config, system)
    _apply_plan(ctx, plan, dry_run, strict=True)
    if not dry_run and plan.runnable:
        click.echo("logwatch: the service is installed and started")


@service.command(name="uninstall")
@_system_option
@_dry_run_option
@click.pass_context
def service_uninstall(ctx: click.Context, system: bool, dry_run: bool) -> None:
    """Stop the service and remove it."""
    from logwatch.app import service as svc

    _system_only_on_linux(system)
    if sys.platform == "win32":
        plan = svc.windows_uninstall()
    else:
        plan = svc.linux_uninstall(dict(os.environ), system)
    _apply_plan(ctx, plan, dry_run, strict=False)


@service.command(name="status")
@_system_option
@click.pass_context
def service_status(ctx: click.Context, system: bool) -> None:
    """Whether the service is installed and running (its manager's own words)."""
    from logwatch.app import service as svc
    from logwatch.app.serviceunit import systemd_running, unit_path

    _system_only_on_linux(system)
    env = dict(os.environ)
    if sys.platform != "win32":
        path = unit_path(system, env)
        click.echo(f"unit file: {path} ({'present' if path.exists() else 'absent'})")
        if not systemd_running(system, env):
            click.echo("systemd: no manager is running here")
            ctx.exit(0 if path.exists() else 1)
    command = svc.status_command(sys.platform, system)
    result = svc.run_command(command)
    click.echo((result.stdout or result.stderr).rstrip())
    # systemctl status: 3 = not running, 4 = no such unit; schtasks: 1 = no such task
    ctx.exit(0 if result.returncode == 0 else 1)
