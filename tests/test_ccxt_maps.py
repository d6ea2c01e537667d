"""Issue 19's figure on ccxt's own maps: a sample of every ccxt exchange's table
(tests/ccxt_maps.py), printed as a traceback and as freqtrade prints ccxt's errors,
names the right exchange in at least 90 % of the lines of each print."""

from __future__ import annotations

from collections import Counter

from logwatch.match.engine import Engine
from tests.ccxt_maps import PRINTS, named_right, samples
from tests.samples import shipped_rules

#: the issue's figure: share of the sample naming the right exchange
RIGHT_SHARE = 0.90


def test_the_sample_covers_every_ccxt_exchange_in_every_print() -> None:
    rules = shipped_rules()
    listed = list(samples(rules.catalogue))
    exchanges = {s.exchange for s in listed}
    assert len(exchanges) >= 90
    assert {s.form for s in listed} == set(PRINTS)
    assert all(s.exchange in s.line for s in listed)


def test_ccxt_s_maps_name_the_right_exchange() -> None:
    rules = shipped_rules()
    engine = Engine(rules)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for sample in samples(rules.catalogue):
        total[sample.form] += 1
        if named_right(engine, sample):
            right[sample.form] += 1
        else:
            missed.append(sample.line)
    for form in PRINTS:
        assert right[form] >= RIGHT_SHARE * total[form], (form, missed[:10])
