"""How logs state an error: each envelope kind found with its code and message, from
tables of lines; then, through the engine,
classes of lines generated from the catalogue's own tables: ccxt's feedback without
a message, codes that say success and those that do not, an OpenAPI SDK's
``ApiException: (NNN)``, ``Error - Code: X``, MetaTrader 5's order result as a dict,
credentials named as request headers, and a retried condition stated at no level."""

from __future__ import annotations

import json

import pytest

from logwatch.core.model import Hit
from logwatch.match.categorywords import classify_words
from logwatch.match.classifier import HTTP_CATEGORIES
from logwatch.match.engine import Engine, Wanted
from logwatch.match.statements import find_envelope, find_feedback
from logwatch.rulebook.rulecompile import sample_record
from tests.samples import shipped_rules

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


# -- classes of lines through the engine, from the tables ---------------------------

RULES = shipped_rules()
ENGINE = Engine(RULES)
CATALOGUE = RULES.catalogue
EXCHANGES = sorted(CATALOGUE.exchanges)


def hits_of(line: str) -> list[Hit]:
    owners = ENGINE.candidates(line.encode("utf-8")).values()
    return ENGINE.match(sample_record(line), Wanted.union(owners))


def _coded(exchange_filter: str = "") -> list[tuple[str, object, str | None]]:
    """(exchange, code, rule) of every code row a JSON body can carry."""
    return sorted(
        (
            (ex, code, entry.rule_id)
            for (ex, code), entry in CATALOGUE.entries.items()
            if (isinstance(code, int) or str(code).isidentifier())
            and (not exchange_filter or ex == exchange_filter)
        ),
        key=lambda t: (t[0], str(t[1])),
    )


# -- ccxt's feedback: ``<id> <body>`` -----------------------------------------------


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_feedback_without_a_message_is_the_code_s_error(exchange: str) -> None:
    """ccxt words an answered error as ``<id> <body>``; a body with a code and no
    text (``'mexc {"code":26,"data":"operation not allowed"}'``), quoted by a bot
    at no level, is still that code's error of that exchange."""
    wrong = []
    for ex, code, rule_id in _coded(exchange):
        line = f'e:    \'{ex} {{"code":{json.dumps(code)},"data":{{}}}}\''
        got = [(h.rule_id, h.exchange) for h in hits_of(line)]
        expected = [] if rule_id is None else [(rule_id, ex)]
        if got != expected:
            wrong.append((line, got))
    assert wrong == [], f"{len(wrong)}: {wrong[:5]}"


def test_feedback_is_read_only_right_after_the_id() -> None:
    text = 'kucoin {"code":"400100","msg":"x"}'
    assert find_feedback(text, len("kucoin")) is not None
    assert find_feedback(text, 2) is None
    assert find_feedback('kucoin {"code":"200000","data":[]}', 6) is None


# -- codes that say success, and an error's number 200 -------------------------------


@pytest.mark.parametrize(
    "key", ["errorCode", "error_code", "errCode", "err_code", "errno", "retCode"]
)
def test_200_is_an_error_s_number_under_an_error_code_key(key: str) -> None:
    """IB's 200 (no security definition), BTCBOX's 200: a number of an error key."""
    env = find_envelope(f'{{"{key}":200,"errorMsg":"x y"}}', False, "", None)
    assert env is not None
    assert (env.code, env.message) == (200, "x y")
    # a bare ``code`` 200 and the success codes stay success
    for body in ('{"code":200,"msg":"x y"}', f'{{"{key}":0,"msg":"x y"}}'):
        assert find_envelope(body, False, "", None) is None


@pytest.mark.parametrize(("exchange", "code", "rule_id"), _coded("ib")[::15])
def test_ibs_own_api_log_error_code_names_ib(
    exchange: str, code: object, rule_id: str | None
) -> None:
    line = (
        '3:07PM DBG | IB | <ErrorProtoBuf> ErrorProto="id:1  errorTime:1749823634683'
        f'  errorCode:{code}  errorMsg:\\"Something happened\\""'
    )
    assert [h.rule_id for h in hits_of(line)] == ([rule_id] if rule_id else [])


# -- an OpenAPI-generated SDK's exception ------------------------------------------


@pytest.mark.parametrize(("status", "category"), sorted(HTTP_CATEGORIES.items()))
def test_an_sdk_s_api_exception_status_names_its_exchange(
    status: int, category: str
) -> None:
    """``gate_api.exceptions.ApiException: (400)``: the SDK's package names the
    exchange, the status the category."""
    wrong = []
    for exchange in EXCHANGES:
        line = f"{exchange}_api.exceptions.ApiException: ({status})"
        hits = hits_of(line)
        got = [
            (h.exchange, h.recognition.category if h.recognition else "") for h in hits
        ]
        if got != [(exchange, category)]:
            wrong.append((line, got))
    assert wrong == [], f"{len(wrong)}: {wrong[:5]}"


# -- ``Error - Code: X`` -------------------------------------------------------------


def _identifier_codes() -> list[tuple[str, object, str | None]]:
    return [t for t in _coded() if isinstance(t[1], str) and t[2] is not None]


def test_error_then_a_code_s_key_is_an_envelope() -> None:
    """Lean's ``Error - Code: ServiceUnavailable``: the word error before a code's
    key states an error whatever the level; the code alone does not."""
    wrong = []
    for ex, code, rule_id in _identifier_codes():
        line = f"2022-09-22T23:42:17.1975736Z TRACE:: {ex}: Error - Code: {code} - x"
        got = [(h.rule_id, h.exchange) for h in hits_of(line)]
        if got != [(rule_id, ex)]:
            wrong.append((line, got))
    assert _identifier_codes()
    assert wrong == [], f"{len(wrong)}: {wrong[:5]}"


# -- MetaTrader 5's order result printed as a dict -----------------------------------


@pytest.mark.parametrize(("exchange", "code", "rule_id"), _coded("mt5"))
def test_mt5_s_result_retcode_in_a_dict_is_its_code(
    exchange: str, code: object, rule_id: str | None
) -> None:
    line = (
        "18:18:14.33,\"on_order_info: {'type': 'order', 'data': {'order': 0, "
        f"'result_comment': None, 'result_retcode': {code}, 'request_action': 5}}}}\",MT5"
    )
    assert [h.rule_id for h in hits_of(line)] == ([rule_id] if rule_id else [])


# -- words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["KC-API-PASSPHRASE", "KC-API-KEY", "OK-ACCESS-KEY", "OK-ACCESS-PASSPHRASE",
     "X-MBX-APIKEY", "ACCESS-KEY", "API-KEY", "api key", "passphrase", "secret"],
)  # fmt: skip
def test_a_credential_named_as_its_header_is_an_auth_error(header: str) -> None:
    for body in (f"{{'code': '400004', 'msg': 'Invalid {header}'}}",):
        (hit,) = hits_of(body)
        assert hit.recognition is not None
        assert hit.recognition.category == "auth_permission"


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ("1724876950.81 - x.position_executor: Open order failed. Retrying 4/10",
         "order_rejected"),
        ("2024-12-23 23:30:08,063 - freqtrade.freqtradebot - WARNING - Not enough "
         "BTC in wallet to exit Trade(id=886). Trying to recover.", "balance_margin"),
        ("Error with cURL: Timeout was reached", "connection_lost"),
        ("Error: could not connect to the exchange", "connection_lost"),
    ],
)  # fmt: skip
def test_words_that_state_a_failure_give_its_category(line: str, category: str) -> None:
    (hit,) = hits_of(line)
    assert hit.recognition is not None
    assert hit.recognition.category == category


@pytest.mark.parametrize(
    "line",
    [
        # a retried condition stated as a notice, or while the bot retries
        "Error with cURL: Timeout was reached. Retrying in 5s",
        "Error with cURL: Timeout was reached, will retry",
        "2024-01-05 08:00:00,000 - bot - INFO - Error fetching data: timed out",
        "2024-01-05 08:00:00,000 - bot - WARNING - Error fetching data: timed out",
        "TRACE:: Error fetching data: connection reset, reconnecting",
        "2024-01-05 08:00:00,000 - bot - INFO - Not enough data to compute the RSI",
    ],
)
def test_notices_and_retries_raise_nothing(line: str) -> None:
    assert hits_of(line) == []
