from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.alerts.dedup import (
    DEFAULT_MAX_FOLDED,
    DEFAULT_MAX_WINDOWS,
    DEFAULT_WINDOW_S,
    Deduper,
    Policy,
)
from logwatch.alerts.quiethours import QuietHours
from logwatch.alerts.window import HASH_BYTES, OVERFLOW, fingerprint
from logwatch.core.model import Alert, AlertKind, Hit, Line, Severity
from tests.samples import at, hit, shipped_rules
from tests.samples import make_record as sample_record


class TestWindows:
    def test_first_hit_alerts_at_once_repeats_are_counted(self) -> None:
        d = Deduper()
        (first,) = d.admit(hit(), at(0))
        assert first.kind is AlertKind.FIRST
        assert first.hit is not None
        assert d.admit(hit(), at(5)) == []
        assert d.admit(hit(), at(90)) == []

    def test_ten_thousand_hits_make_one_alert_and_one_digest_of_9999(self) -> None:
        d = Deduper()
        alerts = [a for i in range(10_000) for a in d.admit(hit(), at(i * 0.05))]
        assert [a.kind for a in alerts] == [AlertKind.FIRST]
        (digest,) = d.tick(at(600))
        assert digest.kind is AlertKind.DIGEST
        assert digest.count == 9_999
        assert digest.first_at == at(0.05)
        assert digest.last_at == at(9_999 * 0.05)
        assert d.tick(at(10_000)) == []
        assert d.windows == {}

    def test_the_timer_sends_the_digest_without_another_line(self) -> None:
        d = Deduper()
        d.admit(hit(), at(0))
        d.admit(hit(), at(1))
        assert d.tick(at(599)) == []
        assert [a.count for a in d.tick(at(600))] == [1]

    def test_no_repeats_no_digest_and_the_next_hit_alerts_again(self) -> None:
        d = Deduper()
        d.admit(hit(), at(0))
        assert d.tick(at(601)) == []
        assert [a.kind for a in d.admit(hit(), at(700))] == [AlertKind.FIRST]

    def test_keys_are_separate(self) -> None:
        d = Deduper()
        assert len(d.admit(hit(key=("B", "BTCUSDT")), at(0))) == 1
        assert len(d.admit(hit(key=("B", "ETHUSDT")), at(1))) == 1

    def test_window_0_disables_dedup(self) -> None:
        d = Deduper(default=Policy(window_s=0))
        assert len([a for i in range(5) for a in d.admit(hit(), at(i))]) == 5

    def test_a_late_hit_first_closes_the_old_window(self) -> None:
        d = Deduper()
        d.admit(hit(), at(0))
        d.admit(hit(), at(10))
        kinds = [a.kind for a in d.admit(hit(), at(900))]  # the timer was late
        assert kinds == [AlertKind.DIGEST, AlertKind.FIRST]

    def test_reminder_every_n_whole_windows_while_it_keeps_happening(self) -> None:
        d = Deduper(default=Policy(window_s=60, reminder_windows=3))
        out = []
        for second in range(0, 60 * 8, 10):  # a hit every 10 s for 8 minutes
            out += d.admit(hit(), at(second))
            out += d.tick(at(second))
        out += d.tick(at(60 * 9))
        kinds = [a.kind for a in out]
        assert kinds[0] is AlertKind.FIRST
        assert kinds[1] is AlertKind.DIGEST
        assert kinds.count(AlertKind.FIRST) == 1  # muted while it keeps happening
        assert kinds.count(AlertKind.REMINDER) == 2
        reminder = next(a for a in out if a.kind is AlertKind.REMINDER)
        assert reminder.count == 18
        assert reminder.window_s == 180

    def test_an_invalid_key_mutes_that_connections_order_rejections(self) -> None:
        d = Deduper(
            policies={
                "binance.invalid-api-key": Policy(
                    mutes=("binance.margin-insufficient",), mute_for_s=1800
                )
            }
        )
        assert (
            len(
                d.admit(
                    hit("binance.invalid-api-key", ("A",), "A", Severity.CRITICAL),
                    at(0),
                )
            )
            == 1
        )
        assert d.admit(hit(connection="A", key=("A", "X")), at(10)) == []
        assert len(d.admit(hit(connection="B", key=("B", "X")), at(11))) == 1
        assert d.muted == {("binance.margin-insufficient", "A"): at(1800)}
        assert len(d.admit(hit(connection="A", key=("A", "X")), at(1801))) == 1

    def test_a_mute_without_a_connection_covers_only_its_own_file(self) -> None:
        """freqtrade and ccxt lines name no connection: one bot's invalid key in
        bot.log muted another bot's -2019 in other-bot.log for 30 minutes."""
        from logwatch.alerts.dedup import build
        from logwatch.core.formats import FORMATS
        from logwatch.match.engine import Engine

        rules = shipped_rules()
        engine = Engine(rules)
        fmt = FORMATS["python"]

        def line(path: str, text: str) -> Hit:
            record = fmt.record(path, [Line(text, 1, 0, len(text) + 1)])
            (found,) = engine.match(record)
            return found

        bad_key = line(
            "/bots/a/bot.log",
            "2024-03-02 11:20:13,102 - freqtrade.exchange.common - WARNING - "
            'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions '
            'for action."}',
        )
        margin = (
            "2024-03-02 11:20:14,000 - freqtrade.freqtradebot - ERROR - "
            'binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'
        )
        other_bot = line("/bots/b/other-bot.log", margin)
        same_bot = line("/bots/a/bot.log", margin)
        assert bad_key.record.fields.get("connection", "") == ""
        d = build(rules)
        assert len(d.admit(bad_key, at(0))) == 1
        assert len(d.admit(other_bot, at(5))) == 1  # another bot: not muted
        assert d.admit(same_bot, at(6)) == []  # the broken bot: muted
        mutes = {k: u for k, u in d.muted.items() if k[0] == same_bot.rule_id}
        assert mutes == {(same_bot.rule_id, "file:/bots/a/bot.log"): at(1800)}
        assert all(until <= at(1801) for until in d.muted.values())

    def test_the_same_error_of_two_bots_without_connections_alerts_twice(
        self,
    ) -> None:
        """With no connection and no key values, the file tells two bots apart."""

        def bot(path: str) -> Hit:
            record = sample_record(path=path, format="python")
            return Hit(
                rule_id="binance.margin-insufficient",
                severity=Severity.ERROR,
                codes=(),
                record=record,
                line=1,
                captures={},
                key=("", ""),
            )

        d = Deduper()
        assert len(d.admit(bot("/bots/a/bot.log"), at(0))) == 1
        assert len(d.admit(bot("/bots/b/other-bot.log"), at(1))) == 1
        assert d.admit(bot("/bots/a/bot.log"), at(2)) == []

    def test_quiet_hours_hold_back_all_but_critical(self) -> None:
        local = at(0).astimezone()
        start = (local - timedelta(hours=1)).time()
        end = (local + timedelta(hours=1)).time()
        d = Deduper(quiet=QuietHours(start, end))
        (held,) = d.admit(hit(), at(0))
        assert held.not_before is not None
        assert held.not_before > at(0)
        (urgent,) = d.admit(
            hit("binance.liquidation-mode", ("A",), severity=Severity.CRITICAL), at(0)
        )
        assert urgent.not_before is None

    def test_restore_continues_saved_windows(self) -> None:
        d = Deduper()
        d.admit(hit(), at(0))
        again = Deduper()
        again.restore(d.windows.values(), d.muted)
        assert (
            again.admit(hit(), at(30)) == []
        )  # a restart does not re-alert inside a window
        assert fingerprint(hit()) in again.windows


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.floats(0, 900, allow_nan=False)),
        max_size=60,
    ),
    st.sampled_from([0.0, 60.0, 600.0]),
)
def test_at_most_one_alert_per_key_per_window_and_digests_count_exactly(
    events: list[tuple[str, float]], window: float
) -> None:
    d = Deduper(default=Policy(window_s=window))
    now = 0.0
    alerts = []
    for key, gap in events:
        now += gap
        alerts += d.tick(at(now))
        alerts += d.admit(hit(key=(key,)), at(now))
    alerts += d.tick(at(now + 10 * max(window, 1)))
    firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
    digests = [a for a in alerts if a.kind is AlertKind.DIGEST]
    assert len(firsts) + sum(a.count for a in digests) == len(events)
    for key in "ABC":
        times = [a.created_at for a in firsts if a.fingerprint.endswith(key)]
        assert all(
            (b - a).total_seconds() >= window for a, b in itertools.pairwise(times)
        )


def test_rules_bring_their_own_window_reminder_and_mutes() -> None:
    from logwatch.alerts.dedup import build
    from logwatch.rulebook.rulecompile import rules_from_text

    rules = {r.id: r for r in shipped_rules()}
    d = build(rules.values(), window_s=120)
    assert d.policy("binance.margin-insufficient").window_s == 120
    api = d.policy("binance.invalid-api-key")
    assert "binance.margin-insufficient" in api.mutes
    assert api.mute_for_s == 1800
    (own,) = rules_from_text(
        "rules:\n  - id: my.rule\n    severity: info\n    title: {en: a, ru: б}\n"
        "    remedy: {en: a, ru: б}\n    patterns: ['boom here']\n    samples: ['boom here']\n"
        "    near_misses: ['a', 'b']\n    window: 30s\n    reminder: 6\n"
    )
    assert build([own], 600).policy("my.rule") == Policy(30, 6, (), 1800)


def _storm(n: int, hot_every: int, old_every: int) -> list[tuple[float, str]]:
    """``n`` distinct errors at 100 a second; a hot one (``HOT``) every
    ``hot_every`` of them, a recent one again every third, and one long folded away
    again every ``old_every``: (seconds, symbol) in order."""
    events: list[tuple[float, str]] = []
    for i in range(n):
        now = i / 100
        events.append((now, f"S{i}"))
        if i % hot_every == 0:
            events.append((now, "HOT"))
        if i % 3 == 0 and i >= 5:
            events.append((now, f"S{i - 5}"))
        if i % old_every == 0 and i >= 2 * DEFAULT_MAX_WINDOWS:
            events.append((now, f"S{i - 2 * DEFAULT_MAX_WINDOWS}"))
    return events


class TestBounded:
    """Issue 18: 100 distinct errors a second kept a window each (~1.6 KB) for the
    whole window: RSS grew without bound. At most ``max_windows`` stay open; what is
    folded away is still counted."""

    def test_a_storm_of_distinct_errors_keeps_the_cap_and_counts_every_hit(
        self,
    ) -> None:
        events = _storm(3 * DEFAULT_MAX_WINDOWS, hot_every=100, old_every=11)
        d = Deduper()
        alerts = []
        most = 0
        for n, (second, symbol) in enumerate(events):
            if n % 1000 == 0:  # the daemon's timer, every 10 s
                alerts += d.tick(at(second))
            alerts += d.admit(hit(key=("B", symbol)), at(second))
            most = max(most, len(d.windows))
        alerts += d.tick(at(events[-1][0] + 10 * DEFAULT_WINDOW_S))
        assert most == DEFAULT_MAX_WINDOWS + 1  # reached, never passed: the cap and
        # the one rule's overflow window
        assert d.windows == {}
        assert d.started == {}
        firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
        digests = [a for a in alerts if a.kind is AlertKind.DIGEST]
        # every hit is an alert of its own or counted in exactly one digest
        assert len(firsts) + sum(a.count for a in digests) == len(events)
        folded = [a for a in digests if a.folded]
        assert sum(a.count for a in folded) > 0
        distinct = len({symbol for _, symbol in events})
        # the old ones folded away came back while the overflow window was open
        assert len(firsts) == distinct
        # the hot error stays open (least recently hit goes first): one alert a window
        hot = [a.created_at for a in firsts if a.fingerprint.endswith("HOT")]
        span = events[-1][0] - events[0][0]
        assert len(hot) == int(span // DEFAULT_WINDOW_S) + 1

    @pytest.mark.parametrize("more", [1, 100, 2_500])
    def test_errors_past_the_cap_that_keep_coming_back_alert_once_each(
        self, more: int
    ) -> None:
        """Issue 18 review: a folded error that came back alerted again and folded
        another away, so past the cap each hit of a recurring error was a new FIRST
        alert (one more row in the outbox per hit)."""
        distinct = DEFAULT_MAX_WINDOWS + more
        rounds = 3  # each error again every 100 s: inside its window
        d = Deduper()
        overflow = hit().rule_id + OVERFLOW
        alerts, hits, most, hashes = [], 0, 0, 0
        for r in range(rounds):
            for i in range(distinct):
                second = r * 100 + i * 100 / distinct
                if hits % 1000 == 0:  # the daemon's timer
                    alerts += d.tick(at(second))
                    over = d.windows.get(overflow)
                    held = len(over.folded_hashes) // HASH_BYTES if over else 0
                    hashes = max(hashes, held)
                alerts += d.admit(hit(key=("B", f"S{i}")), at(second))
                hits += 1
                most = max(most, len(d.windows))
        alerts += d.tick(at(rounds * 100 + 10 * DEFAULT_WINDOW_S))
        firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
        digests = [a for a in alerts if a.kind is AlertKind.DIGEST]
        assert len(firsts) == distinct  # never one more for an error already told
        assert len(firsts) + sum(a.count for a in digests) == hits
        assert sum(a.count for a in digests if a.folded) >= more * (rounds - 1)
        assert most == DEFAULT_MAX_WINDOWS + 1
        assert 0 < hashes <= min(distinct, DEFAULT_MAX_FOLDED)
        assert d.windows == {}

    @pytest.mark.parametrize(("cap", "errors", "remembered"), [(10, 50, 20), (3, 9, 2)])
    def test_past_max_folded_a_folded_error_is_counted_but_alerts_again(
        self, cap: int, errors: int, remembered: int
    ) -> None:
        """Memory stays bounded: past ``max_folded`` hashes a folded error is
        still counted, but alerts again if it comes back while the overflow window
        is open (each round: every error once, in order; the window stays open)."""
        d = Deduper(max_windows=cap, max_folded=remembered)
        rounds = 3
        overflow = hit().rule_id + OVERFLOW

        def storm(start: float) -> list[Alert]:
            out = []
            for r in range(rounds):
                for i in range(errors):
                    out += d.admit(hit(key=("B", f"S{i}")), at(start + r * 60 + i))
                    over = d.windows.get(overflow)
                    held = len(over.folded_hashes) if over else 0
                    assert held <= remembered * HASH_BYTES
            return out + d.tick(at(start + rounds * 60 + 10 * DEFAULT_WINDOW_S))

        for start in (0.0, 100 * DEFAULT_WINDOW_S):  # again once it closed: all free
            alerts = storm(start)
            firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
            # the first round alerts each; then only those it could not remember
            assert len(firsts) == errors + (rounds - 1) * (errors - remembered)
            counted = sum(a.count for a in alerts if a.kind is AlertKind.DIGEST)
            assert len(firsts) + counted == rounds * errors
            assert d.windows == {}

    @pytest.mark.parametrize("remembered", [10, 4, 0])
    def test_restore_recognises_the_folded_errors_within_max_folded(
        self, remembered: int
    ) -> None:
        d = Deduper(max_windows=2)
        keys = [("B", f"S{i}") for i in range(12)]
        for i, key in enumerate(keys):  # S0..S9 folded
            d.admit(hit(key=key), at(i))
        again = Deduper(max_windows=2, max_folded=remembered)
        again.restore([replace(w) for w in d.windows.values()], {})
        alerts = []
        for i, key in enumerate(keys[:10]):
            alerts += again.admit(hit(key=key), at(20 + i))
        firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
        assert len(firsts) == 10 - remembered

    def test_a_folded_error_after_its_overflow_window_is_due_alerts_anew(
        self,
    ) -> None:
        """The timer is late: the overflow window closes (its digest first) before
        a folded error that comes back is a new error again."""
        d = Deduper(max_windows=1)
        a, b = hit(key=("B", "A")), hit(key=("B", "C"))
        d.admit(a, at(0))
        d.admit(a, at(1))
        d.admit(b, at(2))  # A folded, with its repeat
        assert d.admit(a, at(3)) == []  # A again: counted where it was folded
        (over,) = (w for w in d.windows.values() if w.folded)
        assert (over.repeats, over.last_repeat_at) == (2, at(3))
        late = d.admit(a, at(2 + DEFAULT_WINDOW_S))
        assert [(x.kind, x.count, x.folded) for x in late] == [
            (AlertKind.DIGEST, 2, 1),
            (AlertKind.FIRST, 1, 0),
        ]
        assert over.fingerprint in d.touched  # State deletes it

    def test_the_least_recently_hit_is_folded_with_its_untold_repeats(self) -> None:
        d = Deduper(max_windows=4)
        fps = {s: fingerprint(hit(key=("B", s))) for s in "ABCDEF"}
        for second, symbol in enumerate("ABACACD"):
            d.admit(hit(key=("B", symbol)), at(second))
        assert list(d.windows) == [fps["B"], fps["A"], fps["C"], fps["D"]]
        # E: B, hit least recently, is folded (no repeats to tell)
        assert [a.kind for a in d.admit(hit(key=("B", "E")), at(7))] == [
            AlertKind.FIRST
        ]
        over = next(w for w in d.windows.values() if w.folded)
        assert list(d.windows) == [
            fps["A"],
            fps["C"],
            fps["D"],
            over.fingerprint,
            fps["E"],
        ]
        assert d.touched == [fps["B"], over.fingerprint]
        assert (over.folded, over.repeats) == (1, 0)
        d.admit(hit(key=("B", "F")), at(8))  # then A (last hit at 4 s): 2 repeats
        assert (over.folded, over.repeats) == (2, 2)
        assert (over.first_repeat_at, over.last_repeat_at) == (at(2), at(4))
        d.admit(hit(key=("B", "G")), at(9))  # then C, with its repeat at 5 s
        assert list(d.windows) == [
            fps["D"],
            fps["E"],
            fps["F"],
            over.fingerprint,
            fingerprint(hit(key=("B", "G"))),
        ]
        assert (over.folded, over.repeats, over.last_repeat_at) == (3, 3, at(5))
        (digest,) = d.tick(at(8 + DEFAULT_WINDOW_S))
        assert (digest.kind, digest.count, digest.folded) == (AlertKind.DIGEST, 3, 3)
        assert digest.hit is not None
        assert digest.hit.key == ("B", "C")  # the last repeat's line
        # the overflow window closed (at 608 s): a folded error that comes back alerts
        assert [a.count for a in d.admit(hit(key=("B", "B")), at(700))] == [1]

    @pytest.mark.parametrize("cap", [3, 10, 100])
    def test_restore_folds_what_is_past_the_cap(self, cap: int) -> None:
        d = Deduper(max_windows=1000)
        for i in range(150):
            d.admit(hit(key=("B", f"S{i}")), at(i))
            d.admit(hit(key=("B", f"S{i}")), at(i + 0.5))
        again = Deduper(max_windows=cap)
        again.restore(d.windows.values(), {})
        assert len(again.windows) == cap + 1  # and the overflow window
        newest = fingerprint(hit(key=("B", "S149")))
        assert newest in again.windows
        assert len(again.touched) == 2 * (150 - cap)  # each folded, and the overflow
        out = again.tick(at(10 * DEFAULT_WINDOW_S))
        assert sum(a.count for a in out) == 150  # one repeat each, none lost
        assert sum(a.folded for a in out) == 150 - cap


@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.floats(0, 900, allow_nan=False)),
        max_size=80,
    ),
    st.integers(1, 6),
    st.sampled_from([60.0, 600.0]),
)
def test_within_the_cap_every_hit_is_alerted_or_counted_once(
    events: list[tuple[int, float]], cap: int, window: float
) -> None:
    d = Deduper(default=Policy(window_s=window), max_windows=cap)
    now = 0.0
    alerts = []
    for key, gap in events:
        now += gap
        alerts += d.tick(at(now))
        alerts += d.admit(hit(key=(str(key),)), at(now))
        assert sum(not w.folded for w in d.windows.values()) <= cap
        assert len(d.windows) <= cap + 1  # one rule: one overflow window
    alerts += d.tick(at(now + 10 * window))
    firsts = [a for a in alerts if a.kind is AlertKind.FIRST]
    digests = [a for a in alerts if a.kind is AlertKind.DIGEST]
    assert len(firsts) + sum(a.count for a in digests) == len(events)
    assert d.windows == {}
