from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from logwatch.app.cli import cli
from logwatch.core.model import Hit, Severity
from logwatch.match.engine import Engine, catalogue_problems
from logwatch.match.stream import Stream
from logwatch.rulebook.catalogue import (
    Catalogue,
    Entry,
    Shape,
    fill,
    fits,
    real_message,
)
from logwatch.rulebook.rules import RuleSet
from tests.samples import shipped_rules

RULES = shipped_rules()
ENGINE = Engine(RULES)
CATALOGUE = RULES.catalogue
# numbers in their order, then the string codes (Kraken's, IB's names) by name
ENTRIES = sorted(
    CATALOGUE.entries.values(),
    key=lambda e: (e.exchange, isinstance(e.code, str), str(e.code).zfill(12)),
)


def hits_of(line: str, engine: Engine = ENGINE, path: str = "sample") -> list[Hit]:
    """What the whole pipeline (prefilter, format, rules, shapes) reports for a line."""
    stream = Stream(engine, path)
    scan = stream.feed(line.encode() + b"\n")
    scan.extend(stream.flush())
    return scan.hits


def shapes_of(entry: Entry) -> list[tuple[str, str]]:
    """Each line a shape prints the entry in; not the lines a shape cannot print (a
    generated table's positive code of an exchange whose own codes are negative: the
    recognizer's envelopes find those), as ``catalogue_problems`` skips them too."""
    return [
        (shape.id, line)
        for shape in CATALOGUE.shapes
        for line in CATALOGUE.examples(entry, shape)
        if shape.pattern.search(line) is not None
    ]


class TestEveryCodeInEveryShape:
    """Generated from the catalogue: a new row is tested with no new test code."""

    @pytest.mark.parametrize(
        "entry", ENTRIES, ids=[f"{e.exchange}{e.code}" for e in ENTRIES]
    )
    def test_the_code_is_found_in_each_of_its_shapes(self, entry: Entry) -> None:
        lines = shapes_of(entry)
        assert lines or not entry.aliases, "an entry with aliases has no shape"
        for shape_id, line in lines:
            hits = hits_of(line)
            if entry.rule_id is None:
                assert hits == [], (shape_id, line)
                continue
            assert len(hits) == 1, (shape_id, line, hits)
            (hit,) = hits
            assert hit.rule_id.startswith(f"{entry.exchange}."), (shape_id, line)
            assert entry.code in hit.codes, (shape_id, line, hit.codes)
            assert hit.exchange == entry.exchange

    def test_every_exchange_and_shape_is_exercised(self) -> None:
        used = {s for e in ENTRIES for s, _ in shapes_of(e)}
        assert used == {s.id for s in CATALOGUE.shapes}
        # the exchanges with shapes of their own; the generated tables add the rest
        assert {e.exchange for e in ENTRIES} >= {
            "binance",
            "bybit",
            "okx",
            "mt5",
            "mt4",
        }

    @pytest.mark.timeout(300)  # every rule of the catalogue through `check`: heavy
    def test_check_finds_no_problem_in_the_shipped_catalogue(self) -> None:
        """The one run of the shipped catalogue through ``check``'s code per test run
        (issue 18): ``check`` and ``init`` leave the shipped rules alone to it."""
        assert catalogue_problems(ENGINE) == []

    def test_the_codes_of_the_data_tables_are_all_there(self) -> None:
        """282 Binance codes, 710 Bybit, 1012 OKX, 41 + 57 MetaTrader 5 (shared data), 73
        MetaTrader 4 (MQL4's documentation)."""
        count: dict[str, int] = {}
        for (exchange, _), entry in CATALOGUE.entries.items():
            if Path(entry.source).name == f"{exchange}.codes.csv" and (
                Path(entry.source).parent.name == "rules"  # not rules/ccxt, rules/ib
            ):
                count[exchange] = count.get(exchange, 0) + 1
        assert count == {
            "binance": 282,
            "bybit": 710,
            "okx": 1012,
            "mt5": 98,
            "mt4": 73,
        }


class TestKnownErrors:
    @pytest.mark.parametrize(
        ("line", "rule_id", "code"),
        [
            # issue 10: lines the old rules missed
            (
                'ccxt.base.errors.InvalidOrder: binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}',
                "binance.code-1013",
                -1013,
            ),
            (
                "binance.exceptions.BinanceAPIException: APIError(code=-1102): Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
                "binance.code-1102",
                -1102,
            ),
            (
                "(400, -2013, 'Order does not exist.', {'Content-Type': 'application/json'})",
                "binance.code-2013",
                -2013,
            ),
            (
                'binanceusdm {"code":-1000,"msg":"An unknown error occurred while processing the request."}',
                "binance.code-1000",
                -1000,
            ),
            # real lines quoted in the research notes (freqtrade #5012, hummingbot #7132)
            (
                '021-05-23 03:39:42,789 - freqtrade.exchange.common - WARNING - get_balances() returned exception: "Could not get balance due to InvalidNonce. Message: binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"',
                "binance.recv-window",
                -1021,
            ),
            (
                'OSError: Error executing request POST https://api.binance.com/api/v3/order. HTTP status is 400. Error: {"code":-2010,"msg":"Account has insufficient balance for requested action."}',
                "binance.balance-insufficient",
                -2010,
            ),
            (
                'bybit {"retCode":10002,"retMsg":"invalid request, please check your server timestamp or recv_window param. req_timestamp[1696396708819],server_timestamp[1696396707813],recv_window[15000]","result":{},"retExtInfo":{},"time":1696396707813}',
                "bybit.code-10002",
                10002,
            ),
            (
                'okx {"msg":"Timestamp request expired","code":"50102"}',
                "okx.code-50102",
                50102,
            ),
            (
                "2022.10.26 09:28:59.971\tTrades\t'51008572': failed market buy 0.01 USDCHF tp: 0.98635 [Unsupported filling mode]",
                "mt5.code-10030",
                10030,
            ),
            (
                "2026.08.17 07:10:56.700\tTrades\t'43114765': failed market buy 0.01 EURUSD_i sl: 1.07950 tp: 1.08850 [Invalid stops]",
                "mt5.code-10016",
                10016,
            ),
            (
                "LG\t2\t01:29:08.243\tTrades\t'347913': failed market buy 0.04 XAUUSDx [AutoTrading disabled by server]",
                "mt5.code-10026",
                10026,
            ),
            (
                "2024-06-01 12:00:00,001 - mt5bot - ERROR - order_send failed, retcode=10019",
                "mt5.code-10019",
                10019,
            ),
            # a Bybit text that a Binance rule's words would match is Bybit's
            (
                'bybit {"retCode":110044,"retMsg":"Available margin is insufficient.","result":{},"retExtInfo":{},"time":1}',
                "bybit.code-110044",
                110044,
            ),
        ],
    )
    def test_real_line(self, line: str, rule_id: str, code: int) -> None:
        (hit,) = hits_of(line)
        assert (hit.rule_id, code in hit.codes) == (rule_id, True)

    @pytest.mark.parametrize(
        ("line", "rule_id", "code"),
        [
            (
                "Refuse (Binance Futures): Filter failure: LOT_SIZE (BTCUSDT)",
                "binance.code-1013",
                -1013,
            ),
            (
                "Refuse (Binance Futures): Order does not exist.",
                "binance.code-2013",
                -2013,
            ),
            (
                "Refuse (Binance Futures): Timestamp for this request is outside of the "
                "ME recvWindow.",
                "binance.recv-window",
                -5028,
            ),
            (
                "Refuse (OKX): Order failed. Insufficient USDT balance in account",
                "okx.code-51008",
                51008,
            ),
        ],
    )
    def test_quantower_prints_only_the_text_and_the_text_finds_the_code(
        self, line: str, rule_id: str, code: int
    ) -> None:
        (hit,) = hits_of(line)
        assert (hit.rule_id, code in hit.codes) == (rule_id, True)

    def test_quantower_text_nobody_documented_is_still_reported(self) -> None:
        (hit,) = hits_of("Refuse (Binance Futures): Brand new refusal (BTCUSDT)")
        assert (hit.rule_id, hit.message, hit.codes) == (
            "binance.unknown-error",
            "Brand new refusal",
            (),
        )

    def test_quantower_own_wording_keeps_its_own_rule(self) -> None:
        (hit,) = hits_of(
            "Refuse (Binance Futures): Request was executed partially (XRPUSDT)"
        )
        assert hit.rule_id == "quantower.close-position-partial"

    def test_a_code_in_a_traceback_is_reported_at_its_own_line(self) -> None:
        """Hummingbot puts the exchange's body on a continuation line of the record."""
        text = (
            "2024-07-25 02:41:52,418 - 15 - hummingbot.connector.exchange.binance - "
            "ERROR - Error submitting buy LIMIT order to Binance\n"
            "Traceback (most recent call last):\n"
            '  File "binance_exchange.py", line 210, in _place_order\n'
            "OSError: Error executing request POST https://api.binance.com/api/v3/order. "
            'HTTP status is 400. Error: {"code":-1013,"msg":"Filter failure: LOT_SIZE"}\n'
            "2024-07-25 02:41:52,435 - 15 - hummingbot.core - INFO - next tick\n"
        )
        stream = Stream(ENGINE, "logs_bot.log")
        scan = stream.feed(text.encode())
        scan.extend(stream.flush())
        (hit,) = scan.hits
        assert (hit.rule_id, hit.line, hit.record.first_line) == (
            "binance.code-1013",
            4,
            1,
        )

    def test_a_hand_written_rule_wins_over_the_catalogue_on_its_line(self) -> None:
        (hit,) = hits_of('binance {"code":-2019,"msg":"Margin is insufficient."}')
        assert hit.rule_id == "binance.margin-insufficient"
        assert CATALOGUE.entries["binance", -2019].rule_id == hit.rule_id

    def test_a_new_code_for_a_known_text_keeps_the_hand_rule_and_gets_the_code(
        self,
    ) -> None:
        line = "(400, -4188, 'Timestamp for this request is outside of the ME recvWindow.', {})"
        (hit,) = hits_of(line)
        assert hit.rule_id == "binance.recv-window"
        assert hit.codes[0] == -4188

    @pytest.mark.parametrize(
        "line",
        [
            'binanceusdm {"code":-4046,"msg":"No need to change margin type."}',
            "binance.exceptions.BinanceAPIException: APIError(code=-4059): No need to change position side.",
            'binanceusdm {"code":-4197,"msg":"No need to modify the order."}',
            'bybit {"retCode":110043,"retMsg":"Set leverage has not been modified.","result":{},"retExtInfo":{},"time":1}',
            "pybit.exceptions.InvalidRequestError: Position mode has not been modified. (ErrCode: 110025) (ErrTime: 10:47:14).",
            'bybit {"retCode":0,"retMsg":"OK","result":{"orderId":"1321003749386327552"},"retExtInfo":{},"time":1}',
            '{"code":"0","data":[{"clOrdId":"","ordId":"312269865356374016","sCode":"0","sMsg":"Order placed","tag":""}],"msg":""}',
            "CS\t0\t10:12:01.345\tMyExpert (EURUSD,H1)\tCTrade::OrderSend: market buy 0.10 EURUSD [done at 1.08123]",
            "2024-06-01 12:00:00,001 - mt5bot - INFO - order_send done, retcode=10009",
            "Refuse (Bybit Unified): Set leverage has not been modified.",
        ],
    )
    def test_confirmations_and_success_raise_nothing(self, line: str) -> None:
        assert hits_of(line) == []

    def test_a_silent_code_is_not_listed_as_a_miss(self) -> None:
        stream = Stream(ENGINE, "sample")
        scan = stream.feed(
            b'binanceusdm {"code":-4046,"msg":"No need to change margin type."}\n'
        )
        scan.extend(stream.flush())
        assert (scan.hits, scan.misses) == ([], [])

    def test_the_mt5_journal_is_read_as_utf16_with_its_bom(
        self, tmp_path: Path
    ) -> None:
        log = tmp_path / "MQL5" / "Logs" / "20260804.log"
        log.parent.mkdir(parents=True)
        log.write_bytes(
            b"\xff\xfe"
            + (
                "KR\t0\t16:37:02.586\tTerminal\tMetaTrader 5 x64 build 6090 started\r\n"
                "LG\t2\t01:29:08.243\tTrades\t'347913': failed market buy 0.04 "
                "XAUUSDx [No money]\r\n"
            ).encode("utf-16-le")
        )
        result = CliRunner().invoke(
            cli, ["scan", "--json", "--lang", "en", str(log)], catch_exceptions=False
        )
        (hit,) = [json.loads(x) for x in result.stdout.splitlines()]
        assert (hit["rule"], hit["codes"], hit["exchange"], hit["line"]) == (
            "mt5.code-10019",
            [10019],
            "mt5",
            2,
        )


class TestUnknownCodes:
    @pytest.mark.parametrize(
        "shape",
        [s for s in CATALOGUE.shapes if "code" in s.pattern.groupindex],
        ids=lambda s: s.id,
    )
    def test_a_code_not_in_the_catalogue_still_raises_a_warning(
        self, shape: Shape
    ) -> None:
        code = {
            "binance": -9998,
            "bybit": 9999998,
            "okx": 59998,
            "mt5": 99998,
            "mt4": 4079,
        }[shape.exchange]
        assert (shape.exchange, code) not in CATALOGUE.entries
        message = "Brand new error text"
        for example in shape.examples:
            (hit,) = hits_of(fill(example, code, message))
            # an exception class beside it says the category (issue 19)
            classes = [c for c in CATALOGUE.classes if f"{c}:" in example]
            category = CATALOGUE.classes[classes[0]] if classes else ""
            if category:
                assert hit.rule_id == f"{shape.exchange}.{category.replace('_', '-')}"
            else:
                assert hit.rule_id == f"{shape.exchange}.unknown-error"
                assert hit.severity is Severity.WARNING
            assert hit.codes == (code,)
            if "message" in shape.pattern.groupindex and "message}" in example:
                assert hit.message == message

    def test_scan_json_gives_remedy_exchange_and_the_message_title(
        self, tmp_path: Path
    ) -> None:
        log = tmp_path / "bot.log"
        log.write_text(
            'binance {"code":-9998,"msg":"Brand new error text"}\n'
            'ccxt.base.errors.InvalidOrder: binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}\n'
            "mt5bot: order_send failed, retcode=10019\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            cli, ["scan", "--json", "--lang", "ru", str(log)], catch_exceptions=False
        )
        hits = [json.loads(x) for x in result.stdout.splitlines()]
        assert [(h["rule"], h["code"], h["exchange"]) for h in hits] == [
            ("binance.unknown-error", -9998, "binance"),
            ("binance.code-1013", -1013, "binance"),
            ("mt5.code-10019", 10019, "mt5"),
        ]
        assert hits[0]["title"] == "Brand new error text"
        assert hits[0]["severity"] == "warning"
        assert "LOT_SIZE" in hits[1]["remedy"]
        assert "Округлите" in hits[1]["remedy"]
        assert hits[2]["remedy"] == RULES_BY_ID["mt5.code-10019"].remedy["ru"]


RULES_BY_ID = {r.id: r for r in RULES}


class TestNearMisses:
    """Tempting words, and numbers that look like codes but are not, raise nothing."""

    @pytest.mark.parametrize(
        "line",
        [
            "2024-05-01 10:00:00,000 - bot - INFO - margin ratio 12.5 %, balance 1034.20 USDT",
            "2024-05-01 10:00:00,000 - bot - INFO - available balance is sufficient for 3 orders",
            "2024-05-01 10:00:00,000 - bot - DEBUG - timestamp 1696396708819 recvWindow=5000",
            "2024-05-01 10:00:00,000 - bot - DEBUG - GET https://api.binance.com/api/v3/account?timestamp=1641975040074&recvWindow=5000&signature=81784b67c1a0e5f3",
            "2024-05-01 10:00:00,000 - bot - INFO - signature verified, listenKey refreshed",
            "2024-05-01 10:00:00,000 - bot - INFO - min notional for BTCUSDT is 5.0",
            "Help: -1013 means a filter failure; see the Binance docs for LOT_SIZE.",
            "2024-05-01 10:00:00,000 - bot - INFO - Order 8389765589 FILLED: buy 0.002 BTCUSDT at 64123.10",
            '{"symbol":"BTCUSDT","orderId":28457,"status":"FILLED","price":"-1013.50"}',
            "2024-05-01 10:00:00,000 - bot - INFO - listening on 127.0.0.1:10019, order 10030 sent",
            "2024-05-01 10:00:00,000 - bot - INFO - 2026-10-19 report: 110043 trades, pnl -2015.40",
            "NN\t0\t00:00:01.938\tTrades\t'4000090541': market buy 0.34 SP500 sl: 7144.7",
            "KK\t0\t00:00:02.070\tTrades\t'4000090541': deal #145900211 buy 0.34 SP500 at 7360.7 done (based on order #3162533174)",
            "2024-05-01 10:00:00,000 - bot - WARNING - failed to connect [Errno 111] Connection refused",
            '2024-05-01 10:00:00,000 - bot - INFO - fetched {"code":"200","msg":"success"} from the price API',
            "2024-05-01 10:00:00,000 - bot - INFO - pnl: 5, -1.2, -3.4 over the last three trades",
            "2024-05-01 10:00:00,000 - bot - INFO - price API said {'code': 200, 'msg': 'ok'}",
            "2024-05-01 10:00:00,000 - bot - INFO - {'code': '200', 'msg': 'success', 'data': []}",
        ],
    )
    def test_raises_nothing(self, line: str) -> None:
        assert hits_of(line) == []


class TestPrefilter:
    def test_the_prefilter_does_not_grow_with_the_catalogue(self) -> None:
        empty = dataclasses.replace(CATALOGUE, entries={}, texts={})
        small = Engine(RuleSet(RULES.rules, empty))
        assert small.keywords == ENGINE.keywords
        # what grows it are rules and exchanges' names (54 rules, 100 exchanges), not
        # codes: 7,000 codes and none of them a keyword
        assert len(ENGINE.keywords) < 300


def test_placeholders_become_real_values() -> None:
    assert real_message("limit is %s orders per <A>, {param0}") == (
        "limit is 0.001 orders per 0.001, 0.001"
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_alert_for_an_unknown_code_is_titled_with_the_exchange_message(
    lang: str,
) -> None:
    from datetime import UTC, datetime

    from logwatch.alerts.render import render
    from logwatch.core.model import Alert, AlertKind

    (hit,) = hits_of('binance {"code":-9998,"msg":"Brand new error text"}')
    rule = RULES_BY_ID[hit.rule_id]
    alert = Alert(
        id="a1",
        kind=AlertKind.FIRST,
        rule_id=hit.rule_id,
        severity=hit.severity,
        fingerprint="f",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        hit=hit,
    )
    message = render(alert, rule, lang, "telegram")
    assert "Brand new error text" in message.title
    assert rule.remedy[lang] in message.body
    assert "-9998" in message.body


@given(
    st.lists(st.text("ab %", max_size=3), min_size=1, max_size=5),
    st.text("ab %\n", max_size=14),
)
def test_a_template_fits_a_text_as_its_regex_would(
    pieces: list[str], text: str
) -> None:
    """``fits`` replaced ``.+?`` between the pieces (a fullmatch whose time grew with
    the power of the number of placeholders): the same answer, in one pass."""
    regex_of = re.compile(".+?".join(map(re.escape, pieces)))
    assert fits(pieces, text) is (regex_of.fullmatch(text) is not None)


def test_a_message_with_many_of_a_templates_words_is_looked_up_at_once() -> None:
    """``.+?`` between five pieces took 36 s on half this text (2.4 KB), 1 s on a
    quarter: a power of its length. No entry, found in one pass."""
    entry = dataclasses.replace(
        next(iter(shipped_rules().catalogue.entries.values())), message="a %s b %s"
    )
    catalogue = Catalogue(templates={"x": (("a %s b %s c %s d %s e", entry),)})
    assert catalogue.lookup("x", None, "a" + " x b x c x d" * 400 + " x") is None
    assert catalogue.lookup("x", None, "a 1 b 2 c 3 d 4 e") is entry


def test_a_russian_title_is_russian_not_the_exchanges_english_message() -> None:
    """Issue 21: ``Расходится время…: The request time exceeds…``: the exchange's
    English message followed the Russian category title."""
    mixed = [
        entry.rule_id
        for entry in ENTRIES
        if entry.message
        and entry.title["ru"] != entry.title["en"]
        and real_message(entry.message)[:20] in entry.title["ru"]
    ]
    assert mixed == []
    assert any(real_message(e.message)[:20] in e.title["en"] for e in ENTRIES)


def test_a_codes_title_is_made_when_read_and_reads_as_before() -> None:
    """Issue 23 (RSS at READY): ~9,700 catalogue rules each held two title strings
    and a dict of their own (~4.5 MB at rest). A title is now made when read, from
    its category's title and the code's own values, and reads as it did."""
    import pickle

    rules = {r.id: r for r in RULES}
    title = rules["binance.code-1014"].title
    made = {
        "en": "Order rejected (Binance -1014): Unsupported order combination.",
        "ru": "Ордер отклонён (Binance -1014)",
    }
    assert title == made
    assert made == title
    assert title.get("ru") == made["ru"]
    assert title["en"] == made["en"]
    assert dict(title) == made
    assert dict(title.items()) == made
    assert json.loads(json.dumps(dict(title))) == made
    assert pickle.loads(pickle.dumps(title)) == made  # noqa: S301  our own bytes
    assert rules["binance.balance-margin"].title == {
        "en": "Binance: Not enough balance or margin",
        "ru": "Binance: Недостаточно средств или маржи",
    }
    # what the rules keep of their own at rest: no dict of strings for a made title
    held = [r.id for r in RULES if isinstance(r.title, dict)]
    assert len(held) < len(rules) // 3
