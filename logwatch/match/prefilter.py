"""The prefilter: one Aho-Corasick pass over a block's raw bytes (ASCII lowercased)
finds the keywords of rules, catalogue shapes and the recognizer, and says for each
what it asks to be tried. Most lines hold none and never reach a regex.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ahocorasick_rs import BytesAhoCorasick, Implementation

from logwatch.rulebook.catalogue import Shape
from logwatch.rulebook.rules import Rule

#: How many unions of two keywords' owners a prefilter remembers.
_UNIONS_KEPT = 4096


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
        out = NOTHING
        for w in wanted:
            out = out | w
        return out


#: What a record without keywords asks for.
NOTHING = Wanted()


class Prefilter:
    """Keywords -> what they ask for; ``candidates`` finds them in bytes."""

    def __init__(
        self,
        rules: tuple[Rule, ...],
        shapes: tuple[Shape, ...],
        recognizer_keywords: Iterable[bytes],
    ) -> None:
        of_rules: dict[bytes, set[int]] = {}
        of_shapes: dict[bytes, set[int]] = {}
        for index, rule in enumerate(rules):
            for word in rule.keywords:
                of_rules.setdefault(word, set()).add(index)
        for index, shape in enumerate(shapes):
            for word in shape.keywords:
                of_shapes.setdefault(word, set()).add(index)
        recognize = dict.fromkeys(recognizer_keywords)
        #: what the prefilter looks for: rules' and shapes' keywords, never codes
        self.keywords = tuple(dict.fromkeys([*of_rules, *of_shapes, *recognize]))
        #: what each keyword asks for, by the keyword's index in ``keywords``
        self._owners = tuple(
            Wanted(
                frozenset(of_rules.get(w, ())),
                frozenset(of_shapes.get(w, ())),
                w in recognize,
            )
            for w in self.keywords
        )
        self._unions: dict[tuple[Wanted, Wanted], Wanted] = {}
        #: keyword indexes found in a line, as found -> what they ask for
        self._asked: dict[tuple[int, ...], Wanted] = {}
        #: the whole rule set: what a match tries without a prefilter (a rule without
        #: patterns, a catalogue code's, never matches: ~10,000 indexes less)
        self.everything = Wanted(
            frozenset(i for i, rule in enumerate(rules) if rule.patterns),
            frozenset(range(len(shapes))),
            recognize=True,
        )
        # a DFA: the fastest scan, and its size is bounded (the keywords never grow
        # with the catalogue)
        self._automaton = (
            BytesAhoCorasick(list(self.keywords), implementation=Implementation.DFA)
            if self.keywords
            else None
        )

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
                    owners[word] if got is None else self.union(got, owners[word])
                )
        return found

    def by_line(
        self, data: bytes, start: int = 0, stop: int | None = None
    ) -> dict[int, Wanted]:
        """What the keywords in ``data[start:stop]`` ask for, by the start of their
        line (``start`` is a line start): the keywords of a line gathered as they
        are found, and what they ask for made once for each such gathering."""
        if self._automaton is None:
            return {}
        stop = len(data) if stop is None else stop
        words_at: dict[int, list[int]] = {}
        words: list[int] = []
        # the range alone is searched (a keyword across its ends is not in it), so
        # every keyword found counts; bytes.lower is ASCII-only, as the keywords are
        lowered = data.lower()
        # the line of the last keyword found (they come in order: one look per line)
        line, line_end = 0, -1
        rfind, find = lowered.rfind, lowered.find
        for word, pos, _ in self._automaton.find_matches_as_indexes(
            memoryview(lowered)[start:stop], overlapping=True
        ):
            pos += start
            if not line <= pos < line_end:
                line = rfind(b"\n", start, pos) + 1 or start
                line_end = find(b"\n", pos)
                if line_end < 0:
                    line_end = len(data)
                words = words_at.setdefault(line, [])
            words.append(word)
        asked = self._asked
        out = {}
        for line, found in words_at.items():
            key = tuple(found)
            wanted = asked.get(key)
            if wanted is None:
                if len(asked) >= _UNIONS_KEPT:
                    asked.clear()
                wanted = asked[key] = Wanted.union(self._owners[w] for w in key)
            out[line] = wanted
        return out

    def union(self, a: Wanted, b: Wanted) -> Wanted:
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
