"""Write the catalogue tables of every exchange ccxt knows, from ccxt's own maps.

Run by hand, with ccxt installed in a throw-away virtual environment (ccxt is never a
dependency of logwatch):

    python3 -m venv /tmp/ccxt-venv && /tmp/ccxt-venv/bin/pip install ccxt
    /tmp/ccxt-venv/bin/python rules/generate/ccxt_tables.py --date "$(date -u +%F)"

For each exchange in ``ccxt.exchanges`` it reads ``describe()['exceptions']`` (the
``exact`` and ``broad`` maps, also those nested under a market type such as ``spot``
or ``linear`` and the websocket ``ws`` map of ``ccxt.pro``), the exchange's name and
the API hosts of ``describe()['urls']['api']``, and writes

- ``rules/ccxt/exchanges.yaml``: one entry per exchange (name, aliases, hosts, source);
- ``rules/ccxt/<id>.codes.csv``: one row per code (``match`` empty), whole error text
  (``match`` exact) or substring (``match`` broad), its category taken from the ccxt
  exception class through ``rules/exception-classes.csv``.

Kraken's documented ``E<Class>:<text>`` errors (below) are merged into kraken's table.
Binance, Bybit and OKX have hand-made tables in ``rules/``: for them only the codes and
texts those tables lack are written, and their exchange entries stay in catalogue.yaml.
What cannot be used (a key mapped to classes of two categories, an empty key, a value
that is not an exception class) is reported and counted in the file's header.

Exchanges ccxt has dropped (they still trade, and bots pinned to an older ccxt still
print their errors) come from the last ccxt release that shipped them, with
``--only`` and their own folder, each release in a venv of its own:

    /tmp/ccxt-4.5.83/bin/python rules/generate/ccxt_tables.py --date "$(date -u +%F)" \
        --only bitmex,coinex --out rules/ccxt-dropped

writes those tables and ``exchanges-ccxt-<version>.yaml`` there (see that folder's
files for the releases used).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ccxt  # type: ignore[import-not-found]
import ccxt.pro  # type: ignore[import-not-found]

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
#: ccxt ids folded into another exchange: the same company and the same error codes.
FOLD = {
    "binancecoinm": "binance",
    "binanceusdm": "binance",
    "binancepm": "binance",
    "bybiteu": "bybit",
    "bybitid": "bybit",
    "myokx": "okx",
    "okxus": "okx",
    "kucoinfutures": "kucoin",
    "gateeu": "gate",
}
#: exchanges with hand-made tables and entries in rules/ (only what they lack is added)
OWN_TABLES = ("binance", "bybit", "okx")
#: the domains of the exchanges whose entries are hand-written (rules/catalogue.yaml):
#: an exchange that only talks to them (tokocrypto through api.binance.com) is not
#: named by them, or a Binance line would name two exchanges and neither
OWN_DOMAINS = {
    "binance": ("binance.com",),
    "bybit": ("bybit.com",),
    "okx": ("okx.com",),
}
#: a key that is a code rather than a text: a whole number, Kraken's E<Class>:<text>,
#: or one identifier-like word (UPPER_SNAKE, kebab-case, CamelCase, with digits...)
_INTEGER = re.compile(r"-?[0-9]+")
_KRAKEN = re.compile(r"[EW][A-Z][A-Za-z]*:\S.*")
_WORD = re.compile(r"[A-Za-z0-9_.:-]+")
_PLAIN_WORD = re.compile(r"[A-Z]?[a-z]+")

KRAKEN_SOURCE = (
    "docs.kraken.com/api/docs/guides/spot-errors (Spot Error Messages), read from the "
    "copy in github.com/qiuham/crypto-api-docs docs/kraken/guides/spot-errors.md "
    "@4655cf6 (2026-05-26); EQuery:Unknown asset pair and EAPI:Rate limit exceeded "
    "from support.kraken.com/hc/en-us/articles/360001491786 (API error messages)"
)
#: Kraken's documented errors: (error, category, the documentation's note).
KRAKEN_DOCUMENTED: tuple[tuple[str, str, str], ...] = (
    (
        "EGeneral:Invalid arguments",
        "request_params",
        "The request payload is malformed, incorrect or ambiguous",
    ),
    (
        "EGeneral:Invalid arguments:Index unavailable",
        "order_params_or_account_config",
        "Index pricing is unavailable for stop/profit orders on this pair",
    ),
    (
        "EGeneral:Temporary lockout",
        "rate_limit",
        "Too many sequential EAPI:Invalid key errors",
    ),
    ("EService:Unavailable", "maintenance", "The matching engine or API is offline"),
    (
        "EService:Market in cancel_only mode",
        "market_closed",
        "Request can't be made at this time (See SystemStatus endpoint)",
    ),
    (
        "EService:Market in post_only mode",
        "market_closed",
        "Request can't be made at this time (See SystemStatus endpoint)",
    ),
    (
        "EService:Deadline elapsed",
        "server_network",
        "The request timed out according to the default or specified deadline",
    ),
    (
        "EAPI:Invalid key",
        "auth_permission",
        "An invalid API-Key header was supplied",
    ),
    (
        "EAPI:Invalid signature",
        "signature",
        "An invalid API-Sign header was supplied",
    ),
    ("EAPI:Invalid nonce", "nonce", "An invalid nonce was supplied"),
    (
        "EGeneral:Permission denied",
        "auth_permission",
        "API key doesn't have permission to make this request",
    ),
    (
        "EGeneral:Internal error",
        "server_network",
        "Internal Support. Please contact support.",
    ),
    (
        "EOrder:Cannot open opposing position",
        "account_restricted",
        "User/tier is ineligible for margin trading",
    ),
    (
        "EOrder:Cannot open position",
        "account_restricted",
        "User/tier is ineligible for margin trading",
    ),
    (
        "EOrder:Margin allowance exceeded",
        "balance_margin",
        "User has exceeded their margin allowance",
    ),
    (
        "EOrder:Margin level too low",
        "balance_margin",
        "Client has insufficient equity or collateral",
    ),
    (
        "EOrder:Margin position size exceeded",
        "position",
        "Client would exceed the maximum position size for this pair",
    ),
    (
        "EOrder:Insufficient margin",
        "balance_margin",
        "Exchange does not have available funds for this margin trade",
    ),
    (
        "EOrder:Insufficient funds",
        "balance_margin",
        "Client does not have the necessary funds",
    ),
    (
        "EOrder:Order minimum not met",
        "min_notional",
        "Order size does not meet ordermin (See AssetPairs endpoint)",
    ),
    (
        "EOrder:Cost minimum not met",
        "min_notional",
        "Cost (price * volume) does not meet costmin (See AssetPairs endpoint)",
    ),
    (
        "EOrder:Tick size check failed",
        "order_filter",
        "Price submitted is not a valid multiple of the pair's tick_size",
    ),
    ("EOrder:Orders limit exceeded", "rate_limit", "See the Rate Limits section"),
    ("EOrder:Rate limit exceeded", "rate_limit", "See the Rate Limits section"),
    ("EOrder:Invalid price", "order_filter", ""),
    ("EOrder:Domain rate limit exceeded", "rate_limit", "See the Rate Limits section"),
    ("EOrder:Positions limit exceeded", "position", ""),
    ("EOrder:Reduce only:Non-PC", "position", ""),
    (
        "EOrder:Reduce only:No position exists",
        "position",
        "A reduce-only order for a market that has no open positions",
    ),
    (
        "EOrder:Reduce only:Position is closed",
        "position",
        "A reduce-only order that would flip a position; the rest is cancelled",
    ),
    ("EOrder:Scheduled orders limit exceeded", "order_rejected", ""),
    ("EOrder:Unknown position", "position", ""),
    ("EAccount:Invalid permissions", "auth_permission", ""),
    ("EAuth:Account temporary disabled", "account_restricted", ""),
    ("EAuth:Account unconfirmed", "account_restricted", ""),
    ("EAuth:Rate limit exceeded", "rate_limit", ""),
    ("EAuth:Too many requests", "rate_limit", ""),
    ("ETrade:Invalid request", "request_params", ""),
    (
        "EBM:limit exceeded:CAL",
        "account_restricted",
        "Exceeded Canadian Acquisition Limits (CAL)",
    ),
    (
        "EFunding:Max fee exceeded",
        "request_params",
        "Processed fee exceeds max_fee set in Withdraw request",
    ),
    ("EQuery:Unknown asset pair", "request_params", ""),
    ("EAPI:Rate limit exceeded", "rate_limit", ""),
)


@dataclass(slots=True)
class Fact:
    """One entry of an exchange's map: a key, what kind of key, its class and where."""

    match: str  # "code", "exact" or "broad"
    key: str
    cls: str
    category: str
    message: str
    where: str


@dataclass(slots=True)
class Table:
    """What one exchange's table gets, and what was left out and why."""

    exchange: str
    rows: dict[tuple[str, str], Fact] = field(default_factory=dict)
    markets: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    conflicts: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    skipped: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)


#: ids ccxt gave these exchanges before renaming them, still in traders' logs and in
#: old bots pinned to old ccxt (ccxt's CHANGELOG: huobipro -> huobi -> htx, gateio ->
#: gate, bitfinex2 -> bitfinex, gdax -> coinbasepro, whose accounts Coinbase moved to
#: Coinbase Advanced, ccxt's coinbase); an alias, so a line with the old id names the
#: exchange
RENAMED: dict[str, tuple[str, ...]] = {
    "htx": ("huobipro", "huobi"),
    "gate": ("gateio",),
    "bitfinex": ("bitfinex2",),
    "coinbase": ("gdax", "coinbasepro"),
}
#: API hosts of those old ids (ccxt's gdax.py and coinbasepro.py urls['api'] before
#: the renames), still in the URLs old bots print
OLD_HOSTS: dict[str, tuple[str, ...]] = {
    "coinbase": ("api.gdax.com", "api.pro.coinbase.com"),
}


#: display names ccxt gave these exchanges before (``'name': 'Gate.io'`` in ccxt's
#: gateio.py before the rename to gate): still how bots name them in logs and ids
OLD_NAMES: dict[str, tuple[str, ...]] = {
    "gate": ("Gate.io",),
    "coinbase": ("Coinbase Pro",),
}
#: where a name's words meet inside a word: ``AscendEX``, ``BingX``, ``BitMEX``
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def name_forms(name: str) -> list[str]:
    """A display name as bots write it in identifiers: its words run together
    (``CEX.IO`` -> ``cexio``) and in snake case (``AscendEX`` -> ``ascend_ex``,
    ``Crypto.com`` -> ``crypto_com``, ``Gate.io`` -> ``gate_io``), the way
    Hummingbot names its connectors (hummingbot/connector/exchange/ascend_ex,
    gate_io, crypto_com, bing_x, binance_us). Lower case, as the loader compares."""
    words = [w for w in re.split(r"[\s.]+", name.strip()) if w]
    joined = "".join(words).lower()
    snake = "_".join(_CAMEL.sub("_", w) for w in words).lower()
    if snake.endswith("_exchange"):
        # Hummingbot's module of a connector is <id>_exchange: coinbase_exchange is
        # its Coinbase connector's, not Coinbase Exchange
        snake = ""
    return [f for f in dict.fromkeys((joined, snake)) if f and re.fullmatch(r"\w+", f)]


def load_class_categories(path: Path) -> dict[str, str]:
    """``class -> category`` of ccxt's classes in rules/exception-classes.csv."""
    lines = [
        ln
        for ln in path.read_text(encoding="utf-8").splitlines()
        if not ln.startswith("#")
    ]
    return {
        row["class"]: row["category"]
        for row in csv.DictReader(lines)
        if row["library"] == "ccxt"
    }


def category_of(
    cls: type, categories: dict[str, str], unmapped: dict[str, str]
) -> tuple[str, str]:
    """The category of a ccxt class (or of its nearest mapped parent), and that one."""
    for parent in cls.__mro__:
        if parent.__name__ in categories:
            if parent is not cls:
                unmapped[cls.__name__] = parent.__name__
            return categories[parent.__name__], parent.__name__
    unmapped[cls.__name__] = ""
    return "", ""


def kind_of(key: str) -> str:
    """``code`` for a key that is a code, ``exact`` for a whole error text."""
    if _INTEGER.fullmatch(key) or _KRAKEN.fullmatch(key):
        return "code"
    if _WORD.fullmatch(key) and not _PLAIN_WORD.fullmatch(key):
        return "code"
    return "exact"


def walk(
    node: dict[str, Any], where: tuple[str, ...]
) -> list[tuple[str, str, Any, str]]:
    """``(mode, key, value, where)`` for every entry of an exceptions map."""
    out: list[tuple[str, str, Any, str]] = []
    for k, v in node.items():
        if k in ("exact", "broad") and isinstance(v, dict):
            out.extend((k, kk, vv, " ".join(where) or "rest") for kk, vv in v.items())
        elif isinstance(v, dict):
            out.extend(walk(v, (*where, k)))
        else:
            out.append(("exact", k, v, " ".join(where) or "rest"))
    return out


def exchange_class(eid: str) -> Any:
    """ccxt.pro's class when there is one (it adds the websocket maps), else ccxt's."""
    return getattr(ccxt.pro, eid, None) or getattr(ccxt, eid)


def hosts_of(describe: dict[str, Any]) -> list[str]:
    """The host names of ``urls['api']``, ``{hostname}`` filled in."""
    found: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, str):
            url = node.replace("{hostname}", str(describe.get("hostname") or ""))
            host = urlsplit(url if "://" in url else "https://" + url).hostname
            if host and "{" not in url and host not in found:
                found.append(host)
        elif isinstance(node, dict):
            for v in node.values():
                visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    visit(describe.get("urls", {}).get("api"))
    return found


def one_line(text: str) -> str:
    return " ".join(text.split())


def text_key(text: str) -> str:
    """A message as logwatch's loader compares two of one exchange (its
    ``catalogue.normalise_text``): lower case, single spaces, no closing period, so
    ``order not exist`` and ``order not exist.`` are one row, not a duplicate."""
    return " ".join(text.lower().split()).rstrip(". ")


def add_fact(table: Table, fact: Fact, origin: str) -> None:
    key = (fact.match, text_key(fact.key) if fact.match != "code" else fact.key)
    table.markets.setdefault(key, set()).add(origin)
    old = table.rows.get(key)
    if old is None:
        if key not in table.conflicts:
            table.rows[key] = fact
        return
    if old.category != fact.category:
        table.conflicts.setdefault(key, {old.cls}).add(fact.cls)
        del table.rows[key]
        return
    if not old.message and fact.message:
        old.message = fact.message


def parent_hosts(eid: str) -> set[str]:
    """The API hosts ``eid`` inherits from the ccxt exchange it extends (binanceus
    from binance): not its own, so they do not name it."""
    hosts: set[str] = set()
    for parent in exchange_class(eid).__mro__[1:]:
        # ccxt.pro's class extends the REST one of the same name: that is its own
        if parent.__name__ in ccxt.exchanges and parent.__name__ != eid:
            hosts |= set(hosts_of(parent().describe()))
    return hosts


def own_domain(host: str, exchange: str) -> bool:
    """Whether ``host`` is under a domain of an exchange with hand-written entries
    other than ``exchange`` (and the ones folded into it)."""
    return any(
        host == domain or host.endswith("." + domain)
        for own, domains in OWN_DOMAINS.items()
        if own != exchange
        for domain in domains
    )


def read_exchange(
    eid: str,
    table: Table,
    categories: dict[str, str],
    unmapped: dict[str, str],
) -> dict[str, Any]:
    """Add ``eid``'s map to ``table``; return its describe()."""
    cls = exchange_class(eid)
    describe: dict[str, Any] = cls().describe()
    table.sources.add(f"python/ccxt/{eid}.py")
    if getattr(ccxt.pro, eid, None):
        table.sources.add(f"python/ccxt/pro/{eid}.py")
    for mode, raw_key, value, where in walk(describe.get("exceptions") or {}, ()):
        key = one_line(str(raw_key))
        message = ""
        if isinstance(value, list) and value and isinstance(value[0], type):
            value, message = value[0], one_line(str(value[1]) if len(value) > 1 else "")
        match = "broad" if mode == "broad" else kind_of(key)
        skip_key = (match, key if match == "code" else key.casefold())
        why = ""
        if not key:
            why = "with an empty key"
        elif not (isinstance(value, type) and issubclass(value, Exception)):
            why = "whose value is not an exception class"
        else:
            category, _ = category_of(value, categories, unmapped)
            if not category:
                why = f"of class {value.__name__} only (no category: the text decides)"
        if why:
            table.skipped.setdefault(why, set()).add(skip_key)
            continue
        origin = where
        if eid != table.exchange:
            origin = eid if where == "rest" else f"{eid}:{where}"
        add_fact(
            table,
            Fact(match, key, value.__name__, category, message, origin),
            origin,
        )
    return describe


def own_table_keys(exchange: str) -> tuple[set[str], set[str]]:
    """The codes and the texts of a hand-made ``rules/<exchange>.codes.csv``."""
    text = (RULES / f"{exchange}.codes.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    codes: set[str] = set()
    texts: set[str] = set()
    for row in csv.DictReader(lines):
        codes.add(str(int(row["code"])))
        if row["message"].strip():
            texts.add(text_key(row["message"]))
    return codes, texts


def csv_text(table: Table, header: list[str]) -> str:
    buf = io.StringIO()
    for line in header:
        buf.write(f"# {line}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)

    def order(item: tuple[tuple[str, str], Fact]) -> tuple[int, int, str]:
        (match, key), _ = item
        rank = {"code": 0, "exact": 1, "broad": 2}[match]
        number = int(key) if _INTEGER.fullmatch(key) else 0
        return rank, number, key

    for key, fact in sorted(table.rows.items(), key=order):
        markets = " ".join(sorted(table.markets[key]))
        writer.writerow(
            [
                fact.key if fact.match == "code" else "",
                fact.category,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                markets,
                fact.message if fact.match == "code" else fact.key,
                "" if fact.match == "code" else fact.match,
            ]
        )
    return buf.getvalue()


def wrap(text: str, width: int = 86) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RULES / "ccxt")
    parser.add_argument(
        "--date", required=True, help="the date the files say they were generated on"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated ccxt ids: only these (exchanges a later ccxt dropped)",
    )
    args = parser.parse_args(argv)
    only = {i.strip() for i in args.only.split(",") if i.strip()}
    started = time.perf_counter()
    version = ccxt.__version__
    categories = load_class_categories(RULES / "exception-classes.csv")
    unmapped: dict[str, str] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for eid in ccxt.exchanges:
        if only and FOLD.get(eid, eid) not in only:
            continue
        groups[FOLD.get(eid, eid)].append(eid)
    if only - set(groups):
        parser.error(f"not in ccxt {version}: {', '.join(sorted(only - set(groups)))}")
    tables: dict[str, Table] = {}
    entries: dict[str, dict[str, Any]] = {}
    for exchange, members in sorted(groups.items()):
        table = Table(exchange)
        names: list[str] = []
        hosts: list[str] = []
        for eid in sorted(members, key=lambda e: (e != exchange, e)):
            describe = read_exchange(eid, table, categories, unmapped)
            name = str(describe.get("name") or "").strip()
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
            inherited = parent_hosts(eid)
            hosts.extend(
                h
                for h in hosts_of(describe)
                if h not in hosts and h not in inherited and not own_domain(h, exchange)
            )
        hosts.extend(h for h in OLD_HOSTS.get(exchange, ()) if h not in hosts)
        tables[exchange] = table
        aliases: list[str] = []
        renamed = RENAMED.get(exchange, ())
        old_names = OLD_NAMES.get(exchange, ())
        for alias in [
            *sorted(members, key=lambda e: (e != exchange, e)),
            *names,
            *renamed,
            *old_names,
            *(f for n in (*names, *old_names) for f in name_forms(n)),
        ]:
            if alias.casefold() not in {a.casefold() for a in aliases}:
                aliases.append(alias)
        entries[exchange] = {
            "name": names[0] if names else exchange,
            "aliases": aliases,
            "hosts": hosts,
            "source": (
                f"ccxt {version}: github.com/ccxt/ccxt "
                + ", ".join(sorted(table.sources))
                + " describe() name, urls['api']"
            ),
        }
    kraken = tables.get("kraken", Table("kraken"))
    kraken_documented = 0
    for code, category, note in KRAKEN_DOCUMENTED if "kraken" in tables else ():
        key = ("code", code)
        if key in table_keys(kraken):
            fact = kraken.rows[key]
            if fact.category != category:
                print(
                    f"kraken {code}: ccxt says {fact.cls} ({fact.category}), "
                    f"documented meaning {category}: using {category}",
                    file=sys.stderr,
                )
                fact.category = category
            fact.message = fact.message or note
            kraken.markets[key].add("doc")
        else:
            kraken.rows[key] = Fact("code", code, "", category, note, "doc")
            kraken.markets[key] = {"doc"}
            kraken.conflicts.pop(key, None)
        kraken_documented += 1
    already: Counter[str] = Counter()
    for exchange in OWN_TABLES:
        if exchange not in tables:
            continue
        codes, texts = own_table_keys(exchange)
        table = tables[exchange]

        def known(
            key: tuple[str, str], codes: set[str] = codes, texts: set[str] = texts
        ) -> bool:
            match, value = key
            if match == "code":
                return bool(_INTEGER.fullmatch(value)) and str(int(value)) in codes
            return match == "exact" and value in texts

        for key in [k for k in table.rows if known(k)]:
            del table.rows[key]
            already[exchange] += 1
        for key in [k for k in table.conflicts if known(k)]:
            del table.conflicts[key]
        for why, keys in table.skipped.items():
            table.skipped[why] = {k for k in keys if not known(k)}
    for table in tables.values():
        for why, keys in list(table.skipped.items()):
            keys -= set(table.rows) | set(table.conflicts)
            if not keys:
                del table.skipped[why]
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    report: list[str] = []
    for exchange, table in sorted(tables.items()):
        for key, classes in sorted(table.conflicts.items()):
            names = ", ".join(sorted(classes))
            report.append(f"{exchange}: {key[0]} {key[1]!r} mapped to {names}")
        path = args.out / f"{exchange}.codes.csv"
        if not table.rows:
            path.unlink(missing_ok=True)
            continue
        skipped = sum(len(keys) for keys in table.skipped.values())
        skipped += len(table.conflicts)
        header = wrap(
            f"{entries[exchange]['name'] if exchange in entries else exchange}: the "
            f"exceptions map of ccxt {version} (github.com/ccxt/ccxt "
            + ", ".join(sorted(table.sources))
            + " describe()['exceptions'], exact and broad, per market type and ws), "
            f"generated on {args.date} by rules/generate/ccxt_tables.py."
        )
        header += wrap(
            "Categories from the ccxt exception class through "
            "rules/exception-classes.csv; `markets` says where ccxt has the entry "
            "(rest, a market type, ws, or a folded ccxt id). Titles and remedies are "
            "the category's."
        )
        if only:
            header += wrap(
                f"ccxt {version} is the last ccxt release that ships {exchange}; "
                "later ones dropped it, the exchange still trades."
            )
        if exchange == "kraken":
            header += wrap(
                f"{kraken_documented} documented errors (`markets` doc) from "
                f"{KRAKEN_SOURCE}; their category is logwatch's reading of the text."
            )
        if exchange in OWN_TABLES:
            header += wrap(
                f"Only what rules/{exchange}.codes.csv lacks: {already[exchange]} "
                "entries of ccxt's map are already there."
            )
        reasons = [f"{len(keys)} {why}" for why, keys in sorted(table.skipped.items())]
        if table.conflicts:
            reasons.append(
                f"{len(table.conflicts)} mapped to classes of two categories "
                "(in two market types or variants)"
            )
        header += wrap(
            f"{len(table.rows)} rows; {skipped} entries left out"
            + (": " + "; ".join(reasons) if reasons else "")
            + "."
        )
        path.write_text(csv_text(table, header), encoding="utf-8", newline="")
        written += 1
    yaml_lines = wrap(
        (
            f"The exchanges ccxt {version} is the last ccxt release to ship "
            f"({', '.join(sorted(only))}): "
            if only
            else f"Every exchange ccxt {version} knows, except binance, bybit and okx "
            "(their entries are in rules/catalogue.yaml), with the ccxt ids that fold "
            "into them: "
        )
        + "name, the words that name it in a log (ccxt ids and display names) and its "
        "API hosts, from github.com/ccxt/ccxt python/ccxt/<id>.py describe(). "
        f"Generated on {args.date} by rules/generate/ccxt_tables.py"
        + (f" --only {','.join(sorted(only))}." if only else ".")
    )
    out = [f"# {ln}" for ln in yaml_lines] + ["exchanges:"]
    for exchange, entry in sorted(entries.items()):
        if exchange in OWN_TABLES:
            continue
        out.append(f"  {exchange}:")
        out.append(f"    name: {yaml_str(entry['name'])}")
        out.append(
            "    aliases: [" + ", ".join(yaml_str(a) for a in entry["aliases"]) + "]"
        )
        out.append(
            "    hosts: [" + ", ".join(yaml_str(h) for h in entry["hosts"]) + "]"
        )
        out.append(f"    source: {yaml_str(entry['source'])}")
    yaml_name = f"exchanges-ccxt-{version}.yaml" if only else "exchanges.yaml"
    (args.out / yaml_name).write_text("\n".join(out) + "\n", encoding="utf-8")
    for line in report:
        print("skipped:", line, file=sys.stderr)
    for cls_name, parent in sorted(unmapped.items()):
        print(
            f"class not in exception-classes.csv: {cls_name} -> {parent or 'nothing'}",
            file=sys.stderr,
        )
    rows = {e: len(t.rows) for e, t in tables.items()}
    print(
        f"ccxt {version}: {len(ccxt.exchanges)} ccxt ids, {len(entries)} exchanges, "
        f"{written} tables, {sum(rows.values())} rows, "
        f"{time.perf_counter() - started:.1f} s"
    )
    for exchange, n in Counter(rows).most_common():
        print(f"  {exchange}: {n}")
    for exchange, table in sorted(tables.items()):
        for why, keys in sorted(table.skipped.items()):
            print(f"  left out {exchange}: {len(keys)} {why}", file=sys.stderr)
    return 0


def table_keys(table: Table) -> set[tuple[str, str]]:
    return set(table.rows)


if __name__ == "__main__":
    sys.exit(main())
