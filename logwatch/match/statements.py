"""How a log states an error: the envelopes around an exchange's code and message.

The recognizer's first layer (``classifier`` is its last), apart so that its
patterns compile only when a record first needs them, not at every start. The
patterns are the standard library's: each is bounded (no repeat inside a repeat,
every gap capped), and they compile three times faster than ``regex``'s.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from logwatch.core.model import Code
from logwatch.rulebook.catalogue import as_code, clean_message

#: Codes that say "no error" in the envelopes this reads (KuCoin's ``200000`` and
#: Bitget's ``00000`` are those exchanges' success codes).
SUCCESS: frozenset[Code] = frozenset(
    {0, 200, 200000, "ok", "OK", "success", "SUCCESS", "00000"}
)
#: An HTTP-like ``200`` is a success only as a bare ``code``: as an ``errorCode`` it
#: is an error's number (Interactive Brokers' 200, BTCBOX's 200).
_HTTP_OK: frozenset[Code] = frozenset({200, 200000})
#: Keys that hold a code, and those that hold an error's message.
_CODE_KEYS = (
    # (``result_retcode``: MetaTrader 5's order result printed as a dict)
    r"code|retCode|ret_code|result_retcode|sCode|errCode|err_code|errorCode"
    r"|error_code|errno"
    r"|error_id|errorId|label"
)
_ERROR_CODE_KEYS = frozenset(
    k.lower() for k in _CODE_KEYS.split("|") if k.lower() not in ("code",)
)
# (keys and values in quotes, in escaped quotes as a JSON body inside a JSON string,
# or bare as key=value)
_CODE_KV = re.compile(
    r"(?<![\w.])\\?[\"']?(?P<key>(?i:" + _CODE_KEYS + r"))\\?[\"']?\s{0,3}[:=]"
    r"\s{0,3}(?P<q>\\?[\"']?)(?P<code>-?\d{1,9}|[A-Za-z][A-Za-z0-9_]{1,60})(?P=q)"
    r"(?![\w])"
)
_MESSAGE_KEYS = (
    r"msg|message|retMsg|ret_msg|sMsg|errMsg|err_msg|errorMessage|error_message"
    r"|errorMsg|error_msg|error_description|error|errors|reason|detail"
)
#: keys whose value is an error even without a code beside it
_ERROR_MESSAGE_KEYS = frozenset(
    k.lower()
    for k in _MESSAGE_KEYS.split("|")
    if k.lower() not in ("msg", "message", "reason", "detail")
)
_MESSAGE_KV = re.compile(
    r"(?<![\w.])\\?[\"']?(?P<key>(?i:" + _MESSAGE_KEYS + r"))\\?[\"']?\s{0,3}[:=]"
    r"\s{0,3}\[?\s{0,3}(?:\"(?P<dq>(?:[^\"\\\n]|\\.){1,500})\""
    r"|\\\"(?P<eq>(?:[^\"\\\n]|\\[^\"\n]){1,500})\\\""
    r"|'(?P<sq>[^'\n]{1,500})'|(?P<bare>(?![\[{\"'\s\\])[^,;}\]\n]{1,300}))"
)
#: An HTTP status an exchange answered with: ccxt's ``binance GET https://… 451``,
#: ``429 Too Many Requests``, ``HTTP status is 503``
_HTTP = re.compile(
    r"(?:\b(?:GET|POST|PUT|DELETE|PATCH) https?://[^\s]{1,400} (?P<a>[45]\d\d)"
    r"|\b(?P<b>[45]\d\d)\]? (?i:error|client error|server error|too many requests"
    r"|bad request|unauthorized|forbidden|service (?:temporarily )?unavailable"
    r"|internal server error|bad gateway|gateway time-?out"
    r"|unavailable for legal reasons)"
    r"|\bHTTP(?: status(?: code)?)?(?: is)?:? (?P<c>[45]\d\d)"
    r"|\b(?i:status code) (?P<d>[45]\d\d)"
    # an OpenAPI-generated SDK's ApiException: ``(400)`` then ``Reason: …``
    r"|(?:Exception|Error): \((?P<e>[45]\d\d)\))(?!\w)"
)
#: Kraken's ``EOrder:Insufficient funds``, ``EAPI:Invalid nonce``
_KRAKEN = re.compile(
    r"(?<![\w])(?P<code>E(?:General|API|BM|Query|Order|Trade|Funding|Service|Session"
    r"|Auth|Database|Account|Earn|Subaccount|Margin|Position)"
    r":[A-Za-z][A-Za-z0-9 _/.-]{0,80}[A-Za-z0-9])"
)
#: Interactive Brokers' API error as its clients print it: ``Error 201, reqId 17:
#: Order rejected - reason: ...`` (the request id is IB's: no other API has it)
_IB_ERROR = re.compile(
    r"(?<![\w-])(?i:error) (?P<code>-?\d{1,10}), (?i:reqid|id) (?P<req>-?\d{1,10})"
    r"[:,]\s{0,3}(?P<message>[^\n]{0,300})"
)
#: A request ccxt reports failed without an answer (a timeout, a refused or reset
#: connection): its message is ``<id> GET <url>`` with no status after the URL; a
#: request a bot logs before sending it is at debug or info level, this is not
_REQUEST = re.compile(
    r"(?<![\w-])[a-z][a-z0-9]{1,30} (?:GET|POST|PUT|DELETE|PATCH) https?://[^\s\"']{1,400}"
)
#: What may follow such a URL to the end of the record (a quote, a period)
_REQUEST_END = re.compile(r"[\s\"'.)]{0,5}")
#: ``Error -2011: Unknown order sent.``, ``Error 201, reqId 17: Order rejected``
_ERROR_NUMBER = re.compile(
    r"(?<![\w-])(?i:error)(?:\s{0,3}(?i:code))?\s{0,3}[#:=]?\s{0,3}"
    r"(?P<code>-?\d{1,10})(?![\w.])(?:[\s,:.-]{1,5}(?P<message>[^\n]{3,300}))?"
)
#: ``Error - Code: ServiceUnavailable``: the word error just before a code's key
_ERROR_BEFORE = re.compile(r"(?i:\berror)[\s:,-]{1,4}\Z")
#: Hummingbot's own level for a network error (``NETWORK = DEBUG + 6`` in
#: hummingbot/logger/__init__.py, written by ``HummingbotLogger.network()``), as its
#: log format prints a level: ``… - <logger> - NETWORK - <message>``
_NETWORK_LEVEL = re.compile(r" - NETWORK - ")
#: A failure stated in words: an envelope for the word classifier
_FAILURE = re.compile(
    r"(?i)\b(?:error|errors|exception|fail(?:ed|ure|s)?|reject(?:ed)?|refused?"
    r"|denied|could not|cannot|can't|unable to|not enough|insufficient)\b"
    r"|(?i:ошибка|ошибки|отклон[её]н\w{0,6}|не удалось|невозможно|отказ\w{0,6})"
)


#: Message values that state nothing.
_EMPTY = frozenset({"", "null", "none", "false", "0", "ok", "success", "[]", "{}"})


@dataclass(frozen=True, slots=True)
class Envelope:
    """Where a record states an error, and what it states."""

    kind: str
    #: where the code (or the statement) is in the text: attribution looks near it
    start: int
    code: Code | None
    message: str
    evidence: str
    #: an exception class named beside it, if any
    error_class: str = ""
    #: the HTTP status the exchange answered with, if the line says (0: none)
    status: int = 0


def find_envelope(
    text: str, error_level: bool, words: str, classes: re.Pattern[str] | None
) -> Envelope | None:
    """Where ``text`` states an error; None when it does not state one.

    Args:
        error_level: the record's level is error or above.
        words: the record's message without its format's prefix.
    """
    every = list(_CODE_KV.finditer(text))
    codes = [m for m in every if not _success(m)]
    cls = classes.search(text) if classes is not None else None
    if cls is not None and not _class_context(text, cls):
        cls = None
    if every and not codes and cls is None:
        # a success response: its message is "OK" in some words (but an exception
        # raised for an answer is an error, whatever code the answer has)
        return None
    messages = _messages(text)
    if codes:
        coded = _coded(text, codes, messages, error_level, cls)
        if coded is not None:
            return coded
    printed = _printed(text, messages, cls)
    if printed is not None:
        return printed
    return _worded(text, error_level, words, messages)


def _coded(
    text: str,
    codes: list[re.Match[str]],
    messages: list[re.Match[str]],
    error_level: bool,
    cls: re.Match[str] | None,
) -> Envelope | None:
    """A code's key and value (``json``, ``key-value``), when something beside it
    says it is an error's: a message, an error's own key, the level or a class."""
    # a specific key (retCode, sCode…) before a bare ``code``
    best = next((m for m in codes if m["key"].lower() in _ERROR_CODE_KEYS), codes[0])
    message = _nearest_message(messages, best.start())
    if (
        message is not None
        or best["key"].lower() in _ERROR_CODE_KEYS
        or error_level
        or cls is not None
        or (
            # ``Error - Code: ServiceUnavailable`` (a number: ``Error Code: N``
            # is the error-number envelope below)
            not best["code"].lstrip("-").isdigit()
            and _ERROR_BEFORE.search(text, max(0, best.start() - 12), best.start())
            is not None
        )
    ):
        return Envelope(
            "key-value" if "=" in best.group() else "json",
            best.start("code"),
            as_code(best["code"]),
            _message_text(message) if message is not None else "",
            best.group()[:80],
            cls["cls"] if cls is not None else "",
        )
    return None


def _printed(
    text: str, messages: list[re.Match[str]], cls: re.Match[str] | None
) -> Envelope | None:
    """An envelope an API or a library prints without a code's key: IB's, Kraken's,
    an error's message key, an HTTP status, an exception class."""
    error_class = cls["cls"] if cls is not None else ""
    ib = _IB_ERROR.search(text)
    if ib is not None:
        return Envelope(
            "ib-error",
            ib.start("code"),
            as_code(ib["code"]),
            clean_message(ib["message"]),
            ib.group()[:80],
        )
    kraken = _KRAKEN.search(text)
    if kraken is not None:
        return Envelope(
            "kraken",
            kraken.start(),
            kraken["code"],
            kraken["code"].split(":", 1)[1],
            kraken.group()[:80],
            error_class,
        )
    errors = [m for m in messages if m["key"].lower() in _ERROR_MESSAGE_KEYS]
    http = _HTTP.search(text)
    if errors:
        m = errors[0]
        return Envelope(
            "json" if m["dq"] or m["eq"] or m["sq"] else "key-value",
            m.start(),
            None,
            _message_text(m),
            m.group()[:80],
            error_class,
            # ``Error: Request failed with status code 400``
            _status(http) if http is not None else 0,
        )
    if http is not None and cls is None:
        return Envelope(
            "http",
            http.start(),
            None,
            clean_message(text[http.end() : http.end() + 300].strip(" :.,-")),
            http.group()[-80:],
            error_class,
            _status(http),
        )
    if cls is not None:
        tail = text[cls.end() :].lstrip(":. ")
        return Envelope(
            "exception-class",
            cls.start(),
            None,
            _class_message(tail),
            cls.group(),
            error_class,
        )
    return None


def _worded(
    text: str, error_level: bool, words: str, messages: list[re.Match[str]]
) -> Envelope | None:
    """An error the record states in words or by its level (the line has no HTTP
    status): a request without an answer, ``Error N:``, a message at error level,
    Hummingbot's NETWORK level, a failure's wording."""
    request = (
        _REQUEST.search(text)
        if error_level or "warn" in text.lower() or _FAILURE.search(words)
        else None
    )
    if request is not None:
        after = _REQUEST_END.match(text, request.end())
        if after is not None and after.end() == len(text):
            return Envelope("request", request.start(), None, "", request.group()[:80])
    number = _ERROR_NUMBER.search(text)
    if number is not None:
        return Envelope(
            "error-number",
            number.start("code"),
            as_code(number["code"]),
            clean_message(number["message"] or ""),
            number.group()[:80],
        )
    if messages and error_level:
        m = messages[0]
        return Envelope(
            "error-level", m.start(), None, _message_text(m), m.group()[:80]
        )
    failure = _FAILURE.search(words)
    network = _NETWORK_LEVEL.search(text)
    if network is not None and not error_level:
        # the level says what it is: a network error, whatever the words
        return Envelope(
            "network-level",
            network.end(),
            None,
            clean_message(words),
            failure.group() if failure is not None else "NETWORK",
        )
    if error_level or failure is not None:
        # where the failure is said: the exchange named nearest it is the one
        offset = max(text.find(words[:40]), 0) if words else 0
        return Envelope(
            "error-level" if error_level else "failure",
            offset + (failure.start() if failure is not None else 0),
            None,
            clean_message(words),
            failure.group() if failure is not None else "level",
        )
    return None


def find_feedback(text: str, at: int, listed: Container[Code] = ()) -> Envelope | None:
    """The error in ccxt's feedback, ``<id> <body>`` (how ccxt words every error an
    exchange answered with), whose id ends at ``at``: the body's code that is not a
    success (or that ``listed``, the exchange's table, has: BitVavo's 200), else
    its error's message; None when the body states neither."""
    if not text.startswith((" {", " [", ' \\"', " '{"), at):
        return None
    body = text[at : at + 1000]
    codes = [
        m
        for m in _CODE_KV.finditer(body)
        if not _success(m) or as_code(m["code"]) in listed
    ]
    messages = _messages(body)
    if codes:
        best = next(
            (m for m in codes if m["key"].lower() in _ERROR_CODE_KEYS), codes[0]
        )
        message = _nearest_message(messages, best.start())
        return Envelope(
            "feedback",
            at + best.start("code"),
            as_code(best["code"]),
            _message_text(message) if message is not None else "",
            best.group()[:80],
        )
    errors = [m for m in messages if m["key"].lower() in _ERROR_MESSAGE_KEYS]
    if errors:
        return Envelope(
            "feedback", at + errors[0].start(), None, _message_text(errors[0]), ""
        )
    return None


def _success(m: re.Match[str]) -> bool:
    """Whether a code key's value says "no error" (see ``SUCCESS``)."""
    code = as_code(m["code"])
    if code in _HTTP_OK and m["key"].lower() in _ERROR_CODE_KEYS:
        return False
    return code in SUCCESS or m["code"] == "00000"


def _messages(text: str) -> list[re.Match[str]]:
    """The message values in ``text`` that say something."""
    return [
        m for m in _MESSAGE_KV.finditer(text) if _message_text(m).lower() not in _EMPTY
    ]


def _status(http: re.Match[str]) -> int:
    """The HTTP status an ``_HTTP`` match holds."""
    return int(http["a"] or http["b"] or http["c"] or http["d"] or http["e"])


def _class_context(text: str, m: re.Match[str]) -> bool:
    """Whether an exception class name is printed as an error: a module path
    before it (``ccxt.base.errors.X``), a colon or parenthesis after it, or
    freqtrade's ``due to X.``."""
    start, end = m.span()
    if start and text[start - 1] in ".(":
        return True
    if start and text[start - 1] == "[" and text[end : end + 1] == "]":
        return True  # a bot's ``[InvalidOrder] bitmex {…}``
    if text[end : end + 1] in (":", "("):
        return True
    return text[max(0, start - 7) : start] == "due to "


def _nearest_message(messages: list[re.Match[str]], pos: int) -> re.Match[str] | None:
    """The message value nearest the code at ``pos`` (within one object: 400)."""
    best = None
    for m in messages:
        distance = abs(m.start() - pos)
        if distance <= 400 and (best is None or distance < abs(best.start() - pos)):
            best = m
    return best


def _message_text(m: re.Match[str]) -> str:
    escaped = (m["eq"] or "").replace("\\\\", "\\")
    return clean_message(m["dq"] or escaped or m["sq"] or (m["bare"] or "").strip())


def _class_message(tail: str) -> str:
    """The message after an exception class: the exchange's own words, without the
    id that starts ccxt's (``kraken {…}``)."""
    return clean_message(tail[:500])
