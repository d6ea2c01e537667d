from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.formats import FORMATS, GENERIC, SLICED_BY, detect, field_spans
from logwatch.core.logtime import parse_timestamp
from logwatch.core.model import Line, Record


def record(fmt: str, *texts: str, path: str = "x.log") -> Record:
    lines = [Line(t, i + 1, 0, 0) for i, t in enumerate(texts)]
    return FORMATS[fmt].record(path, lines)


@pytest.mark.parametrize(
    ("path", "lines", "expected"),
    [
        ("D:/Quantower/Logs/Serilog/20260625.slog", [], "quantower"),
        (
            "C:/Users/t/Documents/NinjaTrader 8/log/log.20260916.00002.txt",
            [],
            "ninjatrader",
        ),
        (
            "C:/Users/t/AppData/Roaming/MetaQuotes/Terminal/ABC/MQL5/Logs/20260804.log",
            [],
            "metatrader",
        ),
        ("/home/u/freqtrade/user_data/logs/freqtrade.log.3", [], "python"),
        (
            "x.log",
            ["KR\t0\t16:37:02.586\tTerminal\tMetaTrader 5 x64 build 6090 started"],
            "metatrader",
        ),
        (
            "x.log",
            ["2026-09-16 10:54:08:591|0|4|Error on requesting bars series"],
            "ninjatrader",
        ),
        (
            "x.log",
            [
                "2024-07-25 02:41:52,418 - 15 - hummingbot.core - WARNING - x",
                "OSError: y",
            ],
            "python",
        ),
        ("x.log", ["[ERROR | 2021-01-05T00:00:00] boom"], "python"),
        (
            "x.log",
            ['{"@t":"2026-06-25T10:00:01Z","@mt":"Refuse {Conn}","Conn":"B"}'],
            "quantower",
        ),
        ("x.log", ['{"time": 1, "msg": "x"}'], "json"),
        ("x.log", ["just words", "more words"], "generic"),
        ("x.log", [], "generic"),
    ],
)
def test_detection_by_name_then_content(
    path: str, lines: list[str], expected: str
) -> None:
    assert detect(path, lines).name == expected


class TestRecords:
    def test_python_logging_fields_and_continuation_lines(self) -> None:
        rec = record(
            "python",
            "2024-07-25 02:41:52,418 - 15 - hummingbot.connector.binance - ERROR - Failed",
            'OSError: HTTP status is 400. Error: {"code":-2010,"msg":"Account has insufficient balance"}',
        )
        assert rec.timestamp == "2024-07-25 02:41:52,418"
        assert rec.fields["level"] == "ERROR"
        assert rec.fields["logger"] == "hummingbot.connector.binance"
        assert rec.fields["code"] == "-2010"
        assert rec.text.endswith('balance"}')
        assert rec.first_line == 1

    def test_quantower_refuse_gives_connection_and_symbol(self) -> None:
        rec = record(
            "generic", "Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)"
        )
        assert rec.fields["connection"] == "Binance Futures"
        assert rec.fields["symbol"] == "BTCUSDT"

    def test_slog_json_is_read_as_a_person_would(self) -> None:
        rec = record(
            "quantower",
            '{"@t":"2026-06-25T10:00:01.123+03:00","@mt":"Refuse ({Connection}): {Text}",'
            '"Connection":"Binance Futures","Text":"Order\'s notional \\"5\\"","@x":"Trace"}',
        )
        assert rec.text == 'Refuse (Binance Futures): Order\'s notional "5"\nTrace'
        assert rec.fields["connection"] == "Binance Futures"
        assert parse_timestamp(rec) == datetime.fromisoformat(
            "2026-06-25T10:00:01.123+03:00"
        )

    def test_quantower_event_and_message_keys(self) -> None:
        rec = record(
            "quantower",
            '{"Date":"2026-06-25 10:00:01","Type":"Trading","Event":"Order refused",'
            '"Message":"Margin is insufficient.","ConnectionName":"Binance Futures"}',
        )
        assert rec.text == "Order refused\nMargin is insufficient."
        assert rec.fields["level"] == "Trading"
        assert rec.fields["connection"] == "Binance Futures"

    @pytest.mark.parametrize("line", ["{not json", "[1, 2]", '{"n": 1}'])
    def test_broken_or_odd_json_falls_back_to_the_raw_line(self, line: str) -> None:
        assert record("json", line).text == line

    def test_log4net_lines(self) -> None:
        rec = record(
            "quantower", "2021-07-01 10:00:00,123 [12] ERROR Binance - Refuse (B): x"
        )
        assert (rec.fields["level"], rec.timestamp) == (
            "ERROR",
            "2021-07-01 10:00:00,123",
        )

    def test_metatrader_takes_the_date_from_the_file_name(self) -> None:
        rec = record(
            "metatrader",
            "LG\t2\t01:29:08.243\tTrades\t'347913': failed market buy",
            path="MQL5/Logs/20260629.log",
        )
        assert rec.fields["account"] == "347913"
        assert rec.fields["level"] == "2"
        assert parse_timestamp(rec) == datetime(2026, 6, 29, 1, 29, 8, 243000)

    def test_nul_bytes_never_reach_the_text(self) -> None:
        assert (
            "\x00" not in record("generic", "\x00\x00Margin\x00 is insufficient").text
        )


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-09-16 10:54:08:591", datetime(2026, 9, 16, 10, 54, 8, 591000)),
        ("2021-05-23 03:39:42,789", datetime(2021, 5, 23, 3, 39, 42, 789000)),
        ("25.06.2018 18:06:11", datetime(2018, 6, 25, 18, 6, 11)),
        ("2022.10.26 09:28:59.971", datetime(2022, 10, 26, 9, 28, 59, 971000)),
        ("not a time", None),
    ],
)
def test_timestamps_parse_lazily(stamp: str, expected: datetime | None) -> None:
    rec = GENERIC.record("x.log", [Line("x", 1, 0, 1)])
    from dataclasses import replace

    assert parse_timestamp(replace(rec, timestamp=stamp)) == expected


def test_record_boundaries_for_a_multiline_format() -> None:
    fmt = FORMATS["python"]
    data = b"2026-01-01 00:00:00,1 - a - INFO - x\nTraceback\n  y\n2026-01-01 00:00:01,1 - a - INFO - z\n"
    pos = data.index(b"  y")
    assert fmt.record_start(data, pos) == 0
    assert fmt.record_end(data, 0) == data.index(b"2026-01-01 00:00:01")
    assert fmt.next_record(data, data.index(b"Traceback")) == data.index(
        b"2026-01-01 00:00:01"
    )
    assert GENERIC.next_record(data, 5) == 5


_PIECES = (
    "2026-09-21 14:13:20:150",
    "|0|4|",
    "Refuse (",
    "Binance Futures",
    "): ",
    "(DOGEUSDT)",
    '"symbol": "BTCUSDT"',
    "symbol=ETHUSDT",
    "binance {",
    '"code":-2019',
    "code=-1021",
    "(401, -2015, ",
    " ",
    "\t",
    "\x1c",
    "\n",
    ".",
    "_",
    "9",
)


@given(st.lists(st.sampled_from(_PIECES), max_size=10))
def test_an_ascii_twin_finds_what_its_pattern_does(parts: list[str]) -> None:
    """The stdlib twins run on ASCII texts only: there they must find the same."""
    from logwatch.core import formats

    text = "".join(parts)
    patterns = [p for _, _, p in formats._CONTEXT] + [formats._SYMBOL_AT_END]
    for pattern in patterns:
        twin = formats._ascii_twin(pattern)
        assert twin is not None
        got, want = twin.search(text), pattern.search(text)
        assert (got and got.span(), got and got.groupdict()) == (
            want and want.span(),
            want and want.groupdict(),
        ), pattern.pattern


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("ninjatrader", "2026-09-21 14:13:20:150|0|4|Refuse (Binance 2): no (BTC1000)"),
        ("ninjatrader", "14:13:20:150 Refuse (X): no"),
        ("python", '2026-11-24 10:00:00,001 - bot.um2 - ERROR - x {"code":-2019}'),
        ("python", "[ERROR | 2026-11-24T10:00:00] symbol=BTC1000 code=-1021"),
        ("metatrader", "2026.11.24 10:00:00.123\tExpert 5\t'123456': binance {"),
        ("metatrader", "LK\t0\t10:00:00.123\tTrades\tfailed (EURUSD)"),
        ("generic", "2026-11-24 10:00:00 binance code=-2019 (ETH2USDT)"),
        ("generic", "no time at all"),
    ],
)
def test_field_spans_are_where_a_records_fields_and_time_are(
    name: str, raw: str
) -> None:
    fmt = FORMATS[name]
    record = fmt.record("f", [Line(raw, 1, 0, len(raw) + 1)])
    spans = field_spans(name, raw)
    assert spans is not None
    texts = {k: raw[a:b] for k, (a, b) in spans.items()}
    assert texts.pop("ts", None) == record.timestamp
    fields = dict(record.fields)
    if fmt.platform:
        assert fields.pop("platform") == fmt.platform
    assert texts == fields


def test_only_formats_whose_fields_are_slices_have_spans() -> None:
    assert field_spans("json", '{"symbol": "BTC"}') is None
    assert field_spans("quantower", "x") is None
    assert set(SLICED_BY) == {"metatrader", "ninjatrader", "python", "generic"}
