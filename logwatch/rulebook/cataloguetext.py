"""The catalogue's texts: titles made when read, documented texts as lookup keys and
titles, shape examples filled in, and the rule ids made from codes and categories.
Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from logwatch.core.model import Code

#: Placeholders in documented texts: %s, %d, <A>, {param0}, [xxx]
#: (the stdlib engine: thousands of short substitutions at load, where it is faster)
#: Quantower's `` (BTCUSDT)`` after a message (upper case only: not "(unless …)")
# (starting only where white space starts: from inside a long run of it, each search
# would read the rest of the run again)
_SYMBOL_AT_END = re.compile(
    r"(?<!\s)\s*+\([A-Z0-9]{2,20}(?:[-_/][A-Z0-9]{2,10})?\)\.?$"
)
PLACEHOLDER = re.compile(r"%[sd]|<[A-Za-z_]{1,20}>|\{[A-Za-z_0-9]{1,20}\}")


#: What in a documented text may be a placeholder (a cheap test before the search)
_HOLE_CHARS = frozenset("%<{")


def short_message(message: str, limit: int = 120) -> str:
    """A documented text as a title shows it: placeholders as ``…``, cut short."""
    text = (
        PLACEHOLDER.sub("…", message) if _HOLE_CHARS.intersection(message) else message
    )
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Title(Mapping[str, str]):
    """A catalogue title in each language, made when it is read from what it is made
    of: ``{category's title} ({exchange} {code})`` (``: {message}`` after it in
    English) for a code, ``{exchange}: {category's title}`` without one.

    ~9,700 catalogue rules each held a title of their own at rest (two strings and a
    dict, ~4.5 MB of the daemon's); this one holds references to the category's title
    and the entry's own values. Read it as any mapping (``get``, ``[]``, ``items``,
    ``==``); ``dict(title)`` for JSON.
    """

    __slots__ = ("_base", "_code", "_message", "_name")

    def __init__(
        self,
        base: Mapping[str, str],
        name: str,
        code: Code | None = None,
        message: str = "",
    ) -> None:
        self._base, self._name, self._code, self._message = base, name, code, message

    def made(self) -> dict[str, str]:
        """The title as a plain dict."""
        if self._code is None:
            return {lang: f"{self._name}: {text}" for lang, text in self._base.items()}
        what = f" ({self._name} {self._code})"
        # the exchange's own words are English: in another language's title they
        # would mix two languages (the line itself is in the body)
        said = f": {short_message(self._message)}" if self._message else ""
        return {
            lang: text + what + (said if lang == "en" else "")
            for lang, text in self._base.items()
        }

    def __getitem__(self, lang: str) -> str:
        return self.made()[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)

    def __repr__(self) -> str:
        return repr(self.made())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Title, (self._base, self._name, self._code, self._message))


def fits(pieces: Sequence[str], text: str) -> bool:
    """Whether ``text`` is ``pieces`` with one or more characters between each two
    (a template's words around its placeholders), on one line.

    Each piece is placed as early as it fits, which finds a placement when there is
    one, in one pass (a regex of ``.+?`` between them backtracks in time that grows
    with the power of their number).
    """
    if len(pieces) < 2:
        return text == "".join(pieces)
    head, *middle, tail = pieces
    end = len(text) - len(tail)  # where the tail must start
    if "\n" in text or not text.startswith(head) or not text.endswith(tail):
        return False
    pos = len(head)
    for piece in middle:
        at = text.find(piece, pos + 1, end - 1)
        if at < 0:
            return False
        pos = at + len(piece)
    return pos < end


def normalise_text(text: str) -> str:
    """A message as a lookup key: lower case, single spaces, no closing period."""
    return " ".join(text.lower().split()).rstrip(". ")


def clean_message(text: str) -> str:
    """A captured message without JSON escapes, a library's leading ``Error:`` and a
    platform's trailing ``(SYMBOL)``."""
    text = text.replace('\\"', '"').replace("\\/", "/").strip()
    text = _SYMBOL_AT_END.sub("", text)
    for prefix in ("Error: ", "error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def fill(template: str, code: Code | None, message: str) -> str:
    """A shape example with a code and a message put in: as it is (``{message}``),
    escaped as in JSON (``{json_message}``) or as Python's repr (``{repr_message}``)."""
    escaped = json.dumps(message, ensure_ascii=False)[1:-1]
    return (
        template.replace("{code}", "" if code is None else str(code))
        .replace("{json_message}", escaped)
        .replace("{repr_message}", repr(message))
        .replace("{message}", message)
    )


def real_message(message: str) -> str:
    """A documented text with its placeholders replaced by values a real line holds."""
    return PLACEHOLDER.sub("0.001", message)


def rule_id_for(exchange: str, code: Code) -> str:
    """The rule id of a code without a rule of its own: ``binance.code-1013``
    (``kraken.code-eorder-insufficient-funds`` for a string)."""
    if isinstance(code, int):
        return f"{exchange}.code-{abs(code)}"
    return f"{exchange}.code-{slug(code)}"


def category_rule_id(exchange: str, category: str) -> str:
    """The rule of a category's errors of one exchange, or of none (``error.…``):
    ``kraken.balance-margin``."""
    return f"{exchange or 'error'}.{slug(category)}"


_NOT_ID = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A text as a part of a rule id: ``EOrder:Insufficient funds`` gives
    ``eorder-insufficient-funds``."""
    return _NOT_ID.sub("-", text.lower()).strip("-")[:60].strip("-") or "x"


def as_code(text: str) -> Code:
    """A code as written: a whole number (``-1013``, ``"51008"``), else the text."""
    text = text.strip()
    digits = text[1:] if text[:1] in "-+" else text
    if digits.isascii() and digits.isdigit() and len(digits) < 19:
        return int(text)
    return text
