"""Step 3 of a match, the merge policy: a hand-written rule beats the catalogue, and
a line raises one alert however many hits it has.
"""

from __future__ import annotations

from dataclasses import replace

from logwatch.core.model import Code, Hit, Severity
from logwatch.match.exchangenames import Named
from logwatch.match.recognizerstep import RecognizerStep
from logwatch.match.rulestep import RuleStep
from logwatch.match.seen import Seen
from logwatch.match.shapestep import Shaped, ShapeStep

_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class RulesBeatCatalogue:
    """The rules' hits and what a shape found, merged into a record's hits.

    - Nothing found by a shape: the rules' hits; with none, the recognizer's.
    - A shape found a silent code (a confirmation): nothing to tell.
    - A shape found a known code: the rules' hits of that code's exchange stay,
      the code first in each; with none left, the catalogue's hit.
    - A shape found a known text: the rules' hits stay as they are.
    - A shape found a code its exchange's table lacks: the rules' hits, else
      what the recognizer makes of the line (its class or words), else the
      exchange's unknown-error hit.
    """

    def __init__(
        self, rules: RuleStep, shapes: ShapeStep, recognizer: RecognizerStep
    ) -> None:
        self._rules = rules
        self._shapes = shapes
        self._recognizer = recognizer

    def merge(
        self, seen: Seen, hits: list[Hit], shaped: Shaped | None, recognize: bool
    ) -> tuple[list[Hit], bool]:
        """The record's hits, and whether it was recognised (``recognize``: the
        recognizer may be asked when nothing else explains it)."""
        if shaped is None:
            if hits or not recognize:
                return hits, bool(hits)
            # the recognizer reads the whole line (its words, a message with its
            # digits): what it gives is this line's own, not for the memo
            seen.opaque = True
            return self._recognizer.hits(seen.record)
        found = shaped.found
        if found.entry is not None and found.entry.rule_id is None:
            return [], True  # a confirmation or success code: nothing to tell
        kept = self._rules_kept(hits, shaped)
        if kept:
            return kept, True
        if found.entry is None:
            better = self._unknown_code(seen, shaped)
            if better is not None:
                return better, True
        return self._shapes.hits(seen, shaped), True

    def _rules_kept(self, hits: list[Hit], shaped: Shaped) -> list[Hit]:
        """The rules' hits that stand beside what the shape found: all of them,
        unless the line has a code (then those of the code's exchange, the code
        first in each)."""
        found = shaped.found
        code: Code | None = found.code
        if code is None and found.entry is not None:
            code = found.entry.code  # a documented text, printed without its code
        if code is None or not hits:
            return hits
        # a hand-written rule wins, unless the line has another exchange's known code
        mine = [h for h in hits if h.exchange == found.shape.exchange]
        return self._by_code(mine, code, found.message)

    def _unknown_code(self, seen: Seen, shaped: Shaped) -> list[Hit] | None:
        """For a code the exchange's table lacks: what its class or words say
        (``InsufficientFunds: binance {"code":-9999,…}``), if more than the
        exchange's unknown error; None to fall back on the catalogue's hit."""
        found = shaped.found
        seen.opaque = True  # the recognizer's reading: not for the memo
        named = shaped.named or Named(
            found.shape.exchange, found.start, found.start, "shape", ""
        )
        better, silent = self._recognizer.hits(seen.record, named)
        if silent and not better:
            return []  # a benign class: nothing to tell
        if better and not better[0].rule_id.endswith(".unknown-error"):
            return better
        return None

    def _by_code(self, hits: list[Hit], code: Code, message: str) -> list[Hit]:
        """Rule hits on a line whose code a shape found: the code first in each,
        and the message given to the rules that document the code."""
        out = []
        for h in hits:
            if h.codes[:1] != (code,):
                h = replace(h, codes=(code, *(c for c in h.codes if c != code)))
            if message and not h.message and self._rules.documents(h.rule_id, code):
                h = replace(h, message=message)
            out.append(h)
        return out


def one_per_line(hits: list[Hit]) -> list[Hit]:
    """One alert per line: of several hits on one line, the one that explains it
    best (see ``_rank``)."""
    best: dict[int, tuple[tuple[int, int, int, int], Hit]] = {}
    for order, hit in enumerate(hits):
        rank = _rank(hit, order)
        kept = best.get(hit.line)
        if kept is None or rank < kept[0]:
            best[hit.line] = (rank, hit)
    return [hit for _, hit in sorted(best.values(), key=lambda kv: kv[0][3])]


def _rank(hit: Hit, order: int) -> tuple[int, int, int, int]:
    """How well ``hit`` explains its line, best lowest: a rule that documents the
    line's code, then one that matched the exchange's own message, then the most
    severe, then the first (``order``)."""
    r = hit.recognition
    code = hit.codes[0] if hit.codes else None
    message = (hit.message or hit.captures.get("message", "")).lower()
    evidence = (r.envelope_evidence if r is not None else "").lower()
    return (
        0 if code is not None and r is not None and r.envelope == "rule" else 1,
        0 if evidence and message and evidence[:40] in message else 1,
        -_SEVERITY_RANK[hit.severity],
        order,
    )
