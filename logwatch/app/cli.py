"""The ``logwatch`` command: the only module that prints or exits.

Imports of heavy modules happen inside the commands, so ``scan`` starts fast.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from logwatch.core.errors import LogwatchError
from logwatch.core.formats import FORMATS
from logwatch.core.paths import LOG_LEVEL_VARIABLE
from logwatch.core.terminal import shown

if TYPE_CHECKING:
    from logwatch.app.report import Report
    from logwatch.core.clock import Clock
    from logwatch.core.model import Severity
    from logwatch.follow.listing import Source
    from logwatch.follow.reading import Held
    from logwatch.match.engine import Engine, Scan
    from logwatch.rulebook.rules import RuleSet

CHUNK_BYTES = 1024 * 1024
_F = TypeVar("_F", bound=Callable[..., Any])
FORMAT_NAMES = tuple(FORMATS)


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


def _log_level() -> str:
    """The ``--log-level`` given to ``logwatch`` (for the command running now)."""
    return str(click.get_current_context().meta.get("log_level", "info"))


#: Exit status when logwatch itself failed (a bug): never 1, which ``scan`` uses for
#: "nothing matched", nor 2, a usage or config error.
INTERNAL_ERROR = 3


def main() -> None:
    """Entry point of the ``logwatch`` console script."""
    without_rich(sys.modules)
    safe_output(sys.stdout, os.environ)
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
    """How stdout encodes: ``(encoding, errors)``, ``None`` keeping the current one.

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
    """Make ``stream`` (stdout) unable to fail on a character (see output_encoding)."""
    if not isinstance(stream, io.TextIOWrapper):
        return  # None under pythonw; a test's capture
    encoding, errors = output_encoding(stream.isatty(), env)
    stream.reconfigure(encoding=encoding, errors=errors)


_rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A directory of extra *.yaml rule files (repeatable).",
)
_lang_option = click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    help="Language of titles [default: system locale].",
)


def _load(rule_dirs: Iterable[Path], config_path: Path | None = None) -> RuleSet:
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


# -- scan ------------------------------------------------------------------------------


def _config_secrets() -> tuple[str, ...]:
    """The secrets of the config, when there is a usable one: scan masks them too.
    The defaults hold none: with no config file and no setting in the environment,
    the config's models are not even imported (a third of scan's start-up)."""
    from logwatch.core.paths import config_given

    if not config_given():
        return ()
    from logwatch.core.config import config_secrets, load_config
    from logwatch.match.redact import secret_forms

    try:
        loaded = load_config()
    except LogwatchError:
        return ()
    secrets = config_secrets(loaded.config)
    apprise_file = loaded.config.apprise_config_path(
        loaded.doc.source if loaded.doc else None
    )
    if apprise_file is not None:  # its URLs are channels too: their secrets as well
        from logwatch.deliver.notifier import apprise_channels

        channels, _ = apprise_channels(apprise_file, (), ())  # never raises
        secrets += [s for c in channels for s in config_secrets(c)]
    return secret_forms(secrets)


def _scan_file(
    engine: Engine,
    path: Path,
    fmt_name: str | None,
    report: Report,
    bar: Any,
    unmatched: Severity | None = None,
    encoding: str | None = None,
) -> None:
    from logwatch.core.codepages import default_fallback
    from logwatch.core.formats import FORMATS
    from logwatch.match.stream import Stream

    stream = Stream(
        engine,
        str(path),
        FORMATS[fmt_name] if fmt_name else None,
        unmatched=unmatched,
        codec=encoding,
        fallback=default_fallback(),
    )
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            sys.stdout.write(report.add(stream.feed(chunk)))
            if bar is not None:
                bar.update(len(chunk))
    sys.stdout.write(report.add(stream.flush()))
    report.lines += stream.lines
    for problem in stream.quality.problems:
        click.echo(shown(f"logwatch: {path}: {problem}"), err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_rules_option
@click.option(
    "--format", "fmt_name", type=click.Choice(FORMAT_NAMES), help="Skip detection."
)
@_lang_option
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per hit (JSON Lines)."
)
@click.option(
    "--show-misses", is_flag=True, help="Also list lines with a keyword but no match."
)
@click.option(
    "--unmatched",
    type=click.Choice(["warning", "error"]),
    help="Also report records of this level or above that no rule recognised.",
)
@click.option(
    "--follow", "-f", is_flag=True, help="Keep following the files as they grow."
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --follow: save progress here and resume from it after any stop.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(0.01, 60),
    default=1.0,
    show_default=True,
    help="With --follow: seconds between re-globs and checks of the files.",
)
@click.option(
    "--force-polling",
    is_flag=True,
    help="With --follow: no file events (network drives).",
)
@click.option(
    "--encoding",
    callback=lambda _ctx, _param, name: _codec(name),
    help="The files' encoding (cp1251, koi8-r, utf-16...) [default: UTF-8; a line "
    "that is not, in the ANSI code page on Windows, else cp1251].",
)
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[str, ...],
    rule_dirs: tuple[Path, ...],
    fmt_name: str | None,
    lang: str | None,
    as_json: bool,
    show_misses: bool,
    unmatched: str | None,
    follow: bool,
    state_path: Path | None,
    poll_interval: float,
    force_polling: bool,
    encoding: str | None,
) -> None:
    """Run the rules over log files and print what would be alerted.

    With --follow, keep printing hits as lines are written (globs are re-expanded, so
    new files are picked up) until interrupted.

    A folder is its log files at any depth. Exit status: 0 when something matched
    (or --follow was stopped), 1 when nothing did, 2 on a usage or rule error or a
    file that could not be read (what could be read is scanned), 3 when logwatch
    itself failed.
    """
    if follow:
        # first of all, before the slow part of start-up: what is rotated away or
        # deleted while it runs is still read from these handles
        from logwatch.core.codepages import default_fallback
        from logwatch.follow.listing import Source, expand_folders
        from logwatch.follow.reading import hold

        # a folder is its log files at any depth
        source = Source(
            "command line",
            expand_folders(paths),
            force_polling=force_polling,
            encoding=encoding,
            fallback=default_fallback(),
        )
        held = hold([source])
        ctx.call_on_close(held.close)  # however start-up ends (bad rules: exit 2)
    from logwatch.alerts.render import default_language
    from logwatch.app.report import Report
    from logwatch.core.clock import SystemClock
    from logwatch.core.model import Severity
    from logwatch.match.engine import Engine

    clock = SystemClock()
    started = clock.monotonic()
    rules = _load(rule_dirs)
    engine = Engine(rules, secrets=_config_secrets())
    report = Report(lang or default_language(), as_json, rules)
    if follow:
        _follow(engine, report, source, fmt_name, state_path, poll_interval, held)
        ctx.exit(0)
    if state_path is not None:
        raise click.UsageError("--state goes with --follow")
    from logwatch.app.scanfiles import scanned_files, size

    files, unfound = scanned_files(paths)
    for arg, folder in unfound:
        why = "no log files in this folder" if folder else "no such file"
        click.echo(f"logwatch: {arg}: {why}", err=True)
    #: a file named that could not be read: exit 2, so a typo is not a clean log
    unreadable = any(not folder for _, folder in unfound)
    total = sum(size(p) for p in files)
    show_bar = sys.stderr.isatty() and total > 8 * CHUNK_BYTES
    with (
        click.progressbar(length=total, label="Scanning", file=sys.stderr)
        if show_bar
        else _null() as bar
    ):
        for path in files:
            try:
                _scan_file(
                    engine,
                    path,
                    fmt_name,
                    report,
                    bar if show_bar else None,
                    Severity(unmatched) if unmatched else None,
                    encoding,
                )
            except OSError as exc:
                click.echo(
                    shown(f"logwatch: {path}: cannot read: {exc.strerror or exc}"),
                    err=True,
                )
                unreadable = True
            for rule_id, why in engine.disabled.items():
                if rule_id not in report.disabled_seen:
                    report.disabled_seen.add(rule_id)
                    click.echo(f"logwatch: rule {rule_id} disabled: {why}", err=True)
    seconds = clock.monotonic() - started
    if as_json:
        sys.stdout.flush()
        click.echo(report.summary(seconds, show_misses).strip("\n"), err=True)
    else:
        click.echo(report.summary(seconds, show_misses), nl=False)
    ctx.exit(2 if unreadable else 0 if report.per_rule else 1)


def _follow(
    engine: Engine,
    report: Report,
    source: Source,
    fmt_name: str | None,
    state_path: Path | None,
    poll_interval: float,
    held: Held,
) -> None:
    import threading

    from logwatch.app import logs
    from logwatch.app.control import on_signals
    from logwatch.app.follower import Follower
    from logwatch.app.lock import StateLock
    from logwatch.core.clock import SystemClock
    from logwatch.core.formats import FORMATS
    from logwatch.store.state import State

    logs.configure(sys.stderr, level=_log_level())
    clock = SystemClock()
    lock = StateLock(state_path) if state_path is not None else None
    if lock is not None:
        lock.acquire()
    state = State(state_path, clock) if state_path is not None else None
    if state is not None and state.moved_aside is not None:
        moved, why = state.moved_aside
        click.echo(
            f"logwatch: {state_path}: unusable ({why}); moved to {moved}, "
            "following from the ends of the files",
            err=True,
        )

    def on_scan(scan: Scan) -> None:
        sys.stdout.write(report.add(scan))
        sys.stdout.flush()
        for rule, why in scan.disabled:
            click.echo(f"logwatch: rule {rule.id} disabled: {why}", err=True)

    def on_problem(path: str, text: str) -> None:
        click.echo(shown(f"logwatch: {path}: {text}"), err=True)

    follower = Follower(
        engine,
        [source],
        clock,
        state,
        on_scan,
        FORMATS[fmt_name] if fmt_name else None,
        poll_interval=poll_interval,
        on_problem=on_problem,
        held=held,
    )
    stop = threading.Event()

    def on_stop() -> None:
        stop.set()
        follower.wake()

    def on_ready() -> None:
        count = follower.open_files
        click.echo(
            f"logwatch: following {', '.join(source.patterns)} "
            f"({count} files; Ctrl-C to stop)",
            err=True,
        )

    try:
        with on_signals(on_stop):
            follower.run(stop, on_ready)
    finally:
        if lock is not None:
            lock.release()
    click.echo(f"logwatch: stopped; {sum(report.per_rule.values())} hits", err=True)


def _codec(name: str | None) -> str | None:
    """``--encoding``'s codec, by its canonical name (a usage error if not one)."""
    from logwatch.core.codepages import codec_name

    if name is None:
        return None
    try:
        return codec_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- check, rules, schema --------------------------------------------------------------


_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The config file [default: $LOGWATCH_CONFIG or the platform's config dir].",
)


@cli.command()
@_rules_option
@_config_option
def check(rule_dirs: tuple[Path, ...], config_path: Path | None) -> None:
    """Validate the config file and every rule (built-in, --rules and the config's)."""
    from logwatch.app.wiring import build_setup

    if rule_dirs:
        rules = _load(rule_dirs, config_path)
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


@cli.command()
@_config_option
def run(config_path: Path | None) -> None:
    """Follow the configured logs and send alerts, until stopped (the service)."""
    from logwatch.app import daemon, logs
    from logwatch.core.clock import SystemClock

    # no stderr (pythonw): a log file instead
    logs.configure(sys.stderr, level=_log_level())
    out = logs.console(sys.stderr)
    try:
        code = daemon.run(config_path, SystemClock(), dict(os.environ), out)
    except LogwatchError as exc:
        if sys.stderr is None:  # nobody would see the message: it goes to the log
            logs.log.error("cannot_start", problem=exc.format_message())
        raise
    sys.exit(code)


def _state_path(config_path: Path | None, env: dict[str, str]) -> Path:
    """The state file the config names (its ``state_dir`` alone: no secrets needed)."""
    from logwatch.core.config import load_state_dir
    from logwatch.store.state import state_path

    return state_path(load_state_dir(config_path, env), env)


@cli.command()
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Whether the daemon runs, what it follows, what waits to be sent, open dedup
    windows and mutes, and how each channel last went. Needs no channel secrets."""
    from logwatch.app import heartbeat
    from logwatch.app.lock import StateLock
    from logwatch.app.report import status_json, status_text
    from logwatch.core.clock import SystemClock
    from logwatch.store.status import read_status
    from logwatch.store.statusinfo import DaemonRow

    path = _state_path(config_path, dict(os.environ))
    info = read_status(path, SystemClock().now().timestamp())
    lock = StateLock(path)
    pid = lock.holder()
    info.daemon = DaemonRow(running=pid is not None, pid=pid or None)
    info.lock = str(lock.path)
    info.heartbeat = heartbeat.read_status(path.parent)
    if as_json:
        click.echo(status_json(info))
        return
    beat = info.heartbeat
    beat_line = heartbeat.describe_status(beat) if beat is not None else None
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
    from logwatch.app.wiring import build_setup
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


@cli.command(name="reload")
@_config_option
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


@cli.command(name="stop")
@_config_option
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


@cli.command(name="rules")
@_rules_option
@_lang_option
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

    loaded = _load(rule_dirs)
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


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the rule format, for editors."""
    from logwatch.rulebook.rulespec import rule_schema

    click.echo(json.dumps(rule_schema(), indent=2, ensure_ascii=False))


#: test-notify's sample: the first sample line of this built-in rule, matched and
#: rendered as a real alert would be (an error every trader knows, with a remedy).
TEST_NOTIFY_RULE = "binance.margin-insufficient"


@cli.command(name="test-notify")
@_config_option
@click.pass_context
def test_notify(ctx: click.Context, config_path: Path | None) -> None:
    """Send one test alert to every configured channel and say how each went.

    The alert is what the first sample line of the built-in rule
    binance.margin-insufficient raises, marked [test].

    Exit status: 0 when every channel took it, 1 when any did not, 2 on a config error.
    """
    from logwatch.app.wiring import with_apprise_config
    from logwatch.core.config import load_config
    from logwatch.core.errors import InvalidConfig

    loaded, problems = with_apprise_config(load_config(config_path))
    if problems:
        raise InvalidConfig(problems)
    if not loaded.config.channels:
        click.echo(
            f"logwatch: no channels in {loaded.source}; add some under `channels:` "
            "(or `apprise_config:`)",
            err=True,
        )
        ctx.exit(1)
    failed = _send_tests(loaded)
    ctx.exit(1 if failed else 0)


# -- service ---------------------------------------------------------------------------


@cli.group()
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
@_config_option
@_dry_run_option
@click.pass_context
def service_install(
    ctx: click.Context, system: bool, config_path: Path | None, dry_run: bool
) -> None:
    """Install and start the service for this user (--system: for the machine)."""
    import shutil

    from logwatch.app import service as svc

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
            workdir / svc.TASK_TEMPLATE,
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

    _system_only_on_linux(system)
    env = dict(os.environ)
    if sys.platform != "win32":
        path = svc.unit_path(system, env)
        click.echo(f"unit file: {path} ({'present' if path.exists() else 'absent'})")
        if not svc.systemd_running(system, env):
            click.echo("systemd: no manager is running here")
            ctx.exit(0 if path.exists() else 1)
    command = svc.status_command(sys.platform, system)
    result = svc.run_command(command)
    click.echo((result.stdout or result.stderr).rstrip())
    # systemctl status: 3 = not running, 4 = no such unit; schtasks: 1 = no such task
    ctx.exit(0 if result.returncode == 0 else 1)


def _send_tests(loaded: Any) -> int:
    """Send a test alert to every channel of ``loaded``, saying how each went; the
    number that failed."""
    from logwatch.alerts.render import Message, default_language, render
    from logwatch.core.clock import SystemClock
    from logwatch.core.model import Alert, AlertKind
    from logwatch.deliver.notifier import Notifier, no_desktop
    from logwatch.match.engine import Engine
    from logwatch.rulebook.rulecompile import sample_record
    from logwatch.rulebook.ruleload import load_rules
    from logwatch.rulebook.rules import RuleSet

    notifier = Notifier(loaded)
    lang = loaded.config.language or default_language()
    rule = next(r for r in load_rules() if r.id == TEST_NOTIFY_RULE)
    (hit,) = Engine(RuleSet((rule,))).match(sample_record(rule.samples[0]))
    now = SystemClock().now()
    alert = Alert("test", AlertKind.FIRST, rule.id, rule.severity, "test", now, hit)
    failed = 0
    for channel in loaded.config.channels:
        if channel.scheme == "desktop" and no_desktop():
            failed += 1  # it would print on logwatch's console: no one sees it there
            click.echo(
                f"{channel.name}: NOT SHOWN: {no_desktop()}; its alerts go to "
                "logwatch's console output. Use Telegram, e-mail or ntfy here."
            )
            continue
        message = render(alert, rule, lang, channel.kind)
        prefix = "[тест] " if lang == "ru" else "[test] "
        result = notifier.send(
            channel.name,
            Message(prefix + message.title, message.body),
            rule.severity,
            detail=True,
        )
        if result.status == "sent":
            click.echo(f"{channel.name}: delivered")
        elif result.status == "maybe":
            click.echo(f"{channel.name}: probably delivered ({result.error})")
        else:
            failed += 1
            click.echo(f"{channel.name}: FAILED: {result.error}")
    return failed


# -- init ------------------------------------------------------------------------------


@cli.command()
@_config_option
@click.option("--language", type=click.Choice(["ru", "en"]), help="Of the questions.")
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="A log folder or file pattern to watch (repeatable).",
)
@click.option(
    "--found-sources/--no-found-sources",
    default=None,
    help="With --source: also watch the logs found in the usual folders.",
)
@click.option("--telegram/--no-telegram", default=None, help="Set up Telegram.")
@click.option(
    "--telegram-token",
    envvar="TELEGRAM_BOT_TOKEN",
    show_envvar=True,
    help="The bot's token from @BotFather (better from the environment: a command "
    "line is visible to other programs).",
)
@click.option("--telegram-chat", help="The chat id (else: wait for a message).")
@click.option(
    "--telegram-wait",
    type=click.FloatRange(1, 3600),
    default=120.0,
    show_default=True,
    help="Seconds to wait for a message to the bot.",
)
@click.option(
    "--telegram-commands/--no-telegram-commands",
    default=None,
    help="Answer /status, /mute... from the Telegram chat.",
)
@click.option("--email-url", help="An e-mail channel: mailto://user:pass@host...")
@click.option("--desktop/--no-desktop", default=None, help="Desktop notifications.")
@click.option("--ntfy", help="An ntfy topic or URL.")
@click.option(
    "--apprise-url", "apprise_urls", multiple=True, help="Any Apprise URL (repeatable)."
)
@click.option(
    "--alert-language", type=click.Choice(["ru", "en"]), help="Of the alerts."
)
@click.option("--quiet-hours", help="e.g. 23:00-07:00, or '-' for none.")
@click.option(
    "--secrets-file/--no-secrets-file",
    default=None,
    help="Tokens and passwords in a separate 0600 file (secrets.env) [default: yes].",
)
@click.option(
    "--check/--no-check",
    "run_check",
    default=True,
    show_default=True,
    help="Check the config and send a test alert to each channel.",
)
@click.option(
    "--service/--no-service",
    "install_service",
    default=None,
    help="Install the background service at the end [default: ask; yes with --yes].",
)
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Ask nothing: flags and defaults; a missing required answer is an error.",
)
@click.pass_context
def init(
    ctx: click.Context,
    config_path: Path | None,
    language: str | None,
    sources: tuple[str, ...],
    found_sources: bool | None,
    telegram: bool | None,
    telegram_token: str | None,
    telegram_chat: str | None,
    telegram_wait: float,
    telegram_commands: bool | None,
    email_url: str | None,
    desktop: bool | None,
    ntfy: str | None,
    apprise_urls: tuple[str, ...],
    alert_language: str | None,
    quiet_hours: str | None,
    secrets_file: bool | None,
    run_check: bool,
    install_service: bool | None,
    yes: bool,
) -> None:
    """Set logwatch up by answering a few questions (again: to change the config).

    Every question has a flag; with --yes nothing is asked. Exit status: 0 when the
    config was written (and every check passed), 1 when something failed, 2 when an
    answer or the existing config is wrong.
    """
    import apprise

    from logwatch.alerts.render import default_language
    from logwatch.app.places import default_sources, known_folders
    from logwatch.app.wizard import Wizard
    from logwatch.app.wizard_config import found_logs, write_config
    from logwatch.app.wizard_ui import Options, Ui
    from logwatch.core.clock import SystemClock
    from logwatch.core.config import load_config
    from logwatch.core.paths import default_config_path, telegram_api
    from logwatch.deliver.notifier import desktop_session, serve_all

    serve_all()  # the wizard checks any URL: every plugin, desktop:// and console://
    env = dict(os.environ)
    path = (config_path or default_config_path(env)).expanduser()
    options = Options(
        path,
        language,
        sources,
        found_sources,
        telegram,
        telegram_token,
        telegram_chat,
        telegram_wait,
        telegram_commands,
        email_url,
        desktop,
        ntfy,
        apprise_urls,
        alert_language,
        quiet_hours,
        secrets_file,
        yes,
    )
    ui = Ui(yes)
    clock = SystemClock()
    found = found_logs(default_sources(known_folders(env), sys.platform))
    wizard = Wizard(
        options,
        ui,
        clock,
        found,
        telegram_api(env),
        default_language(env),
        lambda url: apprise.Apprise.instantiate(url) is not None,
        desktop_session(),
    )
    answers, previous = wizard.run()
    if previous is not None and not yes:
        backup_name = f"{path.name}.<time>.bak"
        if not ui.confirm(wizard.t("write", path=path, backup=backup_name), True):
            click.echo(wizard.t("not_written"))
            ctx.exit(1)
    stamp = clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
    backup, env_path = write_config(path, answers, wizard.lang, stamp)
    ui.stopped = wizard.t("stopped_written", path=path)
    click.echo(wizard.t("written", path=path))
    if env_path is not None:
        click.echo(wizard.t("written_env", path=env_path))
    if backup is not None:
        click.echo(wizard.t("backup", path=backup))
    failed = 0
    if run_check:
        click.echo(wizard.t("checking"))
        ctx.invoke(check, rule_dirs=(), config_path=path)
        loaded = load_config(path, env)
        if loaded.config.channels:
            failed = _send_tests(loaded)
    took = _reload_running(path, env, clock)
    if isinstance(took, tuple):
        pid, running = took
        click.echo(wizard.t("other_config", pid=pid, running=running, path=path))
        failed += 1
    elif took is True:
        click.echo(wizard.t("reloaded"))
    elif took is False:
        click.echo(wizard.t("not_reloaded"), err=True)
        failed += 1
    if install_service is None:
        install_service = ui.confirm(wizard.t("service"), True)
    if install_service:
        ctx.invoke(service_install, system=False, config_path=path, dry_run=False)
    click.echo(wizard.t("done"))
    ctx.exit(1 if failed else 0)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, and case on Windows)."""
    try:
        return a.samefile(b)
    except OSError:
        return os.path.normcase(a.absolute()) == os.path.normcase(b.absolute())


def _reload_running(
    config: Path, env: dict[str, str], clock: Any
) -> bool | tuple[int, Path] | None:
    """Ask a logwatch running on this config's state to reload; None if none runs,
    and (its pid, its config) when it runs another config (it is not asked)."""
    from logwatch.app.control import request_reload
    from logwatch.app.lock import StateLock

    state = _state_path(config, env)
    lock = StateLock(state)
    pid = lock.holder()
    if pid is None:
        return None
    running = lock.holder_config()
    if running is not None and not _same_file(running, config):
        return pid, running
    done = request_reload(state.parent, clock, 10.0)
    return True if done is None else done  # None: taken, still reloading
