"""``logwatch init``: the guided setup that writes a commented config.

The questions go through a ``Ui`` (click's prompts in a terminal; defaults and flags
only with ``--yes``), the Telegram chat is found through the Bot API, and what is
written is made by pure functions (``render_config``, ``render_env``) that the tests
parse back. An existing config is edited: its values are the defaults, keys the
wizard does not ask about are kept, and the old file is kept beside the new one.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
import yaml

from logwatch.clock import Clock
from logwatch.config import SourceSpec
from logwatch.errors import LogwatchError
from logwatch.listing import folder_patterns
from logwatch.privatefiles import write_private
from logwatch.render import plural
from logwatch.telegram import (
    BotApi,
    Chat,
    TelegramError,
    api_base,
    chat_of,
    valid_token,
)
from logwatch.wizard_text import COMMENTS, TEXT
from logwatch.yamlfile import load_yaml

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"  # noqa: S105  a variable name
SMTP_VAR = "SMTP_PASSWORD"
ENV_FILE = "secrets.env"
#: how long one getUpdates call waits (Telegram allows up to 50 s)
POLL_S = 20.0


class WizardError(LogwatchError):
    """The setup cannot go on (a missing answer with --yes, Telegram said no...)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def format_message(self) -> str:
        """The message, as cli prints it."""
        return f"logwatch init: {self.message}"


# -- pure parts -----------------------------------------------------------------------


@dataclass
class Answers:
    """What the config will say: raw YAML values (``${VAR}`` kept), and secrets."""

    language: str = "en"
    sources: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    quiet_hours: tuple[str, str] | None = None
    #: top-level keys of an existing config the wizard does not ask about
    kept: dict[str, Any] = field(default_factory=dict)
    #: NAME -> value for the env file (empty: secrets are written into the config)
    secrets: dict[str, str] = field(default_factory=dict)
    env_file: str | None = None

    def put_channel(self, channel: dict[str, Any]) -> None:
        """Add a channel, replacing one of the same name."""
        self.channels = [c for c in self.channels if c.get("name") != channel["name"]]
        self.channels.append(channel)


def _block(comment: str, data: dict[str, Any]) -> str:
    lines = [f"# {line}" for line in comment.splitlines()]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return "\n".join(lines) + "\n" + body


def render_config(answers: Answers, lang: str) -> str:
    """The config file's text, a comment before each section."""
    c = COMMENTS[lang]
    parts = ["\n".join(f"# {line}" for line in c["header"].splitlines()) + "\n"]
    parts.append(_block(c["language"], {"language": answers.language}))
    if answers.sources:
        parts.append(_block(c["sources"], {"sources": answers.sources}))
    else:
        parts.append(f"# {c['no_sources']}\n")
    if answers.channels:
        parts.append(_block(c["channels"], {"channels": answers.channels}))
    if answers.quiet_hours:
        start, end = answers.quiet_hours
        parts.append(
            _block(c["quiet_hours"], {"quiet_hours": {"from": start, "to": end}})
        )
    if answers.env_file:
        parts.append(_block(c["env_file"], {"env_file": answers.env_file}))
    if answers.kept:
        parts.append(_block(c["kept"], answers.kept))
    return "\n".join(parts)


def render_env(secrets: dict[str, str]) -> str:
    """The env file: one ``NAME='value'`` line each, single-quoted with ``\\`` and
    ``'`` escaped, so that any value (``#``, quotes, spaces at its ends, newlines)
    reads back as it was."""
    lines = ["# secrets of logwatch's config (${NAME} there); keep this file private"]
    for name, value in sorted(secrets.items()):
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        lines.append(f"{name}='{escaped}'")
    return "\n".join(lines) + "\n"


_TIME = r"(\d{1,2}:\d{2})"


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """``23:00-07:00`` -> ("23:00", "07:00"); ``-``/empty -> None.

    Raises:
        ValueError: not two times, or the same time twice.
    """
    text = text.strip()
    if text in ("", "-", "none", "нет"):
        return None
    m = re.fullmatch(rf"{_TIME}\s*[-–]\s*{_TIME}", text)
    if not m:
        raise ValueError(text)
    start, end = (time.fromisoformat(g.zfill(5)) for g in m.groups())
    if start == end:
        raise ValueError(text)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def source_for(path: str, taken: Sequence[str]) -> dict[str, Any]:
    """A source for a folder (its ``*.log``, ``*.txt``, ``*.slog`` at any depth: a
    platform keeps its logs in subfolders) or a pattern."""
    expanded = os.path.expanduser(path.strip())  # noqa: PTH111  a user's text
    if Path(expanded).is_file():  # a name like "Bot [2].log" is a name, not a glob
        patterns = [glob.escape(expanded)]
        base = Path(expanded).stem
    elif glob.has_magic(expanded) and not Path(expanded).is_dir():
        patterns = [expanded]
        base = Path(expanded.split("*", 1)[0]).name or "logs"
    else:
        patterns = folder_patterns(expanded)
        base = Path(expanded.rstrip("/\\")).name or "logs"
    name = re.sub(r"[^\w.-]+", "-", base).strip("-")[:50] or "logs"
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}-{n}", n + 1
    return {"name": unique, "paths": patterns}


def matched_files(patterns: Sequence[str]) -> list[str]:
    """The files that ``patterns`` match now (any depth where they say ``**``)."""
    files = {
        name
        for pattern in patterns
        for name in glob.glob(os.path.expanduser(pattern), recursive=True)  # noqa: PTH111, PTH207  str patterns
        if Path(name).is_file()
    }
    return sorted(files)


def found_logs(sources: Sequence[SourceSpec]) -> list[tuple[SourceSpec, list[str]]]:
    """The zero-config sources that have files on this PC, with the files."""
    out = []
    for source in sources:
        files: list[str] = []
        for pattern in source.paths:
            files += glob.glob(pattern, recursive=True)  # noqa: PTH207  str patterns
        if files:
            out.append((source, sorted(set(files))))
    return out


def email_url(host: str, port: int, user: str, password: str, to: str) -> str:
    """An Apprise ``mailto``/``mailtos`` URL (SSL on 465, STARTTLS otherwise)."""
    scheme = "mailtos" if port == 465 else "mailto"
    mode = "ssl" if port == 465 else "starttls"
    return (
        f"{scheme}://{quote(user, safe='')}:{password}@{host}:{port}"
        f"?from={quote(user, safe='@')}&to={quote(to, safe='@')}&mode={mode}"
    )


def split_password(url: str) -> tuple[str, str]:
    """A URL with its ``user:password@`` password replaced by a NUL, and the password
    ("" when it has none)."""
    m = re.match(r"^([a-z0-9+.-]+://[^:/@]*:)([^@/]+)(@.*)$", url, re.I | re.S)
    if not m:
        return url, ""
    return m.group(1) + "\0" + m.group(3), m.group(2)


def ntfy_url(text: str) -> str:
    """An Apprise ntfy URL from a topic or an ntfy web address."""
    text = text.strip()
    if "://" not in text:
        return f"ntfys://ntfy.sh/{text}"
    scheme, rest = text.split("://", 1)
    return ("ntfys" if scheme in ("https", "ntfys") else "ntfy") + "://" + rest


def answers_from(data: dict[str, Any]) -> Answers:
    """The answers an existing config (its raw YAML mapping) already gives."""
    managed = {"language", "sources", "channels", "quiet_hours", "env_file"}
    quiet = data.get("quiet_hours")
    hours = None
    if isinstance(quiet, dict) and "from" in quiet and "to" in quiet:
        hours = (_clock_text(quiet["from"]), _clock_text(quiet["to"]))
    return Answers(
        language=str(data.get("language") or "en"),
        sources=list(data.get("sources") or []),
        channels=list(data.get("channels") or []),
        quiet_hours=hours,
        kept={k: v for k, v in data.items() if k not in managed},
        env_file=data.get("env_file"),
    )


def _clock_text(value: object) -> str:
    if isinstance(value, int):  # YAML 1.1 reads 23:00 as 1380 minutes
        return f"{value // 60 % 24:02d}:{value % 60:02d}"
    return str(value)


# -- asking ---------------------------------------------------------------------------


class Stopped(WizardError):
    """The user pressed Ctrl-C (or closed the input): a goodbye, not ``Aborted!``."""

    def format_message(self) -> str:
        """The goodbye on a line of its own (the cursor is after a question)."""
        return "\n" + self.message


#: Answers to a yes/no question, per language (y/n work in both).
YES_NO: dict[str, tuple[frozenset[str], frozenset[str], str, str]] = {
    "en": (frozenset({"y", "yes"}), frozenset({"n", "no"}), "Y/n", "y/N"),
    "ru": (
        frozenset({"y", "yes", "д", "да"}),
        frozenset({"n", "no", "н", "нет"}),
        "Д/н",
        "д/Н",
    ),
}


class Ui:
    """Questions in a terminal; with ``yes``: the default, or an error naming a flag.

    The language (``lang``) is the one chosen for the questions: answers, errors
    and the goodbye at Ctrl-C follow it.
    """

    def __init__(self, yes: bool, echo: Callable[[str], None] = click.echo) -> None:
        self.yes, self.echo = yes, echo
        self.lang = "en"
        #: said when the user stops (Ctrl-C); the wizard sets it once it can
        self.stopped = TEXT["en"]["stopped"]

    def _prompt(self, text: str, **kwargs: Any) -> str:
        try:
            answer: str = click.prompt(text, **kwargs)
        except click.Abort:
            raise Stopped(self.stopped) from None
        return answer

    def ask(self, text: str, default: str | None, flag: str, hide: bool = False) -> str:
        """A line of text (``default`` None: the answer is required)."""
        if self.yes:
            if default is None:
                raise WizardError(f"{text}: give {flag}", exit_code=2)
            return default
        answer = self._prompt(
            text,
            default=default,
            hide_input=hide,
            show_default=not hide and bool(default),
        )
        return answer.strip()

    def confirm(self, text: str, default: bool) -> bool:
        """Yes or no (``да``/``д``/``нет``/``н`` in Russian, y/n in both)."""
        if self.yes:
            return default
        yes, no, if_yes, if_no = YES_NO.get(self.lang, YES_NO["en"])
        while True:
            answer = self._prompt(
                f"{text} [{if_yes if default else if_no}]",
                default="",
                show_default=False,
            )
            word = answer.strip().lower()
            if not word:
                return default
            if word in yes:
                return True
            if word in no:
                return False
            self.echo(TEXT[self.lang]["yes_no"])

    def choose(self, text: str, choices: Sequence[str], default: str) -> str:
        """One of ``choices``."""
        if self.yes:
            return default
        while True:
            answer = self._prompt(
                f"{text} ({', '.join(choices)})", default=default
            ).strip()
            if answer.lower() in choices:
                return answer.lower()
            self.echo(TEXT[self.lang]["one_of"].format(choices=", ".join(choices)))

    def number(self, text: str, default: str, flag: str) -> int:
        """A whole number."""
        while True:
            answer = self.ask(text, default, flag)
            if answer.isdigit():
                return int(answer)
            if self.yes:
                raise WizardError(f"{text}: give {flag}", exit_code=2)
            self.echo(TEXT[self.lang]["number"])


@dataclass
class Options:
    """The flags of ``logwatch init`` (None: ask, or take the default with --yes)."""

    config: Path
    language: str | None = None
    sources: tuple[str, ...] = ()
    found_sources: bool | None = None
    telegram: bool | None = None
    telegram_token: str | None = None
    telegram_chat: str | None = None
    telegram_wait_s: float = 120.0
    telegram_commands: bool | None = None
    email_url: str | None = None
    desktop: bool | None = None
    ntfy: str | None = None
    apprise_urls: tuple[str, ...] = ()
    alert_language: str | None = None
    quiet_hours: str | None = None
    secrets_file: bool | None = None
    yes: bool = False


class Wizard:
    """Asks, finds the Telegram chat, and writes the config (``run``)."""

    def __init__(
        self,
        options: Options,
        ui: Ui,
        clock: Clock,
        found: list[tuple[SourceSpec, list[str]]],
        telegram_api: str | None,
        system_language: str,
        valid_url: Callable[[str], bool],
        has_desktop: bool = True,
    ) -> None:
        self.o, self.ui, self.clock, self.found = options, ui, clock, found
        #: the Bot API: $LOGWATCH_TELEGRAM_API, else the config's telegram_api
        self.api_from_env = telegram_api is not None
        self.telegram_api = api_base(telegram_api)
        self.system_language = system_language
        self.valid_url = valid_url
        #: whether this session can show desktop notifications
        self.has_desktop = has_desktop
        self.lang = "en"

    def t(self, key: str, **fields: object) -> str:
        """A message in the chosen language."""
        return TEXT[self.lang][key].format(**fields)

    def files(self, count: int) -> str:
        """``3 log files`` (``3 файла логов``)."""
        return plural(count, TEXT[self.lang]["files"], self.lang)

    # -- the questions, in order ------------------------------------------------------

    def run(self) -> tuple[Answers, Answers | None]:
        """Ask everything; the new answers and the previous config's (if any).

        Raises:
            Stopped: Ctrl-C, at a question or while waiting for Telegram.
        """
        try:
            return self._ask_all()
        except KeyboardInterrupt:
            raise Stopped(self.ui.stopped) from None

    def _ask_all(self) -> tuple[Answers, Answers | None]:
        self.ui.stopped = TEXT[self.system_language]["stopped"]
        self.lang = self.o.language or self.ui.choose(
            "Language / Язык", ["ru", "en"], self._configured_language()
        )
        self.ui.lang = self.lang
        self.ui.stopped = self.t("stopped")
        self.ui.echo(self.t("welcome"))
        previous = self._previous()
        answers = Answers(**vars(previous)) if previous else Answers()
        answers.language = self.lang
        if previous:
            self.ui.echo(self.t("existing", path=self.o.config))
            answers.secrets = {}
            configured = previous.kept.get("telegram_api")
            if isinstance(configured, str) and not self.api_from_env:
                self.telegram_api = configured.rstrip("/")
        self._sources(answers, previous)
        self._channels(answers, previous)
        answers.language = self.o.alert_language or self.ui.choose(
            self.t("alert_language"),
            ["ru", "en"],
            previous.language if previous else self.lang,
        )
        self._quiet_hours(answers)
        if answers.secrets:
            keep_apart = self.o.secrets_file
            if keep_apart is None:
                keep_apart = self.ui.confirm(self.t("secrets"), True)
            if keep_apart:
                answers.env_file = answers.env_file or ENV_FILE
            else:
                self._inline_secrets(answers)
        return answers, previous

    def _configured_language(self) -> str:
        """The existing config's ``language:`` (the one chosen last time), else the
        system's."""
        try:
            doc, _ = load_yaml(self.o.config) if self.o.config.exists() else (None, [])
        except LogwatchError:
            doc = None
        data = doc.data if doc is not None else None
        said = data.get("language") if isinstance(data, dict) else None
        return said if said in TEXT else self.system_language

    def _previous(self) -> Answers | None:
        if not self.o.config.exists():
            return None
        try:
            doc, problems = load_yaml(self.o.config)
        except LogwatchError as exc:
            problems = [exc]  # type: ignore[list-item]
            doc = None
        data = (doc.data or {}) if doc is not None else None
        if problems or not isinstance(data, dict):
            lines = [self.t("unparseable", path=self.o.config)]
            lines += [p.format_message() for p in problems] or ["expected a mapping"]
            raise WizardError("\n".join(lines), exit_code=2)
        return answers_from(data)

    def _sources(self, answers: Answers, previous: Answers | None) -> None:
        if previous and previous.sources:
            names = ", ".join(str(s.get("name")) for s in previous.sources)
            self.ui.echo(self.t("kept_sources", names=names))
            if not self.ui.confirm(self.t("keep_sources"), True):
                answers.sources = []
        else:
            answers.sources = []
            if self.found:
                self.ui.echo(self.t("found"))
                for source, files in self.found:
                    self.ui.echo(
                        self.t(
                            "found_item",
                            name=source.name,
                            count=len(files),
                            example=files[0],
                        )
                    )
            else:
                self.ui.echo(self.t("found_none"))
        added = [p for p in self.o.sources if self._add_source(answers, p, False)]
        while not self.o.yes:
            more = self.ui.ask(self.t("add_source"), "", "--source")
            if not more:
                break
            if self._add_source(answers, more, True):
                added.append(more)
        if added and self.found and not (previous and previous.sources):
            use = self.o.found_sources
            if use is None:
                use = self.ui.confirm(self.t("use_found"), True)
            if use:  # explicit sources replace the search: write the found ones too
                answers.sources[:0] = [
                    {"name": s.name, "paths": list(s.paths)} for s, _ in self.found
                ]

    def _add_source(self, answers: Answers, path: str, typed: bool) -> bool:
        """Add a folder or pattern, saying how many files it matches; one typed that
        matches none is added only when the user says so (else it is asked again)."""
        taken = [s["name"] for s in answers.sources]
        source = source_for(path, taken)
        count = len(matched_files(source["paths"]))
        if count:
            self.ui.echo(self.t("matched", path=path, files=self.files(count)))
        else:
            expanded = os.path.expanduser(path)  # noqa: PTH111  a user's text
            missing = not glob.has_magic(expanded) and not Path(expanded).exists()
            self.ui.echo(
                self.t("no_such_folder" if missing else "none_matched", path=path)
            )
            if typed and not self.ui.confirm(self.t("add_anyway"), False):
                return False
        answers.sources.append(source)
        return True

    def _channels(self, answers: Answers, previous: Answers | None) -> None:
        if previous and previous.channels:
            names = ", ".join(str(c.get("name")) for c in previous.channels)
            self.ui.echo(self.t("kept_channels", names=names))
            if not self.ui.confirm(self.t("keep_channels"), True):
                answers.channels = []
        telegram = self.o.telegram
        if telegram is None:
            given = self.o.telegram_token is not None
            # unattended, Telegram is set up when its token is given (or --telegram)
            telegram = given or (
                not self.o.yes
                and self.ui.confirm(self.t("telegram"), not answers.channels)
            )
        if telegram:
            self._telegram(answers)
        if self.o.email_url is not None:
            url, password = split_password(self.o.email_url)
            if password:
                answers.secrets[SMTP_VAR] = password
                url = url.replace("\0", "${" + SMTP_VAR + "}")
            answers.put_channel({"name": "email", "url": url})
        elif not self.o.yes and self.ui.confirm(self.t("email"), False):
            self._email(answers)
        desktop = self.o.desktop
        if desktop is None and not self.has_desktop:
            self.ui.echo(self.t("no_desktop"))  # not offered: no one would see it
            desktop = False
        elif desktop is None:
            desktop = self.ui.confirm(self.t("desktop"), True)
        elif desktop and not self.has_desktop:
            self.ui.echo(self.t("desktop_elsewhere"))
        if desktop:
            answers.put_channel(
                {"name": "desktop", "url": "desktop://", "min_severity": "warning"}
            )
        ntfy = self.o.ntfy
        if ntfy is None and not self.o.yes:
            ntfy = self.ui.ask(self.t("ntfy"), "", "--ntfy")
        if ntfy:
            answers.put_channel({"name": "ntfy", "url": ntfy_url(ntfy)})
        for url in self.o.apprise_urls:
            if not self.valid_url(url):
                raise WizardError(self.t("bad_url", url=url.split("://")[0] + "://…"))
        urls = list(self.o.apprise_urls)
        while not self.o.yes:
            url = self.ui.ask(self.t("apprise"), "", "--apprise-url")
            if not url:
                break
            if self.valid_url(url):
                urls.append(url)
            else:  # said now, while the other answers are still there
                self.ui.echo(self.t("bad_url", url=url.split("://")[0] + "://…"))
                self.ui.echo(self.t("bad_url_again"))
        for url in urls:
            taken = {c["name"] for c in answers.channels}
            name = next(
                f"apprise-{n}" for n in range(1, 99) if f"apprise-{n}" not in taken
            )
            answers.put_channel({"name": name, "url": url})

    def _quiet_hours(self, answers: Answers) -> None:
        current = "-"
        if answers.quiet_hours:
            current = "-".join(answers.quiet_hours)
        while True:
            text = self.o.quiet_hours
            if text is None:
                text = self.ui.ask(self.t("quiet"), current, "--quiet-hours")
            try:
                answers.quiet_hours = parse_quiet_hours(text)
                return
            except ValueError:
                if self.o.quiet_hours is not None or self.o.yes:
                    raise WizardError(self.t("bad_quiet"), exit_code=2) from None
                self.ui.echo(self.t("bad_quiet"))

    def _inline_secrets(self, answers: Answers) -> None:
        for channel in answers.channels:
            for name, value in answers.secrets.items():
                channel["url"] = channel["url"].replace("${" + name + "}", value)
        answers.secrets = {}

    # -- Telegram ---------------------------------------------------------------------

    def _telegram(self, answers: Answers) -> None:
        token = self.o.telegram_token
        while True:
            if token is None:
                self.ui.echo(self.t("telegram_howto"))
                token = self.ui.ask(self.t("token"), None, "--telegram-token", True)
            token = token.strip()
            bot = BotApi(token, self.telegram_api)
            problem = self._check_bot(token, bot)
            if not problem:
                break
            if self.o.telegram_token is not None or self.o.yes:
                raise WizardError(problem)
            self.ui.echo(problem)
            token = None
        chat = self._chat(bot)
        commands = self.o.telegram_commands
        if commands is None:
            commands = self.ui.confirm(self.t("commands"), True)
        answers.secrets[TOKEN_VAR] = token
        channel: dict[str, Any] = {
            "name": "telegram",
            "url": f"tgram://${{{TOKEN_VAR}}}/{chat.id}",
        }
        if commands:
            channel["commands"] = True
        answers.put_channel(channel)

    def _check_bot(self, token: str, bot: BotApi) -> str:
        if not valid_token(token):
            return self.t("token_shape")
        try:
            me = bot.me()
        except TelegramError as exc:
            if exc.code == 401:
                return self.t("token_401")
            return self.t("no_api", error=exc)
        self.username = str(me.get("username", ""))
        self.ui.echo(
            self.t("bot_ok", username=self.username, name=me.get("first_name"))
        )
        return ""

    def _chat(self, bot: BotApi) -> Chat:
        while True:
            if self.o.telegram_chat is not None:
                try:
                    chat = bot.chat(self.o.telegram_chat)
                except TelegramError as exc:
                    raise WizardError(
                        self.t("chat_unwritable", chat=self.o.telegram_chat, error=exc)
                    ) from None
            else:
                chat = self._wait_for_chat(bot)
                if not self.ui.confirm(self.t("use_chat"), True):
                    continue
            try:
                bot.send(chat.id, self.t("connected"))
                return chat
            except TelegramError as exc:
                problem = self.t("chat_unwritable", chat=chat.name, error=exc)
                if self.o.telegram_chat is not None or self.o.yes:
                    raise WizardError(problem) from None
                self.ui.echo(problem)
                if not self.ui.confirm(self.t("try_another"), True):
                    raise WizardError(problem) from None

    def _wait_for_chat(self, bot: BotApi) -> Chat:
        try:
            old = bot.updates(None, 0)
        except TelegramError as exc:
            raise WizardError(self.t("no_api", error=exc)) from None
        offset = old[-1]["update_id"] + 1 if old else None
        seconds = self.o.telegram_wait_s
        self.ui.echo(self.t("send_now", username=self.username, seconds=f"{seconds:g}"))
        deadline = self.clock.monotonic() + seconds
        while (left := deadline - self.clock.monotonic()) > 0:
            try:
                updates = bot.updates(offset, min(POLL_S, max(1.0, left)))
            except TelegramError as exc:
                raise WizardError(self.t("no_api", error=exc)) from None
            for update in updates:
                offset = update["update_id"] + 1
                chat = chat_of(update)
                if chat is not None:
                    bot.updates(offset, 0)  # confirm it, so it is not taken again
                    kind = TEXT[self.lang].get(f"chat_{chat.type}", chat.type)
                    self.ui.echo(
                        self.t("got_chat", chat=chat.name, type=kind, id=chat.id)
                    )
                    return chat
        raise WizardError(
            self.t("no_message", username=self.username, seconds=f"{seconds:g}")
        )

    # -- e-mail -----------------------------------------------------------------------

    def _email(self, answers: Answers) -> None:
        host = self.ui.ask(self.t("smtp_host"), None, "--email-url")
        port = self.ui.number(self.t("smtp_port"), "587", "--email-url")
        user = self.ui.ask(self.t("smtp_user"), None, "--email-url")
        password = self.ui.ask(self.t("smtp_password"), None, "--email-url", True)
        to = self.ui.ask(self.t("mail_to"), user, "--email-url")
        answers.secrets[SMTP_VAR] = quote(password, safe="")
        url = email_url(host, port, user, "${" + SMTP_VAR + "}", to)
        answers.put_channel({"name": "email", "url": url})


# -- writing ---------------------------------------------------------------------------


def write_config(
    path: Path, answers: Answers, lang: str, stamp: str
) -> tuple[Path | None, Path | None]:
    """Write the config (and the env file); the backup of the old config, and the env
    file, when there are.

    Raises:
        InvalidConfig: what was rendered does not load (a bug; nothing is written).
    """
    from logwatch.config import config_from_text, load_env_file

    text = render_config(answers, lang)
    env_path = path.parent / answers.env_file if answers.env_file else None
    secrets = dict(answers.secrets)
    if env_path is not None and env_path.exists():
        secrets = {**load_env_file(env_path)[0], **secrets}
    env = {**secrets, **os.environ}
    check = text.replace(f"env_file: {answers.env_file}\n", "") if env_path else text
    config_from_text(check, env, str(path))
    backup = None
    if path.exists():  # it may hold secrets written inline: private too
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        write_private(backup, path.read_bytes())
    if env_path is not None and answers.secrets:
        write_private(env_path, render_env(secrets).encode("utf-8"))
    write_private(path, text.encode("utf-8"))
    return backup, env_path if answers.secrets else None
