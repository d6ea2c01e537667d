"""Sends messages through Apprise: one service per channel, each with its own tag.

A plain ``console://`` channel (the zero-config default) is written here, without
Apprise: a config of console channels only never imports Apprise, its plugins or its
HTTP stack (~10 MB at rest). Apprise is imported when the first other channel is set up.

Every URL is checked when the config loads (``Apprise.instantiate``) and reported at
its ``file:line``, never printed. Text goes as ``body_format=TEXT``, so Apprise escapes
it for Telegram's HTML. A send that times out may still have been delivered: it is
reported as such, never retried as if it had failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex
from pydantic import SecretStr

from logwatch.alerts.render import Message
from logwatch.core.channel import Channel
from logwatch.core.config import LoadedConfig
from logwatch.core.configsecrets import config_secrets
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Severity
from logwatch.deliver.desktop import console
from logwatch.deliver.plugins import serve, serve_all
from logwatch.deliver.telegram import api_base
from logwatch.match.redact import redact

if TYPE_CHECKING:  # imported when a channel needs it (see the module's docstring)
    import apprise

#: Seconds a single service may take, retries included.
SERVICE_TIMEOUT_S = 30.0
_RETRY_AFTER = regex.compile(r"retry after (\d+)", regex.I)
#: apprise's debug lines that carry the cause of a failure (the rest may hold tokens)
# (a whole word, then whether it ends so: not each way of splitting a long word)
_CAUSE = regex.compile(r"^(?:Socket )?Exception: |\b\w++(?<=\wError|\wException): ")
#: Apprise's notify type (``apprise.NotifyType``'s values) of each severity
_NOTIFY_TYPE = {
    Severity.INFO: "info",
    Severity.WARNING: "warning",
    Severity.ERROR: "failure",
    Severity.CRITICAL: "failure",
}


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one send went: ``sent``, ``failed``, or ``maybe`` (timed out mid-send)."""

    status: str
    error: str = ""
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the message went out (a timeout counts: it may well have)."""
        return self.status in ("sent", "maybe")


def plain_console(url: SecretStr) -> bool:
    """Whether a channel URL is ``console://`` with no option: written without
    Apprise (its plugin would print the same, through Apprise's machinery)."""
    return url.get_secret_value().strip().lower() == "console://"


def tag_of(channel: str, variant: str = "") -> str:
    """The Apprise tag of a channel (lowercase letters, digits, dashes), or of one of
    its twins: ``quiet`` below its ``loud_from``, ``urgent`` for critical alerts."""
    return "ch-" + channel + (f"-{variant}" if variant else "")


#: What makes a message arrive silently, per URL scheme (each plugin's own option).
QUIET_OPTIONS = {
    "tgram": ("silent", "yes"),  # Bot API disable_notification
    "telegram": ("silent", "yes"),
    "ntfy": ("priority", "low"),
    "ntfys": ("priority", "low"),
    "gotify": ("priority", "low"),
    "gotifys": ("priority", "low"),
    "pover": ("priority", "low"),
}


def with_option(url: str, key: str, value: str) -> str:
    """``url`` with the query option ``key`` set to ``value`` (replacing it)."""
    base, _, query = url.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() != key]
    return base + "?" + "&".join([*kept, f"{key}={value}"])


def quiet_url(url: str) -> str | None:
    """The silent variant of a channel URL, or None when its scheme has none."""
    option = QUIET_OPTIONS.get(url.split("://", 1)[0].lower())
    return with_option(url, *option) if option else None


#: What makes a critical alert repeat until acknowledged, where the service does it
#: itself (Pushover's emergency priority: repeated until its receipt is acknowledged).
URGENT_OPTIONS = {"pover": ("priority", "emergency")}


def urgent_url(url: str) -> str | None:
    """The repeat-until-acknowledged variant of a channel URL, or None."""
    option = URGENT_OPTIONS.get(url.split("://", 1)[0].lower())
    return with_option(url, *option) if option else None


class Notifier:
    """One Apprise service per configured channel."""

    def __init__(
        self, loaded: LoadedConfig, timeout_s: float = SERVICE_TIMEOUT_S
    ) -> None:
        self.channels: dict[str, Channel] = {c.name: c for c in loaded.config.channels}
        self.secrets = tuple(_secrets(loaded.config.channels))
        self.hosts = tuple(_hosts(loaded.config.channels))
        # its warnings only: never DEBUG (it shows tokens), and not its INFO lines
        # ("Notifying 1 service(s)", "Sent Console notification" between the alerts)
        logging.getLogger("apprise").setLevel(logging.WARNING)
        self._variants: set[tuple[str, str]] = set()
        #: where Telegram channels send (and commands poll): one Bot API base URL
        self.telegram_api = api_base(loaded.config.telegram_api)
        #: the channels written here, without Apprise
        self._own = {c.name for c in loaded.config.channels if plain_console(c.url)}
        others = [c for c in loaded.config.channels if c.name not in self._own]
        self._apprise: apprise.Apprise | None = None
        if not others:
            return
        import apprise

        # given to the constructor: the asset reads it from there (an attribute set
        # afterwards was ignored, and a service had Apprise's own 60 s)
        asset = apprise.AppriseAsset(
            app_id="logwatch", app_desc="logwatch alerts", service_timeout=timeout_s
        )
        self._apprise = apprise.Apprise(asset=asset)
        serve({c.scheme for c in others})
        problems = []
        for index, channel in enumerate(loaded.config.channels):
            if channel.name in self._own:
                continue
            url = channel.url.get_secret_value()
            service = self._service(url, tag_of(channel.name), asset)
            if service is None:
                serve_all()  # a scheme none of the modules loaded so far serves
                service = self._service(url, tag_of(channel.name), asset)
            if service is None:
                problems.append(
                    loaded.error(
                        ("channels", index, "url"),
                        f"channel {channel.name}: not a valid notification URL "
                        f"(scheme {channel.scheme}://); see https://appriseit.com/services/",
                    )
                )
                continue
            self._apprise.add(service)
            for variant, make in (("quiet", quiet_url), ("urgent", urgent_url)):
                twin_url = make(url)
                twin = twin_url and self._service(
                    twin_url, tag_of(channel.name, variant), asset
                )
                if twin:
                    self._apprise.add(twin)
                    self._variants.add((channel.name, variant))
        if problems:
            raise InvalidConfig(problems)

    def _service(self, url: str, tag: str, asset: apprise.AppriseAsset) -> Any:
        """One Apprise service; a Telegram one talks to the configured Bot API."""
        import apprise

        service = apprise.Apprise.instantiate(url, asset=asset, tag=tag)
        if url.split("://", 1)[0].lower() in ("tgram", "telegram"):
            # imported here: only a config with Telegram pays for the plugin
            from apprise.plugins.telegram import NotifyTelegram

            if isinstance(service, NotifyTelegram):
                # the plugin's own attribute (class default: Telegram's API)
                service.notify_url = f"{self.telegram_api}/bot"
        return service

    def tag_for(self, channel: str, severity: Severity) -> str:
        """Which of a channel's services an alert of this severity goes through."""
        if severity == Severity.CRITICAL and (channel, "urgent") in self._variants:
            return tag_of(channel, "urgent")
        if not self.loud(channel, severity) and (channel, "quiet") in self._variants:
            return tag_of(channel, "quiet")
        return tag_of(channel)

    def loud(self, channel: str, severity: Severity) -> bool:
        """Whether an alert of this severity rings on this channel (``loud_from``)."""
        return severity.rank >= self.channels[channel].loud_from.rank

    def takes(self, channel: str, severity: Severity) -> bool:
        """Whether a channel wants alerts of this severity."""
        return severity.rank >= self.channels[channel].min_severity.rank

    def send(
        self, channel: str, message: Message, severity: Severity, detail: bool = False
    ) -> Delivery:
        """Send one message to one channel; with ``detail`` (test-notify), a failure
        says its underlying cause ("SMTP AUTH extension not supported by server")."""
        if channel in self._own:
            return self._to_console(message, severity)
        import apprise

        assert self._apprise is not None  # noqa: S101  made for every other channel
        apprise_log = logging.getLogger("apprise")
        level = apprise_log.level
        if detail:  # only where nothing prints apprise's debug lines
            apprise_log.setLevel(logging.DEBUG)
        try:
            result = self._apprise.notify(
                body=message.body,
                title=message.title,
                notify_type=_NOTIFY_TYPE[severity],
                body_format=apprise.NotifyFormat.TEXT,
                tag=self.tag_for(channel, severity),
                log_level=logging.DEBUG if detail else None,
            )
        except Exception as exc:  # noqa: BLE001  boundary: a plugin bug is a failed send
            return Delivery("failed", self._shown(f"{type(exc).__name__}: {exc}"))
        finally:
            apprise_log.setLevel(level)
        status = result.status
        logs = " ".join(
            entry.message
            for entry in result.logs()
            if str(entry.level) not in ("DEBUG", "INFO") or _CAUSE.search(entry.message)
        )
        error = self._shown(logs)[:500]
        if status == apprise.AppriseResultStatus.SUCCESS:
            return Delivery("sent")
        if status == apprise.AppriseResultStatus.TIMEOUT:
            return Delivery("maybe", error or "timed out; it may have been delivered")
        retry = _RETRY_AFTER.search(logs)
        return Delivery(
            "failed",
            error or f"not delivered ({status.name.lower()})",
            float(retry.group(1)) if retry else None,
        )

    def _to_console(self, message: Message, severity: Severity) -> Delivery:
        """A message written to the console, as the ``console://`` plugin does."""
        try:
            console(message.body, message.title, _NOTIFY_TYPE[severity])
        except Exception as exc:  # noqa: BLE001  boundary: as a plugin's failure
            return Delivery("failed", self._shown(f"{type(exc).__name__}: {exc}"))
        return Delivery("sent")

    def _shown(self, text: str) -> str:
        """Error text with secrets masked but the channels' host names kept: they come
        from the config, and "cannot reach ****" helps nobody."""
        hosts = sorted(self.hosts, key=len, reverse=True)
        for i, host in enumerate(hosts):
            text = text.replace(host, f"\x00{i}\x00")
        text = redact(text, self.secrets)
        for i, host in enumerate(hosts):
            text = text.replace(f"\x00{i}\x00", host)
        return text


def _hosts(channels: Sequence[Channel]) -> list[str]:
    """The host names (or addresses) of channel URLs: not secrets."""
    out = []
    for channel in channels:
        rest = channel.url.get_secret_value().split("://", 1)[-1]
        netloc = regex.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
        host = netloc[1:].split("]", 1)[0] if netloc.startswith("[") else netloc
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if "." in host or host == "localhost":
            out.append(host)
    return [h for h in out if h not in _secrets(channels)]


def _secrets(channels: Sequence[Channel]) -> list[str]:
    """The parts of channel URLs that must never be shown (tokens, passwords)."""
    return [s for channel in channels for s in config_secrets(channel)]
