from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from logwatch.alerts.render import fit, format_duration, plural, render
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity
from tests.samples import shipped_rules

RULES = {r.id: r for r in shipped_rules()}
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RECORD = Record(
    path="/logs/bot.log",
    format="python",
    first_line=7,
    offset=0,
    end=10,
    text="2026-11-24 15:00:01,123 - bot - ERROR - Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)",
    raw="2026-11-24 15:00:01,123 - bot - ERROR - Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)",
    timestamp="2026-11-24 15:00:01,123",
    fields={
        "connection": "Binance Futures",
        "symbol": "BTCUSDT",
        "platform": "freqtrade",
    },
)
HIT = Hit(
    rule_id="binance.margin-insufficient",
    severity=Severity.ERROR,
    codes=(-2019,),
    record=RECORD,
    line=7,
    captures={},
    key=("Binance Futures", "BTCUSDT"),
)
FIRST = Alert(
    id="a1",
    kind=AlertKind.FIRST,
    rule_id=HIT.rule_id,
    severity=Severity.ERROR,
    fingerprint="fp",
    created_at=NOW,
    hit=HIT,
)


def test_first_alert_in_russian_names_the_remedy_place_and_rule() -> None:
    msg = render(FIRST, RULES[HIT.rule_id], "ru", "telegram")
    assert msg.title == "ОШИБКА: Недостаточно маржи для ордера (BTCUSDT)"
    assert "Когда: 2026-11-24 15:00:01" in msg.body
    assert (
        "Где: платформа freqtrade, подключение Binance Futures, символ BTCUSDT, файл /logs/bot.log:7"
        in msg.body
    )
    assert "Что сделать: На фьючерсном кошельке" in msg.body
    assert msg.body.endswith("Правило binance.margin-insufficient · коды -2019")


def test_digest_in_english_counts_and_times() -> None:
    digest = replace(
        FIRST, kind=AlertKind.DIGEST, count=37, window_s=600, first_at=NOW, last_at=NOW
    )
    msg = render(digest, RULES[HIT.rule_id], "en", "email")
    assert msg.title == "Repeated 37×: Not enough margin for the order"
    assert msg.body.startswith("Repeated 37 times in 10 min (first ")


def test_telegram_budget_cuts_with_a_marker_and_keeps_the_rule_line() -> None:
    long = replace(RECORD, raw="x" * 10_000, text="x" * 10_000)
    rule = replace(RULES[HIT.rule_id], remedy={"en": "y " * 3000, "ru": "у " * 3000})
    msg = render(replace(FIRST, hit=replace(HIT, record=long)), rule, "en", "telegram")
    assert len(msg.body) <= 3500
    assert "… (truncated)" in msg.body
    assert msg.body.endswith("codes -2019")


def test_self_alerts_use_their_own_text() -> None:
    alert = Alert(
        id="s",
        kind=AlertKind.SELF,
        rule_id="logwatch.self",
        severity=Severity.WARNING,
        fingerprint="s",
        created_at=NOW,
        text="3 alerts expired\nbody",
    )
    assert render(alert, None, "en").title == "3 alerts expired"


@pytest.mark.parametrize(
    ("seconds", "en", "ru"),
    [
        (600, "10 min", "10 мин"),
        (3690, "1 h 1 min 30 s", "1 ч 1 мин 30 с"),
        (0, "0 s", "0 с"),
    ],
)
def test_durations(seconds: int, en: str, ru: str) -> None:
    assert format_duration(seconds, "en") == en
    assert format_duration(seconds, "ru") == ru


def test_fit() -> None:
    assert fit("short", 10, "…") == "short"
    assert fit("a" * 20, 10, "…") == "a" * 8 + "\n…"


# -- the log's own times (issue 11) ----------------------------------------------------

QUANTOWER = replace(
    RECORD,
    format="json",
    timestamp="2026-06-25T10:00:01.123+03:00",
    fields={"connection": "Binance Futures", "symbol": "ETHUSDT"},
)


def test_a_time_with_a_zone_is_shown_in_that_zone_with_the_zone() -> None:
    """Quantower's +03:00 was shown converted to the PC's zone, naming none."""
    alert = replace(FIRST, hit=replace(HIT, record=QUANTOWER))
    assert (
        "When: 2026-06-25 10:00:01 +03:00"
        in render(alert, RULES[HIT.rule_id], "en").body
    )
    utc = replace(QUANTOWER, timestamp="2026-06-25T07:00:01Z")
    alert = replace(FIRST, hit=replace(HIT, record=utc))
    assert (
        "When: 2026-06-25 07:00:01 UTC" in render(alert, RULES[HIT.rule_id], "en").body
    )


def test_a_digest_gives_the_log_times_of_its_repeats() -> None:
    """A digest said "first/last" in read times next to a "When" in log time."""
    from logwatch.alerts.dedup import Deduper, Policy

    def at(stamp: str, seconds: float) -> tuple[Hit, datetime]:
        from datetime import timedelta

        hit = replace(HIT, record=replace(QUANTOWER, timestamp=stamp))
        return hit, NOW + timedelta(seconds=seconds)

    d = Deduper(default=Policy(window_s=600))
    for stamp, seconds in [
        ("2026-06-25T10:00:01+03:00", 0),
        ("2026-06-25T10:00:05+03:00", 30),
        ("2026-06-25T10:03:00+03:00", 200),
    ]:
        d.admit(*at(stamp, seconds))
    (digest,) = d.tick(NOW.replace(minute=11))
    body = render(digest, RULES[HIT.rule_id], "en").body
    assert body.startswith(
        "Repeated 2 times in 10 min (first 10:00:05 +03:00, last 10:03:00 +03:00)."
    )
    assert "When: 2026-06-25 10:03:00 +03:00" in body


def test_a_digest_of_lines_without_times_gives_read_times_only() -> None:
    bare = replace(RECORD, timestamp=None)
    digest = replace(
        FIRST,
        kind=AlertKind.DIGEST,
        hit=replace(HIT, record=bare),
        count=2,
        window_s=600,
        first_at=NOW,
        last_at=NOW,
        first_log="",
        last_log="",
    )
    body = render(digest, RULES[HIT.rule_id], "en").body
    clock = NOW.astimezone().strftime("%H:%M:%S")
    assert body.startswith(f"Repeated 2 times in 10 min (first {clock}, last {clock}).")
    assert f"When: {NOW.astimezone():%Y-%m-%d %H:%M:%S}" in body


@pytest.mark.parametrize(
    ("lang", "title", "body"),
    [
        (
            "en",
            "Repeated 40× across 900 errors: Not enough margin for the order",
            "40 more times across 900 distinct errors of this kind (first ",
        ),
        (
            "ru",
            "Повторилось 40× в 900 разных ошибках: Недостаточно маржи для ордера",
            "Ещё 40 раз в 900 разных ошибках этого вида (первый раз ",
        ),
    ],
)
def test_a_digest_of_folded_errors_says_how_many_it_counts(
    lang: str, title: str, body: str
) -> None:
    """Issue 18: past the cap on open windows, errors are folded into one window per
    rule; its digest is not "repeated 40 times" of one error."""
    digest = replace(
        FIRST,
        kind=AlertKind.DIGEST,
        count=40,
        folded=900,
        window_s=600,
        first_at=NOW,
        last_at=NOW,
    )
    msg = render(digest, RULES[HIT.rule_id], lang, "email")
    assert (msg.title, msg.body[: len(body)]) == (title, body)


def test_the_console_shows_a_long_line_whole_where_the_desktop_cuts_it() -> None:
    """console:// had the desktop's 600 characters: the line was cut before its error."""
    raw = "2026-11-24 15:00:01,123 - bot - ERROR - " + "x" * 1500 + " Margin is low"
    hit = replace(HIT, record=replace(RECORD, raw=raw, text=raw))
    console = render(replace(FIRST, hit=hit), RULES[HIT.rule_id], "en", "console")
    desktop = render(replace(FIRST, hit=hit), RULES[HIT.rule_id], "en", "desktop")
    assert raw in console.body
    assert raw not in desktop.body
    assert len(desktop.body) <= 600


PLURALS = [
    # CLDR's Russian rules: one (1, 21, 101), few (2-4, 22-24), many (0, 5-20, 25...)
    *[(n, "ru", f"{n} раз") for n in (0, 1, 5, 11, 12, 14, 20, 21, 25, 101, 111, 1000)],
    *[(n, "ru", f"{n} раза") for n in (2, 3, 4, 22, 23, 24, 102, 1002)],
    (1, "en", "1 time"),
    (0, "en", "0 times"),
    (3, "en", "3 times"),
    (21, "en", "21 times"),
]


@pytest.mark.parametrize(("n", "lang", "said"), PLURALS)
def test_counts_take_their_languages_plural_form(n: int, lang: str, said: str) -> None:
    forms = "раз|раза|раз" if lang == "ru" else "time|times"
    assert plural(n, forms, lang) == said


@pytest.mark.parametrize(
    ("count", "lang", "body"),
    [
        (3, "ru", "Повторилось 3 раза за 10 мин"),
        (5, "ru", "Повторилось 5 раз за 10 мин"),
        (21, "ru", "Повторилось 21 раз за 10 мин"),
        (22, "ru", "Повторилось 22 раза за 10 мин"),
        (2, "en", "Repeated 2 times in 10 min"),
    ],
)
def test_a_digest_says_the_count_in_the_right_form(
    count: int, lang: str, body: str
) -> None:
    """Issue 21: ``Повторилось 3 раз``."""
    digest = replace(
        FIRST,
        kind=AlertKind.DIGEST,
        count=count,
        window_s=600,
        first_at=NOW,
        last_at=NOW,
    )
    assert render(digest, RULES[HIT.rule_id], lang, "email").body.startswith(body)


def test_a_reminder_and_a_group_say_their_counts_in_the_right_form() -> None:
    still = replace(FIRST, kind=AlertKind.REMINDER, count=3, window_s=600)
    assert (
        "Ещё 3 раза за последние 10 мин."
        in render(still, RULES[HIT.rule_id], "ru").body
    )
    one = replace(still, count=1)
    assert (
        "Happened 1 more time in the last" in render(one, RULES[HIT.rule_id], "en").body
    )
