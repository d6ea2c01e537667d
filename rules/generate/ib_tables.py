"""Write the Interactive Brokers table from IB's documented TWS API message codes.

Run by hand on a text copy of IB's "Understanding Message Codes" section of the TWS API
documentation (www.interactivebrokers.com/campus/ibkr-api-page/twsapi-doc/), one row a
line as ``code<TAB>TWS message<TAB>additional notes``; the copy read for the shipped
table is github.com/trustdan/new-ibkr-trader documentation/IBKR-TWS-API-documentation.md
@b86b0e7 (2025-06-12):

    git -C <mirror> show b86b0e7:documentation/IBKR-TWS-API-documentation.md > ib.md
    python3 rules/generate/ib_tables.py ib.md --date "$(date -u +%F)"

The categories are logwatch's own reading of IB's text: the connectivity notices
that say a data farm is connected, connecting or idle (2104, 2106, 2107, 2108, 2119,
2158) and the other warnings are ``benign`` (they raise nothing); the connection losses
(1100, 1101, 1300, 2103, 2105, 2110, 10328) are ``connection_lost``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent
COLUMNS = (
    "code",
    "category",
    "severity",
    "rule",
    "title_en",
    "title_ru",
    "remedy_en",
    "remedy_ru",
    "aliases",
    "markets",
    "message",
    "match",
)
_ROW = re.compile(r"(-?[0-9]+)\t([^\t]*)(?:\t(.*))?")
#: the section of the documentation the table is in, and the one after it
_START = "Understanding Message Codes"
_END = "Receiving Error Messages"

#: category by code, where the words alone would say it wrong or not at all
BY_CODE: dict[int, str] = {
    # system messages: connectivity between TWS/IB Gateway and IB's servers
    1100: "connection_lost",
    1101: "connection_lost",  # restored, but market data requests are lost
    1102: "benign",  # restored, data maintained
    1300: "connection_lost",
    # warnings: data farm notices
    2100: "benign",
    2101: "program_runtime",
    2102: "order_rejected",
    2103: "connection_lost",
    2104: "benign",
    2105: "connection_lost",
    2106: "benign",
    2107: "benign",
    2108: "benign",
    2109: "benign",
    2110: "connection_lost",
    2111: "benign",
    2119: "benign",
    2130: "benign",
    2137: "benign",
    2152: "benign",
    2158: "benign",
    2168: "benign",
    2169: "benign",
    # TWS errors whose words mislead
    100: "rate_limit",
    101: "rate_limit",
    102: "program_runtime",
    103: "duplicate_order",
    104: "order_rejected",
    135: "order_not_found",
    136: "order_rejected",
    154: "market_closed",
    161: "order_rejected",
    162: "server_network",
    165: "benign",
    200: "request_params",
    201: "order_rejected",
    202: "benign",  # sent for every cancelled order, the bot's own cancels too
    203: "account_restricted",
    300: "program_runtime",
    309: "rate_limit",
    316: "server_network",
    317: "server_network",
    320: "server_network",
    321: "server_network",
    322: "server_network",
    323: "server_network",
    324: "server_network",
    326: "program_runtime",
    354: "account_restricted",
    357: "program_runtime",
    381: "program_runtime",
    388: "min_notional",
    395: "maintenance",
    396: "maintenance",
    397: "maintenance",
    399: "order_rejected",
    404: "order_rejected",
    412: "market_closed",
    426: "position",
    438: "program_runtime",
    481: "benign",
    501: "program_runtime",
    502: "connection_lost",
    503: "program_runtime",
    504: "connection_lost",
    509: "connection_lost",
    586: "connection_lost",
    10015: "auth_permission",
    10147: "order_not_found",
    10148: "order_rejected",
    10197: "connection_lost",  # another session of the same user holds the data
    10225: "server_network",
    10230: "program_runtime",
    10233: "benign",
    10238: "server_network",
    10248: "auth_permission",
    10287: "order_rejected",
    10288: "order_rejected",
    10311: "benign",
    10328: "connection_lost",
    10329: "benign",
    10346: "request_params",
    143: "request_params",
    145: "request_params",
    407: "request_params",
    517: "request_params",
    573: "program_runtime",
    **dict.fromkeys(range(10278, 10285), "request_params"),  # WSH data requests
    **dict.fromkeys((10299, 10300, 10301, 10314), "request_params"),
    10347: "benign",
}
#: then by the words of the message, first match wins
BY_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), c)
    for p, c in (
        (
            r"sending error|error encoding|bad message|unknown message id",
            "program_runtime",
        ),
        (r"unsupported version|socket", "program_runtime"),
        (
            r"not subscribed|market data permissions|permissions required|"
            r"news feed is not allowed",
            "account_restricted",
        ),
        (r"warning", "benign"),
        (
            r"not supported|not allowed|unsupported|disabled|are only valid"
            r"|only supports|can only|is not applicable|no longer supported"
            r"|is not valid for this order|may not be specified|must be routed"
            r"|requires no|deprecated",
            "not_supported",
        ),
        (r"price|tick|decimals|conform", "order_filter"),
        (r"size|quantity|shares|allocation", "order_params_or_account_config"),
        (
            r"invalid|must|missing|required|incorrect|syntax|pars(?:e|ing)|format"
            r"|expired|not found|ambiguous",
            "request_params",
        ),
    )
)


def clean(text: str) -> str:
    """IB's cell text without the copy's doubled quotes and stray markup."""
    text = text.replace("/td>", "").replace("\\n", " ").replace('\\"', '"')
    for fancy in ("“", "”"):
        text = text.replace(fancy, '"')
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-")
    text = text.replace('\\"', '"')
    text = " ".join(text.split())
    while '""' in text:
        text = text.replace('""', '"')
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    if text.count('"') % 2:
        text = text[1:] if text[:1] == '"' else text.removesuffix('"')
    return text.strip()


def wrap(text: str, width: int = 86) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def category_of(code: int, message: str) -> str:
    if code in BY_CODE:
        return BY_CODE[code]
    for pattern, category in BY_WORDS:
        if pattern.search(message):
            return category
    return "order_rejected"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "doc", type=Path, help="text copy of IB's TWS API documentation"
    )
    parser.add_argument("--out", type=Path, default=RULES / "ib")
    parser.add_argument("--date", required=True)
    args = parser.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    start = text.index(_START)
    section = text[start : text.index(_END, start)]
    rows: dict[int, tuple[str, str]] = {}
    repeated: list[str] = []
    for line in section.splitlines():
        m = _ROW.fullmatch(line.strip("\n"))
        if not m:
            continue
        code, message = int(m.group(1)), clean(m.group(2))
        if not message:
            continue
        if code in rows:
            repeated.append(f"{code} ({message[:50]})")
            continue
        rows[code] = (category_of(code, message), message)
    buf = io.StringIO()
    header = wrap(
        "Interactive Brokers: TWS API message codes (the error() callback of TWS and "
        "IB Gateway: system messages, errors, client errors and warnings), one row a "
        "code. Facts (code, TWS message) from IB's documentation, section "
        "Understanding "
        "Message Codes of www.interactivebrokers.com/campus/ibkr-api-page/twsapi-doc/ "
        "(formerly interactivebrokers.github.io/tws-api/message_codes.html), read from "
        "the copy in github.com/trustdan/new-ibkr-trader "
        "documentation/IBKR-TWS-API-documentation.md @b86b0e7 (2025-06-12); generated "
        f"on {args.date} by rules/generate/ib_tables.py. Categories are logwatch's "
        "reading of IB's text: farm-connection-OK and other notices are `benign` (they "
        f"raise nothing), lost connections `connection_lost`. {len(rows)} rows; "
        f"{len(repeated)} codes the page lists twice keep their first text (the "
        "second, left out: " + ", ".join(repeated) + ")."
    )
    for line in header:
        buf.write(f"# {line}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for code, (category, message) in sorted(rows.items()):
        writer.writerow(
            [code, category, "", "", "", "", "", "", "", "tws", message, ""]
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ib.codes.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    (args.out / "exchanges.yaml").write_text(
        "# Interactive Brokers, as its TWS API and the platforms that connect to it\n"
        "# name it; its codes are in ib.codes.csv beside this file.\n"
        "exchanges:\n"
        "  ib:\n"
        '    name: "Interactive Brokers"\n'
        '    aliases: ["ib", "ibkr", "Interactive Brokers", "TWS", "IB Gateway",'
        ' "Trader Workstation"]\n'
        "    hosts: []\n"
        '    source: "www.interactivebrokers.com/campus/ibkr-api-page/twsapi-doc/'
        ' (Understanding Message Codes)"\n',
        encoding="utf-8",
    )
    print(f"{len(rows)} codes, {len(repeated)} repeated: {', '.join(repeated)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
