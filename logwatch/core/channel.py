"""A channel as the config gives it: its URL (a secret), the severities it takes and
rings for, its routing filters, and the kind of message its URL's scheme wants."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Annotated

import regex
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from logwatch.core.flood import DEFAULT_MAX_PER_MINUTE
from logwatch.core.model import ChannelKind, Severity

_TELEGRAM_TOKEN = regex.compile(r"(?:bot)?\d{5,}:[A-Za-z0-9_-]{30,}")


def kind_name(category: str) -> str:
    """A category or tag as routing compares it: ``rate-limit`` is ``rate_limit``."""
    return category.lower().replace("-", "_")


class Channel(BaseModel):
    """Where alerts go: one Apprise URL and the least severity it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
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


def default_channels(desktop: bool) -> list[Channel]:
    """With no channels configured: the console, and the desktop when there is one."""
    channels = [Channel(name="console", url=SecretStr("console://"))]
    if desktop:
        channels.append(Channel(name="desktop", url=SecretStr("desktop://")))
    return channels
