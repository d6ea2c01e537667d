"""Telling a supervisor how the service is: systemd's notify protocol (READY,
STATUS, WATCHDOG, STOPPING), a datagram that never blocks following."""

from __future__ import annotations

import os
import socket
import sys

import structlog

log = structlog.get_logger("logwatch.daemon")


def sd_notify(message: str, env: dict[str, str] | None = None) -> bool:
    """Tell systemd how the service is (``READY=1``...); False without systemd."""
    env = dict(os.environ) if env is None else env
    address = env.get("NOTIFY_SOCKET")
    if not address or not sys.platform.startswith("linux"):
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:  # type: ignore[attr-defined,unused-ignore]
            # never wait: a supervisor that stopped reading must not stop following
            sock.setblocking(False)
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:  # gone, or its queue full: the message is lost, not us
        log.debug("sd_notify_failed", error=type(exc).__name__)
        return False
    return True
