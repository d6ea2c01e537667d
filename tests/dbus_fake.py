# mypy: ignore-errors
# (dbus-fast's signature annotations such as "as" are not Python types)
"""A fake org.freedesktop.Notifications server on a private dbus-daemon, for tests.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures
("s", "as", ...) from the annotations at run time.
"""

import asyncio
import contextlib
import subprocess
import threading
from pathlib import Path
from typing import Any

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method

CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Notifications(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.calls: list[tuple[str, str, str, Any]] = []
        self.got = threading.Condition()

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        urgency = hints["urgency"].value if "urgency" in hints else None
        with self.got:
            self.calls.append((app_name, summary, body, urgency))
            self.got.notify_all()
        return len(self.calls)

    @method()
    def GetCapabilities(self) -> "as":
        return ["body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["fake", "logwatch-tests", "1.0", "1.2"]

    @method()
    def CloseNotification(self, notification_id: "u") -> None:
        return None


class Session:
    """A private session bus and the fake notification server on it."""

    def __init__(self, tmp: Path) -> None:
        (tmp / "session.conf").write_text(
            CONF.format(path=tmp / "bus"), encoding="utf-8"
        )
        self.daemon = subprocess.Popen(
            [
                "dbus-daemon",
                "--config-file",
                str(tmp / "session.conf"),
                "--nofork",
                "--print-address",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.daemon.stdout is not None
        self.address = self.daemon.stdout.readline().strip()  # printed once it listens
        self.server = Notifications()
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the fake notification server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            bus = await MessageBus(bus_address=self.address).connect()
            bus.export("/org/freedesktop/Notifications", self.server)
            await bus.request_name("org.freedesktop.Notifications")
            self.ready.set()
            self._bus = bus
            await bus.wait_for_disconnect()

        with contextlib.suppress(Exception):  # the bus going away ends the server
            self.loop.run_until_complete(main())

    def close(self) -> None:
        self.daemon.terminate()
        self.daemon.wait(5)
        self.thread.join(5)
        self.loop.close()
        if self.daemon.stdout is not None:
            self.daemon.stdout.close()
