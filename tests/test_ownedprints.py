"""Prints only one exchange's API or library makes name that exchange; a code or a
text other APIs copy does not."""

from __future__ import annotations

import pytest

from logwatch.match.ownedprints import owned_by


@pytest.mark.parametrize(
    ("line", "exchange"),
    [
        ("APIError(code=-2015): Invalid API-key", "binance"),
        ("Insufficient balance (ErrCode: 170131) (ErrTime: 08:00:00)", "bybit"),
        ('{"sCode":"51008","sMsg":"Order failed"}', "okx"),
        ("EAPI:Invalid nonce", "kraken"),
        ("Error 201, reqId 17: Order rejected", "ib"),
        ("Msg id (ERRORMESSAGE)=4;Error code=1100", "ib"),
    ],
)
def test_a_print_only_one_exchange_makes_names_it(line: str, exchange: str) -> None:
    owned = owned_by(line)
    assert owned is not None
    assert owned[0] == exchange


@pytest.mark.parametrize(
    "line",
    [
        '{"code":-2013,"msg":"Order does not exist."}',  # MEXC answers so too
        "Error 201: Order rejected",
        "LEAPI:Invalid nonce",
    ],
)
def test_a_shared_print_names_none(line: str) -> None:
    assert owned_by(line) is None
