"""The config file: language, channels, dedup, quiet hours; ``file:line`` errors.

One YAML file (``--config``, else ``$LOGWATCH_CONFIG``, else the platform's config
directory). ``${VAR}`` (or ``${VAR:-default}``) in any string is taken from the
environment, so tokens and passwords need not be written in the file; channel URLs are
held as secrets and never printed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal

import regex
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from logwatch.core.codepages import codec_name, fallback_name
from logwatch.core.errors import ConfigError, InvalidConfig
from logwatch.core.flood import DEFAULT_MAX_PER_MINUTE
from logwatch.core.formats import FORMATS
from logwatch.core.model import ChannelKind, Severity
from logwatch.core.paths import (
    OWN_VARIABLES,
    config_named,
    default_config_path,
    setting_variables,
)
from logwatch.core.yamlfile import (
    Document,
    decode_text,
    describe,
    load_yaml,
    parse_yaml,
)

_DURATION = regex.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
_UNITS = {
    None: 1.0,
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_TELEGRAM_TOKEN = regex.compile(r"(?:bot)?\d{5,}:[A-Za-z0-9_-]{30,}")
_VAR = regex.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


#: No duration in a config or rule file may be longer (dedup windows, mutes, backfill).
MAX_DURATION_S = 30 * 86400.0
#: ``max_age`` below this would expire alerts before a retry could deliver them.
MIN_MAX_AGE_S = 60.0


def parse_duration(value: object) -> float:
    """Seconds from ``30s``, ``10m``, ``1h``, ``1d`` or a number of seconds; finite,
    not negative and at most ``MAX_DURATION_S``."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds is None or math.isnan(seconds):
        raise ValueError(f"{value!r} is not a duration like 30s, 10m or 1h")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"{value!r} is longer than the longest allowed, 30d")
    return seconds


def _at_least_a_minute(seconds: float) -> float:
    if seconds < MIN_MAX_AGE_S:
        raise ValueError(
            f"{seconds:g} s is too short: alerts would expire before a retry; "
            "use 1m or more"
        )
    return seconds


def _parse_time(value: object) -> object:
    if isinstance(value, int) and not isinstance(
        value, bool
    ):  # YAML 1.1 reads 23:00 as 1380
        return time(value // 60 % 24, value % 60)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a time like 23:00") from None
    return value


Duration = Annotated[float, BeforeValidator(parse_duration)]
#: A duration of a minute or more.
LongDuration = Annotated[
    float, BeforeValidator(parse_duration), AfterValidator(_at_least_a_minute)
]
ClockTime = Annotated[time, BeforeValidator(_parse_time)]


def _format_name(name: str) -> str:
    names = ("auto", *FORMATS)
    if name not in names:
        listed = ", ".join(repr(n) for n in names[:-1])
        raise ValueError(f"Input should be {listed} or {names[-1]!r}")
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def kind_name(category: str) -> str:
    """A category or tag as routing compares it: ``rate-limit`` is ``rate_limit``."""
    return category.lower().replace("-", "_")


class Channel(_Strict):
    """Where alerts go: one Apprise URL and the least severity it takes."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
    url: SecretStr
    min_severity: Severity = Severity.INFO
    #: below this severity the message arrives silently (Telegram without a sound,
    #: ntfy/Gotify/Pushover at low priority)
    loud_from: Severity = Severity.ERROR
    #: Telegram: answer /status, /mute, /unmute, /ack, /help from this chat
    commands: bool = False
    #: only alerts from these sources (their names); None: from all
    sources: list[Annotated[str, Field(min_length=1)]] | None = None
    #: only alerts of these rules: ids, or patterns such as ``binance.*``; None: all
    rules: list[Annotated[str, Field(min_length=1)]] | None = None
    #: only alerts of these catalogue categories or rule tags (``rate_limit``...)
    categories: list[Annotated[str, Field(min_length=1)]] | None = None
    #: messages it sends in any minute; a burst beyond goes as one grouped message
    max_per_minute: Annotated[int, Field(ge=1, le=600)] = DEFAULT_MAX_PER_MINUTE
    #: also say when trouble is over (Alertmanager's name); None: on for Alertmanager
    send_resolved: bool | None = None

    def routes(self, rule_id: str, source: str, categories: Iterable[str]) -> bool:
        """Whether this channel takes an alert of ``rule_id`` from ``source`` whose
        rule has these categories or tags (its ``sources``/``rules``/``categories``
        filters; each one given must agree)."""
        if self.sources is not None and source not in self.sources:
            return False
        if self.rules is not None and not any(
            fnmatchcase(rule_id, pattern) for pattern in self.rules
        ):
            return False
        return self.categories is None or not {
            kind_name(c) for c in self.categories
        }.isdisjoint(kind_name(c) for c in categories)

    def routing(self) -> str:
        """What the filters let through, for ``check`` ("" without any)."""
        said = [
            f"{what} {', '.join(items)}"
            for what, items in (
                ("sources", self.sources),
                ("rules", self.rules),
                ("categories", self.categories),
            )
            if items is not None
        ]
        return "; ".join(said)

    @property
    def resolved(self) -> bool:
        """Whether this channel is told when trouble is over."""
        if self.send_resolved is None:
            return self.kind == ChannelKind.ALERTMANAGER
        return self.send_resolved

    @field_validator("url")
    @classmethod
    def _telegram_token(cls, url: SecretStr) -> SecretStr:
        scheme, _, rest = url.get_secret_value().partition("://")
        if scheme.lower() in ("tgram", "telegram"):
            token = rest.split("/", 1)[0].split("?", 1)[0]
            # empty: an unset ${VARIABLE}, which is reported on its own
            if token and not _TELEGRAM_TOKEN.fullmatch(token):
                raise ValueError(
                    "not a Telegram bot token: expected tgram://<digits>:<35 letters, "
                    "digits, _ or ->/<chat id>, as @BotFather gives it"
                )
        return url

    @property
    def scheme(self) -> str:
        """The URL scheme (``tgram``, ``mailtos``, ``json``, ``desktop``...)."""
        return self.url.get_secret_value().split("://", 1)[0].lower()

    @property
    def kind(self) -> ChannelKind:
        """How to render for it: telegram, email, desktop, console, alertmanager or
        webhook."""
        scheme = self.scheme
        if scheme in ("tgram", "telegram"):
            return ChannelKind.TELEGRAM
        if scheme in ("mailto", "mailtos"):
            return ChannelKind.EMAIL
        if scheme in ("alertmanager", "alertmanagers"):
            return ChannelKind.ALERTMANAGER
        if scheme == "console":
            return ChannelKind.CONSOLE
        if scheme in (
            "desktop",
            "dbus",
            "glib",
            "gnome",
            "windows",
            "macosx",
        ):
            return ChannelKind.DESKTOP
        return ChannelKind.WEBHOOK


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


def _expand(
    data: Any,
    loc: tuple[str | int, ...],
    env: dict[str, str],
    doc: Document,
    problems: list[ConfigError],
) -> Any:
    if isinstance(data, str):

        def sub(m: regex.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return str(default)
            problems.append(
                ConfigError(
                    doc.source,
                    doc.line_of(loc),
                    f"environment variable {name} is not set",
                )
            )
            return ""

        return _VAR.sub(sub, data)
    if isinstance(data, dict):
        return {k: _expand(v, (*loc, k), env, doc, problems) for k, v in data.items()}
    if isinstance(data, list):
        return [_expand(v, (*loc, i), env, doc, problems) for i, v in enumerate(data)]
    return data


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
        env = {**_read_env_file(doc, data["env_file"], problems, warnings), **env}
    data = _expand(data, (), env, doc, problems)
    settings = env_settings(env)
    for setting in settings:
        data = _put(data, setting.loc, setting.value)
    try:
        config = Config(**data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            by = _set_by(loc, settings)
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
    return LoadedConfig(config, doc, warnings + unknown_variables(env))


def parse_env_file(text: str, source: str) -> tuple[dict[str, str], list[ConfigError]]:
    """``NAME=value`` lines read as the env-file format's reference parser reads them
    (quotes, escapes in double quotes, ``#`` comments, ``export``; a ``${VAR}`` stays
    as written), and a problem for each line that sets nothing, at its line and without
    its text (it may hold a secret)."""
    from io import StringIO

    # not the library's public API: pinned to one minor release in pyproject.toml,
    # its shape checked by tests/test_config.py
    from dotenv.parser import parse_stream

    values: dict[str, str] = {}
    problems: list[ConfigError] = []
    for binding in parse_stream(StringIO(text)):
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
        elif binding.error or binding.key is not None:  # not parsed, or no ``=``
            string = binding.original.string
            lead = string[: len(string) - len(string.lstrip())]  # blank lines before
            breaks = lead.count("\n") + lead.count("\r") - lead.count("\r\n")
            problems.append(
                ConfigError(
                    source,
                    binding.original.line + breaks,
                    "not a NAME=value line (ignored)",
                )
            )
    return values, problems


def load_env_file(path: Path) -> tuple[dict[str, str], list[ConfigError]]:
    """``parse_env_file`` of a file (UTF-8, a BOM allowed, or UTF-16 with its BOM;
    line ends kept as written).

    Raises:
        OSError: it cannot be read.
        ConfigError: it is not text in those encodings (``decode_text``).
    """
    return parse_env_file(decode_text(path.read_bytes(), str(path)), str(path))


def _read_env_file(
    doc: Document, name: str, problems: list[ConfigError], warnings: list[str]
) -> dict[str, str]:
    path = Path(doc.source).parent / Path(name).expanduser()
    try:
        values, malformed = load_env_file(path)
        mode = path.stat().st_mode
    except (OSError, ConfigError) as exc:
        why = (
            exc.format_message()
            if isinstance(exc, ConfigError)
            else f"{path}: {exc.strerror or exc}"
        )
        problems.append(
            ConfigError(doc.source, doc.line_of(("env_file",)), f"env_file {why}")
        )
        return {}
    if os.name == "posix" and mode & 0o077:
        warnings.append(
            f"{path} holds secrets but others may read it: chmod 600 {path}"
        )
    warnings += [problem.format_message() for problem in malformed]
    return values


@dataclass(frozen=True, slots=True)
class EnvSetting:
    """One setting a ``LOGWATCH_*`` variable makes: where it goes and its value (a
    list or mapping is written as JSON)."""

    variable: str
    loc: tuple[str, ...]
    value: Any

    def error(self, source: str, message: str) -> ConfigError:
        """A problem with this variable's value (it has no line in the file)."""
        return ConfigError(
            source, 0, f"environment variable {self.variable}: {message}"
        )


def env_settings(env: Mapping[str, str]) -> list[EnvSetting]:
    """The settings ``LOGWATCH_*`` variables make, a parent before its keys (the more
    precise one wins); variables that name no setting are left to
    ``unknown_variables``."""
    fields = {name.upper(): name for name in Config.model_fields}
    out = []
    for name, parts, text in setting_variables(env):
        if parts[0] not in fields:
            continue
        value: Any = text
        if text[:1] in "[{":
            with contextlib.suppress(ValueError):  # else the text, checked as such
                value = json.loads(text)
        loc = (fields[parts[0]], *(p.lower() for p in parts[1:]))
        out.append(EnvSetting(name, loc, value))
    return sorted(out, key=lambda s: (len(s.loc), s.variable))


def _put(data: dict[str, Any], loc: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``data`` with ``value`` at ``loc`` (mappings on the way made or copied)."""
    head, *rest = loc
    if not rest:
        return {**data, head: value}
    child = data.get(head)
    return {
        **data,
        head: _put(child if isinstance(child, dict) else {}, tuple(rest), value),
    }


def _set_by(
    loc: tuple[str | int, ...], settings: list[EnvSetting]
) -> EnvSetting | None:
    """The variable that set the value at ``loc`` (or a mapping holding it), if any."""
    found = None
    for setting in settings:
        if loc[: len(setting.loc)] == setting.loc:
            found = setting  # sorted: a later one is the more precise
    return found


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """Warnings for LOGWATCH_* variables that name no setting (likely misspelt)."""
    fields = {name.upper() for name in Config.model_fields}
    out = []
    for name, parts, _text in sorted(setting_variables(env)):
        if name in OWN_VARIABLES:
            continue
        if parts[0] not in fields:
            out.append(
                f"environment variable {name} is not a logwatch setting; ignored"
            )
    return out


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


def _url_secrets(url: str) -> list[str]:
    """The parts of a URL that must never be shown: the password of its user info,
    a Telegram bot token (whole and its secret half), secret-like query values."""
    out = []
    scheme, _, rest = url.partition("://")
    base = rest.split("?", 1)[0]
    userinfo = base.rsplit("@", 1)[0] if "@" in base else ""
    authority = base.rsplit("@", 1)[-1].split("/", 1)[0]
    if ":" in userinfo:
        out.append(userinfo.split(":", 1)[1])
    elif len(userinfo) >= 16:
        out.append(userinfo)  # a token given as the user (https://TOKEN@host)
    if scheme.lower() in ("tgram", "telegram"):
        token = authority.removeprefix("bot")
        out += [token, token.partition(":")[2]]
    for part in _URL_SECRET_PARAM.findall(url):
        out.append(part)
    return out


_URL_SECRET_PARAM = regex.compile(
    r"(?i)(?:pass|password|pwd|token|key|secret|apikey|passphrase)=([^&#]+)"
)


def config_secrets(config: BaseModel) -> list[str]:
    """Every secret the config holds (the secret values of its fields, and the
    credentials inside them), for redaction wherever they turn up in a log line."""
    out: list[str] = []
    for name in type(config).model_fields:
        value = getattr(config, name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, SecretStr):
                secret = item.get_secret_value()
                out.append(secret)
                if "://" in secret:
                    out += _url_secrets(secret)
            elif isinstance(item, BaseModel):
                out += config_secrets(item)
    return [s for s in dict.fromkeys(out) if len(s) >= 4]


def default_channels(desktop: bool) -> list[Channel]:
    """With no channels configured: the console, and the desktop when there is one."""
    channels = [Channel(name="console", url=SecretStr("console://"))]
    if desktop:
        channels.append(Channel(name="desktop", url=SecretStr("desktop://")))
    return channels
