"""Step 1 of a match: the hand-written rules, each by its index in the rule set.

A rule of plain words is found with ``str.find``; the others are searched with their
patterns, each search with a timeout, and a rule that times out too often is disabled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Protocol

import regex

from logwatch.core.model import Hit, Recognition
from logwatch.match.attribution import NEUTRAL, Attribution
from logwatch.match.exchangenames import Named
from logwatch.match.gates import Gate, passes, pattern_gates
from logwatch.match.memo import DIGITS
from logwatch.match.recognizer import Recognizer
from logwatch.match.seen import Masker, Seen
from logwatch.rulebook.rules import Rule

#: the flags a rule's pattern is compiled with (patterns.PATTERN_FLAGS), and UNICODE
_PLAIN_FLAGS = regex.IGNORECASE | regex.VERSION0 | regex.UNICODE
#: what makes a pattern more than its plain words (``regex``'s syntax, VERSION0)
_SYNTAX = frozenset(".^$*+?{}[]\\|()")


class _Match(Protocol):
    """What a hit needs of a rule's match (``regex.Match`` or ``_Literal``)."""

    def start(self) -> int: ...
    def group(self) -> str: ...
    def groupdict(self) -> dict[str, str | None]: ...
    def span(self, group: int | str = 0) -> tuple[int, int]: ...


class _Literal:
    """A plain word's match: where it starts and ends in the text."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def group(self) -> str:
        return self._text[self._start : self._end]

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self._start, self._end

    def groupdict(self) -> dict[str, str | None]:
        return {}


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


#: A rule's gates: of each pattern, then of each ignore (see ``gates``)
_RuleGates = tuple[tuple[tuple[Gate, ...], ...], tuple[tuple[Gate, ...], ...]]


def _rule_gates(rule: Rule) -> _RuleGates | None:
    """The gates of a rule's patterns and ignores, when every one is compiled with
    plain flags (then the stdlib parser reads it as the rule's compiled pattern)."""
    patterns = (*rule.patterns, *rule.ignore)
    if not all(p.flags & ~_PLAIN_FLAGS == 0 for p in patterns):
        return None
    gates = (
        tuple(pattern_gates(p.pattern) for p in rule.patterns),
        tuple(pattern_gates(p.pattern) for p in rule.ignore),
    )
    return gates if any(g for side in gates for g in side) else None


def _gated_match(
    rule: Rule, gates: _RuleGates, text: str, lowered: str, timeout_s: float
) -> regex.Match[str] | None:
    """``Rule.match`` in an ASCII ``text`` (``lowered``), without the searches of
    patterns whose gates the text does not pass (they cannot match it).

    Raises:
        TimeoutError: a search ran longer than ``timeout_s``.
    """
    timeout = None if rule.bounded else timeout_s
    for pattern, gate in zip(rule.patterns, gates[0], strict=True):
        if gate and not passes(gate, lowered):
            continue
        m = pattern.search(text, timeout=timeout)
        if m is not None:
            break
    else:
        return None
    for veto, gate in zip(rule.ignore, gates[1], strict=True):
        if gate and not passes(gate, lowered):
            continue
        if veto.search(text, timeout=timeout) is not None:
            return None
    return m


class RuleStep:
    """The hand-written rules: their hits on a record, and the rules disabled."""

    def __init__(
        self,
        rules: tuple[Rule, ...],
        recognizer: Recognizer,
        attribution: Attribution,
        masker: Masker,
        timeout_s: float,
        max_timeouts: int,
        lookup: Callable[[str], Rule | None] | None = None,
    ) -> None:
        self.rules = rules
        self._by_id = {rule.id: rule for rule in rules}
        #: the rules not in ``rules`` (a rule set's packed ones), by id
        self._lookup = lookup
        self._recognizer = recognizer
        self._attribution = attribution
        self._masker = masker
        self.timeout_s = timeout_s
        self.max_timeouts = max_timeouts
        self.timeouts: Counter[str] = Counter()
        #: how many searches timed out (``memo`` remembers no statement that did)
        self.timed_out = 0
        #: rule id -> why it is off (its searches timed out)
        self.disabled: dict[str, str] = {}
        #: each rule's patterns and ignores lowered, when all are plain words
        self.literals = tuple(
            _literals(rule) if rule.patterns else None for rule in rules
        )
        #: the other rules' gates, by index, read off their patterns when a record
        #: first asks for the rule (most never are: not at each start)
        self._gates: dict[int, _RuleGates | None] = {}

    def enabled(self, rule_id: str) -> Rule | None:
        """The rule of that id, unless there is none or it was disabled."""
        return self._rule(rule_id) if rule_id not in self.disabled else None

    def documents(self, rule_id: str, code: int | str) -> bool:
        """Whether the rule of that id names ``code`` among its codes."""
        rule = self._rule(rule_id)
        if rule is None:
            raise KeyError(rule_id)
        return code in rule.codes

    def _rule(self, rule_id: str) -> Rule | None:
        rule = self._by_id.get(rule_id)
        if rule is None and self._lookup is not None:
            rule = self._lookup(rule_id)
        return rule

    def hits(
        self,
        seen: Seen,
        indexes: frozenset[int],
        disabled_now: list[tuple[Rule, str]] | None = None,
    ) -> list[Hit]:
        """The hits of the rules at ``indexes`` whose patterns match, in rule order;
        a rule of exchange X stays quiet on a line that names exchange Y. Rules
        disabled meanwhile are added to ``disabled_now``."""
        hits = []
        for rule, m in self._matched(seen, indexes, disabled_now):
            fires, named = self._attributed(seen, rule, m)
            if fires:
                hits.append(self._hit(seen, rule, m, named))
        return hits

    def _matched(
        self,
        seen: Seen,
        indexes: frozenset[int],
        disabled_now: list[tuple[Rule, str]] | None,
    ) -> list[tuple[Rule, _Match]]:
        """The rules at ``indexes`` that match the record, with their matches."""
        text = seen.record.text
        lowered = text.lower() if text.isascii() else None
        matched: list[tuple[Rule, _Match]] = []
        for i in sorted(indexes):
            rule = self.rules[i]
            if rule.id in self.disabled:
                continue
            literals = self.literals[i]
            m: _Match | None
            if i in self._gates:
                gates = self._gates[i]
            else:
                gates = self._gates[i] = _rule_gates(rule) if literals is None else None
            if literals is not None and lowered is not None:
                m = _find_literal(text, lowered, *literals)
            else:
                try:
                    if gates is not None and lowered is not None:
                        m = _gated_match(rule, gates, text, lowered, self.timeout_s)
                    else:
                        m = rule.match(text, self.timeout_s)
                except TimeoutError:
                    self._timed_out(rule, disabled_now)
                    continue
            if m is not None:
                matched.append((rule, m))
        return matched

    def _attributed(
        self, seen: Seen, rule: Rule, m: _Match
    ) -> tuple[bool, Named | None]:
        """Whether ``rule``'s match fires, and the exchange the line names there."""
        record = seen.record
        if rule.exchange in self._attribution.exchanges:
            # a rule of exchange X never fires for a line that names exchange Y
            named = self._recognizer.attribute(seen.names(), m.start(), record.fields)
            if named is not None and named.exchange != rule.exchange:
                return False, named
            if named is None:
                seen.opaque = True  # whose library printed it: not for the memo
            if named is None and not self._attribution.owns(rule.exchange, record):
                return False, None  # no exchange named: the recognizer's category alone
            return True, named
        if rule.exchange in NEUTRAL:
            # a bot's own rule (``Failed to submit buy order to Kucoin``): the
            # alert names the exchange the record names, if it names one
            return True, self._recognizer.attribute(
                seen.names(), m.start(), record.fields
            )
        return True, None

    def _hit(self, seen: Seen, rule: Rule, m: _Match, named: Named | None) -> Hit:
        """The hit of one rule's match ``m`` (``named``: the exchange the line
        names there)."""
        record = seen.record
        masked = seen.masked()
        evidence = m.group()
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        captures = {k: self._masker.text(v) for k, v in groups.items()}
        # a text of this line's own digits: the memo keys the statement by them
        if DIGITS.intersection(evidence):
            seen.spans.append(m.span())
        seen.spans.extend(
            m.span(k) for k, v in groups.items() if DIGITS.intersection(v)
        )
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
            if named is not None and rule.exchange in NEUTRAL
            else rule.exchange,
            recognition=Recognition(
                "rule",
                evidence[:80],
                rule.exchange,
                named.how if named is not None else "rule",
                named.words if named is not None else "",
                "rule",
                rule.id,
                rule.category,
            ),
        )

    def _timed_out(
        self, rule: Rule, disabled_now: list[tuple[Rule, str]] | None
    ) -> None:
        self.timeouts[rule.id] += 1
        self.timed_out += 1
        if self.timeouts[rule.id] >= self.max_timeouts:
            why = (
                f"its patterns timed out {self.timeouts[rule.id]} times "
                f"(limit {self.timeout_s:g} s per search)"
            )
            self.disabled[rule.id] = why
            if disabled_now is not None:
                disabled_now.append((rule, why))
