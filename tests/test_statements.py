"""How logs state an error: each envelope kind found with its code and message, from
tables of lines."""

from __future__ import annotations

import pytest

from logwatch.match.categorywords import classify_words
from logwatch.match.statements import HTTP_CATEGORIES, find_envelope

ENVELOPES = [
    # each: a line, then its envelope's kind, code and message
    ('bybit {"retCode":110007,"retMsg":"ab not enough"}', "json", 110007, "ab not enough"),
    ("retCode=10002 retMsg=invalid request", "key-value", 10002, "invalid request"),
    ("sCode=51008 sMsg=Order failed", "key-value", 51008, "Order failed"),
    ("err_code=134", "key-value", 134, ""),
    (
        'ExchangeError: yobit {\\"success\\":0,\\"error\\":\\"Total amount too low\\"}',
        "json",
        None,
        "Total amount too low",
    ),
    ('{"label":"BALANCE_NOT_ENOUGH","message":"Not enough balance"}', "json",
     "BALANCE_NOT_ENOUGH", "Not enough balance"),
    ('kraken {"error":["EOrder:Insufficient funds"]}', "kraken",
     "EOrder:Insufficient funds", "Insufficient funds"),
    ("Error -2011: Unknown order sent.", "error-number", -2011, "Unknown order sent."),
    ("Error Code: -2015", "error-number", -2015, ""),
    ("Error 201, reqId 17: Order rejected", "ib-error", 201, "Order rejected"),
    ("Error 1100, reqId -1: Connectivity lost.", "ib-error", 1100, "Connectivity lost."),
    ("Error 200, id 6, No security definition", "ib-error", 200, "No security definition"),
    ("Could not load markets. Reason: kraken GET https://api.kraken.com/0/public/Assets", "request", None, ""),
    ("failed: bybit POST https://api.bybit.com/v5/order/create'", "request", None, ""),
    ("binance GET https://api.binance.com/api/v3/exchangeInfo 451", "http", None, ""),
    ("Kucoin 429 error, backing off", "http", None, "backing off"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "kind", "code", "message"), ENVELOPES)
def test_each_envelope_gives_its_code_and_message(
    line: str, kind: str, code: object, message: str
) -> None:
    env = find_envelope(line, False, line, None)
    assert env is not None
    assert (env.kind, env.code, env.message) == (kind, code, message)


@pytest.mark.parametrize(
    "line",
    [
        '{"code":0,"msg":"success"}',
        "retCode=0 retMsg=OK",
        'kraken {"error":[],"result":{}}',
        "bitstamp GET https://www.bitstamp.net/api/v2/trading-pairs-info/ 200 OK",
        # ccxt's verbose request log: the URL is followed by more, not the end
        "fetch Request: binance GET https://api.binance.com/api/v3/time RequestHeaders:",
        "Order 17 placed: buy 0.01 BTCUSDT",
        "0 errors in the last hour",
    ],
)
def test_lines_that_state_no_error_have_no_envelope_or_no_category(line: str) -> None:
    """A word like "error" alone is a failure's envelope, but its words must name a
    category too before anything is said."""
    env = find_envelope(line, False, line, None)
    assert env is None or (env.kind == "failure" and not classify_words(env.message))


def test_an_http_status_alone_names_a_category() -> None:
    env = find_envelope("HTTP status is 503", False, "", None)
    assert env is not None
    assert HTTP_CATEGORIES[env.status] == "maintenance"


@pytest.mark.parametrize("status", sorted(HTTP_CATEGORIES))
@pytest.mark.parametrize(
    "shape",
    ["Error: Request failed with status code {s}", "request failed: [{s}] Error"],
)
def test_a_status_in_a_client_s_words_is_the_status(status: int, shape: str) -> None:
    line = shape.format(s=status)
    env = find_envelope(line, False, line, None)
    assert env is not None
    assert env.status == status
