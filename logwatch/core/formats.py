"""Per-platform line formats: where records start, and what a person reads in one.

A Format turns the lines of one record into a Record. Only lines that reach the
matcher are parsed; timestamps only for records that hit (``logtime``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

import regex

from logwatch.core.model import Line, Record

Fields = dict[str, str]
#: Every ASCII digit as ``0``: a timestamp's key (two lines whose keys are equal
#: differ only in which digits their times have)
DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")
#: How many lines' context fields a format remembers, by the rest of their line.
_CONTEXTS_KEPT = 4096
#: The longest line whose outcome is remembered by its text (a format's fields, the
#: engine's memos): each memo keeps a few thousand lines, and longer lines (a web
#: page in an exception's message, ~60 KB) would hold hundreds of MB; they are rare,
#: and matched afresh each time.
REMEMBERED_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Format:
    """How one platform writes its log lines."""

    name: str
    platform: str
    #: Matches the first line of a record; lines that do not match continue the record
    #: before them. None: every line is a record of its own. Matched at a line's start
    #: (``\G`` anchors it there, so that no search from every position re-reads runs).
    #: Compiled by the stdlib where it can read it: on bytes its classes are
    #: ``regex``'s, and a match costs a third.
    head: re.Pattern[bytes] | regex.Pattern[bytes] | None
    #: Matches the lines this format is recognised by (content detection), from
    #: their start.
    detect: regex.Pattern[str] | None
    #: Matches file names this format is known by.
    names: regex.Pattern[str] | None
    parse: Callable[[str], tuple[str, str | None, Fields]]
    #: a line's fields, by its timestamp's key and the rest of the line: every
    #: pattern that finds them treats digits alike and none starts in a time
    _fields: dict[tuple[str, str], Fields] = field(
        default_factory=dict, compare=False, repr=False
    )

    def record(self, path: str, lines: list[Line]) -> Record:
        """The record made of ``lines`` (a head line and its continuation lines)."""
        first = lines[0]
        if len(lines) == 1:
            raw, truncated = first.text, first.truncated
        else:
            raw = "\n".join([line.text for line in lines])
            truncated = any(line.truncated for line in lines)
        if "\x00" in raw:
            raw = raw.replace("\x00", "")
        text, timestamp, fields = self.parse(raw)
        if (
            timestamp
            and text is raw
            and len(raw) <= REMEMBERED_CHARS
            and raw.startswith(timestamp)
        ):
            key = (timestamp.translate(DIGITS_AS_ZERO), raw[len(timestamp) :])
            context = self._fields.get(key)
            if context is None:
                if len(self._fields) >= _CONTEXTS_KEPT:
                    self._fields.clear()
                context = self._fields[key] = self._context(text, fields)
        else:
            context = self._context(text, fields)
        return Record(
            path=path,
            format=self.name,
            first_line=first.number,
            offset=first.offset,
            end=lines[-1].end,
            text=text,
            raw=raw,
            timestamp=timestamp,
            fields=context,
            truncated=truncated,
        )

    def _context(self, text: str, fields: Fields) -> Fields:
        """A record's fields: what its format's parse found, and ``_context``."""
        context = _context(text)
        for k, v in fields.items():
            if v:
                context[k] = v
        if self.platform and "platform" not in context:
            context["platform"] = self.platform
        return context

    def next_record(self, data: bytes, pos: int = 0, max_lines: int = 200) -> int:
        """Start of the first head line at or after ``data[pos]`` (a line start)."""
        if self.head is None:
            return pos
        for _ in range(max_lines):
            if pos >= len(data) or self.head.match(data, pos):
                return pos
            pos = data.find(b"\n", pos) + 1
        return pos

    def record_start(self, data: bytes, pos: int, max_lines: int = 200) -> int:
        """Start of the record that holds ``data[pos]``: its head line if one is within
        ``max_lines`` before it (or at the start of ``data``), else the line itself."""
        line = start = data.rfind(b"\n", 0, pos) + 1
        if self.head is None:
            return start
        for _ in range(max_lines):
            if start == 0 or self.head.match(data, start):
                return start
            start = data.rfind(b"\n", 0, start - 1) + 1
        return line

    def record_end(
        self, data: bytes, start: int, stop: int | None = None, max_lines: int = 200
    ) -> int:
        """End of the record whose head line is at ``data[start]`` (up to ``stop``)."""
        pos = data.find(b"\n", start) + 1
        stop = len(data) if stop is None else stop
        if self.head is None:
            return pos
        for _ in range(max_lines):
            if pos >= stop or self.head.match(data, pos):
                return min(pos, stop)
            pos = data.find(b"\n", pos) + 1
        return pos


#: ``regex``'s flags and the stdlib's of the same meaning
_FLAGS = ((regex.IGNORECASE, re.IGNORECASE), (regex.MULTILINE, re.MULTILINE))


def _ascii_twin(pattern: regex.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` compiled by the stdlib for ASCII texts, where its classes (``\\d``,
    ``\\s``, ``\\w``, ``\\b``, ``.``) match what ``regex``'s do and a match costs a
    third; None when the stdlib cannot read it (a group name given twice)."""
    flags = re.ASCII
    for theirs, ours in _FLAGS:
        if pattern.flags & theirs:
            flags |= ours
    try:
        return re.compile(pattern.pattern, flags)
    except re.error:
        return None


def _match_fields(
    pattern: regex.Pattern[str],
) -> Callable[[str], tuple[str, str | None, Fields]]:
    twin = _ascii_twin(pattern)

    def parse(raw: str) -> tuple[str, str | None, Fields]:
        m = (
            twin.match(raw)
            if twin is not None and raw.isascii()
            else pattern.match(raw)
        )
        if m is None:
            return raw, None, {}
        groups = {k: v for k, v in m.groupdict().items() if v}
        timestamp = groups.pop("ts", None)
        return raw, timestamp, groups

    return parse


def _plain(raw: str) -> tuple[str, str | None, Fields]:
    m = _LEADING_TS.match(raw)
    return raw, (m.group("ts") if m else None), {}


_MESSAGE_KEYS = ("@m", "RenderedMessage", "Message", "message", "msg", "ev", "Event")
_LEVEL_KEYS = ("@l", "lvl", "Level", "level", "Type")
_TIME_KEYS = ("@t", "Timestamp", "Date", "time", "t")
_EXCEPTION_KEYS = ("@x", "Exception", "exception")
_TEMPLATE_HOLE = regex.compile(r"\{@?(\w+)(?::[^}]*)?\}")


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _json_line(raw: str) -> tuple[str, str | None, Fields]:
    """A JSON-lines record (Serilog compact JSON or Quantower's keys)."""
    stripped = raw.strip()
    if not stripped.startswith("{"):
        return _plain(raw)
    try:
        obj = json.loads(stripped)
    except ValueError:
        return raw, None, {}
    if not isinstance(obj, dict):
        return raw, None, {}
    parts = []
    event = obj.get("Event")
    if isinstance(event, str) and event:
        parts.append(event)
    for key in _MESSAGE_KEYS:
        value = obj.get(key)
        if key != "Event" and isinstance(value, str) and value:
            parts.append(value)
            break
    else:
        template = obj.get("@mt") or obj.get("MessageTemplate")
        if isinstance(template, str):
            parts.append(
                _TEMPLATE_HOLE.sub(
                    lambda m: _scalar(obj.get(m.group(1), m.group(0))), template
                )
            )
    for key in _EXCEPTION_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            parts.append(value)
    text = "\n".join(parts) if parts else raw
    fields: Fields = {}
    for key in _LEVEL_KEYS:
        if isinstance(obj.get(key), str):
            fields["level"] = obj[key]
            break
    for key, value in obj.items():
        if key.lower().startswith("connection") and isinstance(value, str) and value:
            fields["connection"] = value
        elif key.lower() in ("symbol", "instrument") and isinstance(value, str):
            fields["symbol"] = value
    timestamp = next((obj[k] for k in _TIME_KEYS if isinstance(obj.get(k), str)), None)
    return text, timestamp, fields


def _quantower(raw: str) -> tuple[str, str | None, Fields]:
    if raw.lstrip().startswith("{"):
        return _json_line(raw)
    return _LOG4NET_PARSE(raw)


_TS = r"\d{2,4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d"
_LEADING_TS = regex.compile(
    r"(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.:]\d{1,6})?(?:Z|[+-]\d\d:?\d\d)?"
    r"|\d\d[.-]\d\d[.-]\d{4} \d\d:\d\d:\d\d(?:[,.]\d{1,6})?"
    r"|\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?)"
)
_LOG4NET_PARSE = _match_fields(
    regex.compile(
        r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3}) "
        r"\[[^\]\n]*\] (?P<level>[A-Z]+)\s+"
        r"(?P<logger>\S+) - ",
    )
)

QUANTOWER = Format(
    name="quantower",
    platform="quantower",
    head=regex.compile(rb"\G(?:\s*\{|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3} \[)"),
    detect=regex.compile(
        r'\A(?:\s*\{.*?"(?:@t|@mt|@m|lvl|ev|ConnectionName)"'
        r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3} \[[^\]]*\] [A-Z]+ )"
    ),
    names=regex.compile(r"(?i)\.slog$|quantower"),
    parse=_quantower,
)

_METATRADER_PARSE = regex.compile(
    r"(?:[A-Z]{2}\t(?P<level>\d)\t(?P<ts>\d\d:\d\d:\d\d\.\d{3})"
    r"|(?P<ts>\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d\.\d{3}))\t(?P<logger>[^\t]*)\t"
    r"(?:'(?P<account>\d+)':)?"
)

METATRADER = Format(
    name="metatrader",
    platform="metatrader",
    head=None,
    detect=regex.compile(
        r"[A-Z]{2}\t\d\t\d\d:\d\d:\d\d\.\d{3}\t"
        r"|\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d\.\d{3}\t"
    ),
    names=regex.compile(r"(?i)(metaquotes|mql[45]).*[/\\]\d{8}\.log$"),
    parse=_match_fields(_METATRADER_PARSE),
)

_NINJATRADER_PARSE = regex.compile(
    r"(?P<ts>(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d:\d{3})(?:\|(?P<level>\d+)\|)?"
)

NINJATRADER = Format(
    name="ninjatrader",
    platform="ninjatrader",
    head=re.compile(rb"(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d:\d{3}[| ]"),
    detect=regex.compile(
        r"(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d:\d{3}(?:\|\d+\|\d+\||\s)"
    ),
    names=regex.compile(r"(?i)(?:^|[/\\])(?:log|trace)\.\d{8}\.\d{5}(?:\.\w+)?\.txt$"),
    parse=_match_fields(_NINJATRADER_PARSE),
)

_PYTHON_PARSE = regex.compile(
    r"(?:(?P<ts>" + _TS + r"(?:[,.]\d{1,6})?) - (?:\d+ - )?(?P<logger>[\w.]+) - "
    r"(?P<level>[A-Z_]+) - |\[(?P<level>[A-Z]+) \| (?P<ts>[\dT:-]{19})\] )"
)

PYTHON = Format(
    name="python",
    platform="",
    head=re.compile(rb"\d{2,4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|\[[A-Z]+ \| \d{4}-"),
    detect=regex.compile(
        _TS
        + r"(?:[,.]\d+)? - (?:\d+ - )?[\w.]+ - [A-Z_]+ - |\[[A-Z]+ \| \d{4}-\d\d-\d\dT"
    ),
    names=regex.compile(r"(?i)(?:freqtrade|hummingbot|logs_[^/\\]*)\.log(?:\.\d+)?$"),
    parse=_match_fields(_PYTHON_PARSE),
)

JSON_LINES = Format(
    name="json",
    platform="",
    head=None,
    detect=regex.compile(r'\A\s*\{\s*"'),
    names=regex.compile(r"(?i)\.(?:jsonl|ndjson|clef)$"),
    parse=_json_line,
)

GENERIC = Format(
    name="generic",
    platform="",
    head=None,
    detect=None,
    names=None,
    parse=_plain,
)

#: Every format by name; detection tries them in this order.
FORMATS: Mapping[str, Format] = {
    f.name: f for f in (QUANTOWER, METATRADER, NINJATRADER, PYTHON, JSON_LINES, GENERIC)
}


def detect(path: str, lines: Iterable[str] = ()) -> Format:
    """The format of a file, from its name, else from its first lines."""
    name = PurePath(path).as_posix()
    for fmt in FORMATS.values():
        if fmt.names is not None and fmt.names.search(name):
            return fmt
    sample = [line for line in lines if line.strip()][:20]
    best, best_score = GENERIC, 0
    for fmt in FORMATS.values():
        if fmt.detect is None:
            continue
        score = sum(1 for line in sample if fmt.detect.match(line))
        if score > best_score:
            best, best_score = fmt, score
    # formats with continuation lines need fewer matching lines than one-line formats
    needed = len(sample) / (4 if best.head is not None else 2)
    return best if best_score and best_score >= needed else GENERIC


_SYMBOL_AT_END = regex.compile(
    r"\((?P<s>[A-Z0-9]{2,20}(?:[-_/][A-Z0-9]{2,10})?)\)\.?\s*$", regex.M
)
#: (field, a literal every match holds — most messages skip the pattern —, pattern);
#: each pattern's value is its one group that took part (``v``, ``w`` or ``x``)
_CONTEXT = (
    ("connection", ("Refuse (",), regex.compile(r"Refuse \((?P<v>[^()\n]{1,64})\)")),
    (
        "symbol",
        ("symbol",),
        regex.compile(
            r'"symbol"\s*:\s*"(?P<v>[A-Za-z0-9_-]{2,30})"|symbol=(?P<w>[A-Z0-9]{2,30})'
        ),
    ),
    (
        "exchange",
        ("{",),
        regex.compile(r"\b(?P<v>binance(?:usdm|coinm|us)?|bybit|okx)\s*\{"),
    ),
    (
        "code",
        ("code", ", -"),
        regex.compile(
            r'"code"\s*:\s*"?(?P<v>-?\d{3,6})|code=(?P<w>-?\d{3,6})'
            r"|\(\d{3}, (?P<x>-\d{3,6}),"
        ),
    ),
)
#: the same, for ASCII texts (``_ascii_twin``)
_ASCII_CONTEXT = tuple(
    (name, literals, _ascii_twin(pattern) or pattern)
    for name, literals, pattern in _CONTEXT
)
_ASCII_SYMBOL_AT_END = _ascii_twin(_SYMBOL_AT_END) or _SYMBOL_AT_END


def _context(text: str) -> dict[str, str]:
    """Fields any format can find in a message: Quantower's connection, symbol, code."""
    return {name: text[a:b] for name, (a, b) in _context_spans(text).items()}


def _context_spans(text: str) -> dict[str, tuple[int, int]]:
    """Where ``_context`` finds each of its fields in ``text``."""
    found: dict[str, tuple[int, int]] = {}
    ascii_ = text.isascii()
    for name, literals, pattern in _ASCII_CONTEXT if ascii_ else _CONTEXT:
        for literal in literals:
            if literal in text:
                m = pattern.search(text)
                if m:
                    found[name] = m.span(m.lastgroup or 0)
                break
    if ")" in text:
        m = (_ASCII_SYMBOL_AT_END if ascii_ else _SYMBOL_AT_END).search(text)
        if m:
            found["symbol"] = m.span("s")
    return found


#: The parse pattern of each format whose one-line records' fields are slices of
#: the line (every value a group of it or of ``_context``'s, none decoded or changed;
#: JSON lines and Quantower's are absent: their values are decoded from escapes).
_SLICING = {
    "metatrader": _METATRADER_PARSE,
    "ninjatrader": _NINJATRADER_PARSE,
    "python": _PYTHON_PARSE,
    "generic": _LEADING_TS,
}
#: The same formats: every pattern that finds a field in a line. A memo that keys a
#: line by its digits asks them which digits they tell apart.
SLICED_BY: Mapping[str, tuple[regex.Pattern[str], ...]] = {
    name: (parser, *(pattern for _, _, pattern in _CONTEXT), _SYMBOL_AT_END)
    for name, parser in _SLICING.items()
}


def field_spans(name: str, raw: str) -> dict[str, tuple[int, int]] | None:
    """Where the format ``name`` (one of ``SLICED_BY``) finds each field of the
    one-line record ``raw`` (``ts``: its timestamp), as ``Format.record`` does:
    the parse's fields over ``_context``'s."""
    parser = _SLICING.get(name)
    if parser is None:
        return None
    spans = _context_spans(raw)
    m = parser.match(raw)
    if m is not None:
        spans.update((k, m.span(k)) for k, v in m.groupdict().items() if v)
    return spans
