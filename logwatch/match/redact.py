"""Masks secrets and personal data in text before it leaves the engine.

Secrets under a secret-like name (``binance_api_secret=``, ``"passphrase": "…"``),
URL credentials, bot tokens (plain or URL-encoded), bearer tokens, long key material
(hex, base64 signatures) and IP addresses are replaced, and so is every secret the
caller names (those of the config). What stays tells two keys apart but is never
enough to use one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, unquote

import regex

MASK = "****"
#: How much of a text ``redact_head`` masks and keeps: a record may hold 200 lines of
#: 64 KiB, an alert shows 500 characters of it, and masking costs time per character.
MAX_REDACTED_CHARS = 8192
#: What ends a text cut at MAX_REDACTED_CHARS.
CUT_MARK = " …[cut]"
#: A cut goes back this far, at most, to fall between two words (half a key looks
#: like no key).
_CUT_SLACK = 256
#: A configured secret shorter than this is not searched for (it would mask words).
MIN_SECRET_CHARS = 4

# A name is secret-like when it contains one of these (case-insensitive):
# binance_api_key, bybit_secret, X-MBX-APIKEY, passphrase, refreshToken, listenKey...
_SECRET_WORDS = (
    r"api[_-]?key|apikey|secret|passphrase|password|passwd|token|signature|"  # noqa: S105
    r"listen[_-]?key|private[_-]?key|credential|authorization"
)
# a run of name characters holding a secret-like word: the look-ahead finds the word,
# then the run is taken whole (what follows a name is never a name character), so no
# run is scanned more than once per word it holds
_NAME = (
    r"(?<![A-Za-z0-9_.-])(?:(?=[A-Za-z0-9_.-]*?(?:" + _SECRET_WORDS + r"))"
    r"[A-Za-z0-9_.-]++|pwd|pass|auth)"
)
# the value: "double" or 'single' quoted (JSON, Python reprs; \"escaped\" inside a
# string), else everything up to white space or an obvious end of a value. A quote
# that the text ends before closing (a text cut short) holds the rest.
_VALUE = (
    r"(?:\\\"(?P<v1>.*?)(?:\\\"|\Z)"
    r"|\"(?P<v2>(?:\\.|[^\"\\])*)(?:\"|\Z)"
    r"|'(?P<v3>(?:\\.|[^'\\])*)(?:'|\Z)"
    r"|(?P<v4>[^\s\"'&}\])>]+))"
)
# Each pattern runs on whichever engine (re or regex) was faster on log lines here.
_KEY_VALUE = re.compile(r"(?i)(?P<k>" + _NAME + r"(?:\\?[\"'])?\s*[:=]\s*)" + _VALUE)
#: cheap test before _KEY_VALUE: a secret-like word in a name followed by : or =
_ROOTS = ("key", "secret", "pass", "pwd", "token", "signature", "credential", "auth")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
# scheme://user:password@host: the password runs to the last @ of the URL, so it
# may hold / : or @ itself. The pattern takes the rest of the URL whole and
# ``_url_credential`` finds that @: backtracking to it from every scheme of a long
# run (``x://a:x://a:…``) would read the run once per scheme. The scheme starts at
# the first letter of its run after a non-word character (``\b``), found in one pass.
_URL_CREDENTIALS = regex.compile(
    r"(?i)(?<![a-z0-9+.-])(?P<k>(?:[0-9+.-]|(?<=\w)[a-z])*+\b[a-z][a-z0-9+.-]*+://"
    r"[^\s:/@\"']*+:)(?P<v>[^\s\"']++)"
)
# the credential after an Authorization scheme is the whole run up to white space or
# the end of a quoted or bracketed value: a token with ':' in it (Basic's decoded
# user:password) stopped the old base64 class short, and only the scheme was masked
_BEARER = regex.compile(r"(?i)(?P<k>\b(?:bearer|basic)\s+)(?P<v>[^\s\"'&}\])>]{8,}+)")
# Telegram bot tokens, with ':' or its URL encoding, after "bot" or alone
_BOT_TOKEN = regex.compile(r"(?i)(?<!\d)(?P<v>\d{6,12}(?::|%3A)[A-Za-z0-9_-]{30,})")
# long runs of key material: hex, base64 or base64url (signatures, API keys, listenKeys)
_MATERIAL = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}")
# IPv4 addresses
_IPV4 = regex.compile(
    r"(?<!\d)(?<!\d\.)(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
    r"(?!\.?\d)"
)
# IPv6 addresses: a run of hex and colons with "::" or at least five colons
_IPV6 = regex.compile(r"(?<![\w:.])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])")
_HEX = re.compile(r"[0-9a-fA-F]+")
#: a path segment made of words (``Users``, ``AppData``, ``user_data``)
# possessive: a run of lower-case letters is one word whole, never split in every
# way there is (which took exponential time on ``aaa…a1``)
_WORDY = re.compile(r"(?:[A-Z]?[a-z]{2,}+)++|[a-z]{2,}+(?:[_-][a-z0-9]++)++")
_HAS_DIGIT = re.compile(r"\d")


def _hint(value: str) -> str:
    """What stays of a long secret: enough to tell two apart, never to use one."""
    return value[:4] + MASK if len(value) >= 16 else MASK


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def is_key_material(run: str) -> bool:
    """Whether a run of 32+ hex/base64 characters looks random (a key, a signature)
    rather than a word, a path or an identifier."""
    body = run.rstrip("=")
    if len(body) < 32 or not _HAS_DIGIT.search(body):
        return False
    if sum(1 for p in body.split("/") if len(p) >= 4 and _WORDY.fullmatch(p)) >= 2:
        return False  # a path
    if _HEX.fullmatch(body):
        return any(c.isalpha() for c in body)
    if body.isalnum() and len(body) >= 56:  # Binance keys, secrets and listenKeys
        return True
    upper = any(c.isupper() for c in body)
    lower = any(c.islower() for c in body)
    # random base64 of 32+ characters has ~4.5+ bits per character; paths and
    # identifiers made of words stay well below
    return upper and lower and _entropy(body) >= 4.0


def _key_value(m: Any) -> str:
    for group in ("v1", "v2", "v3", "v4"):
        start, end = m.span(group)
        if start != -1:
            break
    if end == start or m.group(group) == MASK:
        return str(m.group(0))
    whole_start = m.start()
    text = str(m.group(0))
    return text[: start - whole_start] + MASK + text[end - whole_start :]


def _credential(m: Any) -> str:
    return str(m.group("k")) + MASK


def _url_credential(m: Any) -> str:
    """The URL with its password masked: up to the last ``@`` that a host follows."""
    rest = str(m.group("v"))
    at = rest.rfind("@")
    while at >= 1 and (at + 1 == len(rest) or rest[at + 1] == "@"):
        at = rest.rfind("@", 0, at)
    if at < 1:
        return str(m.group(0))  # no host after an @: no password
    return str(m.group("k")) + MASK + rest[at:]


def _token(m: Any) -> str:
    return _hint(str(m.group("v")))


def _material(m: Any) -> str:
    run = str(m.group(0))
    return _hint(run) if is_key_material(run) else run


def _ip6(m: Any) -> str:
    value = str(m.group(0))
    return MASK if "::" in value or value.count(":") >= 5 else value


def _may_hold_key_value(text: str) -> bool:
    """Whether a secret-like word ends a name that a ``:`` or ``=`` follows: most lines
    (``Invalid API-key, IP``) are ruled out here, without the costly pattern."""
    lower = text.lower()
    size = len(lower)
    for root in _ROOTS:
        at = lower.find(root)
        while at != -1:
            i = at + len(root)
            while i < size and lower[i] in _NAME_CHARS:
                i += 1
            while i < size and lower[i] in "\\\"' \t":
                i += 1
            if i < size and lower[i] in ":=":
                return True
            # the root's later places in this name end where this one did
            at = lower.find(root, i)
    return False


def _may_hold_bearer(text: str) -> bool:
    # casefold: what the pattern's case-insensitive letters match (``ſ`` as ``s``…)
    folded = text.casefold()
    return "bearer" in folded or "basic" in folded


def _longest_word(text: str) -> int:
    """Length of the longest run without white space: key material, a bot token or a
    signature is one such run (none of their characters is white space)."""
    return max(map(len, text.split()), default=0)


# Each test is one every match needs, cheaper than the pattern: most lines skip most
# patterns (a log line's words are short; an IPv4 address holds three dots). The
# number is the shortest run without white space a match is (0: any).
_SUBS: tuple[tuple[Any, Callable[[Any], str], Callable[[str], bool], int], ...] = (
    (_URL_CREDENTIALS, _url_credential, lambda t: "://" in t, 0),
    (_BEARER, _credential, _may_hold_bearer, 0),
    (_KEY_VALUE, _key_value, _may_hold_key_value, 0),
    (_BOT_TOKEN, _token, lambda t: ":" in t or "%3" in t, 6 + 1 + 30),
    (_MATERIAL, _material, lambda t: True, 32),  # re: faster here than regex
    (_IPV4, lambda m: MASK, lambda t: t.count(".") >= 3, 0),
)


def secret_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """The secrets as they may appear in a log: as given, URL-decoded and URL-encoded,
    longest first (so a secret is masked whole before a part of it is)."""
    forms: set[str] = set()
    for secret in secrets:
        for form in (secret, unquote(secret), quote(secret, safe=""), quote(secret)):
            if len(form) >= MIN_SECRET_CHARS:
                forms.add(form)
    return tuple(sorted(forms, key=lambda s: (-len(s), s)))


#: key material's characters as ``a``, every other byte as a space
_RUN_TABLE = bytes(
    ord("a") if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "+/_-") else 32
    for b in range(256)
)
_RUN = b"a" * 30


def may_hold_secret(text: str) -> bool:
    """Whether any pattern of ``redact`` could mask something in ``text``: False only
    when none can (a text that is not ASCII is always searched in full: its case
    folding is not the prefilter's)."""
    # what the patterns of _SUBS and _IPV6 need in an ASCII text: three dots (IPv4),
    # five colons (IPv6; "::" is a word), a scheme or a credential's (in the text
    # lowered), a run of 30 characters of key material (a bot token's or a
    # signature's), or a secret-like name a ``:`` or ``=`` follows
    if not text.isascii() or text.count(".") >= 3:
        return True
    if text.count(":") >= 5 or "::" in text:
        return True
    lower = text.lower()
    if "://" in lower or "bearer" in lower or "basic" in lower:
        return True
    # (a secret-like word alone, "listenKey does not exist", is no name of a value)
    return _RUN in text.encode("ascii").translate(_RUN_TABLE) or _may_hold_key_value(
        text
    )


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every recognised secret, and each of ``secrets``, masked."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_CHARS:
            text = text.replace(secret, MASK)
    return mask_patterns(text) if may_hold_secret(text) else text


def mask_patterns(text: str) -> str:
    """``text`` with what the patterns recognise masked (``redact`` without the
    configured secrets and the prefilter)."""
    longest = -1  # of the words of ``text``, once asked for
    for pattern, sub, worth, run in _SUBS:
        if run:
            if longest < 0:
                longest = _longest_word(text)
            if longest < run:
                continue
        if worth(text):
            masked = pattern.sub(sub, text)
            if masked != text:
                text, longest = masked, -1
    if "::" in text or text.count(":") >= 5:
        text = _IPV6.sub(_ip6, text)
    return text


def redact_head(
    text: str, secrets: Iterable[str] = (), limit: int = MAX_REDACTED_CHARS
) -> str:
    """``text`` masked as by ``redact``, cut first at ``limit`` characters (between
    two words where it can) and then ending with CUT_MARK: what is cut is neither
    masked nor kept."""
    if len(text) <= limit:
        return redact(text, secrets)
    secrets = tuple(s for s in secrets if len(s) >= MIN_SECRET_CHARS)
    # a configured secret across the cut is masked whole first
    reach = limit + max(map(len, secrets), default=0)
    full = text[:reach]
    for secret in secrets:
        full = full.replace(secret, MASK)
    if len(text) <= reach and len(full) <= limit:
        return redact(full)  # the masks made it short enough
    following = full[limit] if len(full) > limit else text[reach]
    head = full[:limit]
    if not head[-1].isspace() and not following.isspace():
        for at in range(len(head) - 1, max(len(head) - _CUT_SLACK, 0), -1):
            if head[at].isspace():
                head = head[: at + 1]
                break
    return redact(head) + CUT_MARK
