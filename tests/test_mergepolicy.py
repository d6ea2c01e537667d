"""The merge policy: a silent code tells nothing, a rule beats the catalogue, and a
line raises one alert, the hit that explains it best."""

from __future__ import annotations

from dataclasses import replace

from logwatch.core.model import Recognition, Severity
from logwatch.match.engine import Engine, Wanted
from logwatch.match.mergepolicy import one_per_line
from logwatch.rulebook.rulecompile import sample_record
from tests.samples import hit, shipped_rules

RULES = shipped_rules()
ENGINE = Engine(RULES)


def _examples(silent: bool) -> list[str]:
    """Lines a shape finds a code of the shipped tables in: of codes that raise
    nothing (``silent``), or of codes that raise their rule."""
    catalogue = ENGINE.catalogue
    lines = []
    for entry in catalogue.entries.values():
        if (entry.rule_id is None) != silent or entry.code is None:
            continue
        for shape in catalogue.shapes:
            lines += [
                line
                for line in catalogue.examples(entry, shape)
                if shape.pattern.search(line) is not None
            ]
        if len(lines) >= 20:
            break
    return lines


def _match(line: str) -> tuple[list[str], bool]:
    owners = ENGINE.candidates(line.encode("utf-8")).values()
    hits, recognised = ENGINE._match(sample_record(line), Wanted.union(owners))
    return [h.rule_id for h in hits], recognised


def test_a_silent_code_is_recognised_and_tells_nothing() -> None:
    lines = _examples(silent=True)
    assert lines
    for line in lines:
        assert _match(line) == ([], True), line


def test_a_known_code_is_recognised_with_one_hit() -> None:
    lines = _examples(silent=False)
    assert lines
    for line in lines:
        rule_ids, recognised = _match(line)
        assert recognised, line
        assert len(rule_ids) == 1, line


def test_one_per_line_keeps_the_most_severe_hit_of_a_line_in_line_order() -> None:
    warning = replace(hit("a.warning", severity=Severity.WARNING), line=2)
    error = replace(hit("b.error"), line=2)
    other = replace(hit("c.error"), line=1)
    kept = one_per_line([warning, error, other])
    assert [h.rule_id for h in kept] == ["b.error", "c.error"]


def test_one_per_line_prefers_a_rule_that_documents_the_line_s_code() -> None:
    by_rule = replace(
        hit("a.documented", severity=Severity.WARNING),
        recognition=Recognition("rule", "x"),
    )
    by_shape = replace(hit("b.shape"), recognition=Recognition("shape", "y"))
    assert [h.rule_id for h in one_per_line([by_shape, by_rule])] == ["a.documented"]
