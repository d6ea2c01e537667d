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

import contextlib
import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex
import structlog
from pydantic import SecretStr, ValidationError

from logwatch.alerts.render import Message
from logwatch.core.config import Channel, LoadedConfig, config_secrets
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Severity
from logwatch.core.terminal import shown
from logwatch.deliver import alertmanager
from logwatch.deliver.telegram import api_base
from logwatch.match.redact import redact

if TYPE_CHECKING:  # imported when a channel needs it (see the module's docstring)
    import apprise

log = structlog.get_logger("logwatch.notifier")

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


# -- plugins: console://, desktop://, alertmanager:// ---------------------------------


def _console(
    body: str, title: str, notify_type: str, *args: Any, **kwargs: Any
) -> bool:
    """Prints the alert on stderr (the zero-config channel and desktop fallback).

    Without a stderr (pythonw) the alert goes to logwatch's own log file instead.
    """
    # every line marked: a log that receives this output cannot trigger logwatch;
    # the log line's escape sequences shown, not obeyed by the terminal
    # only our text: no "[FAILURE]" of Apprise's notify type before every alert
    text = shown(f"{title}\n{body}")
    marked = "".join(f"logwatch| {line}\n" for line in text.split("\n"))
    stream = sys.stderr
    if stream is None:
        log.warning("console_alert", text=marked)
        return True
    stream.write(marked + "\n")
    stream.flush()
    return True


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def desktop_session() -> bool:
    """Whether a desktop session can show notifications (from the environment)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))


def no_desktop() -> str:
    """Why ``desktop://`` cannot show a notification here ("" when it can: then its
    alerts go to the console instead)."""
    if desktop_session():
        return ""
    return (
        "there is no desktop here (no graphical session: DBUS_SESSION_BUS_ADDRESS "
        "is not set, as on a server or over SSH)"
    )


def desktop_urgency(notify_type: str) -> str:
    """desktop-notifier's urgency for an Apprise notify type."""
    return {"failure": "Critical", "warning": "Normal"}.get(notify_type, "Low")


#: Windows 11 notification modes (ToastNotificationManagerForUser.NotificationMode,
#: learn.microsoft.com/uwp/api/windows.ui.notifications.toastnotificationmode) in
#: which an ordinary toast is not shown.
_QUIET_MODES = {
    "priorityonly": "Focus Assist (Do not disturb) lets priority notifications only",
    "alarmsonly": "Focus Assist lets alarms only",
}


def toast_refusal(authorised: bool, mode: str | None) -> str:
    """Why the system would not show a toast now, or "" when it would."""
    if not authorised:
        return (
            "the system does not allow notifications from logwatch "
            "(turned off in its notification settings)"
        )
    quiet = _QUIET_MODES.get((mode or "").replace("_", "").lower())
    return f"{quiet}: the toast would not be shown" if quiet else ""


def _notification_mode(notifier: Any) -> str | None:
    """Windows 11's notification mode, read through desktop-notifier's WinRT backend;
    None elsewhere (older Windows, D-Bus, macOS)."""
    try:
        mode = notifier._backend.manager.notification_mode
    except Exception:  # noqa: BLE001  boundary: no such property on this system
        return None
    return str(getattr(mode, "name", mode))


def _desktop(
    body: str, title: str, notify_type: str, *args: Any, **kwargs: Any
) -> bool:
    """A toast through desktop-notifier (WinRT on Windows, D-Bus on Linux).

    desktop-notifier logs failures instead of raising them, so its logger is watched.
    A toast the system refuses (notifications off, Focus Assist) is a failed send,
    its reason logged where Apprise collects it, so ``status`` shows it. Without a
    desktop session the alert goes to the console.
    """
    if not desktop_session():
        return _console(body, title, notify_type)
    import asyncio

    from desktop_notifier import DesktopNotifier, Urgency

    collect = _Collect()
    logger = logging.getLogger("desktop_notifier")
    logger.addHandler(collect)
    try:
        notifier = DesktopNotifier(app_name="logwatch")
        urgency = getattr(Urgency, desktop_urgency(notify_type))

        async def send_once() -> str:
            refused = toast_refusal(
                await notifier.has_authorisation(), _notification_mode(notifier)
            )
            if refused:
                return refused
            await notifier.send(
                title=title or "logwatch", message=body, urgency=urgency
            )
            # The D-Bus backend keeps its connection for action callbacks; a one-shot
            # toast from a fresh event loop must close it, or the socket leaks.
            bus = getattr(getattr(notifier, "_backend", None), "bus", None)
            if bus is not None:
                bus.disconnect()
                with contextlib.suppress(Exception):
                    await bus.wait_for_disconnect()
            return ""

        refused = asyncio.run(send_once())
        if refused:
            logging.getLogger("apprise").warning("desktop: %s", refused)
            return False
    except Exception:  # noqa: BLE001  boundary: any backend failure is a failed send
        return False
    finally:
        logger.removeHandler(collect)
    return not collect.records


#: logwatch's own schemes: functions of this package, registered in Apprise
_OWN: dict[str, tuple[str, Callable[..., bool]]] = {
    "console": ("Console", _console),
    "desktop": ("Desktop", _desktop),
    "alertmanager": ("Alertmanager", alertmanager.post),
    "alertmanagers": ("Alertmanager (TLS)", alertmanager.post),
}
_plugins_lock = threading.Lock()


def serve(schemes: Collection[str]) -> None:
    """Make Apprise ready to send to these schemes, and to logwatch's own.

    Apprise imports all of its ~180 plugin modules the first time a scheme is looked
    up (~25 MB and ~0.3 s); the first call here imports only the modules whose source
    names one of ``schemes``. A scheme they do not serve makes ``Apprise.instantiate``
    fail, and the Notifier then loads them all (``serve_all``) and asks again: a URL is
    refused only when no plugin at all takes it.
    """
    manager = _manager()
    with _plugins_lock:
        if not manager:  # nothing loaded yet
            _load_plugins(manager, {s.lower() for s in schemes} - set(_OWN))
        _register_own(manager)


def serve_all() -> None:
    """Make Apprise ready to send to any scheme: every plugin module loaded (those
    ``serve`` loaded stay as they are), and logwatch's own schemes."""
    manager = _manager()
    quiet = logging.getLogger("apprise")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "already loaded" for each module loaded before
    try:
        with _plugins_lock:
            manager.load_modules(force=True)
            _register_own(manager)
    finally:
        quiet.setLevel(level)


def _register_own(manager: Any) -> None:
    from apprise.decorators import notify

    for scheme, (name, plugin) in _OWN.items():
        if scheme not in manager:
            notify(on=scheme, name=name)(plugin)  # type: ignore[no-untyped-call]


def _manager() -> Any:
    from apprise.manager_plugins import NotificationManager

    # a singleton: the one Apprise looks schemes up in
    return NotificationManager()  # type: ignore[no-untyped-call]


def _load_plugins(manager: Any, schemes: set[str]) -> None:
    """Import the plugin modules whose source quotes one of ``schemes``, and map them
    as Apprise's own loader does (``PluginManager.load_modules``)."""
    root = Path(manager.module_path)
    quoted = [f'"{s}"' for s in schemes] + [f"'{s}'" for s in schemes]
    manager._module_map, manager._schema_map = {}, {}
    manager._custom_module_map = {}
    manager._loaded.add(manager.module_path)  # so a lookup does not load them all
    for path in sorted(root.iterdir()):
        name = path.name.removesuffix(".py")
        if name.startswith(("_", "base")) or not (
            path.suffix == ".py" or (path / "__init__.py").exists()
        ):
            continue
        files = [path] if path.is_file() else sorted(path.glob("*.py"))
        source = "".join(f.read_text("utf-8", "replace") for f in files)
        if not any(q in source for q in quoted):
            continue
        module = _imported(f"{manager.module_name_prefix}.{name}")
        for attr in dir(module):
            plugin = getattr(module, attr)
            if not manager.module_filter_re.match(attr) or not hasattr(
                plugin, "app_id"
            ):
                continue
            manager._module_map[name] = {
                "plugin": {plugin},
                "module": module,
                "path": f"{manager.module_name_prefix}.{name}",
                "native": True,
            }
            found = getattr(plugin, "schemas", None)
            for scheme in found(plugin) if callable(found) else ():
                manager._schema_map.setdefault(scheme, plugin)
            break


def _imported(name: str) -> Any:
    """A plugin module, or None when it fails to import (Apprise skips those too)."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001  boundary: a broken plugin is skipped
        log.debug("plugin_import_failed", module=name, error=type(exc).__name__)
        return None


# -- the notifier ---------------------------------------------------------------------


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

        asset = apprise.AppriseAsset(app_id="logwatch", app_desc="logwatch alerts")
        asset.service_timeout = timeout_s  # type: ignore[attr-defined,unused-ignore]
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
            _console(message.body, message.title, _NOTIFY_TYPE[severity])
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


def apprise_channels(
    path: Path, tags: Collection[str], taken: Collection[str]
) -> tuple[list[Channel], list[str]]:
    """The channels of an Apprise config file (YAML or TEXT, read by Apprise): one per
    URL, named after its first tag (``apprise`` without one), ``-2``, ``-3``... where a
    name is ``taken`` already; with ``tags``, only URLs that carry one of them. And
    every problem with it, masked: what Apprise refused, each URL logwatch refuses
    (a Telegram URL without its chat), or why it gave nothing."""
    import apprise

    collect = _Collect()
    logger = logging.getLogger("apprise")
    logger.addHandler(collect)
    try:
        config = apprise.AppriseConfig()
        config.add(str(path))
        services = config.services()
    except Exception as exc:  # noqa: BLE001  boundary: any file must not crash us
        services, said = [], [f"{type(exc).__name__}: {exc}"]
    else:
        said = []
    finally:
        logger.removeHandler(collect)
    said += [r.getMessage() for r in collect.records]
    wanted = {t.lower() for t in tags}
    names = set(taken)
    channels = []
    for number, service in enumerate(services, 1):
        own = sorted(str(t).lower() for t in service.tags)
        if wanted and wanted.isdisjoint(own):
            continue
        name = _channel_name(own[0] if own else "apprise", names)
        try:
            url = service.url(privacy=False)  # type: ignore[no-untyped-call]
            channels.append(Channel(name=name, url=SecretStr(url)))
        except (ValidationError, TypeError, ValueError) as exc:
            why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else exc
            said.append(f"URL {number} ({service.service_name}): {why}")
            continue
        names.add(name)
    if services and not channels and not said:
        said.append(f"no URL has a tag of {', '.join(sorted(wanted))}")
    elif not services and not said:
        said.append("no notification URL in it")
    return channels, [redact(s) for s in said]


def _channel_name(tag: str, taken: Collection[str]) -> str:
    """A channel name made of an Apprise tag (which may hold what a name may not),
    unique among ``taken``."""
    base = _NOT_IN_NAME.sub("-", tag.lower()).strip("-_")[:34] or "apprise"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


#: What a channel name may not hold (an Apprise tag may)
_NOT_IN_NAME = regex.compile(r"[^a-z0-9_-]++")


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
