"""How ``logwatch init`` asks: click's prompts in a terminal, or with ``--yes`` the
defaults and the flags (``Options``), and the errors that stop it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from logwatch.app.wizard_text import TEXT
from logwatch.core.errors import LogwatchError


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


@dataclass(kw_only=True)
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
