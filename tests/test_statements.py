"""How logs state an error: each envelope kind found with its code and message, and
the word classifier's categories, from tables of lines."""

from __future__ import annotations

import pytest

from logwatch.statements import HTTP_CATEGORIES, classify_words, find_envelope

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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Insufficient margin", "balance_margin"),
        ("недостаточно средств", "balance_margin"),
        ("no enough available", "balance_margin"),
        ("Too many requests", "rate_limit"),
        ("превышен лимит запросов", "rate_limit"),
        ("Invalid nonce", "nonce"),
        ("Timestamp for this request is outside of the recvWindow", "timestamp"),
        ("Signature for this request is not valid", "signature"),
        ("invalid api key", "auth_permission"),
        ("system maintenance", "maintenance"),
        ("технические работы", "maintenance"),
        ("Order value is too small", "min_notional"),
        ("less than minimal amount", "min_notional"),
        ("Invalid quantity", "order_filter"),
        ("Price less than min price", "order_filter"),
        ("ReduceOnly Order is rejected", "position"),
        ("Order does not exist", "order_not_found"),
        ("Duplicate clientOrderId", "duplicate_order"),
        ("market is closed", "market_closed"),
        ("рынок закрыт", "market_closed"),
        ("account has been frozen", "account_restricted"),
        ("Max retries exceeded with url", "connection_lost"),
        ("соединение потеряно", "connection_lost"),
        ("does not support market orders", "not_supported"),
        ("Failed to submit buy order to Kucoin", "order_rejected"),
        ("Invalid parameter", "request_params"),
    ],
)
def test_words_name_their_category(text: str, category: str) -> None:
    said = classify_words(text)
    assert said is not None
    assert said[0] == category


def test_words_of_no_category_name_none() -> None:
    assert classify_words("the strategy started") is None
