"""Exchanges outside the catalogue (logwatch/match/unlisted.py): each form that says
which word is an exchange's, for ids generated from the catalogue's own (each id with
a letter added is no exchange's name), and the catalogue's own names still winning."""

from __future__ import annotations

import pytest

from logwatch.core.model import Hit
from logwatch.match.engine import Engine, Wanted
from logwatch.match.unlisted import unlisted_exchange
from logwatch.rulebook.catalogue import category_rule_id, exchange_names
from logwatch.rulebook.rulecompile import sample_record
from tests.samples import shipped_rules

RULES = shipped_rules()
ENGINE = Engine(RULES)
CATALOGUE = RULES.catalogue
NAMES = {n.lower() for n in exchange_names(CATALOGUE.exchanges)[0]}
#: ids no name of the catalogue is: each exchange's id with a letter added
UNLISTED = sorted(
    f"{ex}q" for ex in CATALOGUE.exchanges if ex.isalnum() and f"{ex}q" not in NAMES
)
#: ccxt's classes (a class of one exchange's library names that exchange)
CCXT_CLASSES = sorted(
    c for c in CATALOGUE.classes if c not in CATALOGUE.class_exchanges
)
#: how each form prints an exchange's id
FORMS = (
    'ccxt.base.errors.{cls}: {id} {{"error":"x"}}',
    "{cls}: {id} GET https://api.example.com/v1/orders",
    '8/26/2019 6:51:26 AM | [{cls}] {id} {{"error":{{"message":"x"}}}}',
    "2024-01-05 08:00:00,000 - bot - WARNING - Could not create order. Message: "
    '{id} {{"code":1}}',
    "2022-03-10 19:30:05,840 - 1 - hummingbot.connector.exchange.{id}.{id}_api_order"
    "_book_data_source - NETWORK - Error fetching data",
    "2022-03-10 19:30:05,840 - 1 - hummingbot.connector.derivative.{id}_perpetual."
    "{id}_perpetual_derivative - NETWORK - Error fetching data",
)


def hits_of(line: str) -> list[Hit]:
    owners = ENGINE.candidates(line.encode("utf-8")).values()
    return ENGINE.match(sample_record(line), Wanted.union(owners))


@pytest.mark.parametrize("form", FORMS)
def test_every_form_names_an_exchange_outside_the_catalogue(form: str) -> None:
    wrong = [
        (line, got)
        for ex in UNLISTED
        for cls in CCXT_CLASSES
        if (
            got := unlisted_exchange(
                line := form.format(cls=cls, id=ex), CATALOGUE.classes
            )
        )
        is None
        or got[0] != ex
    ]
    assert UNLISTED
    assert wrong == [], f"{len(wrong)}: {wrong[:5]}"


@pytest.mark.parametrize("cls", CCXT_CLASSES)
def test_a_ccxt_class_s_category_is_told_under_the_unlisted_exchange(cls: str) -> None:
    """No table or rule is the exchange's: the category's rule, the exchange said."""
    category = CATALOGUE.classes[cls]
    for ex in UNLISTED:
        hits = hits_of(f'ccxt.base.errors.{cls}: {ex} {{"data":"x"}}')
        if not category or CATALOGUE.categories[category].severity is None:
            assert hits == []
            continue
        assert [(h.rule_id, h.exchange) for h in hits] == [
            (category_rule_id("", category), ex)
        ]


@pytest.mark.parametrize("exchange", sorted(CATALOGUE.exchanges))
def test_a_catalogued_exchange_in_a_form_is_named_as_itself(exchange: str) -> None:
    """Attribution by the catalogue's names comes first: never ``unlisted``."""
    hits = hits_of(f'ccxt.base.errors.InsufficientFunds: {exchange} {{"data":"x"}}')
    assert [h.exchange for h in hits] == [exchange]
    assert hits[0].recognition is not None
    assert hits[0].recognition.attribution != "unlisted"


@pytest.mark.parametrize("ex", UNLISTED[::10])
def test_a_brokerage_plugin_names_its_broker(ex: str) -> None:
    name = ex.capitalize()
    line = f"2022-09-22T23:41:32Z ERROR:: {name}Brokerage.Execute(): Gateway Timeout"
    assert unlisted_exchange(line, CATALOGUE.classes) == (ex, f"{name}Brokerage")


@pytest.mark.parametrize(
    "line",
    [
        # the engine's own brokerages, an unknown class, a word not followed by a body
        "ERROR:: BacktestingBrokerage.Scan(): x",
        "ERROR:: PaperBrokerage.Scan(): x",
        "ccxt.base.errors.NotAClass: acmex {}",
        "InsufficientFunds: acmex said no",
        "ExchangeError: Order {} failed",
    ],
)
def test_what_is_not_a_form_names_nothing(line: str) -> None:
    assert unlisted_exchange(line, CATALOGUE.classes) is None
