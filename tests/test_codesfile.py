"""A codes file's rows are checked one by one, each problem at its line."""

from __future__ import annotations

from logwatch.core.model import Severity
from logwatch.rulebook.codesfile import COLUMNS, MATCH_COLUMN, exchange_of, parse_codes

HEADER = ",".join(COLUMNS)


def test_a_row_becomes_a_code_of_the_exchange_the_file_names() -> None:
    text = f"# a comment\n{HEADER}\n-1013,order_filter,critical,,,,,,,spot,Lot\n"
    (row,), problems = parse_codes(text, "b.codes.csv", exchange_of("b.codes.csv"))
    assert problems == []
    assert (row.exchange, row.code, row.severity, row.line) == (
        "b",
        -1013,
        Severity.CRITICAL,
        3,
    )


def test_every_bad_row_is_reported_at_its_line_and_the_good_ones_kept() -> None:
    text = (
        f"{HEADER},{MATCH_COLUMN}\n"
        "1,c,warning,,,,,,,,x,code\n"
        "1,c,warning,,,,,,,,x,code\n"  # the same code again
        ",c,loud,,,,,,,,y,exact\n"  # an unknown severity
        "2,c\n"  # too few columns
    )
    rows, problems = parse_codes(text, "x.codes.csv", "x")
    assert [r.code for r in rows] == [1]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "code 1"),
        (4, "exact message"),
        (5, "expected 12 columns, found 2"),
    ]


def test_a_file_without_its_header_says_which_header() -> None:
    rows, (problem,) = parse_codes("", "x.codes.csv", "x")
    assert rows == []
    assert HEADER in problem.message
