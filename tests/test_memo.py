"""The statement memo: lines that differ in their timestamp's digits are matched once,
and only where every step treats those digits alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.formats import FORMATS, NINJATRADER, Format
from logwatch.core.model import Hit
from logwatch.follow.blocks import Block
from logwatch.match.engine import Engine
from logwatch.match.memo import digit_blind, digit_cuts
from logwatch.match.stream import Stream
from logwatch.rulebook.cataloguetext import fill
from logwatch.rulebook.rulecompile import rules_from_text
from tests.corpus_check import entries
from tests.samples import shipped_rules

REFUSED = "|0|4|Refuse (Binance Futures): Margin is insufficient. (DOGEUSDT)"


def block_of(*lines: str) -> Block:
    data = "".join(line + "\n" for line in lines).encode()
    return Block.verbatim(data, 1, 0, 64 * 1024)


def engine_of(pattern: str) -> Engine:
    return Engine(
        rules_from_text(
            f"""
rules:
  - id: user.refused
    severity: error
    title: {{en: "Refused", ru: "Отказ"}}
    remedy: {{en: "Fix", ru: "Исправить"}}
    patterns: ['{pattern}']
    keywords: ['refuse']
    samples: ['2026-09-21 14:13:20:150|0|4|Refuse (X): no']
    near_misses: ['nothing here', 'nor here']
"""
        )
    )


@pytest.mark.parametrize(
    ("pattern", "blind"),
    [
        (r"\d+:\d\d Refuse", True),
        (r"[!-~]{3,5} margin", True),
        (r"code=-2019", False),
        (r"[0-5]\d:", False),
        (r"(\w)\1", False),
        (r"\x41", False),
        (r"\N{DIGIT ONE}", False),
        (r"(?:margin){e<=1}", False),
        (r"(?P<a>x)(?P=a)", False),
    ],
)
def test_a_pattern_is_digit_blind_only_if_no_digit_can_be_told_apart(
    pattern: str, blind: bool
) -> None:
    assert digit_blind(pattern) is blind


def test_lines_of_one_statement_each_get_their_own_record_and_line() -> None:
    engine = engine_of("Refuse")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(
        block_of(first, "2026-09-21 14:13:21:000|1|16|noise", second), NINJATRADER, "f"
    ).hits
    assert [(h.line, h.record.raw, h.record.timestamp) for h in hits] == [
        (1, first, "2026-09-21 14:13:20:150"),
        (3, second, "2026-09-21 14:13:21:400"),
    ]
    assert hits[0].key == hits[1].key
    assert hits[0].recognition == hits[1].recognition


def test_a_rule_with_a_digit_of_its_own_is_matched_on_every_line() -> None:
    """``20:1`` is in the first line's time only: the memo must not give the second
    line the first line's hit."""
    engine = engine_of("20:1")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(block_of(first, second), NINJATRADER, "f").hits
    assert [h.line for h in hits] == [1]


def test_a_hit_that_takes_text_from_the_time_is_made_for_each_line() -> None:
    """The evidence of ``\\d\\d:\\d\\d:\\d\\d`` is the time itself: each line's own."""
    engine = engine_of(r"\d\d:\d\d:\d\d:\d+.{0,6}Refuse")
    first = "2026-09-21 14:13:20:150" + REFUSED
    second = "2026-09-21 14:13:21:400" + REFUSED
    hits = engine.scan(block_of(first, second), NINJATRADER, "f").hits
    evidence = [h.recognition.envelope_evidence for h in hits if h.recognition]
    assert evidence == ["14:13:20:150|0|4|Refuse", "14:13:21:400|0|4|Refuse"]


def test_a_remembered_statement_is_still_masked_on_every_line() -> None:
    engine = engine_of("Refuse")
    tail = "|0|4|Refuse (Binance Futures): denied, request ip: 178.151.198.159"
    hits = engine.scan(
        block_of("2026-09-21 14:13:20:150" + tail, "2026-09-21 14:13:21:400" + tail),
        NINJATRADER,
        "f",
    ).hits
    assert len(hits) == 2
    assert all("178.151" not in h.record.raw for h in hits)


def test_a_rule_capture_of_digits_is_each_lines_own() -> None:
    """An amount a rule captures: a line with another amount is not given the
    first line's capture or evidence."""
    engine = engine_of(r"Refuse(?:.{0,60}qty (?P<qty>\d+))?")
    first = "2026-09-21 14:13:20:150" + REFUSED + " qty 5"
    second = "2026-09-21 14:13:21:400" + REFUSED + " qty 7"
    third = "2026-09-21 14:13:22:400" + REFUSED + " qty 5"
    hits = engine.scan(block_of(first, second, third), NINJATRADER, "f").hits
    assert [h.captures["qty"] for h in hits] == ["5", "7", "5"]
    evidence = [h.recognition.envelope_evidence[-5:] for h in hits if h.recognition]
    assert evidence == ["qty 5", "qty 7", "qty 5"]


RULES = shipped_rules()
#: the engine under test, and one that matches every record afresh
MEMO = Engine(RULES)
FRESH = Engine(RULES, remember=False)
HEAD = "2026-11-24 10:00:{s:02d},{ms:03d} - bot.um - ERROR - "
#: lines an exchange's code is printed in (what its own shapes print is added)
CODED = (
    '{ex} {{"code":{code},"msg":"{msg}"}} seq={n}',
    "{ex} {code} {msg} (order {n})",
    'ccxt.base.errors.ExchangeError: {ex} {{"code":{code},"msg":"{msg}"}}',
    '{ex} {{"retCode":{code},"retMsg":"{msg}","time":1700{n}}}',
)


def scanned(engine: Engine, lines: list[str]) -> list[Hit]:
    data = "".join(line + "\n" for line in lines).encode()
    stream = Stream(engine, "f.log")
    return [*stream.feed(data).hits, *stream.flush().hits]


def _other_digits(code: str, step: int) -> str:
    """``code`` with its last digit another (a code of the same length)."""
    last = next(i for i in range(len(code) - 1, -1, -1) if code[i].isdigit())
    return code[:last] + str((int(code[last]) + step) % 10) + code[last + 1 :]


#: where a line's code and its id go in ``_coded_lines``' texts
CODE, ID = "\x01", "\x02"


def _coded_lines(exchange: str) -> list[tuple[str, str]]:
    """(line with CODE and ID marks, code) for the exchange's first few coded
    entries (an unknown code when its table has none), in each of CODED's shapes
    and its own shapes' examples."""
    catalogue = RULES.catalogue
    coded = sorted(
        (
            (str(e.code), e.message or "error")
            for (ex, _), e in catalogue.entries.items()
            if ex == exchange and any(c.isdigit() for c in str(e.code))
        ),
    )[:3] or [("10001", "error")]
    out = []
    for code, message in coded:
        msg = message.replace('"', "'").replace("{", "(").replace("}", ")")
        for shape in CODED:
            out.append((shape.format(ex=exchange, code=CODE, msg=msg, n=ID), code))
        for own in catalogue.shapes:
            if own.exchange == exchange and own.examples:
                out.append((fill(own.examples[0], CODE, msg) + f" #{ID}", code))
    return out


@pytest.mark.parametrize("exchange", sorted(RULES.catalogue.exchanges))
def test_lines_differing_in_a_codes_digits_get_the_hits_of_a_fresh_match(
    exchange: str,
) -> None:
    """Per exchange and shape: a code, the same code with other digits, then again
    (the memo's second sight of each), with other times and ids each time."""
    lines = []
    for n, (text, code) in enumerate(_coded_lines(exchange)):
        codes = (code, _other_digits(code, 1), code, _other_digits(code, 3))
        for i, c in enumerate(codes):
            head = HEAD.format(s=(n + i) % 60, ms=(7 * n + 13 * i) % 1000)
            lines.append(head + text.replace(CODE, c).replace(ID, f"{n * 10 + i:07d}"))
    assert scanned(MEMO, lines) == scanned(FRESH, lines)


#: corpus lines that hold a digit (tests/corpus, as test_corpus reads it)
CORPUS_LINES = sorted({e.line for e in entries() if any(c.isdigit() for c in e.line)})


def digit_variants(data: st.DataObject, line: str) -> list[str]:
    """``line`` and two variants of it, each with random digits at random ones of
    its digit places."""
    places = [i for i, c in enumerate(line) if c.isdigit()]
    digit = st.sampled_from("0123456789")
    variants = [line]
    for _ in range(2):
        new = list(line)
        for i in places:
            if data.draw(st.booleans()):
                new[i] = data.draw(digit)
        variants.append("".join(new))
    return variants


@given(st.data())
def test_a_corpus_line_with_other_digits_gets_the_hits_of_a_fresh_match(
    data: st.DataObject,
) -> None:
    line = data.draw(st.sampled_from(CORPUS_LINES))
    variants = digit_variants(data, line)
    lines = [*variants, *variants[::-1]]
    assert scanned(MEMO, lines) == scanned(FRESH, lines)


@pytest.mark.parametrize(
    ("pattern", "cuts"),
    [
        (r"\d{4,5}|[0-2]", {1, 2, 3}),
        (r"code=-2019", {1, 2, 3, 9}),
        (r"[!-~]{3,5}", set()),
        (r"(\w)\1", None),
        (r"(?1)", None),
        (r"[A-Z0-9]{2,20}", set()),
        (r"[^0-9]x", set()),
        (r"[/-0-9]", {1, 9}),
        (r"[0-9a]-0-9", {1, 9}),
        (r"[]0-9]", None),
    ],
)
def test_a_pattern_tells_apart_only_the_digits_between_its_cuts(
    pattern: str, cuts: set[int] | None
) -> None:
    assert digit_cuts(pattern) == (None if cuts is None else frozenset(cuts))


def test_a_digit_a_range_holds_is_told_from_one_it_does_not() -> None:
    """``[0-2]`` (looked at, not taken: the hit's text holds no digit): a line with 7
    where the first had 1 is matched afresh, and gives nothing."""
    engine = engine_of(r"Refuse(?=.{0,60}level [0-2]\b)|Refuse \(X\)")
    first = "2026-09-21 14:13:20:150" + REFUSED + " level 1"
    second = "2026-09-21 14:13:21:400" + REFUSED + " level 7"
    hits = engine.scan(block_of(first, second), NINJATRADER, "f").hits
    assert [h.line for h in hits] == [1]


#: a line of each format whose fields are slices of its line, with digits in its
#: fields (a level, a logger's, an account's, a connection's and a symbol's)
SLICED = {
    "ninjatrader": "2026-09-21 14:13:20:150|0|4|Refuse (Binance Futures 2): Margin "
    "is insufficient. (BTC1000USDT)",
    "python": '2026-11-24 10:00:00,001 - bot.um2 - ERROR - binanceusdm {"code":-2019,'
    '"msg":"Margin is insufficient."} symbol=BTC1000 seq=0000001',
    "metatrader": "2026.11.24 10:00:00.123\tExpert 5\t'123456': binance "
    '{"code":-2019,"msg":"Margin is insufficient."}',
    "generic": "2026-11-24 10:00:00 binance code=-2019 Margin is insufficient. "
    "(ETH2USDT)",
}


@pytest.mark.parametrize("name", sorted(SLICED))
@given(data=st.data())
def test_a_line_with_other_digits_gets_the_record_and_hits_of_a_fresh_match(
    name: str, data: st.DataObject
) -> None:
    """The line memo (a line's outcome by its bytes, before the parse): the line,
    two variants with random digits at random digit places, l v1 v2 v2 v1 l; each
    record (its fields, time, place) and hits as a fresh match's."""
    line = SLICED[name]
    variants = digit_variants(data, line)
    block = block_of(*variants, *variants[::-1])
    fresh = FRESH.scan(block, FORMATS[name], "f.log")
    assert fresh.hits
    assert MEMO.scan(block, FORMATS[name], "f.log").hits == fresh.hits


def test_a_remembered_line_is_not_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three lines of one statement (other times): the format parses the first
    only; each hit still carries its own line's record."""
    parsed = []
    record = Format.record

    def counted(fmt: Format, path: str, lines: list[object]) -> object:
        parsed.append(lines)
        return record(fmt, path, lines)  # type: ignore[arg-type]

    monkeypatch.setattr(Format, "record", counted)
    times = ("14:13:20:150", "14:13:21:400", "14:13:22:950")
    lines = [f"2026-09-21 {t}" + REFUSED for t in times]
    hits = Engine(RULES).scan(block_of(*lines), NINJATRADER, "f").hits
    assert len(parsed) == 1
    assert [h.record.raw for h in hits] == lines
    assert [h.record.timestamp for h in hits] == [f"2026-09-21 {t}" for t in times]
    assert [h.record.offset for h in hits] == [
        0,
        len(lines[0]) + 1,
        2 * len(lines[0]) + 2,
    ]
