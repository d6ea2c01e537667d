from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from logwatch.dedup import Deduper, Policy, QuietHours, fingerprint
from logwatch.model import AlertKind, Hit, Line, Record, Severity
from tests.samples import at, hit


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
        assert d.suppressed == 1
        assert len(d.admit(hit(connection="A", key=("A", "X")), at(1801))) == 1

    def test_a_mute_without_a_connection_covers_only_its_own_file(self) -> None:
        """freqtrade and ccxt lines name no connection: one bot's invalid key in
        bot.log muted another bot's -2019 in other-bot.log for 30 minutes."""
        from logwatch.dedup import build
        from logwatch.engine import Engine
        from logwatch.formats import FORMATS
        from logwatch.rules import load_rules

        rules = load_rules()
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
        assert d.suppressed == 1
        (mute,) = [m for m in d.active_mutes(at(7)) if m[0] == same_bot.rule_id]
        assert mute[1:] == ("file:/bots/a/bot.log", at(1800))
        assert d.active_mutes(at(1801)) == []

    def test_the_same_error_of_two_bots_without_connections_alerts_twice(
        self,
    ) -> None:
        """With no connection and no key values, the file tells two bots apart."""

        def bot(path: str) -> Hit:
            record = Record(path, "python", 1, 0, 1, "x", "x", None, {})
            return Hit(
                "binance.margin-insufficient",
                Severity.ERROR,
                (),
                record,
                1,
                {},
                ("", ""),
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

    def test_quiet_hours_may_span_midnight(self) -> None:
        from datetime import time

        quiet = QuietHours(time(23), time(7))
        assert quiet.covers(time(23, 30))
        assert quiet.covers(time(6, 59))
        assert not quiet.covers(time(7))
        assert not quiet.covers(time(12))

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
    from logwatch.dedup import build
    from logwatch.rules import load_rules, rules_from_text

    rules = {r.id: r for r in load_rules()}
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
