from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from logwatch.app.cli import cli
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Hit, Severity
from logwatch.match.engine import Engine
from logwatch.match.stream import Stream
from logwatch.rulebook.codesfile import COLUMNS, parse_codes
from logwatch.rulebook.ruleload import load_rules
from tests.samples import shipped_rules

CATALOGUE = shipped_rules().catalogue


def hits_of(line: str, engine: Engine) -> list[Hit]:
    stream = Stream(engine, "sample")
    scan = stream.feed(line.encode() + b"\n")
    scan.extend(stream.flush())
    return scan.hits


HEADER = ",".join(COLUMNS) + "\n"


def check(tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--rules", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


class TestFiles:
    def test_a_trader_adds_and_replaces_codes_from_a_rules_directory(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "binance.codes.csv").write_text(
            "# my own remedies\n"
            + HEADER
            + "-1013,order_filter,critical,,Lot size,Лот,Use 0.001 steps,Шаг 0.001,,spot,Filter failure: %s\n"
            + "-9997,server_network,,,,,,,,spot,Something new\n",
            encoding="utf-8",
        )
        rules = load_rules([tmp_path])
        engine = Engine(rules)
        (hit,) = hits_of(
            'binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}', engine
        )
        rule = {r.id: r for r in rules}[hit.rule_id]
        assert (hit.severity, rule.remedy["en"]) == (
            Severity.CRITICAL,
            "Use 0.001 steps",
        )
        (hit,) = hits_of('binance {"code":-9997,"msg":"Something new"}', engine)
        assert hit.rule_id == "binance.code-9997"

    def test_rules_lists_catalogue_entries_by_exchange(self) -> None:
        result = CliRunner().invoke(
            cli, ["rules", "--json", "--lang", "en", "--exchange", "okx"]
        )
        items = json.loads(result.output)
        assert {i["exchange"] for i in items} == {"okx"}
        assert "okx.code-51008" in {i["id"] for i in items}
        assert "okx.unknown-error" in {i["id"] for i in items}
        assert all(i["remedy"] for i in items)

    def test_every_problem_of_a_catalogue_is_reported_with_its_line(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "binance.codes.csv").write_text(
            "# duplicate, remedy in one language, unknown category, bad severity\n"
            + HEADER
            + "-9001,order_filter,,,,,,,,spot,A\n"
            + "-9001,order_filter,,,,,,,,spot,B\n"
            + "-9002,order_filter,,,,,Do this,,,spot,C\n"
            + "-9003,no_such_category,,,,,,,,spot,D\n"
            + "-9004,order_filter,loud,,,,,,,spot,E\n"
            + ",order_filter,,,,,,,,spot,F\n",
            encoding="utf-8",
        )
        (tmp_path / "extra.yaml").write_text(
            "shapes:\n"
            "  - id: binance.mine\n"
            "    exchange: binance\n"
            "    pattern: 'code=((?P<code>-\\d+)'\n"
            "    keywords: [code=]\n"
            "    examples: ['code={code}']\n"
            "  - id: binance.mine2\n"
            "    exchange: binance\n"
            "    pattern: 'no groups here'\n"
            "    keywords: [groups]\n"
            "    examples: ['no groups here']\n",
            encoding="utf-8",
        )
        (tmp_path / "nosuchx.codes.csv").write_text(
            HEADER + "1,order_filter,,,,,,,,spot,A\n", encoding="utf-8"
        )
        code, output = check(tmp_path)
        path = tmp_path / "binance.codes.csv"
        assert code == 2
        assert "Traceback" not in output
        assert sorted(output.splitlines()) == sorted(
            [
                f"{path}:5: code -9002: remedy in en but not in ru",
                f"{path}:7: code -9004: severity 'loud' is not one of info, warning, error, critical, none",
                f"{path}:8: code is missing (or set `match` to exact or broad)",
                f"{tmp_path / 'extra.yaml'}:4: shape binance.mine: pattern does not compile: missing ) at position 20",
                f"{tmp_path / 'extra.yaml'}:9: shape binance.mine2: pattern has no (?P<code>…) or (?P<message>…) group",
                f"{path}:4: code -9001: duplicate code (first at line 3)",
                f"{path}:6: code -9003: unknown category 'no_such_category' (known: "
                + ", ".join(sorted(CATALOGUE.categories))
                + ")",
                f"{tmp_path / 'nosuchx.codes.csv'}:1: unknown exchange 'nosuchx' (the file name says it; add it under `exchanges:` of a catalogue file)",
            ]
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty file: expected the header"),
            ("code,category\n", "the first row must be the header"),
            (HEADER + '-1,"unterminated\n', "not valid CSV"),
            (HEADER + "-1,order_filter\n", "expected 11 columns, found 2"),
        ],
    )
    def test_malformed_codes_files(self, text: str, message: str) -> None:
        rows, errors = parse_codes(text, "x.codes.csv", "binance")
        assert rows == []
        assert any(message in e.format_message() for e in errors), errors

    def test_a_row_its_shapes_do_not_find_fails_check(self, tmp_path: Path) -> None:
        (tmp_path / "mt5.codes.csv").write_text(
            HEADER + "77777,order_rejected,,,,,,,Brand new bracket,mt5,Something\n",
            encoding="utf-8",
        )
        (tmp_path / "mine.yaml").write_text(
            "shapes:\n"
            "  - id: mt5.mine\n"
            "    exchange: mt5\n"
            "    pattern: 'mine says (?P<message>\\w+)'\n"
            "    keywords: [mine says]\n"
            "    examples: ['mine says {message}']\n",
            encoding="utf-8",
        )
        code, output = check(tmp_path)
        assert code == 2
        assert (
            f"{tmp_path / 'mt5.codes.csv'}:2: code 77777: shape mt5.mine gives mt5.unknown-error"
            in output
        )

    def test_a_binary_codes_file_is_reported(self, tmp_path: Path) -> None:
        (tmp_path / "binance.codes.csv").write_bytes(b"code\x00\x00")
        with pytest.raises(
            InvalidConfig, match="not a text file: it holds binary data"
        ):
            load_rules([tmp_path])


YAML_PROBLEMS = """\
categories:
  quiet: {severity: loud, title: {en: "Q", ru: "Т"}}
  no_remedy: {severity: error, title: {en: "N", ru: "Н"}}
exchanges:
  kraken: {name: Kraken, title: {en: "K"}, remedy: {en: "R", ru: "Р"}}
shapes:
  - id: kraken.json
    exchange: nowhere
    pattern: 'kraken (?P<code>\\d+)'
    keywords: [kraken]
    examples: ['kraken {code}']
  - id: binance.slow
    exchange: binance
    pattern: '(?P<code>(?:\\d+)+)x'
    keywords: [ab]
    examples: ['{code}x']
  - exchange: binance
colour: red
"""


def test_every_problem_of_a_catalogue_yaml_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(YAML_PROBLEMS, encoding="utf-8")
    with pytest.raises(InvalidConfig) as info:
        load_rules([tmp_path])
    found = sorted(e.format_message() for e in info.value.errors)
    where = f"{tmp_path / 'mine.yaml'}"
    assert found == sorted(
        [
            f"{where}:2: category quiet: severity: Input should be 'info', 'warning', "
            "'error', 'critical' or 'none'",
            f"{where}:3: category no_remedy: remedy is missing",
            f"{where}:5: exchange kraken: title.ru is missing",
            f"{where}:14: shape binance.slow: pattern has a repeat inside a repeat "
            "(like (a+)+)",
            f"{where}:15: shape binance.slow: keyword 'ab' is shorter than 3",
            f"{where}:17: shape #3: id is missing",
            f"{where}:17: shape #3: pattern is missing",
            f"{where}:17: shape #3: keywords is missing",
            f"{where}:17: shape #3: examples is missing",
            f"{where}:18: unknown key 'colour' (a catalogue file holds "
            "('categories', 'exchanges', 'shapes'))",
            f"{where}:7: shape kraken.json: unknown exchange 'nowhere'",
        ]
    )


def test_a_row_naming_no_rule_or_lacking_a_remedy(tmp_path: Path) -> None:
    (tmp_path / "extra.yaml").write_text(
        "categories:\n  bare: {severity: error, title: {en: B, ru: Б}, remedy: null}\n",
        encoding="utf-8",
    )
    (tmp_path / "binance.codes.csv").write_text(
        HEADER
        + "-9101,order_filter,,binance.no-such-rule,,,,,,spot,A\n"
        + "-9102,order_filter,,Bad Id,,,,,,spot,B\n"
        + "-9103,,,,,,,,,spot,C\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidConfig) as info:
        load_rules([tmp_path])
    found = [e.format_message() for e in info.value.errors]
    path = tmp_path / "binance.codes.csv"
    assert f"{path}:3: code -9102: rule 'Bad Id' is not a rule id" in found
    assert f"{path}:4: code -9103: category is missing" in found
    assert f"{path}:2: code -9101: no rule 'binance.no-such-rule'" in found
    assert f"{tmp_path / 'extra.yaml'}:2: category bare: remedy is missing" in found


def test_sections_of_the_wrong_kind(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "categories: [a]\nshapes: {a: 1}\n", encoding="utf-8"
    )
    with pytest.raises(InvalidConfig) as info:
        load_rules([tmp_path])
    assert sorted(e.format_message() for e in info.value.errors) == [
        f"{tmp_path / 'mine.yaml'}:1: `categories:` must be a mapping of names",
        f"{tmp_path / 'mine.yaml'}:2: `shapes:` must be a list",
    ]
