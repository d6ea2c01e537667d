"""``logwatch init``: the guided setup that writes a commented config.

The questions go through a ``wizard_ui.Ui`` (click's prompts in a terminal; defaults
and flags only with ``--yes``), Telegram is set up by ``wizard_telegram``, and
what is written is made by ``wizard_config`` (pure functions the tests parse back).
An existing config is edited: its values are the defaults, keys the wizard does not
ask about are kept, and the old file is kept beside the new one.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from logwatch.alerts.render import plural
from logwatch.app.wizard_config import (
    ENV_FILE,
    SMTP_VAR,
    Answers,
    answers_from,
    email_url,
    matched_files,
    ntfy_url,
    parse_quiet_hours,
    source_for,
    split_password,
)
from logwatch.app.wizard_telegram import TelegramQuestions
from logwatch.app.wizard_text import TEXT
from logwatch.app.wizard_ui import Options, Stopped, Ui, WizardError
from logwatch.core.clock import Clock
from logwatch.core.config import SourceSpec
from logwatch.core.errors import LogwatchError
from logwatch.core.yamlfile import load_yaml
from logwatch.deliver.telegram import api_base


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
        """The channels: the kept ones, then each kind in turn."""
        if previous and previous.channels:
            names = ", ".join(str(c.get("name")) for c in previous.channels)
            self.ui.echo(self.t("kept_channels", names=names))
            if not self.ui.confirm(self.t("keep_channels"), True):
                answers.channels = []
        self._telegram_channel(answers)
        self._email_channel(answers)
        self._desktop_channel(answers)
        self._ntfy_channel(answers)
        self._apprise_channels(answers)

    def _telegram_channel(self, answers: Answers) -> None:
        telegram = self.o.telegram
        if telegram is None:
            given = self.o.telegram_token is not None
            # unattended, Telegram is set up when its token is given (or --telegram)
            telegram = given or (
                not self.o.yes
                and self.ui.confirm(self.t("telegram"), not answers.channels)
            )
        if telegram:
            TelegramQuestions(
                self.o, self.ui, self.clock, self.telegram_api, self.lang
            ).ask(answers)

    def _email_channel(self, answers: Answers) -> None:
        if self.o.email_url is not None:
            url, password = split_password(self.o.email_url)
            if password:
                answers.secrets[SMTP_VAR] = password
                url = url.replace("\0", "${" + SMTP_VAR + "}")
            answers.put_channel({"name": "email", "url": url})
        elif not self.o.yes and self.ui.confirm(self.t("email"), False):
            self._email(answers)

    def _desktop_channel(self, answers: Answers) -> None:
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

    def _ntfy_channel(self, answers: Answers) -> None:
        ntfy = self.o.ntfy
        if ntfy is None and not self.o.yes:
            ntfy = self.ui.ask(self.t("ntfy"), "", "--ntfy")
        if ntfy:
            answers.put_channel({"name": "ntfy", "url": ntfy_url(ntfy)})

    def _apprise_channels(self, answers: Answers) -> None:
        """The flags' Apprise URLs (a bad one stops init), then those typed (a bad
        one is asked again); each a channel ``apprise-N``."""
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
