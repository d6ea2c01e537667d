"""Masks secrets and personal data in text before it leaves the engine.

API keys, secrets, signatures, listenKeys, bot tokens, passwords in URLs and IP
addresses are replaced; what stays tells two keys apart but is never enough to use one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import regex

MASK = "****"

_SECRET_NAMES = (
    r"api[_-]?key|apikey|x-mbx-apikey|api[_-]?secret|secret(?:[_-]?key)?|signature|"  # noqa: S105
    r"listen[_-]?key|password|passwd|pwd|pass|token|access[_-]?token|auth"
)
# Each pattern uses whichever engine ran it faster here (measured per hit).
_PATTERNS: tuple[tuple[Any, str], ...] = (
    # key=value, key: value, "key":"value" (the value is masked, the name kept)
    (
        regex.compile(
            r"(?i)(?P<k>\b(?:" + _SECRET_NAMES + r")\b[\"']?\s*[:=]\s*[\"']?)"
            r"(?P<v>[^\s\"'&,;}{)\]]{4,})"
        ),
        "kv",
    ),
    # user:password@ in URLs
    (
        regex.compile(r"(?P<k>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)(?P<v>[^\s@/]+)(?=@)"),
        "kv",
    ),
    # Telegram bot tokens, in tgram:// URLs or api.telegram.org/bot<token>/
    (regex.compile(r"(?P<v>\b\d{6,12}:[A-Za-z0-9_-]{30,})"), "tok"),
    # Binance API keys and secrets (64), listenKeys (60), hex signatures (64)
    (re.compile(r"(?<![A-Za-z0-9])(?P<v>[A-Za-z0-9]{56,128})(?![A-Za-z0-9])"), "tok"),
    # IPv4 addresses
    (
        regex.compile(
            r"(?<!\d)(?<!\d\.)(?P<v>(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})"
            r"(?!\.?\d)"
        ),
        "ip",
    ),
    # IPv6 addresses: a run of hex and colons with "::" or at least five colons
    (
        regex.compile(
            r"(?<![\w:.])(?P<v>[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})(?![\w:])"
        ),
        "ip6",
    ),
)


def _hint(value: str) -> str:
    return value[:4] + MASK if len(value) >= 16 else MASK


def _replace(kind: str) -> Callable[[Any], str]:
    def sub(m: Any) -> str:
        value = m.group("v")
        if kind == "ip6" and "::" not in value and value.count(":") < 5:
            return str(m.group(0))
        prefix = m.group("k") if kind == "kv" else ""
        if kind in ("ip", "ip6"):
            return MASK
        return prefix + (MASK if kind == "kv" else _hint(value))

    return sub


_SUBS = {kind: _replace(kind) for kind in ("kv", "tok", "ip", "ip6")}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every recognised secret, and each of ``secrets``, masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pattern, kind in _PATTERNS:
        if kind == "ip6" and "::" not in text and text.count(":") < 5:
            continue
        text = pattern.sub(_SUBS[kind], text)
    return text
