from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Severity
from logwatch.match.engine import Engine
from logwatch.rulebook.patterns import keyword_variants
from logwatch.rulebook.rulecompile import rules_from_text, sample_record
from logwatch.rulebook.ruleload import builtin_rules_dir, load_rules, rule_files
from logwatch.rulebook.rules import Rule
from logwatch.rulebook.rulespec import rule_schema
from tests.samples import GOOD, shipped_rules

BUILTIN = shipped_rules()
ENGINE = Engine(BUILTIN)
SAMPLES = [(r.id, s) for r in BUILTIN for s in r.samples]
NEAR_MISSES = [(r.id, s) for r in BUILTIN for s in r.near_misses]

SEED_IDS = {
    "binance.invalid-api-key": [-2015],
    "binance.api-key-format": [-2014],
    "binance.timestamp-ahead": [-1021],
    "binance.recv-window": [-1021, -5028],
    "binance.min-notional": [-4164, -5029],
    "binance.margin-insufficient": [-2019],
    "binance.too-many-orders": [-1015],
    "binance.balance-insufficient": [-2018],
    "binance.listen-key-missing": [-1125],
    "quantower.close-position-partial": [],
    "binance.request-weight": [-1003],
    "binance.invalid-start-time": [-1130],
    "binance.invalid-signature": [-1022],
    "binance.user-data-stream-expired": [],
}


def hits_of(line: str) -> list[str]:
    """Rule ids the whole pipeline (prefilter, format, patterns) reports for one line."""
    from logwatch.match.stream import Stream

    stream = Stream(ENGINE, "sample")
    scan = stream.feed(line.encode() + b"\n")
    scan.extend(stream.flush())
    return [h.rule_id for h in scan.hits]


@pytest.mark.parametrize(
    ("rule_id", "sample"), SAMPLES, ids=[f"{r}:{i}" for i, (r, _) in enumerate(SAMPLES)]
)
def test_every_sample_is_found_by_its_rule(rule_id: str, sample: str) -> None:
    assert rule_id in hits_of(sample)


@pytest.mark.parametrize(
    ("rule_id", "line"),
    NEAR_MISSES,
    ids=[f"{r}:{i}" for i, (r, _) in enumerate(NEAR_MISSES)],
)
def test_no_near_miss_is_found_by_its_rule(rule_id: str, line: str) -> None:
    assert rule_id not in hits_of(line)


def test_each_sample_hits_only_its_own_rule() -> None:
    """Like fail2ban's samples test: two rules claiming one line would alert twice."""
    overlaps = {(r, s): hits_of(s) for r, s in SAMPLES if hits_of(s) != [r]}
    assert overlaps == {}


@pytest.mark.parametrize("rule_id", sorted(SEED_IDS))
def test_the_seed_errors_have_their_ids_and_codes(rule_id: str) -> None:
    rule = next(r for r in BUILTIN if r.id == rule_id)
    assert set(SEED_IDS[rule_id]) <= set(rule.codes)
    assert rule.title["en"]
    assert rule.title["ru"]
    assert rule.remedy["en"]
    assert rule.remedy["ru"]


def test_builtin_rules_are_found_next_to_the_package_or_in_the_repo() -> None:
    assert (builtin_rules_dir() / "binance.yaml").is_file()


def test_schema_forbids_unknown_keys_and_lists_severities() -> None:
    schema = rule_schema()
    spec = schema["$defs"]["RuleSpec"]
    assert spec["additionalProperties"] is False
    assert set(schema["$defs"]["Severity"]["enum"]) == {s.value for s in Severity}
    json.dumps(schema)


class TestValidation:
    def test_a_good_rule_compiles(self) -> None:
        (rule,) = rules_from_text(GOOD)
        assert isinstance(rule, Rule)
        assert rule.keywords == (b" was refused", b" was rejected")
        assert rule.match("Order 7 was refused") is not None

    def problems(self, text: str) -> list[str]:
        with pytest.raises(InvalidConfig) as info:
            rules_from_text(text, "r.yaml")
        return [e.format_message() for e in info.value.errors]

    def test_every_problem_is_reported_with_its_line(self) -> None:
        bad = (
            GOOD.replace("severity: warning", "severity: loud").replace(
                'ru: "Р"}', 'de: "R"}'
            )
            + "    colour: red\n"
        )
        assert self.problems(bad) == [
            "r.yaml:4: rule my.rule: severity: Input should be 'info', 'warning', 'error' or 'critical'",
            "r.yaml:6: rule my.rule: remedy.ru is missing",
            "r.yaml:6: rule my.rule: unknown key 'remedy.de'",
            "r.yaml:11: rule my.rule: unknown key 'colour'",
        ]

    def test_a_field_failing_the_model_does_not_hide_the_other_problems(
        self,
    ) -> None:
        """A bad severity used to hide a bad key and a failing sample."""
        bad = (
            GOOD.replace("severity: warning", "severity: loud")
            .replace("key: [order,", "key: [nope,")
            .replace("samples: ['Order 12", "samples: ['Ordre 12")
        )
        found = self.problems(bad)
        assert [p.split(": ", 2)[0] for p in found] == [
            "r.yaml:4",
            "r.yaml:7",
            "r.yaml:8",
            "r.yaml:9",
        ]
        assert found[0].endswith(
            "severity: Input should be 'info', 'warning', 'error' or 'critical'"
        )
        assert "patterns[0] matches none of the samples" in found[1]
        assert "key entry 'nope' is neither" in found[2]
        assert "samples[0] does not match: no pattern matches it" in found[3]

    def test_check_prints_every_problem_of_a_rule_file(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from logwatch.app.cli import cli

        (tmp_path / "mine.yaml").write_text(
            GOOD.replace("severity: warning", "severity: loud")
            .replace("key: [order,", "key: [nope,")
            .replace("samples: ['Order 12", "samples: ['Ordre 12"),
            encoding="utf-8",
        )
        result = CliRunner().invoke(cli, ["check", "--rules", str(tmp_path)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        lines = result.output.splitlines()
        assert len(lines) == 4
        assert all(x.startswith(f"{tmp_path / 'mine.yaml'}:") for x in lines)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                ("'Order (?P", "'Order ((?P"),
                "r.yaml:7: rule my.rule: patterns[0] does not compile: missing )",
            ),
            (
                ("key: [order,", "key: [nope,"),
                "r.yaml:8: rule my.rule: key entry 'nope' is neither",
            ),
            (
                ("samples: ['Order 12", "samples: ['Ordre 12"),
                "r.yaml:9: rule my.rule: samples[0] does not match: no pattern matches it",
            ),
            (
                ("'Order 12 was accepted'", "'Order 13 was refused'"),
                "r.yaml:10: rule my.rule: near_misses[0] matches, but must not",
            ),
            (
                ("'order book rejected']", "]"),
                "r.yaml:10: rule my.rule: near_misses: List should have at least 2 items",
            ),
            (
                ("id: my.rule", "id: My Rule"),
                "r.yaml:3: rule My Rule: id: String should match pattern",
            ),
            (
                ("(?:rejected|refused)'", "(?:rejected|refused)', '(\\w+\\s?)*x+z'"),
                "r.yaml:7: rule my.rule: patterns[1] has a repeat inside a repeat",
            ),
        ],
    )
    def test_one_problem(self, change: tuple[str, str], message: str) -> None:
        found = self.problems(GOOD.replace(*change))
        assert any(p.startswith(message) for p in found), found

    def test_a_pattern_without_literal_text_needs_keywords(self) -> None:
        text = GOOD.replace(
            "'Order (?P<order>\\d+) was (?:rejected|refused)'", "'\\d+ \\w+'"
        )
        assert any("list some under `keywords:`" in p for p in self.problems(text))
        fixed = text.replace(
            "    key: [order, connection]\n", "    keywords: [order]\n"
        )
        fixed = fixed.replace(
            "near_misses: ['Order 12 was accepted', 'order book rejected']",
            "near_misses: ['Order', 'order x']",
        )
        (rule,) = rules_from_text(fixed)
        assert rule.keywords == tuple(sorted(keyword_variants("order")))

    def test_a_sample_missing_every_keyword_is_reported(self) -> None:
        text = GOOD.replace(
            "    key: [order, connection]\n", "    keywords: [refused]\n"
        )
        assert any("holds none of the keywords" in p for p in self.problems(text))

    def test_not_yaml_empty_and_wrong_shapes(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text("rules: [\n", encoding="utf-8")
        (tmp_path / "b.yaml").write_bytes(b"\x89PNG\x00\x00")
        (tmp_path / "c.yml").write_text("", encoding="utf-8")
        (tmp_path / "d.yaml").write_text("- just a list\n", encoding="utf-8")
        (tmp_path / "e.yaml").write_text("rules: {}\nother: 1\n", encoding="utf-8")
        (tmp_path / "f.yaml").write_bytes(b"rules: \xff\n")
        with pytest.raises(InvalidConfig) as info:
            load_rules([tmp_path], builtin=False)
        messages = [e.format_message() for e in info.value.errors]
        assert messages[0].startswith(f"{tmp_path / 'a.yaml'}:2: not valid YAML: ")
        assert messages[1:] == [
            f"{tmp_path / 'b.yaml'}:1: not a YAML text file: it holds binary data "
            "(if it is text, save it as UTF-8)",
            f"{tmp_path / 'c.yml'}:1: empty file: expected a top-level `rules:` list",
            f"{tmp_path / 'd.yaml'}:1: expected a mapping with a top-level `rules:` list",
            f"{tmp_path / 'e.yaml'}:2: unknown key 'other'",
            f"{tmp_path / 'e.yaml'}:1: `rules:` must be a list of rules",
            f"{tmp_path / 'f.yaml'}:1: not a YAML file in UTF-8: it is saved in another "
            "encoding (such as Windows-1251); save it as UTF-8",
        ]

    def test_duplicate_ids_across_files_and_duplicate_keys(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "mine.yaml").write_text(
            GOOD.replace("my.rule", "binance.margin-insufficient").replace(
                "    severity: warning\n",
                "    severity: warning\n    severity: error\n",
            ),
            encoding="utf-8",
        )
        with pytest.raises(InvalidConfig) as info:
            load_rules([tmp_path])
        messages = [e.format_message() for e in info.value.errors]
        assert messages[0] == f"{tmp_path / 'mine.yaml'}:5: duplicate key 'severity'"
        assert messages[1].startswith(
            f"{tmp_path / 'mine.yaml'}:3: rule binance.margin-insufficient: duplicate id: already defined at "
        )

    def test_muting_an_unknown_rule_is_an_error(self, tmp_path: Path) -> None:
        (tmp_path / "m.yaml").write_text(
            GOOD + "    mutes: [no.such-rule]\n", encoding="utf-8"
        )
        with pytest.raises(
            InvalidConfig, match=r"rule my.rule: mutes unknown rule 'no.such-rule'"
        ):
            load_rules([tmp_path])

    def test_a_missing_rules_directory_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidConfig, match="no such rules directory"):
            rule_files([tmp_path / "nope"])


class TestSamples:
    def test_samples_make_records_in_their_own_format(self) -> None:
        assert sample_record('{"@t":"2026-01-01T00:00:00Z","@m":"hi"}').text == "hi"
