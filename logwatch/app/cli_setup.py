"""Setting up: ``init``, the guided setup, and ``test-notify``, a test alert to
every channel."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from logwatch.app.cli_check import check
from logwatch.app.cli_options import config_option, configured_state_path
from logwatch.app.cli_service import service_install

#: test-notify's sample: the first sample line of this built-in rule, matched and
#: rendered as a real alert would be (an error every trader knows, with a remedy).
TEST_NOTIFY_RULE = "binance.margin-insufficient"


@click.command(name="test-notify")
@config_option
@click.pass_context
def test_notify(ctx: click.Context, config_path: Path | None) -> None:
    """Send one test alert to every configured channel and say how each went.

    The alert is what the first sample line of the built-in rule
    binance.margin-insufficient raises, marked [test].

    Exit status: 0 when every channel took it, 1 when any did not, 2 on a config error.
    """
    from logwatch.app.configured import with_apprise_config
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


def _send_tests(loaded: Any) -> int:
    """Send a test alert to every channel of ``loaded``, saying how each went; the
    number that failed."""
    from logwatch.alerts.render import Message, default_language, render
    from logwatch.core.clock import SystemClock
    from logwatch.core.model import Alert, AlertKind
    from logwatch.deliver.desktop import no_desktop
    from logwatch.deliver.notifier import Notifier
    from logwatch.match.engine import Engine
    from logwatch.rulebook.rulecompile import sample_record
    from logwatch.rulebook.ruleload import load_rules
    from logwatch.rulebook.rules import RuleSet

    notifier = Notifier(loaded)
    lang = loaded.config.language or default_language()
    rule = next(r for r in load_rules() if r.id == TEST_NOTIFY_RULE)
    (hit,) = Engine(RuleSet((rule,))).match(sample_record(rule.samples[0]))
    now = SystemClock().now()
    alert = Alert(
        id="test",
        kind=AlertKind.FIRST,
        rule_id=rule.id,
        severity=rule.severity,
        fingerprint="test",
        created_at=now,
        hit=hit,
    )
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


@click.command()
@config_option
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
    from logwatch.deliver.desktop import desktop_session
    from logwatch.deliver.plugins import serve_all

    serve_all()  # the wizard checks any URL: every plugin, desktop:// and console://
    env = dict(os.environ)
    path = (config_path or default_config_path(env)).expanduser()
    options = Options(
        config=path,
        language=language,
        sources=sources,
        found_sources=found_sources,
        telegram=telegram,
        telegram_token=telegram_token,
        telegram_chat=telegram_chat,
        telegram_wait_s=telegram_wait,
        telegram_commands=telegram_commands,
        email_url=email_url,
        desktop=desktop,
        ntfy=ntfy,
        apprise_urls=apprise_urls,
        alert_language=alert_language,
        quiet_hours=quiet_hours,
        secrets_file=secrets_file,
        yes=yes,
    )
    ui = Ui(yes)
    clock = SystemClock()
    found = found_logs(default_sources(known_folders(env), sys.platform))
    wizard = Wizard(
        options,
        ui,
        clock,
        found=found,
        telegram_api=telegram_api(env),
        system_language=default_language(env),
        valid_url=lambda url: apprise.Apprise.instantiate(url) is not None,
        has_desktop=desktop_session(),
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

    state = configured_state_path(config, env)
    lock = StateLock(state)
    pid = lock.holder()
    if pid is None:
        return None
    running = lock.holder_config()
    if running is not None and not _same_file(running, config):
        return pid, running
    done = request_reload(state.parent, clock, 10.0)
    return True if done is None else done  # None: taken, still reloading
