"""The matcher: rules compiled once, a literal prefilter over blocks, then regexes.

Most lines never reach a regex: one Aho-Corasick pass over a block of raw bytes (ASCII
lowercased) finds the few lines that hold a rule's keyword, and only those lines are
decoded, parsed by their Format and searched by that rule's patterns, each search with a
timeout. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

import regex
from ahocorasick_rs import BytesAhoCorasick, Implementation

from logwatch.core.errors import ConfigError
from logwatch.core.formats import Format
from logwatch.core.model import Hit, Recognition, Record, Severity
from logwatch.follow.lines import Block
from logwatch.match.recognizer import Named, Recognised, Recognizer
from logwatch.match.redact import redact_head
from logwatch.rulebook.catalogue import Catalogue, Found, normalise_text
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.rules import DEFAULT_TIMEOUT_S, UNMATCHED, Rule, RuleSet

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
#: How many unions of two keywords' owners an engine remembers.
_UNIONS_KEPT = 4096
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


class Wanted(NamedTuple):
    """What a record's keywords ask to be tried on it: hand-written rules (indexes in
    ``Engine.rules``), catalogue shapes (indexes in ``Catalogue.shapes``) and the
    recognizer. Two spaces of their own: a rule's index is never a shape's. (A tuple:
    one is made for each line that holds keywords of several owners.)"""

    rules: frozenset[int] = frozenset()
    shapes: frozenset[int] = frozenset()
    recognize: bool = False

    def __or__(self, other: object) -> Wanted:
        if not isinstance(other, Wanted):
            return NotImplemented
        if other is self:
            return self
        return Wanted(
            self.rules | other.rules,
            self.shapes | other.shapes,
            self.recognize or other.recognize,
        )

    @staticmethod
    def union(wanted: Iterable[Wanted]) -> Wanted:
        """What all of ``wanted`` ask for (nothing, for none)."""
        out = _NOTHING
        for w in wanted:
            out = out | w
        return out


_NOTHING = Wanted()


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
        of_rules: dict[bytes, set[int]] = {}
        of_shapes: dict[bytes, set[int]] = {}
        for index, rule in enumerate(self.rules):
            for word in rule.keywords:
                of_rules.setdefault(word, set()).add(index)
        for index, shape in enumerate(self.catalogue.shapes):
            for word in shape.keywords:
                of_shapes.setdefault(word, set()).add(index)
        recognize = dict.fromkeys(self.recognizer.keywords)
        self._words = tuple(dict.fromkeys([*of_rules, *of_shapes, *recognize]))
        #: what each keyword asks for, by the keyword's index in ``_words``
        self._owners = tuple(
            Wanted(
                frozenset(of_rules.get(w, ())),
                frozenset(of_shapes.get(w, ())),
                w in recognize,
            )
            for w in self._words
        )
        self._unions: dict[tuple[Wanted, Wanted], Wanted] = {}
        #: each rule's patterns and ignores lowered, when all are plain words
        self._literals = tuple(
            _literals(rule) if rule.patterns else None for rule in self.rules
        )
        #: the whole rule set: what ``match`` tries without a prefilter (a rule
        #: without patterns, a catalogue code's, never matches: ~10,000 indexes less)
        self._everything = Wanted(
            frozenset(i for i, rule in enumerate(self.rules) if rule.patterns),
            frozenset(range(len(self.catalogue.shapes))),
            recognize=True,
        )
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
    ) -> dict[int, Wanted]:
        """Keyword positions in ``data[start:stop]``: {position: what they ask for}."""
        if self._automaton is None:
            return {}
        stop = len(data) if stop is None else stop
        found: dict[int, Wanted] = {}
        owners = self._owners
        for word, pos, end in self._automaton.find_matches_as_indexes(
            data.lower(), overlapping=True
        ):
            if start <= pos and end <= stop:
                got = found.get(pos)
                found[pos] = (
                    owners[word] if got is None else self._or(got, owners[word])
                )
        return found

    def _or(self, a: Wanted, b: Wanted) -> Wanted:
        """``a | b``, remembered: the same few owners meet on line after line, and
        each union of their shape sets costs as much as the sets are large."""
        if a is b:
            return a
        got = self._unions.get((a, b))
        if got is None:
            if len(self._unions) >= _UNIONS_KEPT:
                self._unions.clear()
            got = self._unions[(a, b)] = a | b
        return got

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
        by_line: dict[int, Wanted] = {}
        for pos, wanted in self.candidates(data, start, stop).items():
            line = max(data.rfind(b"\n", 0, pos) + 1, start)
            got = by_line.get(line)
            by_line[line] = wanted if got is None else self._or(got, wanted)
        if fmt.head is None:
            by_record = by_line  # each line is a record; ``start`` is a line start
        else:
            by_record = {}
            for line, wanted in by_line.items():
                head = max(fmt.record_start(data, line), start)
                got = by_record.get(head)
                by_record[head] = wanted if got is None else self._or(got, wanted)
        marks = LEVEL_MARKS.get(fmt.name, LEVEL_MARKS["generic"])
        #: records with a level mark: the catch-all's, if nothing else explains them
        levelled: set[int] = set()
        if unmatched is not None:
            for m in marks[unmatched].finditer(data, start, stop):
                head = max(fmt.record_start(data, m.start()), start)
                levelled.add(head)
                by_record.setdefault(head, _NOTHING)
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
            hits, recognised = self._match(record, by_record[start], result)
            if hits:
                result.hits.extend(hits)
            elif recognised:
                continue
            elif start in levelled and "logwatch.unmatched" not in self.disabled:
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
            rule_id=UNMATCHED.id,
            severity=Severity.ERROR if error else Severity.WARNING,
            codes=(),
            record=masked,
            line=record.first_line,
            captures={"message": words},
            key=(masked.fields.get("connection", ""), normalise_message(words)),
            exchange=masked.fields.get("platform", ""),
            message=words,
        )

    def match(
        self,
        record: Record,
        wanted: Wanted | None = None,
        scan: Scan | None = None,
    ) -> list[Hit]:
        """Hits of what ``wanted`` asks for (by default every rule, shape and the
        recognizer) on one record, in rule order."""
        return self._match(record, wanted, scan)[0]

    def _match(
        self,
        record: Record,
        wanted: Wanted | None = None,
        scan: Scan | None = None,
    ) -> tuple[list[Hit], bool]:
        """The hits, and whether the record was recognised (a silent code is), in
        three steps: the hand-written rules' hits, what a catalogue shape finds, and
        the two merged by ``_rules_beat_catalogue``; then one alert per line."""
        if wanted is None:
            wanted = self._everything
        seen = _Seen(self, record)
        hits = self._rule_hits(seen, wanted.rules, scan) if wanted.rules else []
        found = self._shape_found(seen, wanted.shapes, hits) if wanted.shapes else None
        hits, recognised = self._rules_beat_catalogue(
            seen, hits, found, wanted.recognize
        )
        if len(hits) > 1:
            hits = _one_per_line(hits)
        return hits, recognised

    def _rule_hits(
        self, seen: _Seen, rules: frozenset[int], scan: Scan | None
    ) -> list[Hit]:
        """Step 1: the hits of the hand-written ``rules`` (indexes in ``self.rules``)
        whose patterns match, in rule order; a rule of exchange X stays quiet on a
        line that names exchange Y."""
        record = seen.record
        text = record.text
        lowered = text.lower() if text.isascii() else None
        matched: list[tuple[Rule, _Match]] = []
        for i in sorted(rules):
            rule = self.rules[i]
            if rule.id in self.disabled:
                continue
            literals = self._literals[i]
            m: _Match | None
            if literals is not None and lowered is not None:
                m = _find_literal(text, lowered, *literals)
            else:
                try:
                    m = rule.match(text, self.timeout_s)
                except TimeoutError:
                    self._timed_out(rule, scan)
                    continue
            if m is not None:
                matched.append((rule, m))
        hits = []
        for rule, m in matched:
            named: Named | None = None
            if rule.exchange in self._exchanges:
                # a rule of exchange X never fires for a line that names exchange Y
                named = self.recognizer.attribute(
                    seen.names(), m.start(), record.fields
                )
                if named is not None and named.exchange != rule.exchange:
                    continue
                if named is None and not self._owns(rule.exchange, record):
                    continue  # no exchange named: the recognizer's category alone
            elif rule.exchange in _NEUTRAL:
                # a bot's own rule (``Failed to submit buy order to Kucoin``): the
                # alert names the exchange the record names, if it names one
                named = self.recognizer.attribute(
                    seen.names(), m.start(), record.fields
                )
            hits.append(self._rule_hit(seen, rule, m, named))
        return hits

    def _rule_hit(self, seen: _Seen, rule: Rule, m: _Match, named: Named | None) -> Hit:
        """The hit of one rule's match ``m`` (``named``: the exchange the line
        names there)."""
        record = seen.record
        masked = seen.masked()
        captures = {
            k: redact_head(v, self.secrets)
            for k, v in m.groupdict().items()
            if v is not None
        }
        key = tuple(captures.get(k) or masked.fields.get(k, "") for k in rule.key)
        line = record.first_line
        if record.text == record.raw:
            line += record.raw.count("\n", 0, m.start())
        return Hit(
            rule_id=rule.id,
            severity=rule.severity,
            codes=rule.codes,
            record=masked,
            line=line,
            captures=captures,
            key=key,
            exchange=named.exchange
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

    def _shape_found(
        self, seen: _Seen, shapes: frozenset[int], hits: list[Hit]
    ) -> tuple[Found, Named | None] | None:
        """Step 2: what the first of the catalogue ``shapes`` (indexes in
        ``catalogue.shapes``) that fits the record finds, and the exchange the line
        names outside the message; None when none fits, or what it finds is another
        exchange's line in its shape."""
        record = seen.record
        tried = sorted(shapes)
        if hits:
            # a hand-written rule already explains the record: only a code, or a text
            # of another exchange's, can change the hit
            tried = [
                i
                for i in tried
                if self._coded[i]
                or any(h.exchange != self.catalogue.shapes[i].exchange for h in hits)
            ]
        found = self._identify(record, tried) if tried else None
        if found is None:
            return None
        if found.shape.exchange not in self._exchanges:
            return found, None
        span = self.recognizer.message_span(record.text, found.message)
        named = self.recognizer.attribute(
            self.recognizer.outside(seen.names(), record.text, *span),
            found.start,
            record.fields,
        )
        if named is not None and named.exchange != found.shape.exchange:
            return None  # another exchange's line in this one's shape
        if (
            named is None
            and found.shape.id in _SHARED_SHAPES
            and not self._owns(found.shape.exchange, record)
        ):
            return None  # no exchange named: the recognizer's category alone
        return found, named

    def _rules_beat_catalogue(
        self,
        seen: _Seen,
        hits: list[Hit],
        shape: tuple[Found, Named | None] | None,
        recognize: bool,
    ) -> tuple[list[Hit], bool]:
        """Step 3, the merge policy: a hand-written rule beats the catalogue.

        - Nothing found by a shape: the rules' hits; with none, the recognizer's.
        - A shape found a silent code (a confirmation): nothing to tell.
        - A shape found a known code: the rules' hits of that code's exchange stay,
          the code first in each; with none left, the catalogue's hit.
        - A shape found a known text: the rules' hits stay as they are.
        - A shape found a code its exchange's table lacks: the rules' hits, else
          what the recognizer makes of the line (its class or words), else the
          exchange's unknown-error hit.

        Returns the hits and whether the record was recognised.
        """
        record = seen.record
        if shape is None:
            if hits or not recognize:
                return hits, bool(hits)
            return self._recognise(record, seen.names_if_made())
        found, named_found = shape
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
            better, silent = self._recognise(record, seen.names_if_made(), named)
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
        return self._catalogue_hits(found, seen.masked(), line, recognition), True

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
                rule_id=rule.id,
                severity=rule.severity,
                codes=(found.code,) if found.code is not None else rule.codes,
                record=masked,
                line=record.first_line,
                captures=captures,
                key=(where, what),
                exchange=found.exchange,
                message=message,
                recognition=found.recognition,
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
                rule_id=rule.id,
                severity=rule.severity,
                codes=codes,
                record=record,
                line=line,
                captures=captures,
                key=(where, what),
                exchange=exchange,
                message=message,
                recognition=recognition,
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
            path=record.path,
            format=record.format,
            first_line=record.first_line,
            offset=record.offset,
            end=record.end,
            text=text,
            raw=raw,
            timestamp=record.timestamp,
            fields=fields,
            truncated=record.truncated,
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


class _Match(Protocol):
    """What a hit needs of a rule's match (``regex.Match`` or ``_Literal``)."""

    def start(self) -> int: ...
    def group(self) -> str: ...
    def groupdict(self) -> dict[str, str | None]: ...


class _Literal:
    """A plain word's match: where it starts and ends in the text."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def group(self) -> str:
        return self._text[self._start : self._end]

    def groupdict(self) -> dict[str, str | None]:
        return {}


#: what makes a pattern more than its plain words (``regex``'s syntax, VERSION0)
#: the flags a rule's pattern is compiled with (patterns.PATTERN_FLAGS), and UNICODE
_PLAIN_FLAGS = regex.IGNORECASE | regex.VERSION0 | regex.UNICODE
_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def _literals(rule: Rule) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A rule's patterns and ignores lowered, when each is ASCII words that only
    ignore case (then ``str.find`` in an ASCII text lowered finds what the pattern
    does, where it does, and costs a tenth of a search); else None."""
    patterns = (*rule.patterns, *rule.ignore)
    if not all(
        p.flags & ~_PLAIN_FLAGS == 0
        and p.flags & regex.IGNORECASE
        and p.pattern.isascii()
        and p.pattern
        and not _SYNTAX.intersection(p.pattern)
        for p in patterns
    ):
        return None
    return (
        tuple(p.pattern.lower() for p in rule.patterns),
        tuple(p.pattern.lower() for p in rule.ignore),
    )


def _find_literal(
    text: str, lowered: str, patterns: tuple[str, ...], ignore: tuple[str, ...]
) -> _Literal | None:
    """``Rule.match`` for a rule of plain words, in an ASCII ``text`` (``lowered``)."""
    for word in patterns:
        at = lowered.find(word)
        if at != -1:
            break
    else:
        return None
    for veto in ignore:
        if veto in lowered:
            return None
    return _Literal(text, at, at + len(word))


class _Seen:
    """One record as the steps of ``Engine._match`` share it: the exchange names in
    its text and its masked copy, each made once, when a step first needs it."""

    __slots__ = ("_engine", "_masked", "_names", "record")

    def __init__(self, engine: Engine, record: Record) -> None:
        self._engine = engine
        self.record = record
        self._names: list[Named] | None = None
        self._masked: Record | None = None

    def names(self) -> list[Named]:
        """The exchanges the record's text names, where."""
        if self._names is None:
            self._names = self._engine.recognizer.names(self.record.text)
        return self._names

    def names_if_made(self) -> list[Named] | None:
        """The names, if a step asked for them already (the recognizer finds its
        own otherwise)."""
        return self._names

    def masked(self) -> Record:
        """The record with its secrets masked: what a hit may carry."""
        if self._masked is None:
            self._masked = self._engine._masked(self.record)
        return self._masked


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
                hits = engine.match(sample_record(line), Wanted.union(owners))
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
