"""The catalogue is put together from its pieces: rows checked against the YAML."""

from __future__ import annotations

from logwatch.core.model import Severity
from logwatch.rulebook.catalogue import Category, Exchange
from logwatch.rulebook.catalogueassembly import assemble, catalogue_rules
from logwatch.rulebook.cataloguefile import CatalogueParts, generic_texts
from logwatch.rulebook.codesfile import COLUMNS, Row, parse_codes

TEXT = {"en": "Order rejected", "ru": "Ордер отклонён"}
REMEDY = {"en": "Check the order", "ru": "Проверьте ордер"}


def parts() -> CatalogueParts:
    title, remedy = generic_texts("Binance")
    return CatalogueParts(
        categories={
            "order_filter": Category("order_filter", Severity.ERROR, TEXT, REMEDY)
        },
        exchanges={
            "binance": Exchange(
                id="binance",
                name="Binance",
                title=title,
                remedy=remedy,
                aliases=(),
                hosts=(),
            )
        },
    )


def rows(body: str, source: str = "mine.codes.csv") -> list[Row]:
    found, problems = parse_codes(",".join(COLUMNS) + "\n" + body, source, "binance")
    assert problems == []
    return found


def test_a_code_gets_its_categorys_remedy_and_a_rule_of_its_own() -> None:
    catalogue, problems = assemble(
        parts(), rows("-1013,order_filter,,,,,,,,,Lot\n"), set(), set()
    )
    assert problems == []
    entry = catalogue.entries["binance", -1013]
    assert (entry.rule_id, entry.severity, entry.remedy) == (
        "binance.code-1013",
        Severity.ERROR,
        REMEDY,
    )
    ids = {r.id for r in catalogue_rules(catalogue)}
    assert {"binance.code-1013", "binance.unknown-error"} <= ids


def test_an_unknown_category_or_exchange_is_a_problem_at_its_row() -> None:
    catalogue, problems = assemble(
        parts(), rows("-1,no_such,,,,,,,,,x\n"), set(), set()
    )
    assert catalogue.entries == {}
    (problem,) = problems
    assert (problem.line, "unknown category 'no_such'" in problem.message) == (
        2,
        True,
    )


def test_a_traders_row_replaces_the_shipped_one_but_not_its_own_twin() -> None:
    shipped = rows("-1013,order_filter,,,,,,,,,Lot\n", "shipped.codes.csv")
    own = rows("-1013,order_filter,critical,,,,,,,,Lot\n")
    catalogue, problems = assemble(parts(), shipped + own, set(), {"shipped.codes.csv"})
    assert problems == []
    assert catalogue.entries["binance", -1013].severity is Severity.CRITICAL
    _, problems = assemble(parts(), own + own, set(), set())
    assert ["duplicate code" in p.message for p in problems] == [True]
