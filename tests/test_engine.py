from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.formats import GENERIC
from logwatch.core.model import Hit, Severity
from logwatch.follow.blocks import Block
from logwatch.match.catchall import normalise_message
from logwatch.match.engine import Engine
from logwatch.match.redact import CUT_MARK, MAX_REDACTED_CHARS
from logwatch.rulebook.rulecompile import rules_from_text
from tests.samples import CATASTROPHIC, shipped_rules

RULES = shipped_rules()
ENGINE = Engine(RULES)


def block_of(*lines: str) -> Block:
    data = "".join(line + "\n" for line in lines).encode()
    return Block.verbatim(data, 1, 0, 64 * 1024)


def test_lines_without_keywords_never_reach_a_regex() -> None:
    data = (
        b"2026-09-16 10:54:27:154|1|16|ADataFeeder8. Id=1.StateChange SetDefaults\n"
        * 100
    )
    assert ENGINE.candidates(data) == {}


def test_a_line_two_rules_match_raises_one_alert_the_most_severe() -> None:
    """One event, one alert (issue 19): the critical signature error wins."""
    line = (
        "Refuse (Binance Futures): Margin is insufficient. Signature for this request "
        "is not valid."
    )
    scan = ENGINE.scan(block_of("noise", line, "more noise"), GENERIC, "f.log")
    assert [h.rule_id for h in scan.hits] == ["binance.invalid-signature"]
    assert {h.line for h in scan.hits} == {2}
    assert scan.hits[0].key == ("Binance Futures", "")


def test_hits_leave_the_engine_masked() -> None:
    line = "binance: Invalid API-key, IP, or permissions for action, request ip: 178.151.198.159"
    (hit,) = ENGINE.scan(block_of(line), GENERIC, "f.log").hits
    assert "178.151" not in hit.record.raw
    assert "178.151" not in hit.record.text


def test_a_keyword_without_a_match_is_a_near_miss() -> None:
    scan = ENGINE.scan(
        block_of("binance: too many requests per second allowed: 5"), GENERIC, "f"
    )
    assert scan.hits == []
    assert len(scan.misses) == 1
    assert scan.candidates == 1


def test_a_catastrophic_pattern_times_out_is_disabled_once_and_scanning_goes_on() -> (
    None
):
    rules = rules_from_text(CATASTROPHIC)
    engine = Engine(rules, timeout_s=0.02, max_timeouts=2)
    evil = "a" * 40 + "b"
    scan = engine.scan(block_of(evil, evil, evil, "aaaa"), GENERIC, "f.log")
    assert [rule.id for rule, _ in scan.disabled] == ["user.slow"]
    assert engine.timeouts["user.slow"] == 2
    assert "timed out 2 times" in engine.disabled["user.slow"]
    assert scan.hits == []  # the rule stays off, even for a line it would match


@given(
    st.lists(
        st.one_of(
            st.sampled_from([s for r in RULES for s in (*r.samples, *r.near_misses)]),
            st.text(max_size=60),
        ),
        max_size=12,
    )
)
def test_the_prefilter_finds_the_same_hits_as_trying_every_rule(
    lines: list[str],
) -> None:
    lines = [x.replace("\n", " ").replace("\r", " ") for x in lines]
    fast = ENGINE.scan(block_of(*lines), GENERIC, "f")
    slow = []
    for number, text in enumerate(lines, 1):
        record = GENERIC.record("f", [block_of(text).lines()[0]])
        slow += [(number, h.rule_id) for h in ENGINE.match(record)]
    assert [(h.line, h.rule_id) for h in fast.hits] == slow


def test_logwatchs_own_output_is_never_matched() -> None:
    """A followed log that receives logwatch's console output or syslog lines must not
    make it alert on its own messages (a feedback loop)."""
    lines = [
        "logwatch| [FAILURE] ERROR: Not enough margin for the order (BTCUSDT)",
        "logwatch| ERROR: Not enough margin for the order (BTCUSDT)",
        "logwatch| Line: Refuse (B): Margin is insufficient. (BTCUSDT)",
        "Nov 24 12:00:00 host logwatch[4242]: Margin is insufficient",
        "Refuse (B): Margin is insufficient. (BTCUSDT)",
    ]
    scan = ENGINE.scan(block_of(*lines), GENERIC, "syslog")
    assert [h.line for h in scan.hits] == [5]


class TestCatchAll:
    """A source's ``unmatched: warning|error``: records no rule knows, once each."""

    LOG = (
        "2024-05-01 10:00:00,000 - bot - INFO - started, 3 pairs\n"
        "2024-05-01 10:00:01,000 - bot - ERROR - Strange failure 1234 at price 64123.5\n"
        "2024-05-01 10:00:02,000 - bot - ERROR - Strange failure 1299 at price 64200.1\n"
        "2024-05-01 10:00:03,000 - bot - WARNING - disk almost full on C:\n"
        '2024-05-01 10:00:04,000 - bot - ERROR - binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}\n'
        '2024-05-01 10:00:05,000 - bot - ERROR - binanceusdm {"code":-4046,"msg":"No need to change margin type."}\n'
    )

    @staticmethod
    def scan(text: str, level: Severity | None, path: str = "bot.log") -> list[Hit]:
        from logwatch.match.stream import Stream

        stream = Stream(Engine(shipped_rules()), path, unmatched=level)
        result = stream.feed(text.encode())
        result.extend(stream.flush())
        return result.hits

    def test_off_by_default(self) -> None:
        assert [h.rule_id for h in self.scan(self.LOG, None)] == ["binance.code-1013"]

    def test_warning_and_above_in_the_records_own_words(self) -> None:
        hits = self.scan(self.LOG, Severity.WARNING)
        assert [(h.rule_id, h.severity, h.message) for h in hits] == [
            (
                "logwatch.unmatched",
                Severity.ERROR,
                "Strange failure 1234 at price 64123.5",
            ),
            (
                "logwatch.unmatched",
                Severity.ERROR,
                "Strange failure 1299 at price 64200.1",
            ),
            ("logwatch.unmatched", Severity.WARNING, "disk almost full on C:"),
            ("binance.code-1013", Severity.ERROR, "Filter failure: LOT_SIZE"),
        ]

    def test_error_level_leaves_warnings_out(self) -> None:
        hits = self.scan(self.LOG, Severity.ERROR)
        assert [h.severity for h in hits if h.rule_id == "logwatch.unmatched"] == [
            Severity.ERROR,
            Severity.ERROR,
        ]

    def test_one_new_error_is_one_alert(self) -> None:
        """Numbers, ids and prices are replaced in the key, so the repeat is a repeat."""
        from logwatch.alerts.dedup import Deduper

        first, second, other = self.scan(self.LOG, Severity.WARNING)[:3]
        assert first.key == second.key != other.key
        dedup = Deduper()
        now = datetime(2024, 5, 1, 10, 0, 1, tzinfo=UTC)
        assert len(dedup.admit(first, now)) == 1
        assert dedup.admit(second, now + timedelta(seconds=1)) == []

    def test_ids_and_hex_are_replaced_too(self) -> None:
        a, b = (
            normalise_message(f"order {oid} failed at 0x{h}")
            for oid, h in (("8389765589", "7ffe12"), ("1277", "a1b2c3d4"))
        )
        assert a == b == "order # failed at #"

    @pytest.mark.parametrize(
        ("path", "line", "words"),
        [
            (
                "20260804.log",
                "LG\t2\t01:29:08.243\tExperts\t'347913': expert MyEA (EURUSD,H1) removed because of an unknown reason\n",
                "expert MyEA (EURUSD,H1) removed because of an unknown reason",
            ),
            (
                "app.clef",
                '{"@t":"2026-06-25T10:00:01.123Z","@l":"Error","@m":"Order router crashed"}\n',
                "Order router crashed",
            ),
            (
                "log.20260916.00001.txt",
                "2026-09-16 10:54:08:591|0|4|Error: Unknown OIF command 'FOO'\n",
                "Error: Unknown OIF command 'FOO'",
            ),
        ],
    )
    def test_each_format_says_where_its_level_is(
        self, path: str, line: str, words: str
    ) -> None:
        (hit,) = self.scan(line, Severity.ERROR, path)
        assert (hit.rule_id, hit.message) == ("logwatch.unmatched", words)

    def test_info_records_and_recognised_ones_stay_quiet(self) -> None:
        text = "KR\t0\t16:37:02.586\tTerminal\tMetaTrader 5 x64 build 6090 started\n"
        assert self.scan(text, Severity.WARNING, "20260804.log") == []

    def test_the_config_key_is_per_source_and_checked(self, tmp_path: Path) -> None:
        from logwatch.app.configured import build_setup
        from logwatch.core.config import config_from_text
        from logwatch.core.errors import InvalidConfig

        text = (
            "sources:\n"
            "  - name: bot\n"
            f"    paths: ['{tmp_path / 'bot.log'}']\n"
            "    unmatched: {level}\n"
            "  - name: mt5\n"
            f"    paths: ['{tmp_path / 'mt5.log'}']\n"
            "channels:\n"
            "  - name: out\n"
            "    url: json://127.0.0.1:9/hook\n"
        )
        with pytest.raises(InvalidConfig, match=r"c.yaml:4: sources\[0\].unmatched: "):
            config_from_text(text.replace("{level}", "loud"), {}, "c.yaml")
        config = tmp_path / "config.yaml"
        config.write_text(text.replace("{level}", "warning"), encoding="utf-8")
        setup = build_setup(config, {})
        assert [(s.name, s.unmatched) for s in setup.sources] == [
            ("bot", "warning"),
            ("mt5", None),
        ]

    def test_the_follower_gives_each_file_its_sources_level(
        self, tmp_path: Path
    ) -> None:
        from logwatch.app.followed import FollowSettings
        from logwatch.app.follower import Follower
        from logwatch.follow.tailer import Source
        from tests.conftest import wait_until
        from tests.fakes import FakeClock, each_scan

        for name in ("bot.log", "quiet.log"):
            (tmp_path / name).write_text("", encoding="utf-8")
        hits: list[Hit] = []
        follower = Follower(
            Engine(shipped_rules()),
            [
                Source("bot", (str(tmp_path / "bot.log"),), unmatched="error"),
                Source("quiet", (str(tmp_path / "quiet.log"),)),
            ],
            FakeClock(),
            events=each_scan(lambda scan: hits.extend(scan.hits)),
            settings=FollowSettings(poll_interval=0),
        )
        try:
            follower.step()  # files known (followed from their ends)
            for name in ("bot.log", "quiet.log"):
                with (tmp_path / name).open("a") as fh:
                    fh.write(self.LOG)
            wait_until(
                lambda: follower.step() >= 0 and len(hits) >= 4,
                what=lambda: f"4 hits, got {hits}",
            )
        finally:
            follower.close()
        seen = sorted((Path(h.record.path).name, h.rule_id) for h in hits)
        assert seen == [
            ("bot.log", "binance.code-1013"),
            ("bot.log", "logwatch.unmatched"),
            ("bot.log", "logwatch.unmatched"),
            ("quiet.log", "binance.code-1013"),
        ]


def test_a_secret_in_a_field_is_masked_on_every_hit_however_many_values_repeat() -> (
    None
):
    from logwatch.match import seen as engine_module

    engine = Engine(RULES, secrets=("hunter2-secret",))
    names = [f"acct{i} hunter2-secret" for i in range(engine_module._MASKED_FIELDS + 3)]
    lines = [f"Refuse ({name}): Margin is insufficient. (BTCUSDT)" for name in names]
    scan = engine.scan(block_of(*lines, *lines[:5]), GENERIC, "x.log")
    connections = [hit.record.fields["connection"] for hit in scan.hits]
    assert len(connections) == len(lines) + 5
    assert not any("hunter2" in c for c in connections)
    assert connections[0] == connections[-5] == "acct0 ****"


@pytest.mark.parametrize("lines", [1, 3])
def test_a_hit_keeps_its_record_masked_up_to_the_cap_with_the_cut_marked(
    lines: int,
) -> None:
    """A record may be 200 lines of 64 KiB: only its head is masked and kept."""
    error = "Refuse (B): Margin is insufficient. ip 178.151.198.159"
    filler = " ".join(["word"] * 10_000)  # 50 KB
    block = block_of(error + " " + filler, *[filler] * (lines - 1))
    (hit,) = ENGINE.scan(block, GENERIC, "f.log").hits
    for text in (hit.record.raw, hit.record.text):
        assert text.startswith("Refuse (B): Margin is insufficient. ip ****")
        assert text.endswith(CUT_MARK)
        assert len(text) <= MAX_REDACTED_CHARS + len(CUT_MARK)


def test_a_rule_of_plain_words_matches_where_its_patterns_do() -> None:
    """A rule whose patterns are plain words is matched by ``str.find`` in an ASCII
    text: the same match, at the same place, as its patterns' search, in its own
    samples whatever their case, and vetoed by its ignores alike."""
    from logwatch.match.rulestep import _find_literal

    vetoed = Engine(
        rules_from_text(
            """
rules:
  - id: user.refused
    severity: error
    title: {en: "Refused", ru: "Отказ"}
    remedy: {en: "Fix", ru: "Исправить"}
    patterns: ['order refused', 'order rejected']
    ignore: ['by the test desk']
    keywords: ['order']
    samples: ['Order REJECTED: margin', 'an ORDER refused now']
    near_misses: ['order refused by the test desk', 'an order filled']
"""
        )
    )
    compared = 0
    for rule, literals in [
        *zip(ENGINE.rules, ENGINE._rules.literals, strict=True),
        *zip(vetoed.rules, vetoed._rules.literals, strict=True),
    ]:
        if literals is None or not rule.patterns:
            continue
        texts = [*rule.samples, *rule.near_misses, *(i.pattern for i in rule.ignore)]
        texts += [f"{t} {i.pattern}" for t in rule.samples for i in rule.ignore]
        texts += [t.upper() for t in texts] + [t.swapcase() for t in texts]
        texts += [f"x {texts[0]} and {t}" for t in texts[:1] + texts[-1:]]
        for text in filter(str.isascii, texts):
            expected = rule.match(text)
            got = _find_literal(text, text.lower(), *literals)
            assert (got is None) == (expected is None), (rule.id, text)
            if got is not None and expected is not None:
                assert (got.start(), got.group()) == (
                    expected.start(),
                    expected.group(),
                )
            compared += 1
    assert compared > 50
