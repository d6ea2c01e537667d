"""The prefilter: each keyword asks for the rules and the shapes that hold it, each
in its own index space, and only inside the window it is given."""

from __future__ import annotations

from logwatch.match.prefilter import NOTHING, Prefilter, Wanted
from logwatch.match.recognizer import Recognizer
from tests.samples import shipped_rules

RULES = shipped_rules()
SHAPES = RULES.catalogue.shapes
RECOGNIZER = Recognizer(RULES.catalogue)
PREFILTER = Prefilter(tuple(RULES), SHAPES, RECOGNIZER.keywords)


def test_each_keyword_asks_for_the_rules_and_the_shapes_that_hold_it() -> None:
    """A rule's index is an index in the rules, a shape's in the shapes: keywords
    found at the start of a word are those the word starts with."""
    rules = tuple(RULES)
    for word in PREFILTER.keywords:
        wanted = PREFILTER.candidates(word)[0]
        assert wanted.rules == {
            i for i, r in enumerate(rules) if any(map(word.startswith, r.keywords))
        }, word
        assert wanted.shapes == {
            i for i, s in enumerate(SHAPES) if any(map(word.startswith, s.keywords))
        }, word
        assert wanted.recognize == any(map(word.startswith, RECOGNIZER.keywords))


def test_a_keyword_outside_the_window_is_not_a_candidate() -> None:
    word = PREFILTER.keywords[0]
    data = b"aa " + word + b"\n"
    assert list(PREFILTER.candidates(data, start=3)) == [3]
    assert PREFILTER.candidates(data, start=4) == {}
    assert PREFILTER.candidates(data, stop=len(word) + 2) == {}


def test_a_union_of_owners_is_made_once_and_is_what_both_ask_for() -> None:
    a, b = Wanted(frozenset({1}), frozenset({2})), Wanted(frozenset(), frozenset({3}))
    got = PREFILTER.union(a, b)
    assert got == Wanted(frozenset({1}), frozenset({2, 3}), recognize=False)
    assert PREFILTER.union(a, b) is got
    assert Wanted.union([]) is NOTHING
    assert Wanted.union([a, b, Wanted(recognize=True)]).recognize


def test_without_a_prefilter_everything_is_wanted() -> None:
    """Every rule that can match (a catalogue code's rule has no pattern), every
    shape, and the recognizer."""
    everything = PREFILTER.everything
    assert everything.rules == {i for i, rule in enumerate(RULES) if rule.patterns}
    assert len(everything.rules) < len(RULES)
    assert everything.shapes == frozenset(range(len(SHAPES)))
    assert everything.recognize


def test_by_line_gathers_each_lines_keywords_in_any_case_inside_the_window() -> None:
    """What a line's keywords ask for is keyed by the line's start; a keyword across
    either end of the window is not in it, as if the rest were not there."""
    first, second = [w for w in PREFILTER.keywords if w.isalpha()][:2]
    lines = [b"xx " + first.upper() + b"\n", b"yy\n", b"z " + second + b" " + first]
    data = b"".join(lines)
    last = len(lines[0]) + len(lines[1])
    alone = PREFILTER.by_line(lines[2])[0]
    assert alone == PREFILTER.by_line(first)[0] | PREFILTER.by_line(second)[0]
    assert PREFILTER.by_line(data) == {0: PREFILTER.by_line(first)[0], last: alone}
    assert PREFILTER.by_line(data, start=len(lines[0])) == {last: alone}
    for start, stop in ((4, len(data)), (0, len(data) - 1), (4, len(data) - 3)):
        within = PREFILTER.by_line(data[start:stop])
        assert PREFILTER.by_line(data, start, stop) == {
            line + start: wanted for line, wanted in within.items()
        }
