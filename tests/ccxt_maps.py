"""A sample of ccxt's own exceptions maps (rules/ccxt/*.codes.csv, as the catalogue
loads them), each entry printed as ccxt raises it: ``<id> <body>``, in a traceback's
last line and in the message freqtrade logs around it. Shared by
tests/test_ccxt_maps.py and bench/ccxt_maps_bench.py (issue 19's figure: the share of
the sample whose alert names the right exchange).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from logwatch.core.model import Hit
from logwatch.match.engine import Engine, Wanted
from logwatch.rulebook.catalogue import Catalogue, Entry
from logwatch.rulebook.rulecompile import sample_record

#: Entries taken from each exchange's table: spread over its rows in file order.
PER_EXCHANGE = 4
#: How ccxt's error reaches a log: a traceback's last line, and freqtrade's warning
#: around ccxt's message (freqtrade/exchange/exchange.py create_order, its
#: freqtradebot's ``Unable to create trade for %s: %s``)
PRINTS = {
    "traceback": "ccxt.base.errors.{cls}: {feedback}",
    "freqtrade": (
        "2024-01-05 08:00:00,123 - freqtrade.freqtradebot - WARNING - Unable to "
        "create trade for BTC/USDT: Could not create limit buy order on market "
        "BTC/USDT. Tried to buy amount 0.01 at rate 100.0. Message: {feedback}"
    ),
}


@dataclass(frozen=True, slots=True)
class Sample:
    """One entry of one exchange's map, printed one way."""

    exchange: str
    entry: Entry
    form: str
    line: str


def _class_of(catalogue: Catalogue, category: str) -> str:
    """A ccxt class of the entry's category (``ExchangeError`` when none is)."""
    for name, cat in catalogue.classes.items():
        if cat == category and name not in catalogue.class_exchanges:
            return name
    return "ExchangeError"


#: How exchanges' APIs wrap a code and its text (ccxt matches its maps against the
#: fields of these): {code} is JSON, {text} a JSON string's content
CODE_BODIES = (
    '{{"code":{code},"msg":"{text}"}}',
    '{{"code":"{bare}","message":"{text}","data":null}}',
    '{{"error":{{"code":{code},"message":"{text}"}}}}',
    '{{"status":"error","err-code":"{bare}","err-msg":"{text}"}}',
    '{{"error_code":{code},"error_message":"{text}"}}',
    '{{"success":false,"errors":[{{"code":{code},"message":"{text}"}}]}}',
    '{{"ret_code":{code},"ret_msg":"{text}"}}',
    '{{"result":false,"errorCode":{code},"errorMessage":"{text}"}}',
)
TEXT_BODIES = (
    '{{"code":1,"msg":"{text}"}}',
    '{{"error":"{text}"}}',
    '{{"success":false,"message":"{text}"}}',
    '{{"status":"error","err-msg":"{text}"}}',
    '{{"error":{{"message":"{text}"}}}}',
    '{{"errors":[{{"message":"{text}"}}]}}',
)


def _body(entry: Entry, index: int) -> str:
    """An answer holding the entry, in the ``index``-th of the bodies above: its
    code with a text, or its text."""
    if entry.code is not None:
        shape = CODE_BODIES[index % len(CODE_BODIES)]
        return shape.format(
            code=json.dumps(entry.code), bare=entry.code, text="request refused"
        )
    text = json.dumps(entry.message)[1:-1]
    return TEXT_BODIES[index % len(TEXT_BODIES)].format(text=text)


def ccxt_entries(catalogue: Catalogue) -> dict[str, list[Entry]]:
    """The entries of each exchange whose table is ccxt's (rules/ccxt), by exchange."""
    rows: dict[str, list[Entry]] = {}
    every = [*catalogue.entries.values(), *catalogue.texts.values()]
    every += [e for rows_ in catalogue.broad.values() for _, e in rows_]
    for entry in every:
        if Path(entry.source).parent.name == "ccxt" and entry.rule_id is not None:
            rows.setdefault(entry.exchange, []).append(entry)
    for listed in rows.values():
        listed.sort(key=lambda e: (e.line, str(e.code), e.message))
    return rows


def samples(catalogue: Catalogue) -> Iterator[Sample]:
    """Up to ``PER_EXCHANGE`` entries of every ccxt exchange, each in every print."""
    index = 0
    for exchange, listed in sorted(ccxt_entries(catalogue).items()):
        step = max(1, len(listed) // PER_EXCHANGE)
        for entry in listed[::step][:PER_EXCHANGE]:
            index += 1
            feedback = f"{exchange} {_body(entry, index)}"
            cls = _class_of(catalogue, entry.category)
            for form, shape in PRINTS.items():
                yield Sample(
                    exchange, entry, form, shape.format(cls=cls, feedback=feedback)
                )


def hits_of(engine: Engine, line: str) -> list[Hit]:
    """What ``engine`` raises for ``line`` as a record of its own."""
    owners = engine.candidates(line.encode("utf-8")).values()
    return engine.match(sample_record(line), Wanted.union(owners))


def named_right(engine: Engine, sample: Sample) -> bool:
    """One alert at least, and every alert names the sample's exchange."""
    hits = hits_of(engine, sample.line)
    return bool(hits) and all(h.exchange == sample.exchange for h in hits)
