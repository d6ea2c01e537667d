"""Real servers on 127.0.0.1 for the tests: a webhook and an SMTP server (both bind port 0)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from logwatch.core.config import config_from_text
from logwatch.deliver.notifier import Notifier

PASSWORD = "s3cr3t-Pw_42"
#: The longest a held request waits for ``Hook.release``: a backstop only, so the server
#: of a test that failed before its release still ends (a test that holds checks
#: ``Hook.answered`` before it releases: the hold must not have run out by itself).
HOLD_MAX_S = 600.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def notifier(*channels: str) -> Notifier:
    lines = "".join(
        f"  - {{name: {n}, url: '{u}'}}\n"
        for n, u in (c.split("=", 1) for c in channels)
    )
    return Notifier(config_from_text("channels:\n" + lines, {}, "c.yaml"), timeout_s=10)


class Hook:
    """An HTTP server on 127.0.0.1 that records requests and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        #: when each request arrived (``time.perf_counter``: bench/ measures latency)
        self.arrived: list[float] = []
        self.posts: list[tuple[str, str, Any]] = []  # path, Authorization, body
        self.status = 200
        self.reply = b""
        self.delay = 0.0
        #: cleared by ``hold``: every answer waits (the request is recorded first)
        self.answering = threading.Event()
        self.answering.set()
        #: how many requests were answered (a held one counts once ``release`` or
        #: ``HOLD_MAX_S`` let it go): a test of a hang checks it was still held
        self.answered = 0
        self.cond = threading.Condition()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.delay:
                    threading.Event().wait(hook.delay)  # the server is slow, on purpose
                with hook.cond:
                    hook.arrived.append(time.perf_counter())
                    data = json.loads(body)
                    hook.requests.append(data)
                    auth = self.headers.get("Authorization", "")
                    hook.posts.append((self.path, auth, data))
                    hook.cond.notify_all()
                # a hung service, on demand; bounded so a failed test ends its server
                hook.answering.wait(HOLD_MAX_S)
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(hook.reply)
                with hook.cond:
                    hook.answered += 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hold(self) -> None:
        """From now on, requests are recorded but not answered until ``release``."""
        self.answering.clear()

    def release(self) -> None:
        """Answer the requests held, and the next ones at once."""
        self.answering.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(name="hook")
def _hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.close()


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.cond = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.cond:
            self.messages.append(envelope)
            self.cond.notify_all()
        return "250 OK"


def _auth(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"alerts"
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok)


def _certificate(tmp: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    return ctx


@pytest.fixture(name="smtp")
def _smtp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    tls = getattr(request, "param", False)
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=_auth,
        auth_require_tls=False,
        tls_context=_certificate(tmp_path) if tls else None,
        require_starttls=tls,
    )
    controller.start()
    yield sink, port
    controller.stop()
