"""A fake Telegram Bot API server on 127.0.0.1, driven by the tests.

It is a fake because Telegram (api.telegram.org) cannot be reached from here. It
answers ``getMe``, ``getUpdates`` (long polling, with ``offset``), ``getChat`` and
``sendMessage`` the way the Bot API documents them (core.telegram.org/bots/api):
``{"ok": true, "result": …}``, or ``{"ok": false, "error_code": 401, "description":
"Unauthorized"}`` for a wrong token, 400 "chat not found", 403 for a chat the bot may
not write to. Logwatch (through Apprise and its own client) is pointed at it with
``telegram_api`` / ``LOGWATCH_TELEGRAM_API``.

Two ``getUpdates`` at once on one token are what Telegram refuses (409 Conflict to one
of them); the fake answers both, as a poll that returned just before the other began
would have been, and counts the overlap (``most_polling``) for the tests to assert.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.servers import HOLD_MAX_S

TOKEN = "7712345678:AAHfakeTokenForTests_0123456789abcdefg"


class FakeBotApi:
    """The server and what it saw; ``say()`` makes a user write to the bot."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot = {
            "id": 7712345678,
            "is_bot": True,
            "first_name": "Alerts",
            "username": "lw_alerts_bot",
        }
        #: chat id -> Bot API Chat object; ``writable`` False: sendMessage gets 403
        self.chats: dict[int, dict[str, Any]] = {}
        self.readonly: set[int] = set()
        #: this many getMe calls fail first, with 502 Bad Gateway (Telegram's own
        #: answer when its front end cannot reach the bot servers)
        self.me_failures = 0
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        #: each getUpdates call's ``offset`` (None: none given), in order of arrival
        self.offsets: list[int | None] = []
        #: update id -> how many getUpdates answers carried it
        self.handed: Counter[int] = Counter()
        #: getUpdates calls under way now, and the most there ever were at once
        self.polling = 0
        self.most_polling = 0
        #: getUpdates calls answered by ``hold_polls``, ones that arrived meanwhile
        self.held = 0
        self._holding = False
        self.cond = threading.Condition()
        self._next_update = 100
        self._next_message = 1
        self._closing = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                code, body = fake.handle(self.path, params)
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        with self.cond:
            self._closing = True
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    # -- what users do ------------------------------------------------------------------

    def add_chat(self, chat: dict[str, Any], writable: bool = True) -> None:
        self.chats[int(chat["id"])] = chat
        if not writable:
            self.readonly.add(int(chat["id"]))

    def say(self, chat: dict[str, Any], text: str, user: str = "Ivan") -> int:
        """A message from ``user`` in ``chat`` (a channel post when it is a channel);
        its update id."""
        self.add_chat(chat, int(chat["id"]) not in self.readonly)
        with self.cond:
            key = "channel_post" if chat.get("type") == "channel" else "message"
            message = {
                "message_id": self._next_message,
                "date": 1764500000,
                "chat": chat,
                "text": text,
            }
            if key == "message":
                message["from"] = {"id": 555, "is_bot": False, "first_name": user}
            self._next_message += 1
            update_id = self._next_update
            self.updates.append({"update_id": update_id, key: message})
            self._next_update += 1
            self.cond.notify_all()
        return update_id

    def hold_polls(self) -> None:
        """From now on, getUpdates calls do not answer (each waits up to HOLD_MAX_S),
        as a long poll in which nothing happens, until ``release_polls``."""
        with self.cond:
            self._holding = True

    def release_polls(self) -> None:
        """The held getUpdates calls answer (with what there is by then)."""
        with self.cond:
            self._holding = False
            self.cond.notify_all()

    def wait_sent(self, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``n`` messages were sent; fail at the deadline."""
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.sent) >= n, timeout):
                raise AssertionError(
                    f"{len(self.sent)} messages sent, wanted {n}: {self.sent}"
                )
            return list(self.sent)

    # -- the API --------------------------------------------------------------------------

    def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        method = path.rsplit("/", 1)[-1]
        with self.cond:
            self.calls.append(method)
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getMe":
            with self.cond:
                failing, self.me_failures = (
                    self.me_failures,
                    max(0, self.me_failures - 1),
                )
            if failing:
                return 502, {
                    "ok": False,
                    "error_code": 502,
                    "description": "Bad Gateway",
                }
            return 200, {"ok": True, "result": self.bot}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method == "getChat":
            chat = self.chats.get(int(params.get("chat_id", 0)))
            if chat is None:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat not found",
                }
            return 200, {"ok": True, "result": chat}
        if method == "sendMessage":
            chat_id = int(params.get("chat_id", 0))
            if chat_id not in self.chats:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat not found",
                }
            if chat_id in self.readonly:
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot is not a member of the channel chat",
                }
            with self.cond:
                self.sent.append(params)
                self.cond.notify_all()
                message_id = self._next_message
                self._next_message += 1
            return 200, {
                "ok": True,
                "result": {
                    "message_id": message_id,
                    "chat": self.chats[chat_id],
                    "text": params.get("text", ""),
                },
            }
        if method in ("answerCallbackQuery", "editMessageReplyMarkup"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        given = params.get("offset")
        offset = int(given or 0)
        wait = min(float(params.get("timeout") or 0), 5.0)  # tests never wait long

        def fresh() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset]

        with self.cond:
            self.offsets.append(None if given is None else offset)
            self.polling += 1
            self.most_polling = max(self.most_polling, self.polling)
            try:
                if self._holding:
                    self.held += 1
                    self.cond.notify_all()
                    self.cond.wait_for(
                        lambda: not self._holding or self._closing, HOLD_MAX_S
                    )
                self.cond.wait_for(
                    lambda: (bool(fresh()) and not self._holding) or self._closing,
                    wait,
                )
                # confirmed (offset past them) updates are forgotten, as Telegram does
                self.updates = fresh()
                self.handed.update(u["update_id"] for u in self.updates)
                return list(self.updates)
            finally:
                self.polling -= 1


#: Chats the tests' bots talk to.
PRIVATE: dict[str, Any] = {
    "id": 4242,
    "type": "private",
    "first_name": "Ivan",
    "username": "ivan_t",
}
GROUP: dict[str, Any] = {"id": -100777, "type": "supergroup", "title": "Desk alerts"}
CHANNEL: dict[str, Any] = {"id": -100888, "type": "channel", "title": "Signals"}


@pytest.fixture(name="api")
def _api() -> Iterator[FakeBotApi]:
    """A fake Bot API on 127.0.0.1 (Telegram itself cannot be reached from tests)."""
    fake = FakeBotApi()
    yield fake
    fake.close()
