"""``scan``: the rules over log files, once or following them (``--follow``)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logwatch.app.cli_options import (
    lang_option,
    load_rules_cached,
    log_level,
    rules_option,
)
from logwatch.core.errors import LogwatchError
from logwatch.core.formats import FORMATS
from logwatch.core.terminal import shown

if TYPE_CHECKING:
    from logwatch.app.report import Report
    from logwatch.core.model import Severity
    from logwatch.follow.held import Held
    from logwatch.follow.listing import Source
    from logwatch.match.engine import Engine

CHUNK_BYTES = 1024 * 1024
#: the collector's thresholds while files are scanned once (Python's: 700, 10, 10)
SCAN_GC_THRESHOLDS = (100_000, 20, 10)
FORMAT_NAMES = tuple(FORMATS)


def _config_secrets() -> tuple[str, ...]:
    """The secrets of the config, when there is a usable one: scan masks them too.
    The defaults hold none: with no config file and no setting in the environment,
    the config's models are not even imported (a third of scan's start-up)."""
    from logwatch.core.paths import config_given

    if not config_given():
        return ()
    from logwatch.core.config import load_config
    from logwatch.core.configsecrets import config_secrets
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
        from logwatch.deliver.apprisefile import apprise_channels

        channels, _ = apprise_channels(apprise_file, (), ())  # never raises
        secrets += [s for c in channels for s in config_secrets(c)]
    return secret_forms(secrets)


def _scan_file(
    engine: Engine,
    path: Path,
    report: Report,
    *,
    fmt_name: str | None,
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


@click.command()
@click.argument("paths", nargs=-1, required=True)
@rules_option
@click.option(
    "--format", "fmt_name", type=click.Choice(FORMAT_NAMES), help="Skip detection."
)
@lang_option
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
    # first of all, before the slow part of start-up: what is rotated away or
    # deleted while it runs is still read from these handles
    followed = _hold(ctx, paths, force_polling, encoding) if follow else None
    from logwatch.alerts.render import default_language
    from logwatch.app.report import Report
    from logwatch.core.clock import SystemClock
    from logwatch.core.model import Severity
    from logwatch.match.engine import Engine

    clock = SystemClock()
    started = clock.monotonic()
    rules = load_rules_cached(rule_dirs)
    engine = Engine(rules, secrets=_config_secrets())
    report = Report(lang or default_language(), as_json, rules)
    if followed is not None:
        source, held = followed
        _follow(
            engine,
            report,
            source,
            held,
            fmt_name=fmt_name,
            state_path=state_path,
            poll_interval=poll_interval,
        )
        ctx.exit(0)
    if state_path is not None:
        raise click.UsageError("--state goes with --follow")
    with _settled_heap():
        unreadable = _scan_files(
            engine,
            report,
            paths,
            fmt_name=fmt_name,
            unmatched=Severity(unmatched) if unmatched else None,
            encoding=encoding,
        )
    seconds = clock.monotonic() - started
    if as_json:
        sys.stdout.flush()
        click.echo(report.summary(seconds, show_misses).strip("\n"), err=True)
    else:
        click.echo(report.summary(seconds, show_misses), nl=False)
    ctx.exit(2 if unreadable else 0 if report.per_rule else 1)


@contextmanager
def _settled_heap() -> Iterator[None]:
    """While files are scanned once: what start-up made (the rules, the catalogue)
    is left out of the collector's passes (``gc.freeze``), and they come less often
    (hits are freed as they are written, not by it). Its passes over the whole heap
    were ~8 % of a scan of a 1M-line log with 30 % errors."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*SCAN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _hold(
    ctx: click.Context,
    paths: tuple[str, ...],
    force_polling: bool,
    encoding: str | None,
) -> tuple[Source, Held]:
    """``--follow``'s source (a folder is its log files at any depth) and its files
    held open, closed however start-up ends (bad rules: exit 2)."""
    from logwatch.core.codepages import default_fallback
    from logwatch.follow.held import hold
    from logwatch.follow.listing import Source, expand_folders

    source = Source(
        "command line",
        expand_folders(paths),
        force_polling=force_polling,
        encoding=encoding,
        fallback=default_fallback(),
    )
    held = hold([source])
    ctx.call_on_close(held.close)
    return source, held


def _scan_files(
    engine: Engine,
    report: Report,
    paths: tuple[str, ...],
    *,
    fmt_name: str | None,
    unmatched: Severity | None,
    encoding: str | None,
) -> bool:
    """Scan the arguments' files once, with a progress bar for a long scan in a
    terminal; whether one named could not be read (exit 2: a typo is not a clean
    log)."""
    from logwatch.app.scanfiles import scanned_files, size

    files, unfound = scanned_files(paths)
    for arg, folder in unfound:
        why = "no log files in this folder" if folder else "no such file"
        click.echo(f"logwatch: {arg}: {why}", err=True)
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
                    report,
                    fmt_name=fmt_name,
                    bar=bar if show_bar else None,
                    unmatched=unmatched,
                    encoding=encoding,
                )
            except OSError as exc:
                click.echo(
                    shown(f"logwatch: {path}: cannot read: {exc.strerror or exc}"),
                    err=True,
                )
                unreadable = True
            _tell_disabled(engine, report)
    return unreadable


def _tell_disabled(engine: Engine, report: Report) -> None:
    """Say once each rule the engine disabled (too slow on a line...), and why."""
    for rule_id, why in engine.disabled.items():
        if rule_id not in report.disabled_seen:
            report.disabled_seen.add(rule_id)
            click.echo(f"logwatch: rule {rule_id} disabled: {why}", err=True)


def _follow(
    engine: Engine,
    report: Report,
    source: Source,
    held: Held,
    *,
    fmt_name: str | None,
    state_path: Path | None,
    poll_interval: float,
) -> None:
    import threading

    from logwatch.app import logs
    from logwatch.app.control import on_signals
    from logwatch.app.followed import FollowSettings
    from logwatch.app.follower import Follower
    from logwatch.app.follower_events import (
        FileWarning,
        FollowEvent,
        Matched,
        fan_out,
        log_event,
    )
    from logwatch.app.lock import StateLock
    from logwatch.core.clock import SystemClock
    from logwatch.core.formats import FORMATS
    from logwatch.store.state import State

    logs.configure(sys.stderr, level=log_level())
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

    def on_event(event: FollowEvent) -> None:
        if isinstance(event, Matched):
            sys.stdout.write(report.add(event.scan))
            sys.stdout.flush()
            for rule, why in event.scan.disabled:
                click.echo(f"logwatch: rule {rule.id} disabled: {why}", err=True)
        elif isinstance(event, FileWarning):
            click.echo(shown(f"logwatch: {event.path}: {event.problem}"), err=True)

    follower = Follower(
        engine,
        [source],
        clock,
        state=state,
        events=fan_out(log_event, on_event),
        settings=FollowSettings(
            fmt=FORMATS[fmt_name] if fmt_name else None, poll_interval=poll_interval
        ),
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
