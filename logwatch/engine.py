"""The matcher: rules compiled once, a literal prefilter over blocks, then regexes.

Most lines never reach a regex: one Aho-Corasick pass over a block of raw bytes (ASCII
lowercased) finds the few lines that hold a rule's keyword, and only those lines are
decoded, parsed by their Format and searched by that rule's patterns, each search with a
timeout. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import regex
from ahocorasick_rs import BytesAhoCorasick, Implementation

from logwatch.catalogue import Catalogue, Found, normalise_text
from logwatch.errors import ConfigError
from logwatch.formats import Format
from logwatch.lines import Block
from logwatch.model import Hit, Recognition, Record, Severity
from logwatch.recognizer import Named, Recognised, Recognizer
from logwatch.redact import redact_head
from logwatch.rulecompile import sample_record
from logwatch.rules import DEFAULT_TIMEOUT_S, UNMATCHED, Rule, RuleSet

#: A rule whose searches time out this many times is disabled.
MAX_TIMEOUTS = 3
#: logwatch's own output (its console channel, its syslog tag): never matched, so a
#: followed log that receives logwatch's messages cannot make it alert on itself.
OWN_OUTPUT = regex.compile(r"logwatch\| |\blogwatch\[\d+\]:")
#: Record fields that are free text and may hold a secret (the rest are fixed shapes).
#: rule prefixes of bots and of logwatch's generic rules: no exchange of their own,
#: so their alerts name the exchange the record names
_NEUTRAL = frozenset({"", "freqtrade", "hummingbot", "generic", "error", "copier"})
#: platforms whose rules match their own log files: the match itself says whose
_OWN_LOGS = frozenset({"mt4", "mt5", "quantower", "ninjatrader", "ib"})
#: shapes other exchanges' APIs and libraries print too: a plain code and message
#: (MEXC answers ``{"code":-2013,"msg":…}`` as Binance does; python-bitget prints
#: ``API Request Error(code=…)`` as python-okx does). A line in one of them that
#: names no exchange is the category's alone; the other shapes are one library's.
_SHARED_SHAPES = frozenset(
    {
        "binance.json",
        "binance.dict",
        "bybit.json",
        "bybit.dict",
        "okx.json",
        "okx.dict",
        "okx.json-message-first",
        "okx.python-okx",
    }
)
_FREE_TEXT = frozenset({"connection", "logger", "account"})
#: How many masked field values an engine remembers (they repeat: a few per file).
_MASKED_FIELDS = 4096


#: Where each format writes a record's level, for a level and the levels above it: the
#: catch-all's own prefilter (NinjaTrader's numeric fields are not documented, so its
#: records go by the words, like generic logs).
_PY_ERROR = rb" - (?:ERROR|CRITICAL) - |\[(?:ERROR|CRITICAL) \| "
_PY_WARNING = rb" - (?:WARNING|ERROR|CRITICAL) - |\[(?:WARNING|ERROR|CRITICAL) \| "
_JSON_ERROR = rb'"(?:@l|[Ll]evel|lvl)"\s*:\s*"(?i:error|fatal|critical)"'
_JSON_WARNING = rb'"(?:@l|[Ll]evel|lvl)"\s*:\s*"(?i:warn|warning|error|fatal|critical)"'
_WORD_ERROR = rb"\b(?:ERROR|CRITICAL|FATAL|Error:)"
_WORD_WARNING = rb"\b(?:WARN|WARNING|ERROR|CRITICAL|FATAL|Error:|Warning:)"
LEVEL_MARKS: dict[str, dict[Severity, regex.Pattern[bytes]]] = {
    name: {
        Severity.ERROR: regex.compile(error),
        Severity.WARNING: regex.compile(warning),
    }
    for name, error, warning in (
        ("python", _PY_ERROR, _PY_WARNING),
        ("metatrader", rb"(?m)^[A-Z]{2}\t2\t", rb"(?m)^[A-Z]{2}\t[12]\t"),
        ("json", _JSON_ERROR, _JSON_WARNING),
        (
            "quantower",
            _JSON_ERROR + rb"|\] (?:ERROR|FATAL) ",
            _JSON_WARNING + rb"|\] (?:WARN|ERROR|FATAL) ",
        ),
        ("ninjatrader", _WORD_ERROR, _WORD_WARNING),
        ("generic", _WORD_ERROR, _WORD_WARNING),
    )
}
#: The owner index that stands for "a level mark", beside rules' and shapes' indexes.
_LEVEL = -1
#: The owner index of the recognizer's own keywords.
_RECOGNIZE = -2
_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
# a hex word holding a digit: the look-ahead finds the digit, then the word is taken
# whole (``[0-9a-f]*\d[0-9a-f]*`` tried each split of a long one)
_NUMBERS = regex.compile(
    r"0x[0-9a-f]+|\b(?=[0-9a-f]*\d)[0-9a-f]++\b|\d+(?:[.,]\d+)*", regex.I
)
_PREFIX = regex.compile(
    r"^.*? - (?:\d+ - )?[\w.]+ - [A-Z_]+ - |^\[[A-Z]+ \| [^\]]*\] "
    r"|^(?:[^\t\n]*\t){2,4}(?:'\d+': ?)?|^(?:[^|\n]*\|){3}"
)


def own_words(record: Record) -> str:
    """A record's message without its format's prefix: its first line, cut at 200."""
    first = record.text.split("\n", 1)[0]
    first = _PREFIX.sub("", first, count=1)
    return first[:200]


def normalise_message(text: str) -> str:
    """A message with its numbers, ids and prices replaced: one error, one key."""
    return _NUMBERS.sub("#", text.lower())


@dataclass(slots=True)
class Scan:
    """What one block gave: hits in line order (per line, rules in their order)."""

    hits: list[Hit] = field(default_factory=list)
    #: Records that held a keyword but matched no rule (``--show-misses``).
    misses: list[Record] = field(default_factory=list)
    #: Rules disabled while scanning this block, with the reason.
    disabled: list[tuple[Rule, str]] = field(default_factory=list)
    candidates: int = 0

    def extend(self, other: Scan) -> None:
        """Add another scan's results to this one."""
        self.hits.extend(other.hits)
        self.misses.extend(other.misses)
        self.disabled.extend(other.disabled)
        self.candidates += other.candidates


class Engine:
    """Rules compiled into one prefilter; ``scan`` turns a Block into Hits."""

    def __init__(
        self,
        rules: RuleSet,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_timeouts: int = MAX_TIMEOUTS,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.rules = tuple(rules)
        self.catalogue = rules.catalogue if isinstance(rules, RuleSet) else Catalogue()
        self._by_id = {rule.id: rule for rule in self.rules}
        self._coded = [
            "code" in shape.pattern.groupindex for shape in self.catalogue.shapes
        ]
        self.recognizer = Recognizer(self.catalogue)
        #: exchanges whose rules and shapes must not fire for a line naming another
        self._exchanges = frozenset(self.catalogue.exchanges)
        self.timeout_s = timeout_s
        self.max_timeouts = max_timeouts
        self.secrets = secrets
        self.timeouts: Counter[str] = Counter()
        self.disabled: dict[str, str] = {}
        owners: dict[bytes, set[int]] = {}
        for index, rule in enumerate(self.rules):
            for word in rule.keywords:
                owners.setdefault(word, set()).add(index)
        # shapes come after the rules: a hand-written rule wins on the same record
        for index, shape in enumerate(self.catalogue.shapes, len(self.rules)):
            for word in shape.keywords:
                owners.setdefault(word, set()).add(index)
        for word in self.recognizer.keywords:
            owners.setdefault(word, set()).add(_RECOGNIZE)
        self._words = tuple(owners)
        self._owners = tuple(frozenset(owners[w]) for w in self._words)
        # a DFA: the fastest scan, and its size is bounded (the keywords never grow
        # with the catalogue)
        self._automaton = (
            BytesAhoCorasick(list(self._words), implementation=Implementation.DFA)
            if self._words
            else None
        )
        #: field values (a connection's name, a logger's) repeat: masked once each
        self._masked_fields: dict[str, str] = {}

    @property
    def keywords(self) -> tuple[bytes, ...]:
        """What the prefilter looks for: rules' and shapes' keywords, never codes."""
        return self._words

    def candidates(
        self, data: bytes, start: int = 0, stop: int | None = None
    ) -> dict[int, set[int]]:
        """Keyword positions in ``data[start:stop]``: {position: indexes of rules}."""
        if self._automaton is None:
            return {}
        stop = len(data) if stop is None else stop
        found: dict[int, set[int]] = {}
        for word, pos, end in self._automaton.find_matches_as_indexes(
            data.lower(), overlapping=True
        ):
            if start <= pos and end <= stop:
                found.setdefault(pos, set()).update(self._owners[word])
        return found

    def scan(
        self,
        block: Block,
        fmt: Format,
        path: str,
        start: int = 0,
        stop: int | None = None,
        unmatched: Severity | None = None,
    ) -> Scan:
        """The hits in the whole records of ``block.data[start:stop]``.

        With ``unmatched``, records of that level or above that nothing recognised
        are hits of the catch-all rule too.
        """
        result = Scan()
        data = block.data
        # keywords by the line they are in, then lines by their record (several
        # keywords in a line look for its record's head once)
        by_line: dict[int, set[int]] = {}
        for pos, owners in self.candidates(data, start, stop).items():
            line = max(data.rfind(b"\n", 0, pos) + 1, start)
            got = by_line.get(line)
            if got is None:
                by_line[line] = set(owners)
            else:
                got |= owners
        if fmt.head is None:
            by_record = by_line  # each line is a record; ``start`` is a line start
        else:
            by_record = {}
            for line, owners in by_line.items():
                by_record.setdefault(
                    max(fmt.record_start(data, line), start), set()
                ).update(owners)
        marks = LEVEL_MARKS.get(fmt.name, LEVEL_MARKS["generic"])
        if unmatched is not None:
            for m in marks[unmatched].finditer(data, start, stop):
                head = max(fmt.record_start(data, m.start()), start)
                by_record.setdefault(head, set()).add(_LEVEL)
        index = data.count(b"\n", 0, start)
        counted = start
        for start in sorted(by_record):
            index += data.count(b"\n", counted, start)
            counted = start
            end = fmt.record_end(data, start, stop)
            lines, pos, i = [], start, index
            while pos < end:
                lines.append(block.line(pos, i))
                pos = data.index(b"\n", pos) + 1
                i += 1
            record = fmt.record(path, lines)
            if "logwatch" in record.raw and OWN_OUTPUT.search(record.raw):
                continue
            result.candidates += 1
            owners = by_record[start]
            hits, recognised = self._match(record, owners - {_LEVEL}, result)
            if hits:
                result.hits.extend(hits)
            elif recognised:
                continue
            elif _LEVEL in owners and "logwatch.unmatched" not in self.disabled:
                error = marks[Severity.ERROR].search(record.raw.encode()) is not None
                result.hits.append(self._unmatched(record, error))
            else:
                result.misses.append(self._masked(record))
        return result

    def _unmatched(self, record: Record, error: bool) -> Hit:
        """The catch-all's hit: the record's own words, keyed by their shape."""
        masked = self._masked(record)
        words = own_words(masked)
        return Hit(
            UNMATCHED.id,
            Severity.ERROR if error else Severity.WARNING,
            (),
            masked,
            record.first_line,
            {"message": words},
            (masked.fields.get("connection", ""), normalise_message(words)),
            masked.fields.get("platform", ""),
            words,
        )

    def match(
        self,
        record: Record,
        rule_indexes: set[int] | None = None,
        scan: Scan | None = None,
    ) -> list[Hit]:
        """Hits of the given rules (by default all) on one record, in rule order."""
        return self._match(record, rule_indexes, scan)[0]

    def _match(
        self,
        record: Record,
        rule_indexes: set[int] | None = None,
        scan: Scan | None = None,
    ) -> tuple[list[Hit], bool]:
        """The hits, and whether the record was recognised (a silent code is)."""
        hits, recognised = self._layers(record, rule_indexes, scan)
        if len(hits) > 1:
            hits = _one_per_line(hits)
        return hits, recognised

    def _layers(
        self,
        record: Record,
        rule_indexes: set[int] | None,
        scan: Scan | None,
    ) -> tuple[list[Hit], bool]:
        hits = []
        count = len(self.rules)
        recognize = rule_indexes is None or _RECOGNIZE in rule_indexes
        indexes: Sequence[int] = (
            range(count + len(self.catalogue.shapes))
            if rule_indexes is None
            else sorted(rule_indexes)
        )
        if indexes and indexes[0] < 0:  # the level's and the recognizer's marks
            indexes = [i for i in indexes if i >= 0]
        masked: Record | None = None
        shapes: list[int] = []
        matched: list[tuple[Rule, regex.Match[str]]] = []
        for i in indexes:
            if i >= count:
                shapes.append(i - count)
                continue
            rule = self.rules[i]
            if rule.id in self.disabled:
                continue
            try:
                m = rule.match(record.text, self.timeout_s)
            except TimeoutError:
                self._timed_out(rule, scan)
                continue
            if m is not None:
                matched.append((rule, m))
        names: list[Named] | None = None
        for rule, m in matched:
            named: Named | None = None
            if rule.exchange in self._exchanges:
                # a rule of exchange X never fires for a line that names exchange Y
                if names is None:
                    names = self.recognizer.names(record.text)
                named = self.recognizer.attribute(names, m.start(), record.fields)
                if named is not None and named.exchange != rule.exchange:
                    continue
                if named is None and not self._owns(rule.exchange, record):
                    continue  # no exchange named: the recognizer's category alone
            elif rule.exchange in _NEUTRAL:
                # a bot's own rule (``Failed to submit buy order to Kucoin``): the
                # alert names the exchange the record names, if it names one
                if names is None:
                    names = self.recognizer.names(record.text)
                named = self.recognizer.attribute(names, m.start(), record.fields)
            masked = masked or self._masked(record)
            captures = {
                k: redact_head(v, self.secrets)
                for k, v in m.groupdict().items()
                if v is not None
            }
            key = tuple(captures.get(k) or masked.fields.get(k, "") for k in rule.key)
            line = record.first_line
            if record.text == record.raw:
                line += record.raw.count("\n", 0, m.start())
            hits.append(
                Hit(
                    rule.id,
                    rule.severity,
                    rule.codes,
                    masked,
                    line,
                    captures,
                    key,
                    named.exchange
                    if named is not None and rule.exchange in _NEUTRAL
                    else rule.exchange,
                    recognition=Recognition(
                        "rule",
                        m.group()[:80],
                        rule.exchange,
                        named.how if named is not None else "rule",
                        named.words if named is not None else "",
                        "rule",
                        rule.id,
                        rule.category,
                    ),
                )
            )
        if hits:
            # a hand-written rule already explains the record: only a code, or a text
            # of another exchange's, can change the hit
            shapes = [
                i
                for i in shapes
                if self._coded[i]
                or any(h.exchange != self.catalogue.shapes[i].exchange for h in hits)
            ]
        found = self._identify(record, shapes) if shapes else None
        named_found: Named | None = None
        if found is not None and found.shape.exchange in self._exchanges:
            if names is None:
                names = self.recognizer.names(record.text)
            span = self.recognizer.message_span(record.text, found.message)
            named_found = self.recognizer.attribute(
                self.recognizer.outside(names, record.text, *span),
                found.start,
                record.fields,
            )
            if named_found is not None and named_found.exchange != found.shape.exchange:
                found = None  # another exchange's line in this one's shape
            elif (
                named_found is None
                and found.shape.id in _SHARED_SHAPES
                and not self._owns(found.shape.exchange, record)
            ):
                found = None  # no exchange named: the recognizer's category alone
        if found is None:
            if hits or not recognize:
                return hits, bool(hits)
            return self._recognise(record, names)
        exchange = found.shape.exchange
        code: int | str | None = found.code
        if found.entry is not None and found.entry.rule_id is None:
            return [], True  # a confirmation or success code: nothing to tell
        if code is None and found.entry is not None:
            code = found.entry.code  # a documented text, printed without its code
        # a hand-written rule wins, unless the line has another exchange's known code
        if code is not None:
            hits = [h for h in hits if h.exchange == exchange]
        if hits:
            if code is not None:
                hits = _by_code(hits, code, found.message, self._by_id)
            return hits, True
        if found.entry is None:
            # a code the exchange's table lacks: its class or words may still say
            # what it is (``InsufficientFunds: binance {"code":-9999,…}``)
            named = named_found or Named(
                exchange, found.start, found.start, "shape", ""
            )
            better, silent = self._recognise(record, names, named)
            if silent and not better:
                return [], True  # a benign class: nothing to tell
            if better and not better[0].rule_id.endswith(".unknown-error"):
                return better, True
        line = record.first_line + record.raw.count("\n", 0, found.start)
        how = (
            "code"
            if found.code is not None and found.entry is not None
            else "text"
            if found.entry is not None
            else "unknown"
        )
        recognition = Recognition(
            "shape",
            found.shape.id,
            exchange,
            named_found.how if named_found is not None else "shape",
            named_found.words if named_found is not None else found.shape.id,
            how,
            str(found.code) if found.code is not None else found.message[:120],
            found.entry.category if found.entry is not None else "unknown",
        )
        return self._catalogue_hits(
            found, masked or self._masked(record), line, recognition
        ), True

    def _owns(self, exchange: str, record: Record) -> bool:
        """Whether a record that names no exchange is still known to be
        ``exchange``'s: a platform's rule matches its own log; an API's code or text
        alone does not say whose (MEXC answers with Binance's codes and texts), an
        envelope or a library class only it has does."""
        if exchange in _OWN_LOGS:
            return True
        for shape in self.catalogue.shapes:
            if (
                shape.exchange == exchange
                and shape.id not in _SHARED_SHAPES
                and shape.pattern.search(record.text) is not None
            ):
                return True  # one library's print: binance-connector's tuple
        owner = self.recognizer.owner(record.text)
        return owner is not None and owner.exchange == exchange

    def _recognise(
        self, record: Record, names: list[Named] | None, named: Named | None = None
    ) -> tuple[list[Hit], bool]:
        """The recognizer's hit for a record no rule or shape explains."""
        marks = LEVEL_MARKS.get(record.format, LEVEL_MARKS["generic"])
        error_level = marks[Severity.ERROR].search(record.raw.encode()) is not None
        words = own_words(record)
        found: Recognised | None = None
        try:
            found = self.recognizer.recognise(
                record.text, error_level, words, record.fields, named
            )
            if found is None and record.raw != record.text:
                found = self.recognizer.recognise(
                    record.raw, error_level, words, record.fields, named
                )
        except TimeoutError:  # pragma: no cover - the recognizer's patterns are bounded
            return [], False
        if found is None:
            return [], False
        if found.rule_id is None:
            return [], True  # a benign code or class: nothing to tell
        rule = (
            self._by_id.get(found.rule_id)
            if found.rule_id not in self.disabled
            else None
        )
        if rule is None:
            return [], False
        masked = self._masked(record)
        message = redact_head(found.message, self.secrets)
        captures = {"message": message} if message else {}
        if found.code is not None:
            captures["code"] = str(found.code)
        where = masked.fields.get("connection") or masked.fields.get("account", "")
        what = str(found.code) if found.code is not None else normalise_message(message)
        return [
            Hit(
                rule.id,
                rule.severity,
                (found.code,) if found.code is not None else rule.codes,
                masked,
                record.first_line,
                captures,
                (where, what),
                found.exchange,
                message,
                found.recognition,
            )
        ], True

    def _identify(self, record: Record, shapes: list[int]) -> Found | None:
        """What the shapes find in the record's text, else in its raw line (a JSON
        line's text is only its message); ``start`` is made a position in the raw
        record, or 0 when the match was in a text made from it."""
        try:
            found = self.catalogue.identify(
                record.text, record.format, shapes, self.timeout_s
            )
            if found is not None:
                return found if record.raw == record.text else replace(found, start=0)
            if record.raw != record.text:
                return self.catalogue.identify(
                    record.raw, record.format, shapes, self.timeout_s
                )
        except TimeoutError:
            return None
        return None

    def _catalogue_hits(
        self, found: Found, record: Record, line: int, recognition: Recognition
    ) -> list[Hit]:
        """The hit for what a shape found: its code's rule, or the unknown code's."""
        entry, exchange = found.entry, found.shape.exchange
        rule_id = (
            entry.rule_id
            if entry is not None and entry.rule_id
            else f"{exchange}.unknown-error"
        )
        rule = self._by_id.get(rule_id) if rule_id not in self.disabled else None
        if rule is None:
            return []  # disabled by the config
        captures = {
            k: redact_head(v, self.secrets)
            for k, v in found.captures.items()
            if k != "q"
        }
        message = redact_head(found.message, self.secrets)
        if message:
            captures["message"] = message
        codes = (found.code,) if found.code is not None else rule.codes
        where = (
            record.fields.get("connection")
            or record.fields.get("account")
            or captures.get("venue", "")
        )
        what = str(found.code) if found.code is not None else normalise_text(message)
        return [
            Hit(
                rule.id,
                rule.severity,
                codes,
                record,
                line,
                captures,
                (where, what),
                exchange,
                message,
                recognition,
            )
        ]

    def _masked(self, record: Record) -> Record:
        fields = {
            k: self._masked_field(v) if k in _FREE_TEXT else v
            for k, v in record.fields.items()
        }
        # masked up to redact.MAX_REDACTED_CHARS each, the rest cut: a record may be
        # 200 lines of 64 KiB, and only the masked part may leave the engine
        raw = redact_head(record.raw, self.secrets)
        text = (
            raw if record.text == record.raw else redact_head(record.text, self.secrets)
        )
        if raw == record.raw and text == record.text and fields == record.fields:
            return record  # nothing to mask: most records
        return Record(
            record.path,
            record.format,
            record.first_line,
            record.offset,
            record.end,
            text,
            raw,
            record.timestamp,
            fields,
            record.truncated,
        )

    def _masked_field(self, value: str) -> str:
        masked = self._masked_fields.get(value)
        if masked is None:
            if len(self._masked_fields) >= _MASKED_FIELDS:
                self._masked_fields.clear()
            masked = self._masked_fields[value] = redact_head(value, self.secrets)
        return masked

    def _timed_out(self, rule: Rule, scan: Scan | None) -> None:
        self.timeouts[rule.id] += 1
        if self.timeouts[rule.id] >= self.max_timeouts:
            why = (
                f"its patterns timed out {self.timeouts[rule.id]} times "
                f"(limit {self.timeout_s:g} s per search)"
            )
            self.disabled[rule.id] = why
            if scan is not None:
                scan.disabled.append((rule, why))


def _by_code(
    hits: list[Hit], code: int | str, message: str, rules: dict[str, Rule]
) -> list[Hit]:
    """Rule hits on a line whose code a shape found: the code first in each, and
    the rules that document the code before the others."""
    out = []
    for h in hits:
        if h.codes[:1] != (code,):
            h = replace(h, codes=(code, *(c for c in h.codes if c != code)))
        if message and not h.message and code in rules[h.rule_id].codes:
            h = replace(h, message=message)
        out.append(h)
    return out


def _one_per_line(hits: list[Hit]) -> list[Hit]:
    """One alert per line: of several hits on one line, the one that explains it
    best (a rule that documents the line's code, then one that matched the
    exchange's own message, then the most severe, then the first)."""
    best: dict[int, tuple[tuple[int, int, int, int], Hit]] = {}
    for order, hit in enumerate(hits):
        r = hit.recognition
        code = hit.codes[0] if hit.codes else None
        message = (hit.message or hit.captures.get("message", "")).lower()
        evidence = (r.envelope_evidence if r is not None else "").lower()
        rank = (
            0 if code is not None and r is not None and r.envelope == "rule" else 1,
            0 if evidence and message and evidence[:40] in message else 1,
            -_SEVERITY_RANK[hit.severity],
            order,
        )
        kept = best.get(hit.line)
        if kept is None or rank < kept[0]:
            best[hit.line] = (rank, hit)
    return [hit for _, hit in sorted(best.values(), key=lambda kv: kv[0][3])]


def catalogue_problems(engine: Engine) -> list[ConfigError]:
    """Every catalogue code that its shapes' examples do not find as it should: a
    code found by its exchange's rule, a silent code found as nothing.

    Thousands of lines: run by ``logwatch check`` and the tests, not at each start.
    """
    problems = []
    for entry in engine.catalogue.entries.values():
        for shape in engine.catalogue.shapes:
            for line in engine.catalogue.examples(entry, shape):
                if shape.pattern.search(line) is None:
                    # a code the shape cannot print (a generated table's positive
                    # code of an exchange whose own codes are negative): the
                    # recognizer's envelopes find it; a shape that finds none of its
                    # own examples is reported by ``shape_problems``
                    continue
                owners = engine.candidates(line.encode("utf-8")).values()
                hits = engine.match(sample_record(line), set().union(*owners))
                if entry.rule_id is None:
                    wrong = [h.rule_id for h in hits]
                else:
                    found = [
                        h
                        for h in hits
                        if h.exchange == entry.exchange and entry.code in h.codes
                    ]
                    wrong = [] if found else [h.rule_id for h in hits] or ["nothing"]
                if wrong:
                    problems.append(
                        ConfigError(
                            entry.source,
                            entry.line,
                            f"code {entry.code}: shape {shape.id} gives "
                            f"{', '.join(wrong)} for {line!r}",
                        )
                    )
    return problems


def shape_problems(engine: Engine) -> list[ConfigError]:
    """Shapes that find none of the codes of their exchange's table in their own
    examples (so ``catalogue_problems`` would skip them all)."""
    problems = []
    for shape in engine.catalogue.shapes:
        entries = [
            e
            for e in engine.catalogue.entries.values()
            if e.exchange == shape.exchange and e.code is not None
        ]
        lines = [
            line for e in entries[:50] for line in engine.catalogue.examples(e, shape)
        ]
        if lines and not any(shape.pattern.search(line) for line in lines):
            problems.append(
                ConfigError(
                    shape.source,
                    shape.line,
                    f"shape {shape.id}: finds no code of {shape.exchange}'s table in "
                    "its own examples",
                )
            )
    return problems
