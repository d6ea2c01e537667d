"""The matcher: rules compiled once, a literal prefilter over blocks, then regexes.

Most lines never reach a regex: the prefilter finds the few lines that hold a rule's
keyword, and only those lines are decoded, parsed by their Format and matched in three
named steps: the hand-written rules (``rulestep``), the catalogue's shapes
(``shapestep``), and the merge policy that lets a rule beat the catalogue
(``mergepolicy``), which asks the recognizer (``recognizerstep``) when neither
explains a record. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from logwatch.core.errors import ConfigError
from logwatch.core.formats import DIGITS_AS_ZERO, SLICED_BY, Format
from logwatch.core.model import Hit, Record, Severity
from logwatch.follow.blocks import Block
from logwatch.match.attribution import Attribution
from logwatch.match.catchall import level_marks, unmatched_hit
from logwatch.match.linememo import Outcome, field_places, line_record, translation
from logwatch.match.memo import (
    Key,
    Matched,
    Memo,
    Remembered,
    digit_classes,
    digit_cuts,
    rebuilt,
)
from logwatch.match.mergepolicy import RulesBeatCatalogue, one_per_line
from logwatch.match.prefilter import NOTHING, Prefilter
from logwatch.match.prefilter import Wanted as Wanted  # ``candidates``' values
from logwatch.match.recognizer import Recognizer
from logwatch.match.recognizerstep import RecognizerStep
from logwatch.match.redact import may_hold_secret
from logwatch.match.rulestep import RuleStep
from logwatch.match.seen import Masker, Seen
from logwatch.match.shapestep import ShapeStep
from logwatch.rulebook.catalogue import Catalogue, Entry
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.rules import DEFAULT_TIMEOUT_S, Rule, RuleSet

#: A rule whose searches time out this many times is disabled.
MAX_TIMEOUTS = 3
#: logwatch's own output (its console channel, its syslog tag): never matched, so a
#: followed log that receives logwatch's messages cannot make it alert on itself.
OWN_OUTPUT = regex.compile(r"logwatch\| |\blogwatch\[\d+\]:")


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
    """Rules compiled into one prefilter; ``scan`` turns a Block into Hits.

    Not thread-safe: its memos and tables are plain dicts, cleared and filled as it
    scans; one thread at a time scans (the follower's, or ``scan``'s).
    """

    def __init__(
        self,
        rules: RuleSet,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_timeouts: int = MAX_TIMEOUTS,
        secrets: tuple[str, ...] = (),
        remember: bool = True,
    ) -> None:
        # a rule set read back from the cache holds its catalogue entries' rules
        # (no patterns: never searched) packed: ``lookup`` finds them by id
        packed = isinstance(rules, RuleSet)
        self.rules = rules.rules if packed else tuple(rules)
        self.catalogue = rules.catalogue if packed else Catalogue()
        self.recognizer = Recognizer(self.catalogue)
        self._masker = Masker(secrets)
        attribution = Attribution(self.catalogue, self.recognizer)
        self._rules = RuleStep(
            self.rules,
            self.recognizer,
            attribution,
            self._masker,
            timeout_s,
            max_timeouts,
            lookup=rules.rule if packed else None,
        )
        self._shapes = ShapeStep(
            self.catalogue,
            self.recognizer,
            attribution,
            self._masker,
            self._rules.enabled,
            timeout_s,
        )
        self._policy = RulesBeatCatalogue(
            self._rules,
            self._shapes,
            RecognizerStep(self.recognizer, self._masker, self._rules.enabled),
        )
        self._prefilter = Prefilter(
            self.rules, self.catalogue.shapes, self.recognizer.keywords
        )
        self._memo: Memo[Remembered] = Memo()
        #: what a line gave, by its bytes (``_from_line``)
        self._lines: Memo[Outcome] = Memo()
        #: by (format, what keywords asked): a ``bytes.translate`` table giving
        #: each digit the first of those alike to the format's patterns and to
        #: what was asked (None: lines not remembered)
        self._line_classes: dict[tuple[str, Wanted], bytes | None] = {}
        #: whether statements are remembered (off: every record matched afresh)
        self._remember = remember
        #: by rule index and by shape index: where its patterns tell digits apart
        #: (``digit_cuts``; None: not only by which digit it is)
        self._rule_cuts = tuple(
            _cuts((*r.patterns, *r.ignore)) if r.patterns else frozenset()
            for r in self.rules
        )
        self._shape_cuts = tuple(
            _cuts((shape.pattern,)) for shape in self.catalogue.shapes
        )
        #: what keywords asked for -> the digits alike to all of it (None: not
        #: remembered)
        self._classes: dict[Wanted, dict[int, int] | None] = {}
        #: the exchanges' names with a digit, each digit 0: a line whose key holds
        #: none of them names the same exchanges as every line of its key
        self._digit_names = tuple(
            {n.translate(DIGITS_AS_ZERO) for n in self.recognizer.names_with_digits()}
        )
        self._disabled_seen = 0

    @property
    def keywords(self) -> tuple[bytes, ...]:
        """What the prefilter looks for: rules' and shapes' keywords, never codes."""
        return self._prefilter.keywords

    @property
    def disabled(self) -> dict[str, str]:
        """Rule id -> why it is off (its searches timed out)."""
        return self._rules.disabled

    @property
    def timeouts(self) -> Counter[str]:
        """Rule id -> how many of its searches timed out."""
        return self._rules.timeouts

    def candidates(
        self, data: bytes, start: int = 0, stop: int | None = None
    ) -> dict[int, Wanted]:
        """Keyword positions in ``data[start:stop]``: {position: what they ask for}."""
        return self._prefilter.candidates(data, start, stop)

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
        by_record = self._by_record(data, fmt, start, stop)
        marks = level_marks(fmt.name)
        #: records with a level mark: the catch-all's, if nothing else explains them
        levelled: set[int] = set()
        if unmatched is not None:
            for m in marks[unmatched].finditer(data, start, stop):
                head = max(fmt.record_start(data, m.start()), start)
                levelled.add(head)
                by_record.setdefault(head, NOTHING)
        index = data.count(b"\n", 0, start)
        counted = start
        head_line = fmt.head
        stop_ = len(data) if stop is None else stop
        #: by what was asked, by identity (each alive in ``by_record`` while this
        #: runs, so no id is reused; a key by value costs a tuple hash a record): its
        #: line memo's table (``_line_table``)
        tables: dict[int, bytes | None] = {}
        lines_memo, cap, remember = self._lines, block.max_line_bytes, self._remember
        for start in sorted(by_record):
            index += data.count(b"\n", counted, start)
            counted = start
            wanted = by_record[start]
            if len(self.disabled) != self._disabled_seen:
                self._forget()
            stop_at = data.index(b"\n", start)
            end = stop_at + 1
            if head_line is None:
                pass  # every line a record (``record_end``)
            elif end < stop_ and not head_line.match(data, end):
                end = fmt.record_end(data, start, stop)
            elif end > stop_:
                end = stop_
            if id(wanted) in tables:
                table = tables[id(wanted)]
            else:
                table = tables[id(wanted)] = (
                    self._line_table(fmt.name, wanted) if remember else None
                )
            if table is not None and end == stop_at + 1:
                line = data[start:stop_at]
                if (
                    line.isascii()
                    and len(line) <= cap
                    and b"\x00" not in line
                    and b"logwatch" not in line
                    and index not in block.truncated
                ):
                    key = (path, fmt.name, wanted, line.translate(table))
                    outcome = lines_memo.get(key, line)
                    if outcome is None:
                        record, (hits, recognised) = self._first_of_line(
                            block, fmt, path, (start, index), wanted, result, key
                        )
                    else:
                        record, hits, recognised = self._from_line(
                            outcome, block, (start, stop_at, index), path, fmt.name
                        )
                    result.candidates += 1
                    if hits:
                        result.hits.extend(hits)
                    else:
                        self._tell(record, hits, recognised, start in levelled, result)
                    continue
            lines, pos, i = [], start, index
            while pos < end:
                lines.append(block.line(pos, i))
                pos = data.index(b"\n", pos) + 1
                i += 1
            record = fmt.record(path, lines)
            if "logwatch" in record.raw and OWN_OUTPUT.search(record.raw):
                continue
            result.candidates += 1
            hits, recognised = self._remembered(record, wanted, result.disabled)
            self._tell(record, hits, recognised, start in levelled, result)
        return result

    def _tell(
        self,
        record: Record,
        hits: list[Hit],
        recognised: bool,
        levelled: bool,
        result: Scan,
    ) -> None:
        """Add what ``record`` gave to ``result``: its hits, else (unrecognised)
        the catch-all's hit for a record with a level mark, or a near miss."""
        if hits:
            result.hits.extend(hits)
        elif recognised:
            return
        elif levelled and "logwatch.unmatched" not in self.disabled:
            marks = level_marks(record.format)
            error = marks[Severity.ERROR].search(record.raw.encode()) is not None
            masked = self._masker.record(record)
            result.hits.append(unmatched_hit(record, masked, error))
        else:
            result.misses.append(self._masker.record(record))

    def _first_of_line(
        self,
        block: Block,
        fmt: Format,
        path: str,
        at: tuple[int, int],
        wanted: Wanted,
        result: Scan,
        key: tuple[object, ...],
    ) -> tuple[Record, Matched]:
        """A one-line record at ``at`` (its start in the block's data, its index),
        matched (``_remembered``); what it gave kept by its line's bytes when the
        statement memo keeps it and its fields are slices of its line (those with
        a digit keyed by their places too: ``_from_line``)."""
        start, index = at
        record = fmt.record(path, [block.line(start, index)])
        matched = self._remembered(record, wanted, result.disabled)
        fields = field_places(fmt, record)
        classes = self._digit_classes(wanted)
        statement = None if classes is None else Memo.key(record, wanted, classes)
        if fields is None or statement is None:
            return record, matched
        remembered = self._memo.get(statement, record.raw)
        places = self._memo.places(statement)
        if remembered is not None and places is not None:
            line = block.data[start : block.data.index(b"\n", start)]
            timestamp = record.timestamp
            time_chars = -1 if timestamp is None else len(timestamp)
            self._lines.put(
                key, line, (*places, *fields), (record.fields, time_chars, remembered)
            )
        return record, matched

    def _from_line(
        self,
        outcome: Outcome,
        block: Block,
        at: tuple[int, int, int],
        path: str,
        fmt_name: str,
    ) -> tuple[Record, list[Hit], bool]:
        """The record of the line at ``at`` (its start and end in the block's data,
        its index) and its hits: the statement's, rebuilt with the record
        (``line_record``)."""
        record = line_record(outcome, block, at, path, fmt_name)
        hits, recognised, clean = outcome[2]
        if hits:
            hits = rebuilt(hits, record if clean else self._masker.record(record))
        return record, hits, recognised

    def _line_table(self, fmt_name: str, wanted: Wanted) -> bytes | None:
        """The ``bytes.translate`` table of a line memo's key: each digit the first
        of those alike to the format's patterns and to every rule and shape
        ``wanted`` asks for; None when one of them tells digits apart otherwise."""
        got = self._line_classes.get((fmt_name, wanted), False)
        if got is not False:
            return got  # type: ignore[return-value]
        if len(self._line_classes) >= 4096:
            self._line_classes.clear()
        patterns = SLICED_BY.get(fmt_name)
        cuts = None if patterns is None else _cuts(patterns)
        table = None
        if cuts is not None and self._digit_classes(wanted) is not None:
            asked = self._wanted_cuts(wanted)
            if asked is not None:
                classes = digit_classes(cuts | asked)
                table = translation(classes)
        self._line_classes[(fmt_name, wanted)] = table
        return table

    def _forget(self) -> None:
        """A rule was disabled: what statements and lines gave is forgotten. (Told by
        the count of disabled rules, which only grows: a reload makes a new Engine. A
        rule ever turned back on would need a generation counter instead.)"""
        self._disabled_seen = len(self.disabled)
        self._memo.clear()
        self._lines.clear()

    def _by_record(
        self, data: bytes, fmt: Format, start: int, stop: int | None
    ) -> dict[int, Wanted]:
        """What the keywords in ``data[start:stop]`` ask for, by the start of their
        record (several keywords in a line look for its record's head once)."""
        union = self._prefilter.union
        by_line = self._prefilter.by_line(data, start, stop)
        if fmt.head is None:
            return by_line  # each line is a record; ``start`` is a line start
        match = fmt.head.match
        if all(match(data, line) for line in by_line):
            return by_line  # each line its record's head (the most usual)
        by_record: dict[int, Wanted] = {}
        for line, wanted in by_line.items():
            # most lines a keyword is in are a record's head: no look back
            head = (
                line if match(data, line) else max(fmt.record_start(data, line), start)
            )
            got = by_record.get(head)
            by_record[head] = wanted if got is None else union(got, wanted)
        return by_record

    def match(
        self,
        record: Record,
        wanted: Wanted | None = None,
        scan: Scan | None = None,
    ) -> list[Hit]:
        """Hits of what ``wanted`` asks for (by default every rule, shape and the
        recognizer) on one record, in rule order."""
        return self._match(record, wanted, scan.disabled if scan is not None else None)[
            0
        ]

    def _remembered(
        self, record: Record, wanted: Wanted, disabled_now: list[tuple[Rule, str]]
    ) -> Matched:
        """``_match``, or what it gave for the record's statement before (``memo``)."""
        if len(self.disabled) != self._disabled_seen:
            self._forget()
        classes = self._digit_classes(wanted) if self._remember else None
        key = None if classes is None else Memo.key(record, wanted, classes)
        if key is None:
            return self._match(record, wanted, disabled_now)
        got = self._memo.get(key, record.raw)
        if got is not None:
            hits, recognised, clean = got
            if hits:
                hits = rebuilt(hits, record if clean else self._masker.record(record))
            return hits, recognised
        return self._matched_once(record, wanted, disabled_now, key)

    def _matched_once(
        self,
        record: Record,
        wanted: Wanted,
        disabled_now: list[tuple[Rule, str]],
        key: Key,
    ) -> Matched:
        """``_match``, remembered when every step of it treats digits alike (but at
        the places ``Seen.spans`` it keyed by) and no name with digits could be in
        the line."""
        timed_out = self._rules.timed_out
        seen = Seen(record, self.recognizer, self._masker)
        hits, recognised = self._steps(seen, wanted, disabled_now)
        if (
            not seen.opaque
            and self._rules.timed_out == timed_out
            and (hits or not wanted.recognize)
            and not self._may_name_with_digits(record.raw.translate(DIGITS_AS_ZERO))
        ):
            # nothing to mask in this line, and no secret-shaped run (whose test
            # treats digits alike): nothing in the others of its statement either
            clean = (
                not self._masker.secrets
                and (not hits or hits[0].record is record)
                and not may_hold_secret(record.raw)
            )
            self._memo.put(key, record.raw, seen.spans, (hits, recognised, clean))
        return hits, recognised

    def _may_name_with_digits(self, zeroed: str) -> bool:
        """Whether a line with digits ``zeroed`` could name an exchange whose name
        holds digits (``mt5``; a line of its key with other digits would not)."""
        lowered = zeroed.lower()
        return any(name in lowered for name in self._digit_names)

    def _digit_classes(self, wanted: Wanted) -> dict[int, int] | None:
        """The digits every rule and shape ``wanted`` asks for treats alike, as a
        ``digit_classes`` table; None when one tells digits apart otherwise."""
        if wanted in self._classes:
            return self._classes[wanted]
        if len(self._classes) >= 4096:
            self._classes.clear()
        cuts = self._wanted_cuts(wanted)
        classes = None if cuts is None else digit_classes(cuts)
        self._classes[wanted] = classes
        return classes

    def _wanted_cuts(self, wanted: Wanted) -> frozenset[int] | None:
        """Where the rules and shapes ``wanted`` asks for tell digits apart (None:
        one does otherwise)."""
        cuts: set[int] = set()
        for got in (
            *(self._rule_cuts[i] for i in wanted.rules),
            *(self._shape_cuts[i] for i in wanted.shapes),
        ):
            if got is None:
                return None
            cuts |= got
        return frozenset(cuts)

    def _match(
        self,
        record: Record,
        wanted: Wanted | None = None,
        disabled_now: list[tuple[Rule, str]] | None = None,
    ) -> tuple[list[Hit], bool]:
        """The hits, and whether the record was recognised (a silent code is), in
        three named steps: the hand-written rules' hits (in the rules' index space),
        what a catalogue shape finds (in the shapes' own), and the two merged by the
        policy that a rule beats the catalogue; then one alert per line."""
        if wanted is None:
            wanted = self._prefilter.everything
        return self._steps(
            Seen(record, self.recognizer, self._masker), wanted, disabled_now
        )

    def _steps(
        self,
        seen: Seen,
        wanted: Wanted,
        disabled_now: list[tuple[Rule, str]] | None,
    ) -> Matched:
        """``_match``'s three steps on a record ``seen``."""
        hits = (
            self._rules.hits(seen, wanted.rules, disabled_now) if wanted.rules else []
        )
        shaped = (
            self._shapes.found(seen, wanted.shapes, hits) if wanted.shapes else None
        )
        hits, recognised = self._policy.merge(seen, hits, shaped, wanted.recognize)
        if len(hits) > 1:
            hits = one_per_line(hits)
        return hits, recognised


def _cuts(patterns: Iterable[regex.Pattern[str]]) -> frozenset[int] | None:
    """Where any of ``patterns`` tells digits apart (``digit_cuts``), None when
    one does otherwise (or was compiled verbose or ``V1``: not read here)."""
    cuts: set[int] = set()
    for p in patterns:
        if p.flags & (regex.VERBOSE | regex.V1):
            return None
        got = digit_cuts(p.pattern)
        if got is None:
            return None
        cuts |= got
    return frozenset(cuts)


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
                wrong = _wrong(engine, entry, line)
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


def _wrong(engine: Engine, entry: Entry, line: str) -> list[str]:
    """What ``line``, one of ``entry``'s examples, gives that it should not: any
    hit for a silent code; else all hits (or "nothing") when none is the code's."""
    owners = engine.candidates(line.encode("utf-8")).values()
    hits = engine.match(sample_record(line), Wanted.union(owners))
    if entry.rule_id is None:
        return [h.rule_id for h in hits]
    found = [h for h in hits if h.exchange == entry.exchange and entry.code in h.codes]
    return [] if found else [h.rule_id for h in hits] or ["nothing"]


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
