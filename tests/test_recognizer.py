"""The recognizer's layers, tested from the catalogue's own data: every code in every
envelope, every exception class, attribution (never the wrong exchange), one alert
per line, and bad tables reported at their line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from logwatch.app.cli import cli
from logwatch.core.model import Hit
from logwatch.match.engine import Engine, Wanted
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.ruleload import load_rules
from tests.samples import shipped_rules

RULES = shipped_rules()
ENGINE = Engine(RULES)
CATALOGUE = RULES.catalogue
PY = "2024-01-05 08:00:00,000 - bot - ERROR - "


def hits_of(line: str, engine: Engine = ENGINE) -> list[Hit]:
    owners = engine.candidates(line.encode("utf-8")).values()
    return engine.match(sample_record(line), Wanted.union(owners))


@pytest.fixture(scope="module")
def own_engine() -> Engine:
    """The shipped rules: the generated tables name Bitget, Kraken and every other
    exchange ccxt knows (before them, a trader's own catalogue file had to)."""
    return ENGINE


# -- every code of every table, in envelopes no shape of its exchange describes ------

#: (envelope, with the exchange's id first as ccxt prints it); {code} {message}
ENVELOPES = (
    PY + '{ex} {{"code":{jcode},"msg":"{message}"}}',
    PY + "{ex} retCode={code} retMsg={message}",
    PY + "{ex}: Error {code}: {message}",
)
CODED = [
    e
    for e in CATALOGUE.entries.values()
    if isinstance(e.code, int) and e.exchange in ("binance", "bybit", "okx")
]


@pytest.mark.parametrize("envelope", ENVELOPES)
def test_every_code_in_every_envelope_names_its_exchange_once(envelope: str) -> None:
    wrong: list[tuple[str, object]] = []
    for entry in CODED:
        jcode = entry.code if entry.exchange == "binance" else f'"{entry.code}"'
        message = (entry.message or "error").replace('"', "'")[:80]
        line = envelope.format(
            ex=entry.exchange, code=entry.code, jcode=jcode, message=message
        )
        hits = hits_of(line)
        if entry.rule_id is None:
            if hits:
                wrong.append((line, [h.rule_id for h in hits]))
            continue
        if len(hits) != 1 or hits[0].exchange != entry.exchange:
            wrong.append((line, [(h.rule_id, h.exchange) for h in hits]))
    assert wrong == [], f"{len(wrong)} of {len(CODED)}: {wrong[:5]}"


# -- every exception class --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CATALOGUE.classes))
def test_every_exception_class_gives_its_category(name: str) -> None:
    category = CATALOGUE.classes[name]
    line = f"ccxt.base.errors.{name}: someexchange something odd happened"
    hits = hits_of(line)
    # a class of one exchange's library names that exchange; ccxt's none
    exchange = CATALOGUE.class_exchanges.get(name, "")
    if not category and exchange:  # "the exchange refused", in words it does not know
        assert [h.rule_id for h in hits] == [f"{exchange}.unknown-error"]
    elif not category or CATALOGUE.categories[category].severity is None:
        assert hits == []
    else:
        (hit,) = hits
        assert hit.rule_id == f"{exchange or 'error'}.{category.replace('_', '-')}"
        assert hit.exchange == exchange
        assert hit.recognition is not None
        assert hit.recognition.classification == "exception-class"


@pytest.mark.parametrize("name", sorted(CATALOGUE.classes))
@pytest.mark.parametrize(
    "shape",
    [
        # a class printed alone, first on its line, with no module or error word
        "{name}: kucoin createOrder() said something odd",
        # a bot's bracketed class before ccxt's message
        '8/26/2019 6:51:26 AM | [{name}] kucoin {{"error":{{"message":"odd"}}}}',
    ],
)
def test_a_class_printed_alone_or_in_brackets_gives_its_category(
    name: str, shape: str
) -> None:
    category = CATALOGUE.classes[name]
    hits = hits_of(shape.format(name=name))
    owner = CATALOGUE.class_exchanges.get(name)
    if category and CATALOGUE.categories[category].severity is None:
        assert hits == []
    elif owner is not None and owner != "kucoin":
        # a class of one exchange's library beside another's name: never two
        assert len(hits) <= 1
    elif category:
        assert [h.rule_id for h in hits] == [f"kucoin.{category.replace('_', '-')}"]
    else:
        assert [h.rule_id for h in hits] == ["kucoin.unknown-error"]


@pytest.mark.parametrize(
    ("line", "exchange", "how"),
    [
        # the first word of a ccxt message is the exchange's id, even inside the
        # message freqtrade quotes
        (
            PY + 'get_balances() returned exception: "Could not get balance due to '
            'RequestTimeout. Message: kraken GET https://x.example/0/private/Balance"',
            "kraken",
            "alias",
        ),
        ("ccxt.base.errors.InsufficientFunds: kucoin {}", "kucoin", "alias"),
        # an API host inside the exchange's message still names it
        (
            PY + "ccxt.base.errors.RequestTimeout: GET https://api.kraken.com/0/x",
            "kraken",
            "host",
        ),
        # python-binance's own class names Binance
        (PY + "BinanceAPIException: Insufficient balance.", "binance", "class"),
        # pybit is a name of Bybit's itself
        (PY + "pybit.exceptions.FailedRequestError: timed out", "bybit", "alias"),
        (PY + "OkxRequestException: timed out", "okx", "class"),
    ],
)
def test_what_names_the_exchange_inside_an_exception_s_message(
    line: str, exchange: str, how: str
) -> None:
    (hit,) = hits_of(line)
    assert hit.exchange == exchange
    assert hit.recognition is not None
    assert hit.recognition.attribution == how


@pytest.mark.parametrize("name", sorted(CATALOGUE.classes))
def test_an_exception_class_beside_an_unknown_code_gives_the_exchange_category(
    name: str,
) -> None:
    category = CATALOGUE.classes[name]
    line = f'ccxt.base.errors.{name}: binance {{"code":-9999,"msg":"Odd thing"}}'
    hits = hits_of(line)
    if category and CATALOGUE.categories[category].severity is None:
        assert hits == []
        return
    (hit,) = hits
    assert hit.exchange == "binance"
    expected = (
        f"binance.{category.replace('_', '-')}" if category else "binance.unknown-error"
    )
    assert hit.rule_id == expected


# -- attribution: never the wrong exchange -----------------------------------------


class TestAttribution:
    def test_bitget_json_does_not_raise_okx(self, own_engine: Engine) -> None:
        line = (
            PY + 'bitget {"code":"45110","msg":"less than the minimum amount 5 USDT"}'
        )
        (hit,) = hits_of(line, own_engine)
        assert hit.exchange == "bitget"
        assert not hit.rule_id.startswith("okx.")
        # the generated Bitget table knows 45110 itself: its own rule
        assert hit.rule_id == "bitget.code-45110"
        assert ("bitget", 45110) in CATALOGUE.entries

    def test_bybit_key_value_does_not_raise_binance(self) -> None:
        line = PY + "bybit retCode=110007 retMsg=ab not enough for new order"
        (hit,) = hits_of(line)
        assert hit.rule_id == "bybit.code-110007"
        assert hit.recognition is not None
        assert hit.recognition.attribution == "alias"

    def test_a_binance_rule_does_not_fire_for_a_line_naming_bybit(self) -> None:
        line = PY + "bybit: Margin is insufficient."
        hits = hits_of(line)
        assert all(h.exchange in ("bybit", "") for h in hits), hits
        assert [h.rule_id for h in hits] == ["bybit.balance-margin"]

    def test_a_line_naming_two_exchanges_goes_to_the_one_nearest_the_code(
        self,
    ) -> None:
        line = PY + 'arbitrage okx leg failed: bybit {"retCode":110007,"retMsg":"x"}'
        (hit,) = hits_of(line)
        assert hit.exchange == "bybit"
        other = PY + 'bybit leg ok; okx {"code":"51008","msg":"Insufficient balance"}'
        (hit,) = hits_of(other)
        assert hit.exchange == "okx"
        # a Binance rule's text, nearer to Bybit's name than to Binance's
        words = PY + "binance feed ok; bybit order failed: Margin is insufficient."
        (hit,) = hits_of(words)
        assert (hit.rule_id, hit.exchange) == ("bybit.balance-margin", "bybit")

    def test_an_api_host_names_the_exchange(self, own_engine: Engine) -> None:
        line = (
            PY + "POST https://api.kraken.com/0/private/AddOrder failed: "
            '{"error":["EOrder:Insufficient funds"]}'
        )
        (hit,) = hits_of(line, own_engine)
        assert hit.exchange == "kraken"
        # Kraken's documented EOrder:Insufficient funds, from its table
        assert hit.rule_id == "kraken.code-eorder-insufficient-funds"
        assert hit.codes == ("EOrder:Insufficient funds",)
        assert hit.recognition is not None
        assert hit.recognition.attribution == "host"

    def test_no_exchange_named_gives_the_category_alone(self) -> None:
        line = "ccxt.base.errors.InsufficientFunds: Account has insufficient balance"
        (hit,) = hits_of(line)
        assert (hit.rule_id, hit.exchange) == ("error.balance-margin", "")
        title = CATALOGUE.categories["balance_margin"].title["en"]
        assert RULES_BY_ID[hit.rule_id].title["en"] == title

    def test_an_exchange_outside_the_catalogue_gets_the_category_under_its_name(
        self,
    ) -> None:
        """ccxt's message names the exchange (its id first): no table or rule is its
        own, so the category's rule, with the exchange said."""
        line = "ccxt.base.errors.InsufficientFunds: acmex {}"
        (hit,) = hits_of(line)
        assert (hit.rule_id, hit.exchange) == ("error.balance-margin", "acmex")
        assert hit.recognition is not None
        assert hit.recognition.attribution == "unlisted"


RULES_BY_ID = {r.id: r for r in RULES}


# -- classification by words, English and Russian ----------------------------------


@pytest.mark.parametrize(
    ("line", "category"),
    [
        (PY + "Error 201, reqId 17: Order rejected - reason: x", "order_rejected"),
        (PY + "order failed: Insufficient margin for this order", "balance_margin"),
        (PY + "Ошибка: недостаточно средств на счёте", "balance_margin"),
        (PY + "request failed: Too many requests, slow down", "rate_limit"),
        (PY + "order failed: invalid nonce supplied", "nonce"),
        (PY + "order failed: market is closed", "market_closed"),
        (PY + "Ошибка: рынок закрыт", "market_closed"),
        (PY + "cancel failed: order does not exist", "order_not_found"),
        (PY + "order failed: ReduceOnly order rejected", "position"),
    ],
)
def test_words_give_a_category(line: str, category: str) -> None:
    (hit,) = hits_of(line)
    assert hit.recognition is not None
    assert hit.recognition.category == category


@pytest.mark.parametrize(
    "line",
    [
        "2024-01-05 08:00:00,000 - bot - INFO - order placed ok",
        "2024-01-05 08:00:00,000 - bot - INFO - bybit and binance prices compared",
        "2024-01-05 08:00:00,000 - bot - INFO - checked balance: enough margin",
        '2024-01-05 08:00:00,000 - bot - INFO - {"code":0,"msg":"success"}',
        '2024-01-05 08:00:00,000 - bot - INFO - kraken {"error":[],"result":{}}',
        "2024-01-05 08:00:00,000 - bot - INFO - 0 errors in the last hour",
        "2024-05-01 10:00:00,000 - bot - WARNING - failed to connect [Errno 111] "
        "Connection refused",
        "2024-01-05 08:00:00,000 - bot - INFO - retCode=0 retMsg=OK",
        "2024-01-05 08:00:00,000 - bot - INFO - decode error count=0",
    ],
)
def test_benign_lines_raise_nothing(line: str) -> None:
    assert hits_of(line) == []


# -- one event, one alert ------------------------------------------------------------


def test_http_418_with_1003_raises_one_alert() -> None:
    line = (
        "OSError: Error executing request POST https://api.binance.com/api/v3/order. "
        'HTTP status is 418. Error: {"code":-1003,"msg":"Way too much request weight '
        'used; IP banned until 1659146400000. Please use WebSocket Streams."}'
    )
    (hit,) = hits_of(line)
    assert hit.rule_id == "binance.ip-banned"


def test_scan_json_shows_each_layer(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    log.write_text(
        PY + "bybit retCode=110007 retMsg=ab not enough for new order\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["scan", "--json", "--no-builtin-config", str(log)]
    )
    if result.exit_code == 2 and "no-builtin-config" in result.output:
        result = CliRunner().invoke(cli, ["scan", "--json", str(log)])
    first = json.loads(result.output.splitlines()[0])
    assert first["rule"] == "bybit.code-110007"
    assert first["recognition"] == {
        "envelope": {"kind": "key-value", "evidence": "retCode=110007"},
        "attribution": {"exchange": "bybit", "by": "alias", "evidence": "bybit"},
        "classification": {
            "by": "code",
            "evidence": "110007",
            "category": "balance_margin",
        },
    }


# -- bad input ------------------------------------------------------------------------

HEADER = (
    "code,category,severity,rule,title_en,title_ru,remedy_en,remedy_ru,aliases,"
    "markets,message,match\n"
)


def check(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--rules", str(folder)])
    return result.exit_code, result.output


def test_bad_tables_are_reported_at_their_line(tmp_path: Path) -> None:
    sub = tmp_path / "ccxt"
    sub.mkdir()
    (sub / "exchanges.yaml").write_text(
        "exchanges:\n"
        "  acmex:\n"
        "    name: Acme\n"
        "    aliases: [acme]\n"
        "  acmey:\n"
        "    name: Acme Y\n"
        "    aliases: [acme, acmex]\n"
        "  binance:\n"
        "    name: Binance again\n",
        encoding="utf-8",
    )
    (sub / "acmex.codes.csv").write_text(
        HEADER
        + "100,balance_margin,,,,,,,,,Insufficient,\n"
        + "100,balance_margin,,,,,,,,,Again,\n"
        + "101,no_such,,,,,,,,,X,\n"
        + ",rate_limit,,,,,,,,,Too many,broad\n"
        + ",rate_limit,,,,,,,,,too many,broad\n"
        + "EOrder:Odd,order_rejected,,,,,,,,,Odd,\n",
        encoding="utf-8",
    )
    (sub / "exception-classes.csv").write_text(
        "class,library,category,exchange\nOddError,acme,no_such_category,\n"
        "AcmeError,acme,,nosuchx\n",
        encoding="utf-8",
    )
    code, output = check(tmp_path)
    assert code == 2, output
    assert "Traceback" not in output
    codes = sub / "acmex.codes.csv"
    for expected in (
        f"{codes}:3: code 100: duplicate code (first at line 2)",
        f"{codes}:4: code 101: unknown category 'no_such'",
        f"{codes}:6: broad message 'too many': duplicate message (first at line 5)",
        f"{sub / 'exchanges.yaml'}:3: exchange acmex: cannot be told apart from acmey",
        f"{sub / 'exchanges.yaml'}:9: exchange binance: defined twice",
        f"{sub / 'exception-classes.csv'}:2: class OddError: unknown category",
        f"{sub / 'exception-classes.csv'}:3: class AcmeError: unknown exchange",
    ):
        assert expected in output, output


def test_string_codes_and_message_rows_load_and_match(tmp_path: Path) -> None:
    (tmp_path / "exchanges.yaml").write_text(
        "exchanges:\n  acmex:\n    name: Acme\n", encoding="utf-8"
    )
    (tmp_path / "acmex.codes.csv").write_text(
        HEADER
        + "EOrder:Odd,order_filter,,,,,,,,,Odd,\n"
        + ",rate_limit,,,,,,,,,Slow down please,exact\n"
        + ",maintenance,,,,,,,,,upgrading,broad\n",
        encoding="utf-8",
    )
    engine = Engine(load_rules([tmp_path]))
    (hit,) = hits_of(PY + 'acmex {"error":["EOrder:Odd"]}', engine)
    assert hit.codes == ("EOrder:Odd",)
    (hit,) = hits_of(PY + 'acmex {"code":77,"msg":"Slow down please."}', engine)
    assert hit.rule_id == "acmex.rate-limit"
    assert hit.recognition is not None
    assert hit.recognition.classification == "exact"
    (hit,) = hits_of(PY + 'acmex {"code":78,"msg":"We are upgrading now"}', engine)
    assert (hit.rule_id, hit.recognition.classification if hit.recognition else "") == (
        "acmex.maintenance",
        "broad",
    )


class TestLinesNamingNoExchange:
    @pytest.mark.parametrize("exchange", ["binance", "bybit", "okx"])
    def test_a_code_with_its_documented_text_alone_names_no_exchange(
        self, exchange: str
    ) -> None:
        """Even a code with the very text only this exchange's table has does not
        say whose the line is (MEXC, Binance US, Tokocrypto answer with Binance's
        codes and texts, and our tables do not list every clone): a line that names
        no exchange gets the category alone (issue 19: "No exchange named: the
        category alone, titled without an exchange")."""
        unique = [
            e
            for e in CODED
            if e.exchange == exchange
            and e.rule_id
            and not e.refers_to
            and e.message
            and not any(c in e.message for c in "%{<")
            and [
                o.exchange
                for o in CODED
                if o.code == e.code and o.message.lower() == e.message.lower()
            ]
            == [exchange]
        ]
        entry = unique[len(unique) // 2]
        line = PY + f"API error | code={entry.code} | msg={entry.message}"
        hits = hits_of(line)
        assert all(h.rule_id.startswith("error.") for h in hits), hits
        assert all(h.exchange == "" for h in hits)
        # the same line naming the exchange is the exchange's
        (hit,) = hits_of(
            PY + f"{exchange} API error | code={entry.code} | msg={entry.message}"
        )
        assert (hit.rule_id, hit.exchange) == (entry.rule_id, exchange)

    def test_an_http_status_gives_its_category(self, own_engine: Engine) -> None:
        line = PY + "bitget GET https://api.bitget.com/api/v2/spot/public/coins 451 "
        (hit,) = hits_of(line, own_engine)
        assert hit.rule_id == "bitget.account-restricted"
        assert hit.recognition is not None
        assert hit.recognition.classification == "http-status"

    def test_a_symbol_is_not_an_exchange(self, own_engine: Engine) -> None:
        line = PY + "kraken order failed: insufficient funds for BITGET/USDT"
        (hit,) = hits_of(line, own_engine)
        assert hit.exchange == "kraken"


# -- generalisation: classes of lines, generated from the tables -------------------

#: every exchange of the loaded catalogue (ccxt's, IB, the hand-written ones)
EXCHANGES = sorted(CATALOGUE.exchanges)
#: a bot's connector id is the exchange's with a suffix of the bot's
CONNECTOR_IDS = [
    (ex, f"{ex}_{suffix}") for ex in EXCHANGES for suffix in ("perpetual", "testnet")
]


@pytest.mark.parametrize(("exchange", "connector"), CONNECTOR_IDS)
def test_a_connector_id_names_its_exchange(exchange: str, connector: str) -> None:
    """``kucoin_perpetual``: the exchange's id with a connector's suffix names it."""
    names = ENGINE.recognizer.names(f"Error submitting buy order to {connector} for 1")
    assert [n.exchange for n in names][:1] == [exchange]


def test_an_underscore_before_or_another_suffix_still_names_nothing() -> None:
    assert ENGINE.recognizer.names("DELTA_NEUTRAL strategy, my_kraken, bybit_x") == []


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_bot_rule_names_the_exchange_the_line_names(exchange: str) -> None:
    """A bot's own rule (Hummingbot's ``order-failed``) has no exchange of its own:
    its alert names the exchange the record names, here as the connector id."""
    line = (
        "2024-07-25 02:41:52,418 - 15 - hummingbot.connector.exchange - WARNING - "
        f"Failed to submit BUY order to {exchange}_perpetual. Check API key and "
        "network connection."
    )
    (hit,) = hits_of(line)
    assert (hit.rule_id, hit.exchange) == ("hummingbot.order-failed", exchange)


def test_a_bot_rule_on_a_line_naming_no_exchange_names_none() -> None:
    line = PY + "Failed to submit BUY order to my_connector. Check API key."
    (hit,) = hits_of(line)
    assert (hit.rule_id, hit.exchange) == ("hummingbot.order-failed", "hummingbot")


def _table(exchange: str) -> list[tuple[object, str]]:
    return [
        (code, entry.message)
        for (ex, code), entry in sorted(
            CATALOGUE.entries.items(), key=lambda kv: str(kv[0][1])
        )
        if ex == exchange and entry.message and entry.rule_id is not None
    ]


@pytest.mark.parametrize(("code", "message"), _table("kraken"))
def test_krakens_envelope_names_kraken_when_the_line_names_none(
    code: object, message: str
) -> None:
    """Only Kraken's API prints ``E<Class>:<text>``: a line in it is Kraken's."""
    if not isinstance(code, str) or ":" not in code:
        pytest.skip("not an E<Class>:<text> code")
    (hit,) = hits_of(PY + '{"error":["' + code + '"]}')
    assert hit.exchange == "kraken"


@pytest.mark.parametrize(("code", "message"), _table("ib"))
def test_ibs_error_reqid_envelope_names_ib(code: object, message: str) -> None:
    """``Error N, reqId M: text`` is how IB's API clients print IB's messages."""
    hits = hits_of(PY + f"Error {code}, reqId 17: {message}")
    entry = CATALOGUE.entries[("ib", code)]  # type: ignore[index]
    assert [h.rule_id for h in hits] == [entry.rule_id]
    assert hits[0].exchange == "ib"


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_request_without_an_answer_is_a_network_error(exchange: str) -> None:
    """ccxt's ``<id> GET <url>`` with no status after it: no answer came."""
    hosts = CATALOGUE.exchanges[exchange].hosts or ("api.example.com",)
    line = (
        "2022-07-08 15:44:03,076 - freqtrade.exchange.exchange - WARNING - Could not "
        f"load async markets. Reason: {exchange} GET https://{hosts[0]}/0/public/Assets"
    )
    (hit,) = hits_of(line)
    assert (hit.rule_id, hit.exchange) == (f"{exchange}.server-network", exchange)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_an_error_record_of_a_named_exchange_that_says_no_more_is_its_unknown_error(
    exchange: str,
) -> None:
    """Hummingbot's ``ERROR - There was an error requesting exchange info.`` under
    the exchange's connector: the exchange's error, told in its own words."""
    line = (
        f"2025-04-06 18:26:59,886 - 16365 - hummingbot.connector.exchange.{exchange}"
        f".{exchange}_exchange - ERROR - There was an error requesting exchange info."
    )
    (hit,) = hits_of(line)
    assert (hit.rule_id, hit.exchange) == (f"{exchange}.unknown-error", exchange)
    # the same words at warning level: a bot retrying says so, nothing to tell
    assert hits_of(line.replace(" - ERROR - ", " - WARNING - ")) == []


@pytest.mark.parametrize(
    ("old", "exchange"), [("huobipro", "htx"), ("huobi", "htx"), ("gateio", "gate"),
                          ("bitfinex2", "bitfinex"), ("gdax", "coinbase"),
                          ("coinbasepro", "coinbase")]
)  # fmt: skip
def test_an_id_ccxt_used_before_renaming_names_the_exchange(
    old: str, exchange: str
) -> None:
    """Old bots pinned to old ccxt print ``huobipro {...}``, ``gateio {...}``."""
    line = f'ccxt.base.errors.ExchangeError: {old} {{"status":"error","err-msg":"x"}}'
    (hit,) = hits_of(line)
    assert hit.exchange == exchange


def _agreed_codes() -> list[tuple[object, str]]:
    """Codes two or more tables have, all with one category (and one that differs)."""
    by_code: dict[object, set[str]] = {}
    count: dict[object, int] = {}
    for (_, code), entry in CATALOGUE.entries.items():
        if entry.rule_id is not None and isinstance(code, int) and code < 0:
            by_code.setdefault(code, set()).add(entry.category)
            count[code] = count.get(code, 0) + 1
    agreed = sorted(
        (c, cats.pop())
        for c, cats in by_code.items()
        if len(cats) == 1 and count[c] >= 2
    )
    return agreed[:: max(1, len(agreed) // 40)]


@pytest.mark.parametrize(("code", "category"), _agreed_codes())
def test_a_code_alone_gets_the_category_every_table_agrees_on(
    code: object, category: str
) -> None:
    """``Error Code: -2015`` names no exchange; every table with -2015 says it is a
    key/permission error: the category alone."""
    (hit,) = hits_of(PY + f"place_market_order | Error Code: {code}")
    assert hit.exchange == ""
    assert hit.recognition is not None
    assert hit.recognition.category == category


@pytest.mark.parametrize(
    "line",
    [
        "2024-03-25 05:27:21.922 S [IBAPIV100.BufferedReader:EndLogMessage] IN: Msg id "
        "(ERRORMESSAGE)=4;Version=2;Id=-1;Error code={code};Error msg={text};",
    ],
)
@pytest.mark.parametrize(("code", "text"), _table("ib")[::20])
def test_ibs_own_api_log_names_ib(line: str, code: object, text: str) -> None:
    hits = hits_of(line.format(code=code, text=text.replace(";", ",")))
    assert [h.exchange for h in hits] == ["ib"]


# -- Hummingbot's NETWORK level ------------------------------------------------------

#: Hummingbot's log format (conf/hummingbot_logs.yml: "%(asctime)s - %(process)d -
#: %(name)s - %(levelname)s - %(message)s") with a connector's logger, the messages
#: its connectors pass to ``logger().network()``
HB_NETWORK = (
    "2022-03-10 19:30:05,840 - 10612 - hummingbot.connector.exchange.{ex}.{ex}_exchange"
    " - {level} - {message}"
)
HB_MESSAGES = (
    "Unexpected error while fetching account updates.",
    "Error fetching data from https://example.org/v2/markets. HTTP status is None. "
    "Retrying in 7s.",
    "Error getting server time.",
)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_network_level_record_is_a_network_error_of_its_connector(
    exchange: str,
) -> None:
    """Hummingbot's NETWORK level (DEBUG + 6, ``logger().network()``) states a network
    error, whatever its words; the same words at INFO state nothing."""
    for message in HB_MESSAGES:
        line = HB_NETWORK.format(ex=exchange, level="NETWORK", message=message)
        (hit,) = hits_of(line)
        assert (hit.rule_id, hit.exchange) == (f"{exchange}.server-network", exchange)
        assert hit.recognition is not None
        assert hit.recognition.envelope == "network-level"
        assert hits_of(line.replace(" - NETWORK - ", " - INFO - ")) == []


def test_a_network_level_record_s_words_say_the_category_when_they_can() -> None:
    line = HB_NETWORK.format(
        ex="kucoin", level="NETWORK", message="Error: 429 Too many requests."
    )
    (hit,) = hits_of(line)
    assert hit.rule_id == "kucoin.rate-limit"


# -- names as bots write them in identifiers -------------------------------------------

#: every alias the generated tables give an exchange in snake case (``ascend_ex``,
#: ``crypto_com``, ``gate_io``: its name as Hummingbot names its connector)
SNAKE_ALIASES = [
    (ex.id, alias)
    for ex in sorted(CATALOGUE.exchanges.values(), key=lambda e: e.id)
    for alias in ex.aliases
    if "_" in alias
]


def test_the_tables_give_snake_case_names() -> None:
    assert len(SNAKE_ALIASES) >= 30


@pytest.mark.parametrize(("exchange", "alias"), SNAKE_ALIASES)
def test_a_name_in_snake_case_names_its_exchange(exchange: str, alias: str) -> None:
    for line in (
        f"ERROR - Connector {alias} failed to retrieve its trading pairs.",
        f"hummingbot.connector.derivative.{alias}_perpetual.{alias}_perpetual_derivative"
        " - NETWORK - Unexpected error while fetching account updates.",
    ):
        assert [n.exchange for n in ENGINE.recognizer.names(line)][:1] == [exchange]


#: exchanges whose name is one word: the algorithmic-trading engine's brokerage
#: plugin for it is ``<Name>Brokerage``
ONE_WORD_NAMES = [
    (ex.id, ex.name)
    for ex in sorted(CATALOGUE.exchanges.values(), key=lambda e: e.id)
    if ex.name.isalpha()
]


@pytest.mark.parametrize(("exchange", "name"), ONE_WORD_NAMES)
def test_a_brokerage_plugin_s_class_names_its_exchange(
    exchange: str, name: str
) -> None:
    line = (
        f"2022-09-22T23:42:17.19Z ERROR:: {name}Brokerage.OnMessage(): Error - Code: "
        "ServiceUnavailable - "
    )
    found = [n.exchange for n in ENGINE.recognizer.names(line)]
    assert found[:1] == [exchange]
    # another word glued to the name is still not a name
    assert ENGINE.recognizer.names(f"ERROR:: {name}Client.OnMessage(): x") == []


# -- the exchanges a later ccxt dropped (rules/ccxt-dropped) -----------------------

DROPPED = sorted(
    (
        e
        for e in CATALOGUE.entries.values()
        if Path(e.source).parent.name == "ccxt-dropped"
    ),
    key=lambda e: (e.exchange, str(e.code)),
)
DROPPED_TEXTS = sorted(
    (
        e
        for e in CATALOGUE.texts.values()
        if Path(e.source).parent.name == "ccxt-dropped"
    ),
    key=lambda e: (e.exchange, e.message or ""),
)


def test_the_dropped_exchanges_have_tables() -> None:
    assert {e.exchange for e in (*DROPPED, *DROPPED_TEXTS)} >= {"bitmex", "coinex"}


@pytest.mark.parametrize("envelope", ENVELOPES)
def test_every_code_of_a_dropped_exchange_names_it_once(envelope: str) -> None:
    wrong: list[tuple[str, object]] = []
    carried = [
        e for e in DROPPED if isinstance(e.code, int) or str(e.code).isidentifier()
    ]
    for entry in carried:
        jcode = entry.code if isinstance(entry.code, int) else f'"{entry.code}"'
        message = (entry.message or "error").replace('"', "'")[:80]
        line = envelope.format(
            ex=entry.exchange, code=entry.code, jcode=jcode, message=message
        )
        hits = hits_of(line)
        if entry.rule_id is None:
            if hits:
                wrong.append((line, [h.rule_id for h in hits]))
            continue
        if len(hits) != 1 or hits[0].exchange != entry.exchange:
            wrong.append((line, [(h.rule_id, h.exchange) for h in hits]))
    assert carried
    assert wrong == [], f"{len(wrong)} of {len(carried)}: {wrong[:5]}"


@pytest.mark.parametrize(
    "shape",
    [
        'ccxt.base.errors.ExchangeError: {ex} {{"error":{{"message":"{text}"}}}}',
        PY + '{ex} {{"code":1,"message":"{text}"}}',
    ],
)
def test_every_text_of_a_dropped_exchange_names_it_with_its_category(
    shape: str,
) -> None:
    wrong: list[tuple[str, object]] = []
    for entry in DROPPED_TEXTS:
        if entry.rule_id is None or not entry.message or '"' in entry.message:
            continue
        line = shape.format(ex=entry.exchange, text=entry.message)
        hits = hits_of(line)
        if len(hits) != 1 or hits[0].exchange != entry.exchange:
            wrong.append((line, [(h.rule_id, h.exchange) for h in hits]))
    assert wrong == [], f"{len(wrong)}: {wrong[:5]}"
