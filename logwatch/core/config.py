"""The config file: language, channels, dedup, quiet hours; ``file:line`` errors.

One YAML file (``--config``, else ``$LOGWATCH_CONFIG``, else the platform's config
directory). ``${VAR}`` (or ``${VAR:-default}``) in any string is taken from the
environment, so tokens and passwords need not be written in the file; channel URLs are
held as secrets and never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import regex
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from logwatch.core.channel import Channel
from logwatch.core.codepages import codec_name, fallback_name
from logwatch.core.durations import ClockTime, Duration, LongDuration
from logwatch.core.errors import ConfigError, InvalidConfig
from logwatch.core.formats import FORMATS
from logwatch.core.model import ChannelKind
from logwatch.core.paths import config_named, default_config_path
from logwatch.core.variables import (
    env_settings,
    expand_variables,
    read_env_file,
    set_by,
    unknown_variables,
    with_setting,
)
from logwatch.core.yamlfile import Document, describe, load_yaml, parse_yaml


def _format_name(name: str) -> str:
    names = ("auto", *FORMATS)
    if name not in names:
        listed = ", ".join(repr(n) for n in names[:-1])
        raise ValueError(f"Input should be {listed} or {names[-1]!r}")
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """Log files to follow, as the config says (the runtime side: ``tailer.Source``)."""

    name: Annotated[str, Field(min_length=1, max_length=60)]
    paths: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    #: ``auto`` (detected per file) or a name of ``formats.FORMATS``
    format: Annotated[str, AfterValidator(_format_name)] = "auto"
    exclude: list[str] = []
    force_polling: bool = False
    backfill: Duration = 0.0
    #: alert when the source writes nothing for this long (0: never)
    silence: Duration = 0.0
    #: also alert on records of this level or above that no rule recognised
    unmatched: Literal["warning", "error"] | None = None
    #: the encoding its files are in: any Python codec (cp1251, koi8-r, utf-16...);
    #: default UTF-8 (UTF-16 by BOM), a line that is not UTF-8 read in the fallback
    encoding: Annotated[str, AfterValidator(codec_name)] | None = None


class AtLeast(_Strict):
    """Alert only when a rule hits ``count`` times within ``within`` (for errors that
    matter only in bursts)."""

    count: Annotated[int, Field(ge=2, le=1000)]
    within: Annotated[Duration, Field(gt=0, le=7 * 86400.0)]


class Rules(_Strict):
    """Extra rule directories, built-in rules to switch off, and thresholds for rules
    (by id, or a pattern such as ``binance.*``) that should alert only in bursts."""

    dirs: list[str] = []
    disable: list[str] = []
    at_least: dict[str, AtLeast] = {}


class Dedup(_Strict):
    """How repeats are grouped."""

    window: Duration = 600.0


#: The shortest and longest heartbeat period.
HEARTBEAT_EVERY_S = (10.0, 86400.0)


class Heartbeat(_Strict):
    """A dead-man's switch: a URL requested while healthy (an outside monitor alerts
    when the requests stop), and one requested when logwatch becomes unhealthy."""

    #: held as a secret: a ping URL is enough to fake a heartbeat
    url: SecretStr
    every: Annotated[
        Duration, Field(ge=HEARTBEAT_EVERY_S[0], le=HEARTBEAT_EVERY_S[1])
    ] = 60.0
    #: default: the URL's own failure form, for healthchecks.io and Uptime Kuma
    fail_url: SecretStr | None = None
    #: a request that takes longer than this has failed
    timeout: Annotated[Duration, Field(gt=0, le=60)] = 10.0

    @field_validator("url", "fail_url")
    @classmethod
    def _http(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not regex.match(
            r"(?i)^https?://[^/\s]+", value.get_secret_value()
        ):
            raise ValueError("expected an http:// or https:// URL")
        return value


class MetricsSettings(_Strict):
    """Prometheus metrics of logwatch itself, served at ``/metrics``."""

    #: host:port; anything but a loopback address must be written out on purpose
    listen: str = "127.0.0.1:9464"

    @field_validator("listen")
    @classmethod
    def _address(cls, value: str) -> str:
        split_address(value)
        return value


def split_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9464`` for IPv6) as a host and a port number.

    Raises:
        ValueError: not an address with a port.
    """
    m = regex.match(r"^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s]+)):(\d{1,5})$", value)
    if not m or int(m.group(3)) > 65535:
        raise ValueError(f"{value!r} is not host:port, like 127.0.0.1:9464")
    return m.group(1) or m.group(2), int(m.group(3))


class QuietHoursSpec(_Strict):
    """Local hours when only critical alerts go out at once, as the config says (the
    runtime side: ``quiethours.QuietHours``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: ClockTime = Field(alias="from")
    end: ClockTime = Field(alias="to")

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursSpec:
        if self.start == self.end:
            raise ValueError(
                "quiet_hours: from and to are the same time; "
                "remove quiet_hours to have none"
            )
        return self


class Config(_Strict):
    """Everything a config file may say; every key is optional, and each may be set by
    a ``LOGWATCH_*`` variable too (``env_settings``)."""

    language: Literal["ru", "en"] | None = None
    #: names this logwatch in alerts, footers and metrics (default: the host name)
    instance: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    state_dir: str | None = None
    sources: list[SourceSpec] = []
    rules: Rules = Rules()
    channels: list[Channel] = []
    dedup: Dedup = Dedup()
    quiet_hours: QuietHoursSpec | None = None
    #: An alert not delivered within this long is given up (and reported); a hit whose
    #: line says it was written longer ago is not alerted.
    max_age: LongDuration = 24 * 3600.0
    heartbeat: Heartbeat | None = None
    metrics: MetricsSettings | None = None
    #: Another Bot API server for sending and polling (self-hosted telegram-bot-api);
    #: ``LOGWATCH_TELEGRAM_API``. Default: Telegram's own.
    telegram_api: Annotated[str, Field(pattern=r"^https?://[^\s/]+")] | None = None
    #: ``KEY=value`` lines for ``${KEY}`` (tokens, passwords), relative to this file;
    #: the process environment wins over it
    env_file: str | None = None
    #: the code page of a line that is not valid UTF-8 in a source without
    #: ``encoding:`` (``utf-8``: none, shown as U+FFFD); default: Windows' ANSI code
    #: page, else cp1251
    fallback_encoding: Annotated[str, AfterValidator(fallback_name)] | None = None
    #: an Apprise config file (YAML or TEXT, relative to this file): each of its URLs
    #: becomes a channel named after its tag; ``apprise_tags``: only URLs with one
    apprise_config: str | None = None
    apprise_tags: list[Annotated[str, Field(min_length=1)]] = []

    def apprise_config_path(self, config_file: str | None) -> Path | None:
        """``apprise_config`` as a path (relative to the config file's folder)."""
        if self.apprise_config is None:
            return None
        path = Path(self.apprise_config).expanduser()
        return Path(config_file).parent / path if config_file else path


class LoadedConfig:
    """A validated config and where each of its parts came from."""

    def __init__(
        self, config: Config, doc: Document | None, warnings: list[str] | None = None
    ) -> None:
        self.config = config
        self.doc = doc
        #: Things worth telling the user that do not stop logwatch (misspelt variables).
        self.warnings = warnings or []

    @property
    def source(self) -> str:
        """The config file's path, or a note that the defaults are used."""
        return self.doc.source if self.doc else "(no config file: defaults)"

    def line_of(self, *loc: str | int) -> int:
        """The line of a value (0 without a file)."""
        return self.doc.line_of(loc) if self.doc else 0

    def error(self, loc: tuple[str | int, ...], message: str) -> ConfigError:
        """A ``file:line: message`` error about the value at ``loc``."""
        return ConfigError(self.source, self.line_of(*loc), message)


def parse_config(doc: Document, env: dict[str, str] | None = None) -> LoadedConfig:
    """A config from a parsed YAML document.

    Raises:
        InvalidConfig: with every problem, each at its line.
    """
    env = dict(os.environ) if env is None else env
    problems: list[ConfigError] = []
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise InvalidConfig(
            [ConfigError(doc.source, 1, "expected a mapping of settings")]
        )
    warnings: list[str] = []
    if isinstance(data.get("env_file"), str):
        env = {**read_env_file(doc, data["env_file"], problems, warnings), **env}
    data = expand_variables(data, (), env, doc, problems)
    settings = env_settings(env, Config.model_fields)
    for setting in settings:
        data = with_setting(data, setting.loc, setting.value)
    try:
        config = Config(**data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            by = set_by(loc, settings)
            problems.append(
                by.error(doc.source, describe(err))
                if by is not None
                else ConfigError(doc.source, doc.line_of(loc), describe(err))
            )
        config = None
    if config is not None:
        for what, items in (("channel", config.channels), ("source", config.sources)):
            names = [item.name for item in items]
            for i, name in enumerate(names):
                if name in names[:i]:
                    problems.append(
                        ConfigError(
                            doc.source,
                            doc.line_of((f"{what}s", i, "name")),
                            f"{what} name {name!r} is used twice",
                        )
                    )
        for i, channel in enumerate(config.channels):
            if channel.commands and channel.kind != ChannelKind.TELEGRAM:
                problems.append(
                    ConfigError(
                        doc.source,
                        doc.line_of(("channels", i, "commands")),
                        f"channel {channel.name}: commands work on Telegram "
                        "channels (tgram://) only",
                    )
                )
    if problems or config is None:
        raise InvalidConfig(sorted(problems, key=lambda e: e.line))
    return LoadedConfig(
        config, doc, warnings + unknown_variables(env, Config.model_fields)
    )


def load_config(
    path: Path | None = None, env: dict[str, str] | None = None
) -> LoadedConfig:
    """The config at ``path`` (or the default place); the defaults when there is none.

    Raises:
        InvalidConfig: the file has problems (a path given but missing is one).
    """
    env = dict(os.environ) if env is None else env
    explicit = path is not None or config_named(env)
    path = path or default_config_path(env)
    if not path.exists():
        if explicit:
            raise InvalidConfig([ConfigError(str(path), 0, "no such config file")])
        return parse_config(Document("(no config file)", {}, None), env)
    try:
        doc, problems = load_yaml(path)
    except ConfigError as exc:
        raise InvalidConfig([exc]) from exc
    if problems:
        raise InvalidConfig(problems)
    return parse_config(doc, env)


def load_state_dir(path: Path | None, env: dict[str, str]) -> str | None:
    """The config's ``state_dir`` alone, for commands that need no channel secrets
    (``status``: a ``${VAR}`` of a channel may be unset where it runs).

    Raises:
        InvalidConfig: the file is not YAML, or its ``state_dir`` is wrong.
    """
    found = path or default_config_path(env)
    if not found.exists():  # an error if it was named, else the defaults
        return load_config(path, env).config.state_dir
    try:
        doc, problems = load_yaml(found)
    except ConfigError as exc:
        raise InvalidConfig([exc]) from exc
    if problems:
        raise InvalidConfig(problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    only = {"state_dir": data["state_dir"]} if "state_dir" in data else {}
    return parse_config(Document(doc.source, only, doc.root), env).config.state_dir


def config_from_text(
    text: str, env: dict[str, str] | None = None, source: str = "<config>"
) -> LoadedConfig:
    """A config from YAML text (for tests and tools).

    Raises:
        InvalidConfig: with every problem found.
    """
    doc, problems = parse_yaml(text, source)
    if problems:
        raise InvalidConfig(problems)
    return parse_config(doc, env)
