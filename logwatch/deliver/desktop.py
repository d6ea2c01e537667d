"""The channels shown on this machine: ``console://`` (stderr) and ``desktop://`` (a
toast through desktop-notifier; the console where there is no desktop)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any

import structlog

from logwatch.core.terminal import shown

log = structlog.get_logger("logwatch.notifier")


def console(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
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


class Collect(logging.Handler):
    """Keeps a library's warnings: desktop-notifier and Apprise log a failure
    instead of raising it."""

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


def desktop(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    """A toast through desktop-notifier (WinRT on Windows, D-Bus on Linux).

    desktop-notifier logs failures instead of raising them, so its logger is watched.
    A toast the system refuses (notifications off, Focus Assist) is a failed send,
    its reason logged where Apprise collects it, so ``status`` shows it. Without a
    desktop session the alert goes to the console.
    """
    if not desktop_session():
        return console(body, title, notify_type)
    import asyncio

    from desktop_notifier import DesktopNotifier, Urgency

    collect = Collect()
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
