"""The generated and cited catalogue tables (rules/ccxt, rules/ib) are well formed.

Read with the csv module and PyYAML only, so the files are checked as data, apart from
the loader: every row has a known category and a valid ``match``, no exchange has a
code or a text twice across all files, and every exchange a table names has an entry
that can attribute a line to it (a name, aliases with its id, API hosts).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from logwatch.rulebook.catalogue import normalise_text
from logwatch.rulebook.codesfile import COLUMNS  # the loader's header: one owner

RULES = Path(__file__).resolve().parent.parent / "rules"
#: the categories issue 19's contract adds to rules/catalogue.yaml
NEW_CATEGORIES = frozenset(
    {
        "nonce",
        "maintenance",
        "market_closed",
        "order_not_found",
        "position",
        "account_restricted",
        "connection_lost",
        "not_supported",
        "duplicate_order",
    }
)
MATCHES = ("", "code", "exact", "broad")
#: exchanges whose entries are in rules/catalogue.yaml, written by hand
HAND_MADE = frozenset({"binance", "bybit", "okx", "mt5"})
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"generated on [0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a codes table, where it is, and which exchange it belongs to."""

    path: Path
    line: int
    exchange: str
    code: str
    category: str
    match: str
    message: str


def known_categories() -> set[str]:
    text = (RULES / "catalogue.yaml").read_text(encoding="utf-8")
    return set(yaml.safe_load(text)["categories"]) | NEW_CATEGORIES


def exchange_of(path: Path) -> str:
    return path.name.removesuffix(".codes.csv")


def read_table(path: Path) -> tuple[list[str], list[TableRow], list[str]]:
    """The comment lines, the rows and the problems of one codes table."""
    text = path.read_text(encoding="utf-8")
    comments = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(lines, strict=True)
    rows: list[TableRow] = []
    problems: list[str] = []
    columns: tuple[str, ...] = ()
    for cells in reader:
        where = f"{path}:{reader.line_num}"
        if not any(c.strip() for c in cells):
            continue
        if not columns:
            columns = tuple(c.strip() for c in cells)
            if columns not in (COLUMNS, (*COLUMNS, "match")):
                problems.append(f"{where}: header is not {','.join(COLUMNS)}[,match]")
                return comments, rows, problems
            continue
        if len(cells) != len(columns):
            problems.append(f"{where}: {len(cells)} columns, not {len(columns)}")
            continue
        cell = dict(zip(columns, cells, strict=True))
        rows.append(
            TableRow(
                path,
                reader.line_num,
                exchange_of(path),
                cell["code"].strip(),
                cell["category"].strip(),
                cell.get("match", "").strip(),
                cell["message"].strip(),
            )
        )
    return comments, rows, problems


def table_problems(paths: list[Path], categories: set[str]) -> list[str]:
    """Every ``path:line: problem`` of the rows of ``paths``, duplicates across files."""
    problems: list[str] = []
    seen: dict[tuple[str, str, str], str] = {}
    for path in sorted(paths):
        _, rows, found = read_table(path)
        problems.extend(found)
        for row in rows:
            where = f"{row.path}:{row.line}"
            if row.category not in categories:
                problems.append(f"{where}: unknown category {row.category!r}")
            if row.match not in MATCHES:
                problems.append(f"{where}: match {row.match!r} is not one of {MATCHES}")
                continue
            if row.match in ("", "code"):
                if not row.code:
                    problems.append(f"{where}: a code row without a code")
                    continue
                norm = str(int(row.code)) if _INTEGER.fullmatch(row.code) else row.code
                key = (row.exchange, "code", norm)
            else:
                if row.code or not row.message:
                    problems.append(
                        f"{where}: a {row.match} row needs a message, no code"
                    )
                    continue
                # compared as the loader compares them: "x" and "X." are one text
                key = (row.exchange, row.match, normalise_text(row.message))
            if key in seen:
                problems.append(
                    f"{where}: duplicate {key[1]} {key[2]!r} of {key[0]} "
                    f"(first at {seen[key]})"
                )
            else:
                seen[key] = where
    return problems


def exchange_entries(
    paths: list[Path],
) -> tuple[dict[str, tuple[str, dict[str, object]]], list[str]]:
    """``id -> (path:line, entry)`` of every ``exchanges:`` entry, and the problems."""
    entries: dict[str, tuple[str, dict[str, object]]] = {}
    problems: list[str] = []
    for path in sorted(paths):
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            if key.value != "exchanges" or not isinstance(value, yaml.MappingNode):
                continue
            for ex_key, ex_value in value.value:
                where = f"{path}:{ex_key.start_mark.line + 1}"
                if ex_key.value in entries:
                    problems.append(
                        f"{where}: exchange {ex_key.value} defined twice "
                        f"(first at {entries[ex_key.value][0]})"
                    )
                    continue
                entry = yaml.safe_load(yaml.serialize(ex_value))
                entries[ex_key.value] = (
                    where,
                    entry if isinstance(entry, dict) else {},
                )
    return entries, problems


def attribution_problems(
    entries: dict[str, tuple[str, dict[str, object]]],
    generated: set[str],
    table_exchanges: set[str],
) -> list[str]:
    """Every generated entry can name its exchange; every table has an entry."""
    problems: list[str] = []
    for ex in sorted(table_exchanges - set(entries)):
        problems.append(f"{ex}.codes.csv: exchange {ex} has no entry under exchanges:")
    for ex in sorted(generated):
        where, entry = entries[ex]
        name, aliases, hosts = (
            entry.get("name"),
            entry.get("aliases"),
            entry.get("hosts"),
        )
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: {ex} has no name")
        if not isinstance(aliases, list) or ex not in {
            str(a).casefold() for a in aliases
        }:
            problems.append(f"{where}: {ex}'s aliases do not include its id")
        if not isinstance(hosts, list) or not all(
            isinstance(h, str) and _HOST.fullmatch(h) for h in hosts
        ):
            problems.append(f"{where}: {ex}'s hosts are not host names: {hosts!r}")
        if not isinstance(entry.get("source"), str) or not entry.get("source"):
            problems.append(f"{where}: {ex} does not say where its facts come from")
    return problems


#: the folders of generated tables: every exchange ccxt knows, those a later ccxt
#: dropped (each from the last release that shipped it), IB's
GENERATED = ("ccxt", "ccxt-dropped", "ib")


def generated_yaml() -> list[Path]:
    return [p for d in GENERATED for p in sorted((RULES / d).glob("*.yaml"))]


def all_entries() -> tuple[dict[str, tuple[str, dict[str, object]]], list[str]]:
    # every catalogue file of the rules folder (catalogue.yaml, catalogue-*.yaml)
    hand = sorted(RULES.glob("catalogue*.yaml"))
    return exchange_entries([*hand, *generated_yaml()])


def generated_ids() -> set[str]:
    ids: set[str] = set()
    for path in generated_yaml():
        ids |= set(yaml.safe_load(path.read_text(encoding="utf-8"))["exchanges"])
    return ids


def all_tables() -> list[Path]:
    return sorted(RULES.rglob("*.codes.csv"))


def ccxt_tables() -> list[Path]:
    return sorted((RULES / "ccxt").glob("*.codes.csv")) + sorted(
        (RULES / "ccxt-dropped").glob("*.codes.csv")
    )


def rows_of(path: Path) -> dict[str, TableRow]:
    return {r.code or f"{r.match}:{r.message}": r for r in read_table(path)[1]}


# -- the shipped tables --------------------------------------------------------------


def test_every_row_of_every_table_has_a_known_category_and_no_duplicate() -> None:
    assert table_problems(all_tables(), known_categories()) == []


def test_every_exchange_with_a_table_can_be_attributed() -> None:
    entries, problems = all_entries()
    tables = {exchange_of(p) for p in all_tables()}
    assert problems == []
    assert attribution_problems(entries, generated_ids(), tables) == []


def test_the_generated_tables_cover_the_exchanges_ccxt_knows() -> None:
    """ccxt 4.5 knows 104 ids; folded into 96 exchanges, 93 without our own three."""
    ccxt_ids = set(
        yaml.safe_load((RULES / "ccxt" / "exchanges.yaml").read_text(encoding="utf-8"))[
            "exchanges"
        ]
    )
    assert len(ccxt_ids) >= 90
    assert len(ccxt_tables()) >= 85
    assert not ccxt_ids & {"binance", "bybit", "okx", "binanceusdm", "myokx", "bybiteu"}
    entries, _ = all_entries()
    kucoin = entries["kucoin"][1]
    assert isinstance(kucoin["aliases"], list)
    assert "kucoinfutures" in kucoin["aliases"]
    kraken_hosts = entries["kraken"][1]["hosts"]
    assert isinstance(kraken_hosts, list)
    assert "api.kraken.com" in kraken_hosts


@pytest.mark.parametrize("path", ccxt_tables(), ids=lambda p: p.name)
def test_a_generated_table_cites_ccxt_its_source_and_date(path: Path) -> None:
    comments, rows, _ = read_table(path)
    header = " ".join(comments)
    exchange = exchange_of(path)
    assert re.search(r"ccxt [0-9]+\.[0-9]+\.[0-9]+", header)
    assert f"python/ccxt/{exchange}.py" in header
    assert "describe()['exceptions']" in header
    assert _DATE.search(header)
    if path.parent.name == "ccxt-dropped":
        assert f"the last ccxt release that ships {exchange}" in header
    counted = re.search(r"([0-9]+) rows; ([0-9]+) entries left out", header)
    assert counted is not None
    assert int(counted.group(1)) == len(rows)


def test_ccxt_rows_are_codes_whole_texts_or_substrings() -> None:
    matches = {r.match for p in ccxt_tables() for r in read_table(p)[1]}
    assert matches == {"", "exact", "broad"}


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("1100", "connection_lost"),
        ("1101", "connection_lost"),
        ("1102", "benign"),
        ("1300", "connection_lost"),
        ("2100", "benign"),
        ("2103", "connection_lost"),
        ("2104", "benign"),
        ("2105", "connection_lost"),
        ("2106", "benign"),
        ("2107", "benign"),
        ("2108", "benign"),
        ("2110", "connection_lost"),
        ("2119", "benign"),
        ("2158", "benign"),
        ("201", "order_rejected"),
        ("103", "duplicate_order"),
        ("504", "connection_lost"),
    ],
)
def test_ib_connectivity_notices_and_errors_have_their_meaning(
    code: str, category: str
) -> None:
    assert rows_of(RULES / "ib" / "ib.codes.csv")[code].category == category


def test_the_ib_table_cites_ibs_documentation() -> None:
    comments, rows, _ = read_table(RULES / "ib" / "ib.codes.csv")
    assert "Understanding Message Codes" in " ".join(comments)
    assert len(rows) >= 400


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("EAPI:Invalid nonce", "nonce"),
        ("EAPI:Invalid key", "auth_permission"),
        ("EAPI:Invalid signature", "signature"),
        ("EOrder:Insufficient funds", "balance_margin"),
        ("EOrder:Order minimum not met", "min_notional"),
        ("EGeneral:Invalid arguments", "request_params"),
        ("EGeneral:Temporary lockout", "rate_limit"),
        ("EService:Unavailable", "maintenance"),
        ("EService:Busy", "maintenance"),
        ("EOrder:Rate limit exceeded", "rate_limit"),
    ],
)
def test_krakens_documented_errors_are_code_rows(code: str, category: str) -> None:
    row = rows_of(RULES / "ccxt" / "kraken.codes.csv")[code]
    assert (row.match, row.category) == ("", category)


# -- the checks above catch what they are for ---------------------------------------


def write(path: Path, *rows: str) -> Path:
    header = ",".join((*COLUMNS, "match"))
    path.write_text("# a table\n" + "\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_a_duplicate_code_across_two_files_is_reported_at_its_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "ccxt").mkdir()
    first = write(tmp_path / "kraken.codes.csv", "EAPI:Invalid nonce,nonce,,,,,,,,,,")
    second = write(
        tmp_path / "ccxt" / "kraken.codes.csv",
        "10,rate_limit,,,,,,,,,,",
        "EAPI:Invalid nonce,nonce,,,,,,,,,,code",
        ",nonce,,,,,,,,,Invalid Nonce,exact",
        ",nonce,,,,,,,,,invalid nonce,exact",
        "010,rate_limit,,,,,,,,,,",
    )
    # files are read in path order: rules/ccxt/... before rules/kraken.codes.csv
    assert table_problems([first, second], known_categories()) == [
        f"{second}:6: duplicate exact 'invalid nonce' of kraken (first at {second}:5)",
        f"{second}:7: duplicate code '10' of kraken (first at {second}:3)",
        f"{first}:3: duplicate code 'EAPI:Invalid nonce' of kraken (first at {second}:4)",
    ]


def test_unknown_categories_and_malformed_rows_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.codes.csv",
        "1,no_such_category,,,,,,,,,,",
        "2,nonce,,,,,,,,,,fuzzy",
        "3,nonce,,,,,,,,,text,exact",
        ",nonce,,,,,,,,,,broad",
        ",nonce,,,,,,,,,,",
        "4,nonce",
    )
    assert table_problems([path], known_categories()) == [
        f"{path}:8: 2 columns, not 12",
        f"{path}:3: unknown category 'no_such_category'",
        f"{path}:4: match 'fuzzy' is not one of {MATCHES}",
        f"{path}:5: a exact row needs a message, no code",
        f"{path}:6: a broad row needs a message, no code",
        f"{path}:7: a code row without a code",
    ]


def test_an_exchange_without_entry_or_name_hosts_or_own_alias_is_reported(
    tmp_path: Path,
) -> None:
    yaml_path = tmp_path / "exchanges.yaml"
    yaml_path.write_text(
        "exchanges:\n"
        "  kraken:\n"
        "    name: Kraken\n"
        "    aliases: [Kraken]\n"
        "    hosts: ['https://api.kraken.com/0']\n"
        "    source: ccxt\n"
        "  kraken:\n"
        "    name: Kraken\n",
        encoding="utf-8",
    )
    entries, problems = exchange_entries([yaml_path])
    assert problems == [
        f"{yaml_path}:7: exchange kraken defined twice (first at {yaml_path}:2)"
    ]
    assert attribution_problems(entries, {"kraken"}, {"kraken", "gate"}) == [
        "gate.codes.csv: exchange gate has no entry under exchanges:",
        f"{yaml_path}:2: kraken's hosts are not host names: ['https://api.kraken.com/0']",
    ]


def test_the_exchanges_ccxt_dropped_come_from_the_release_that_last_shipped_them() -> (
    None
):
    """Each dropped exchange's table and entry cite one ccxt release, and no exchange
    is in both folders."""
    dropped = RULES / "ccxt-dropped"
    current = set(
        yaml.safe_load((RULES / "ccxt" / "exchanges.yaml").read_text(encoding="utf-8"))[
            "exchanges"
        ]
    )
    for path in sorted(dropped.glob("exchanges-ccxt-*.yaml")):
        version = path.stem.removeprefix("exchanges-ccxt-")
        ids = set(yaml.safe_load(path.read_text(encoding="utf-8"))["exchanges"])
        assert ids, path
        assert not ids & current, path
        for exchange in ids:
            table = dropped / f"{exchange}.codes.csv"
            if table.exists():  # an exchange whose map is empty is only named
                header = table.read_text(encoding="utf-8")
                assert f"ccxt {version} is the last ccxt release" in header
