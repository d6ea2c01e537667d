"""Literal gates of a rule's patterns: word sets, one word of each of which every
match holds, so a search is skipped where one is missing from the text.

The prefilter lets a record through on one keyword of a rule (``Refuse (``); a rule
may demand more (one of its broker names after it), and most records that reach it
hold none: a look for a few words in the text lowered costs a tenth of a search.
"""

from __future__ import annotations

from typing import Any

import regex

from logwatch.rulebook.patterns import _exact, parse

#: A gate's words, lowered: every match of a pattern holds one of them.
Gate = frozenset[str]
#: A gate of more words than this costs more than the search it saves.
_MAX_WORDS = 16
#: What ``regex`` reads otherwise than the stdlib parser: a class name
#: (``[[:alpha:]]``), or a ``{`` that is not a repeat count (``(?:…){e<=1}``).
_REPEAT_COUNT = regex.compile(r"\{\d*(?:,\d*)?\}")


def _tree(pattern: str) -> Any | None:
    """The stdlib parser's tree of ``pattern``, where it reads it as ``regex`` does."""
    if "[:" in pattern:
        return None
    if "{" in _REPEAT_COUNT.sub("", pattern).replace("\\\\", "").replace("\\{", ""):
        return None
    try:
        return parse(pattern)
    except Exception:  # noqa: BLE001  no parser, or syntax it does not know
        return None


def pattern_gates(pattern: str) -> tuple[Gate, ...]:
    """The gates of one pattern (none: nothing is known, it is always searched)."""
    tree = _tree(pattern)
    if tree is None:
        return ()
    return tuple(g for g in _gates(tree) if all(w.isascii() for w in g))


def _gates(items: Any) -> list[Gate]:
    """Every gate of a sequence of the parser's items, read left to right."""
    from logwatch.rulebook.patterns import _sre_c as c

    found: list[Gate] = []
    run = {""}

    def close() -> None:
        nonlocal run
        if all(run):
            found.append(frozenset(run))
        run = {""}

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # consumes nothing: a run goes on across it
        exact = (
            _exact([(op, av)])
            if op in (c.LITERAL, c.IN, c.SUBPATTERN, c.BRANCH)
            else None
        )
        if exact is not None:
            if len(run) * len(exact) > _MAX_WORDS:
                close()
            run = {s + t for s in run for t in exact}
            continue
        close()
        if op is c.SUBPATTERN:
            found.extend(_gates(av[3]))
        elif op is c.BRANCH:
            # one gate of each branch, joined: a match takes one of the branches
            alts = [_gates(branch) for branch in av[1]]
            if all(alts):
                found.append(frozenset().union(*(max(a, key=_strength) for a in alts)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            found.extend(_gates(av[2]))
        elif op is c.ATOMIC_GROUP:
            found.extend(_gates(av))
    close()
    return found


def _strength(gate: Gate) -> tuple[int, int]:
    """Which gate of a branch to keep: the longest shortest word, then the fewest."""
    return (min(len(w) for w in gate), -len(gate))


def passes(gates: tuple[Gate, ...], lowered: str) -> bool:
    """Whether ``lowered`` (an ASCII text lowered) holds a word of every gate."""
    for gate in gates:
        for word in gate:
            if word in lowered:
                break
        else:
            return False
    return True
