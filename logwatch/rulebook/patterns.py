"""What a regex demands of a line: the literal keywords the prefilter looks for, and
the nested repeats that could make it backtrack for ever.

Both are read off the stdlib parser's tree of the pattern (``regex``'s own syntax
beyond it is left to the rule's explicit ``keywords``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import regex

#: Flags every pattern is compiled with; a pattern may turn case back on with ``(?-i)``.
PATTERN_FLAGS = regex.IGNORECASE | regex.VERSION0
#: A keyword shorter than this would let too many lines through the prefilter.
MIN_KEYWORD_CHARS = 3

try:  # CPython's private parser (sre_parse before 3.11): it may be renamed again
    _sre: Any = importlib.import_module("re._parser")
    _sre_c: Any = importlib.import_module("re._constants")
except ImportError:
    _sre = _sre_c = None

#: Why keywords cannot be read off patterns on this Python (None: they can).
NO_PARSER = (
    "this Python has no re._parser to read keywords off patterns; "
    "list them under `keywords:`"
)

_MAX_ALTERNATIVES = 16
_BREAKERS = frozenset(
    '"\\'
)  # JSON writers escape these, so raw lines may not hold them


def parse(pattern: str) -> Any:
    """The stdlib parser's tree of ``pattern``.

    Raises:
        LookupError: this Python has no such parser (``NO_PARSER`` says what to do).
    """
    if _sre is None:
        raise LookupError(NO_PARSER)
    return _sre.parse(pattern, PATTERN_FLAGS & ~regex.VERSION0)


def _exact(items: Any) -> set[str] | None:
    """The finite set of strings a (sub)pattern matches, if small and literal."""
    out = {""}
    for op, av in items:
        if op is _sre_c.LITERAL:
            ch = chr(av).lower()
            if ch in _BREAKERS:
                return None
            out = {s + ch for s in out}
        elif op is _sre_c.IN:
            chars = _class_chars(av)
            if chars is None:
                return None
            out = {s + c for s in out for c in chars}
        elif op is _sre_c.SUBPATTERN:
            sub = _exact(av[3])
            if sub is None:
                return None
            out = {s + t for s in out for t in sub}
        elif op is _sre_c.BRANCH:
            alts: set[str] = set()
            for branch in av[1]:
                sub = _exact(branch)
                if sub is None:
                    return None
                alts |= sub
            out = {s + t for s in out for t in alts}
        elif op in (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT):
            continue
        else:
            return None
        if len(out) > _MAX_ALTERNATIVES:
            return None
    return out


def _class_chars(items: Any) -> set[str] | None:
    chars = set()
    for op, av in items:
        if op is not _sre_c.LITERAL:
            return None
        chars.add(chr(av).lower())
    if len(chars) > 4 or chars & _BREAKERS:
        return None
    return chars


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    def score(s: set[str] | None) -> tuple[int, int]:
        return (min(len(x) for x in s), -len(s)) if s else (-1, 0)

    return a if score(a) >= score(b) else b


def required_literals(items: Any) -> set[str] | None:
    """Strings one of which every match must contain (lowercase), or None."""
    best: set[str] | None = None
    run = {""}

    def close() -> None:
        nonlocal best, run
        if any(run):
            best = _better(best, {s for s in run if s} if all(run) else None)
        run = {""}

    for op, av in items:
        sub: set[str] | None
        if op in (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT):
            continue
        if op in (_sre_c.LITERAL, _sre_c.IN, _sre_c.SUBPATTERN, _sre_c.BRANCH):
            sub = _exact([(op, av)])
            if (
                sub is not None
                and len({s + t for s in run for t in sub}) <= _MAX_ALTERNATIVES
            ):
                run = {s + t for s in run for t in sub}
                continue
            close()
            if op is _sre_c.SUBPATTERN:
                best = _better(best, required_literals(av[3]))
            elif op is _sre_c.BRANCH:
                alts = [required_literals(b) for b in av[1]]
                if all(alts):
                    best = _better(best, set().union(*alts))  # type: ignore[arg-type]
            continue
        close()
        if (
            op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT)
            and av[0] >= 1
        ):
            best = _better(best, required_literals(av[2]))
        elif op is _sre_c.ATOMIC_GROUP:
            best = _better(best, required_literals(av))
    close()
    if best and min(len(s) for s in best) >= MIN_KEYWORD_CHARS:
        return best
    return None


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _children(op: Any, av: Any) -> Iterable[Any]:
    if op is _sre_c.SUBPATTERN:
        yield av[3]
    elif op is _sre_c.BRANCH:
        yield from av[1]
    elif str(op) in _REPEATS:
        yield av[2]
    elif op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
        yield av[1]
    elif op is _sre_c.ATOMIC_GROUP:
        yield av


def _has_unbounded_repeat(items: Any) -> bool:
    for op, av in items:
        if str(op) in _REPEATS and av[1] is _sre_c.MAXREPEAT:
            return True
        if any(_has_unbounded_repeat(c) for c in _children(op, av)):
            return True
    return False


def nested_quantifier(items: Any) -> bool:
    """Whether a repeat holds an unbounded repeat: catastrophic backtracking's shape."""
    for op, av in items:
        repeats = str(op) in _REPEATS and (av[1] is _sre_c.MAXREPEAT or av[1] > 1)
        if repeats and _has_unbounded_repeat(av[2]):
            return True
        if any(nested_quantifier(c) for c in _children(op, av)):
            return True
    return False


def keyword_variants(word: str) -> set[bytes]:
    """The byte strings the prefilter looks for (it lowercases ASCII only)."""
    forms = {word, word.lower(), word.upper(), word.capitalize(), word.title()}
    return {f.encode("utf-8").lower() for f in forms}


#: Paths one search may try from one position, at most, for a pattern to be searched
#: without a timeout.
MAX_PATHS = 1024
_FLAT = ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT")


def _paths(items: Any) -> int | None:
    """How many ways a match attempt at one position can go, at most; None when a
    repeat is unbounded, a construct is not understood, or the count passes
    MAX_PATHS."""
    total = 1
    for op, av in items:
        name = str(op)
        sub: int | None
        if name in _FLAT:
            continue
        if name == "SUBPATTERN":
            sub = _paths(av[3])
        elif name in ("ASSERT", "ASSERT_NOT"):
            sub = _paths(av[1])
        elif name == "ATOMIC_GROUP":
            sub = _paths(av)
        elif name == "BRANCH":
            alts = [_paths(branch) for branch in av[1]]
            sub = None if None in alts else sum(a for a in alts if a is not None)
        elif name in _REPEATS:
            low, high, body = av
            inner = _paths(body)
            if inner is None or high is _sre_c.MAXREPEAT or high - low > MAX_PATHS:
                return None
            sub = sum(min(inner**k, MAX_PATHS + 1) for k in range(low, high + 1))
        else:  # back-references, conditionals: not counted
            return None
        if sub is None:
            return None
        total *= sub
        if total > MAX_PATHS:
            return None
    return total


def bounded_work(pattern: str) -> bool:
    """Whether searching ``pattern`` costs at most MAX_PATHS paths per position of
    the text (no unbounded repeat): it cannot backtrack catastrophically, so it is
    searched without the per-search timeout (which costs microseconds a search).

    ``regex``'s own syntax the stdlib parser does not know, and every ``{`` but an
    escaped one (``regex``'s fuzzy matching: ``(?:…){e<=2}``), say no.
    """
    if "{" in pattern.replace("\\\\", "").replace("\\{", ""):
        quantifiers = regex.sub(r"\{\d*(?:,\d*)?\}\??", "", pattern)
        if "{" in quantifiers.replace("\\\\", "").replace("\\{", ""):
            return False
    try:
        tree = parse(pattern)
    except Exception:  # noqa: BLE001  no parser, or syntax it does not know
        return False
    return _paths(tree) is not None
