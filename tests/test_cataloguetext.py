"""The catalogue's texts (cataloguetext): titles made when read, lookup keys, ids."""

from __future__ import annotations

import pickle

from logwatch.rulebook.cataloguetext import (
    Title,
    as_code,
    category_rule_id,
    clean_message,
    normalise_text,
    rule_id_for,
    short_message,
    slug,
)


def test_a_title_is_made_from_its_parts_when_read_and_pickles_as_them() -> None:
    base = {"en": "Order size out of range", "ru": "Размер ордера вне границ"}
    title = Title(base, "Binance", -1013, "Filter failure: %s")
    assert dict(title) == {
        "en": "Order size out of range (Binance -1013): Filter failure: …",
        "ru": "Размер ордера вне границ (Binance -1013)",
    }
    assert Title(base, "Kraken")["en"] == "Kraken: Order size out of range"
    back = pickle.loads(pickle.dumps(title))  # noqa: S301  our own bytes
    assert dict(back) == dict(title)


def test_a_long_documented_text_is_cut_with_an_ellipsis() -> None:
    text = short_message("x" * 200, limit=10)
    assert len(text) == 10
    assert text.endswith("…")


def test_lookup_keys_ignore_case_spaces_and_the_closing_period() -> None:
    assert (
        normalise_text("  Filter  failure:\tLOT_SIZE. ") == "filter failure: lot_size"
    )
    assert clean_message('Error: Margin is \\"low\\" (BTCUSDT)') == 'Margin is "low"'


def test_rule_ids_from_codes_and_categories() -> None:
    assert rule_id_for("binance", -1013) == "binance.code-1013"
    assert (
        rule_id_for("kraken", "EOrder:Insufficient funds")
        == "kraken.code-eorder-insufficient-funds"
    )
    assert category_rule_id("", "rate_limit") == "error.rate-limit"
    assert slug("!!!") == "x"


def test_a_code_is_a_number_when_it_is_written_as_one() -> None:
    assert as_code(" -1013 ") == -1013
    assert as_code("51008") == 51008
    assert as_code("EOrder:Insufficient funds") == "EOrder:Insufficient funds"
    assert as_code("1" * 19) == "1" * 19
