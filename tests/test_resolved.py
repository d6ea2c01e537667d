"""Back to normal: an error that stopped for its window, a silent source that writes
again, channels that came back; said only to channels with ``send_resolved``."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.alerts.dedup import Deduper, Policy
from logwatch.alerts.notices import notice
from logwatch.alerts.render import render
from logwatch.app.daemon import Daemon
from logwatch.core.model import AlertKind
from tests import fakes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.samples import at, hit, shipped_rules


def deduper(resolved: bool = True) -> Deduper:
    return Deduper(default=Policy(600), resolved=resolved)


class TestDeduper:
    def test_a_window_without_a_repeat_resolves_the_error(self) -> None:
        d = deduper()
        d.admit(hit(), at(0))
        (done,) = d.tick(at(600))
        assert done.kind is AlertKind.RESOLVED
        assert (done.started_at, done.last_at, done.created_at) == (
            at(0),
            at(0),
            at(600),
        )
        assert d.started == {}

    def test_without_a_channel_that_wants_it_nothing_is_said(self) -> None:
        d = deduper(resolved=False)
        d.admit(hit(), at(0))
        d.admit(hit(), at(10))
        assert [a.kind for a in d.tick(at(600))] == [AlertKind.DIGEST]
        assert d.tick(at(5000)) == []
        assert d.calming == {}
        assert d.started == {}

    def test_after_a_digest_it_resolves_when_the_next_window_passes_quietly(
        self,
    ) -> None:
        d = deduper()
        d.admit(hit(), at(0))
        d.admit(hit(), at(300))
        (digest,) = d.tick(at(600))
        assert digest.kind is AlertKind.DIGEST
        assert digest.started_at == at(0)
        assert d.next_due() == at(1200)
        assert d.tick(at(1199)) == []
        (done,) = d.tick(at(1200))
        assert done.kind is AlertKind.RESOLVED
        assert (done.started_at, done.last_at) == (at(0), at(300))

    def test_a_hit_while_calming_continues_the_same_trouble(self) -> None:
        d = deduper()
        d.admit(hit(), at(0))
        d.admit(hit(), at(300))
        d.tick(at(600))
        (again,) = d.admit(hit(), at(900))
        assert again.kind is AlertKind.FIRST
        assert d.tick(at(1200)) == []  # the window of the new hit is open
        (done,) = d.tick(at(1500))
        assert done.kind is AlertKind.RESOLVED
        assert done.started_at == at(0)  # the trouble began with the first hit

    @given(st.lists(st.floats(0, 5000), max_size=40))
    def test_every_trouble_ends_in_one_resolved_and_nothing_stays_open(
        self, times: list[float]
    ) -> None:
        d = deduper()
        alerts = []
        for t in sorted(times):
            alerts += d.admit(hit(), at(t))
        alerts += d.tick(at(20_000))
        kinds = [a.kind for a in alerts if a.kind is not AlertKind.DIGEST]
        if times:
            assert kinds[-1] is AlertKind.RESOLVED
        # no RESOLVED without a FIRST since the last one
        pairs = itertools.pairwise(kinds)
        assert all(not (a is b is AlertKind.RESOLVED) for a, b in pairs)
        assert kinds[:1] in ([], [AlertKind.FIRST])
        assert d.windows == {}
        assert d.calming == {}
        assert d.started == {}


def test_render_says_how_long_it_lasted_in_both_languages() -> None:
    rule = next(r for r in shipped_rules() if r.id == "binance.margin-insufficient")
    d = deduper()
    d.admit(hit(), at(0))
    d.admit(hit(), at(420))
    d.tick(at(600))
    (done,) = d.tick(at(1200))
    en = render(done, rule, "en", "telegram", "desk-7")
    assert en.title == f"Back to normal: {rule.title['en']}"
    assert "Not seen again for 10 min. It lasted 7 min" in en.body
    assert en.body.endswith("· desk-7")
    ru = render(done, rule, "ru", "telegram")
    assert ru.title == f"Снова в норме: {rule.title['ru']}"
    assert "Длилось 7 мин" in ru.body


def _daemon(tmp_path: Path, clock: FakeClock) -> Daemon:
    (tmp_path / "logs").mkdir(exist_ok=True)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "    silence: 5m\n"
        "channels:\n"
        "  - {name: told, url: 'fake://told', send_resolved: true}\n"
        "  - {name: plain, url: 'fake://plain'}\n",
        encoding="utf-8",
    )
    daemon = Daemon(config, clock, {}, io.StringIO())
    daemon.start()
    return daemon


@pytest.mark.usefixtures("fake_channels")
def test_a_silent_source_that_writes_again_is_resolved_where_asked(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    daemon = _daemon(tmp_path, clock)
    try:
        daemon.step()
        clock.advance(301)
        daemon.step()
        wait_until(
            lambda: (
                len(fakes.SENT.get("told", [])) == 1
                and len(fakes.SENT.get("plain", [])) == 1
            ),
            5,
            "the silence alert on both channels",
        )
        clock.advance(1500)
        (tmp_path / "logs" / "bot.log").write_text("a line\n", encoding="utf-8")

        def told_twice() -> bool:
            clock.advance(1)
            daemon.step()
            return len(fakes.SENT.get("told", [])) == 2

        wait_until(told_twice, 5, "the resolved message")
        title, _body = fakes.SENT["told"][1]
        assert title.startswith("logwatch: bot writes again, after 30 min")
        assert len(fakes.SENT["plain"]) == 1  # it did not ask for resolved messages
    finally:
        daemon.close()


@pytest.mark.usefixtures("fake_channels")
def test_channels_that_come_back_are_resolved(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    fakes.DOWN.update({"told", "plain"})
    daemon = _daemon(tmp_path, clock)
    try:
        daemon.step()
        daemon.self_alert(notice("reload_failed", problems="test"))
        wait_until(
            lambda: all(
                v is not None for v in daemon.dispatcher.failing_since.values()
            ),
            5,
            "both channels to fail",
        )
        clock.advance(400)
        daemon.step()
        assert daemon.health.unreachable_since is not None
        fakes.DOWN.clear()
        daemon.dispatcher.poke()

        def resolved() -> bool:
            clock.advance(400)  # past any backoff
            daemon.dispatcher.poke()
            daemon.step()
            return any(
                t.startswith("logwatch reaches its channels again")
                for t, _ in fakes.SENT.get("told", [])
            )

        wait_until(resolved, 10, "the channels' resolved message")
        assert not any(
            t.startswith("logwatch reaches") for t, _ in fakes.SENT.get("plain", [])
        )
    finally:
        daemon.close()
