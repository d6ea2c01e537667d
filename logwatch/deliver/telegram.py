"""Telegram's Bot API, for what Apprise does not do: finding the chat (``init``) and
reading commands. Apprise still sends the alerts; both use one base URL.

The base URL is Telegram's own unless ``telegram_api`` (``LOGWATCH_TELEGRAM_API``)
names another Bot API server (Telegram's self-hosted ``telegram-bot-api``). The token
is part of every request path, so no error text here carries a URL.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

import regex

DEFAULT_API = "https://api.telegram.org"
_TOKEN = regex.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,}$")


def api_base(configured: str | None) -> str:
    """The Bot API base URL, without a trailing slash."""
    return (configured or DEFAULT_API).rstrip("/")


def valid_token(token: str) -> bool:
    """Whether a string has the shape of a bot token (``123456:ABC…``)."""
    return bool(_TOKEN.match(token.strip()))


def token_and_chat(url: str) -> tuple[str, str] | None:
    """The token and the (first) chat of a ``tgram://TOKEN/CHAT`` URL."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("tgram", "telegram"):
        return None
    parts = rest.split("?", 1)[0].strip("/").split("/")
    if len(parts) < 2:
        return None
    token = parts[0]
    if token.lower().startswith("bot"):
        token = token[3:]
    return token, parts[1]


class TelegramError(Exception):
    """The Bot API said no (``code`` is its HTTP-like error code, 0: no answer)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}" if code else description)
        self.code = code
        self.description = description


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat as the Bot API describes it."""

    id: int
    type: str
    name: str

    @classmethod
    def from_api(cls, obj: dict[str, Any]) -> Chat:
        """From a Bot API ``Chat`` object."""
        name = obj.get("title") or " ".join(
            p for p in (obj.get("first_name"), obj.get("last_name")) if p
        )
        if obj.get("username"):
            name = f"{name} (@{obj['username']})" if name else f"@{obj['username']}"
        return cls(int(obj["id"]), str(obj.get("type", "")), name or str(obj["id"]))


class BotApi:
    """A few Bot API methods over HTTP (JSON in, JSON out)."""

    def __init__(self, token: str, base: str = DEFAULT_API, timeout_s: float = 10.0):
        self.token, self.base, self.timeout_s = token, api_base(base), timeout_s

    def call(self, method: str, timeout_s: float | None = None, **params: Any) -> Any:
        """One method; its ``result``.

        Raises:
            TelegramError: the API refused (401 for a wrong token) or was unreachable.
        """
        import urllib.error  # http.client, email: only for a bot
        import urllib.request

        url = f"{self.base}/bot{self.token}/{method}"
        data = json.dumps({k: v for k, v in params.items() if v is not None}).encode()
        request = urllib.request.Request(  # noqa: S310  http(s) from our own config
            url, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(  # noqa: S310  see above
                request, timeout=timeout_s or self.timeout_s
            ) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                body = {}
            raise TelegramError(
                int(body.get("error_code", exc.code)),
                str(body.get("description", exc.reason)),
            ) from None
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TelegramError(0, f"no answer from {self._host()}: {reason}") from None
        if not body.get("ok"):
            raise TelegramError(
                int(body.get("error_code", 0)), str(body.get("description", "not ok"))
            )
        return body.get("result")

    def _host(self) -> str:
        return urllib.parse.urlsplit(self.base).netloc or self.base

    def me(self) -> dict[str, Any]:
        """The bot itself (``getMe``): a wrong token fails here with 401."""
        result: dict[str, Any] = self.call("getMe")
        return result

    def updates(self, offset: int | None, wait_s: float) -> list[dict[str, Any]]:
        """New updates (``getUpdates``), waiting up to ``wait_s`` for one."""
        result: list[dict[str, Any]] = self.call(
            "getUpdates",
            timeout_s=wait_s + self.timeout_s,
            offset=offset,
            timeout=int(wait_s),
            allowed_updates=["message", "channel_post", "callback_query"],
        )
        return result

    def chat(self, chat_id: int | str) -> Chat:
        """What a chat is called (``getChat``)."""
        return Chat.from_api(self.call("getChat", chat_id=chat_id))

    def send(
        self,
        chat_id: int | str,
        text: str,
        silent: bool = False,
        markup: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a plain-text message (``sendMessage``)."""
        result: dict[str, Any] = self.call(
            "sendMessage",
            chat_id=chat_id,
            text=text,
            disable_notification=silent or None,
            reply_markup=markup,
        )
        return result


def chat_of(update: dict[str, Any]) -> Chat | None:
    """The chat an update came from (a message, a channel post or a button)."""
    for key in ("message", "channel_post", "edited_message"):
        if key in update and "chat" in update[key]:
            return Chat.from_api(update[key]["chat"])
    callback = update.get("callback_query", {})
    if "message" in callback:
        return Chat.from_api(callback["message"]["chat"])
    return None
