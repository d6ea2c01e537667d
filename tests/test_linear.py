"""Every pattern logwatch applies to text runs in time linear in that text.

One pattern that backtracks without end on one log line stops the matching thread, and
with it every alert (issue 18: ``aaa…a1`` in a hit cost redaction minutes). The patterns
are collected, not listed: each compiled pattern of each logwatch module (found in
module globals, registries, dataclasses and closures), every built-in rule's patterns
and ignores, and every catalogue shape; a pattern added later is covered by itself.

Each pattern is searched (all matches, as ``sub`` does) and full-matched on
pathological texts of 8 and 64 KiB: runs of one character, of two, of the pattern's
own literal words with and without what follows them, nested quotes and braces, and
texts Hypothesis builds from those pieces. The 64 KiB text must take at most
``LINE_BOUND_S``, and where it takes long enough to time (``TIMED_S``) it must cost at
most ``MAX_RATIO`` times the 8 KiB text: 8 is linear, 64 quadratic.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import inspect
import json
import pkgutil
import re
import sys
import time
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import logwatch
from logwatch.match.redact import redact
from logwatch.rulebook.patterns import parse
from tests.daemon_run import logwatch as logwatch_process
from tests.samples import shipped_rules

#: The most one pattern may take on one 64 KiB line, on a loaded 2-core machine (the
#: slowest, a rule that looks 300 characters past each ``binance``, takes about 0.2 s
#: on a line of nothing but ``binance``: linear, with a large factor).
LINE_BOUND_S = 1.0
#: Below this a time says little (scheduling, caches): the ratio is not checked.
TIMED_S = 0.03
#: 8x the text, at most this many times the time (linear: 8; quadratic: 64).
MAX_RATIO = 32
SMALL, BIG = 8 * 1024, 64 * 1024

AnyPattern = re.Pattern[Any] | regex.Pattern[Any]
_PATTERN_TYPES = (re.Pattern, type(regex.compile("")))


def _walk(obj: object, found: list[Any], seen: dict[int, int], depth: int = 0) -> None:
    """Compiled patterns reachable from ``obj`` in values logwatch defines, within 8
    steps of a module's globals. The same patterns, and in the same order, in every
    process whatever its hash seed (parallel test workers must collect the same tests):
    a value is walked again when reached by a shorter way, and sets in a sorted order."""
    if depth > 8 or seen.get(id(obj), depth + 1) <= depth:
        return
    seen[id(obj)] = depth
    if isinstance(obj, _PATTERN_TYPES):
        found.append(obj)
    elif isinstance(obj, dict | types.MappingProxyType):
        for value in obj.values():
            _walk(value, found, seen, depth + 1)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _walk(value, found, seen, depth + 1)
    elif isinstance(obj, set | frozenset):
        for value in sorted(obj, key=repr):
            _walk(value, found, seen, depth + 1)
    elif isinstance(obj, types.FunctionType):
        if obj.__module__.startswith("logwatch"):
            for cell in obj.__closure__ or ():
                _walk(cell.cell_contents, found, seen, depth + 1)
            _walk(obj.__defaults__ or (), found, seen, depth + 1)
    elif isinstance(obj, type):
        if obj.__module__.startswith("logwatch"):
            _walk(dict(vars(obj)), found, seen, depth + 1)
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            _walk(getattr(obj, f.name), found, seen, depth + 1)


def _all_patterns() -> dict[str, AnyPattern]:
    """Every pattern, by where it was found (the first place, when in several)."""
    named: dict[str, AnyPattern] = {}
    known: set[tuple[object, int]] = set()

    def add(where: str, pattern: AnyPattern) -> None:
        if (pattern.pattern, pattern.flags) not in known:
            known.add((pattern.pattern, pattern.flags))
            named[f"{where}: {pattern.pattern!r}"[:120]] = pattern

    seen: dict[int, int] = {}
    for info in pkgutil.walk_packages(logwatch.__path__):
        if info.name == "__main__":  # runs the command line when imported
            continue
        module = importlib.import_module(f"logwatch.{info.name}")
        source = inspect.getsource(module)
        for name, value in vars(module).items():
            if not regex.search(rf"(?m)^(?:{name}\b|(?:def|class) {name}\b)", source):
                continue  # imported from the module that defines it
            found: list[Any] = []
            _walk(value, found, seen)
            for pattern in found:
                add(f"{info.name}.{name}", pattern)
    rules = shipped_rules()
    for rule in rules:
        for pattern in (*rule.patterns, *rule.ignore):
            add(f"rule {rule.id}", pattern)
    for shape in rules.catalogue.shapes:
        add(f"shape {shape.id}", shape.pattern)
    return named


PATTERNS = _all_patterns()


def _literals(pattern: AnyPattern) -> list[str]:
    """The pattern's own literal words (``ErrCode: ``, ``://``), where the stdlib
    parser reads it: texts built of them reach deep into the pattern."""
    text = pattern.pattern
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    try:
        tree = parse(text)
    except Exception:  # noqa: BLE001  regex-only syntax: split the source instead
        return [w for w in regex.split(r"\\.|[^\w :=@/\"'{}()\[\]-]", text) if w][:12]
    words: list[str] = []

    def visit(items: Any) -> None:
        run = ""
        for op, av in items:
            if str(op) == "LITERAL":
                run += chr(av)
                continue
            if run:
                words.append(run)
            run = ""
            for sub in _subpatterns(op, av):
                visit(sub)
        if run:
            words.append(run)

    visit(tree)
    return sorted(set(words), key=lambda w: (-len(w), w))[:12]


def _subpatterns(op: Any, av: Any) -> Iterator[Any]:
    name = str(op)
    if name == "SUBPATTERN":
        yield av[3]
    elif name == "BRANCH":
        yield from av[1]
    elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        yield av[2]
    elif name in ("ASSERT", "ASSERT_NOT"):
        yield av[1]
    elif name == "ATOMIC_GROUP":
        yield av


#: Characters logs are made of, and that patterns treat specially.
_CHARS = " \t\naA1_-.,:;=\"'\\{}[]()|/%@#<>!?+&$^~ſéж"
#: Two-character units: letters and digits, words and separators, escapes, quotes.
_PAIRS = ["aA", "a1", "a ", "a.", "a-", "a_", "a:", "a/", "1.", "1,", "1:", '\\"']
_PAIRS += ['"a', "'a", "{a", "(a", "[a", "a|", "a\t", "a=", ": ", ", ", "- ", "@a"]


def _text(head: str, unit: str, tail: str = "") -> Callable[[int], str]:
    """``head + unit * k + tail`` of about ``n`` characters."""

    def make(n: int) -> str:
        return head + unit * max(1, n // len(unit)) + tail

    return make


def _families(words: list[str]) -> Iterator[tuple[str, Callable[[int], str]]]:
    """Pathological texts of about ``n`` characters, by name; ``words``: literal
    words of what is tested."""
    for c in _CHARS:
        yield f"{c!r}*n", _text("", c)
        yield f"{c!r}*n+'1'", _text("", c, "1")
    for pair in _PAIRS:
        yield f"{pair!r}*n", _text("", pair, "\x00")
    yield "letters and a digit", _text("", "a", "1")
    yield "words in capitals and a digit", _text("", "Abc", "1")
    yield "nested braces", _text("", '{"a":')
    yield "nested quotes", _text("", '"\'\\"')
    for word in words:
        for filler in (" ", "a", "1", ":", "\t"):
            yield f"{word!r}+{filler!r}", _text("", word + filler)
            yield f"{word!r} then {filler!r}*n", _text(word, filler)
            yield f"{filler!r}*n then {word!r}", _text("", filler, word[:-1])


def _searched(pattern: AnyPattern) -> list[Callable[[str], object]]:
    """The ways a pattern is applied: every match found (as by ``sub``), and a full
    match (``fullmatch``: a failing one is where backtracking shows)."""
    binary = isinstance(pattern.pattern, bytes)

    def every(text: str) -> object:
        # consumed, not kept: 64 Ki match objects would time the allocator
        return deque(pattern.finditer(text.encode() if binary else text), maxlen=0)

    def full(text: str) -> object:
        return pattern.fullmatch(text.encode() if binary else text)

    return [every, full]


#: This thread's CPU time where it is fine-grained (a busy machine preempts a long
#: run more often than a short one, which skews wall time), else the wall clock.
#: Windows reports 100 ns for GetThreadTimes but advances it by scheduler ticks
#: (15.6 ms; 10 ms under Wine): there 8 KiB took "0 ms" and every ratio failed.
_CLOCK = (
    time.thread_time
    if sys.platform != "win32" and time.get_clock_info("thread_time").resolution <= 1e-5
    else time.perf_counter
)


def _cost(run: Callable[[str], object], text: str) -> float:
    """Seconds ``run(text)`` takes, without the garbage collector's pauses."""
    gc.disable()
    try:
        start = _CLOCK()
        run(text)
        return _CLOCK() - start
    finally:
        gc.enable()


@dataclasses.dataclass
class Verdict:
    """How one run fared on one kind of text: seconds at 8 and 64 KiB."""

    what: str
    small_s: float
    big_s: float

    @property
    def linear(self) -> bool:
        if self.big_s > LINE_BOUND_S:
            return False
        return self.big_s < TIMED_S or self.big_s <= MAX_RATIO * self.small_s

    def __str__(self) -> str:
        return (
            f"{self.what}: {self.small_s * 1000:.1f} ms at 8 KiB, "
            f"{self.big_s * 1000:.1f} ms at 64 KiB"
        )


def judge(
    run: Callable[[str], object], what: str, make: Callable[[int], str]
) -> Verdict:
    """``run`` on ``make(8 KiB)`` and on ``make(64 KiB)``: the least of up to
    four tries of each, in turns, which drops what other processes cost."""
    small_text, big_text = make(SMALL), make(BIG)
    verdict = Verdict(what, float("inf"), float("inf"))
    for _ in range(4):
        verdict.small_s = min(verdict.small_s, _cost(run, small_text))
        if verdict.small_s > LINE_BOUND_S:  # already too slow: not the big one
            break
        verdict.big_s = min(verdict.big_s, _cost(run, big_text))
        if verdict.linear:
            break
    return verdict


def worst(
    runs: list[Callable[[str], object]],
    families: Iterable[tuple[str, Callable[[int], str]]],
) -> Verdict:
    """The first verdict that is not linear, else the slowest."""
    slowest = Verdict("nothing", 0.0, 0.0)
    for what, make in families:
        for run in runs:
            verdict = judge(run, f"{what} ({run.__name__})", make)
            if not verdict.linear:
                return verdict
            if verdict.big_s > slowest.big_s:
                slowest = verdict
    return slowest


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_each_pattern_runs_in_linear_time_on_pathological_lines(name: str) -> None:
    pattern = PATTERNS[name]
    verdict = worst(_searched(pattern), _families(_literals(pattern)))
    assert verdict.linear, str(verdict)


#: Pieces Hypothesis builds texts of, beside each pattern's own words.
_PIECES = [*_CHARS, *_PAIRS, "0x", '\\"', "  ", "\r\n"]


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=6)
@given(data=st.data())
def test_each_pattern_runs_in_linear_time_on_generated_lines(
    name: str, data: st.DataObject
) -> None:
    """A text made of a unit repeated, between a head and a tail, of the pattern's
    words and the characters around them: ``prefix + unit * k + suffix``."""
    pattern = PATTERNS[name]
    pieces = st.sampled_from(_PIECES + _literals(pattern))
    head = "".join(data.draw(st.lists(pieces, max_size=2), label="head"))
    unit = "".join(data.draw(st.lists(pieces, min_size=1, max_size=4), label="unit"))
    tail = "".join(data.draw(st.lists(pieces, max_size=2), label="tail"))

    what = f"{head!r} + {unit!r}*k + {tail!r}"
    verdict = worst(_searched(pattern), [(what, _text(head, unit, tail))])
    assert verdict.linear, str(verdict)


def test_redaction_runs_in_linear_time_on_pathological_lines() -> None:
    """Its cheap tests before the patterns, and the patterns' callbacks, too."""
    words = ["key", "key=", "apiKey", "secret: ", "token", "://a:", "@", "bearer "]
    words += ["1.2.3.", "a:", "1234567:", '"passphrase": "', "pwd="]
    verdict = worst([redact], _families(words))
    assert verdict.linear, str(verdict)


def test_a_hit_on_a_long_line_is_reported_at_once(tmp_path: Path) -> None:
    """The finding: an error, then 2 KiB of letters and a digit. Redacting that hit
    took longer than any wait; it must take a moment and be alerted."""
    log = tmp_path / "bot.log"
    error = '2026-09-16 10:54:08 ERROR binance {"code":-2019,"msg":"Margin is insufficient."}'
    log.write_text(f"{error} {'a' * 2048}1\n", encoding="utf-8")
    done = logwatch_process("scan", "--json", "--lang", "en", str(log), timeout=50)
    assert done.returncode == 0, done.stderr
    hit = json.loads(done.stdout.splitlines()[0])
    assert hit["rule"] == "binance.margin-insufficient"
    assert hit["text"].startswith(error)
