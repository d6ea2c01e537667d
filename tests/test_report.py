"""What the commands print, from values: scan's hits and summary, rules, status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.app import commands as cmd
from logwatch.app.report import Report, rules_json, rules_table
from logwatch.app.statustext import status_json, status_text
from logwatch.core.model import FileState, Queued
from logwatch.core.terminal import shown
from logwatch.match.engine import Engine, Scan
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.rules import RuleSet
from logwatch.store.state import State
from logwatch.store.status import read_status
from logwatch.store.statusinfo import ChannelRow, DaemonRow, Status, WindowRow
from tests.fakes import FakeClock
from tests.samples import shipped_rules


@pytest.fixture(scope="module", name="rules")
def _rules() -> RuleSet:
    loaded = shipped_rules()
    wanted = ("binance.margin-insufficient", "freqtrade.heartbeat-missing")
    return RuleSet(tuple(r for r in loaded if r.id in wanted), loaded.catalogue)


def _scan(rules: RuleSet, rule_id: str) -> Scan:
    rule = next(r for r in rules if r.id == rule_id)
    return Scan(hits=Engine(rules).match(sample_record(rule.samples[0])))


def test_a_hit_is_a_line_for_people_and_counted(rules: RuleSet) -> None:
    report = Report("en", False, rules)
    text = report.add(_scan(rules, "binance.margin-insufficient"))
    assert text.startswith("sample:1: ERROR binance.margin-insufficient: ")
    assert text.endswith("\n")
    assert text.count("\n") == 2
    assert report.per_rule == {"binance.margin-insufficient": 1}
    assert report.matched == 1
    report.lines = 4
    summary = report.summary(2.0, show_misses=False)
    assert "\nHits per rule:\n" in summary
    assert summary.endswith(
        "\nLines: 4, matched 1, missed 3\n[processed in 2.00 s (2 lines/s)]\n"
    )


def test_a_hit_as_json_keeps_the_documented_fields(rules: RuleSet) -> None:
    report = Report("ru", True, rules)
    (line,) = report.add(_scan(rules, "binance.margin-insufficient")).splitlines()
    obj = json.loads(line)
    assert list(obj) == [
        "path", "line", "rule", "codes", "severity", "captures", "text", "title",
        "remedy", "exchange", "time", "format", "offset", "code", "connection",
        "symbol", "key", "recognition",
    ]  # fmt: skip
    rule = report.rules["binance.margin-insufficient"]
    assert (obj["rule"], obj["title"]) == (rule.id, rule.title["ru"])
    assert obj["remedy"] == rule.remedy["ru"]


def test_a_heartbeat_rule_hit_is_a_sign_of_life_not_shown(rules: RuleSet) -> None:
    report = Report("en", False, rules)
    scan = _scan(rules, "freqtrade.heartbeat-missing")
    assert scan.hits
    assert report.add(scan) == ""
    assert report.per_rule == {}
    assert report.summary(0.0, show_misses=False).startswith("\nNo rule matched.\n")


def test_the_rule_list_as_a_table_and_as_json(rules: RuleSet) -> None:
    rows = rules_table(rules, "en")
    assert len(rows) == 2
    assert rows[0].split()[:2] == ["binance.margin-insufficient", "error"]
    items = json.loads(rules_json(rules, "en"))
    assert [i["id"] for i in items] == [r.id for r in rules]
    assert items[0]["source"].endswith(f":{next(iter(rules)).line}")


def _status(overdue: bool = False, **daemon: Any) -> Status:
    return Status(
        state="/s/state.db",
        daemon=DaemonRow(**daemon),
        lock="/s/state.db.lock",
        windows=[
            WindowRow(rule="r", key=[], pending=2, closes_at="12:00", overdue=overdue)
        ],
        waiting={"phone": 3},
        channels={
            "phone": ChannelRow(last_ok=None, last_error="down", last_error_at="11:00")
        },
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("daemon", "said"),
    [
        ({"running": False, "pid": None}, "daemon: not running"),
        ({"running": True, "pid": None}, "daemon: running, pid unknown (holds "),
        ({"running": True, "pid": 42}, "daemon: running, pid 42 (holds /s/"),
    ],
)
def test_status_says_whether_the_daemon_runs(daemon: dict[str, Any], said: str) -> None:
    lines = status_text(_status(**daemon), None)
    assert lines[1].startswith(said)
    assert "  r [-]: 2 repeats for the digest at 12:00" in lines
    assert "alerts waiting: phone 3" in lines
    assert "  phone: last delivered never; last error 11:00: down" in lines
    assert lines[-1] == "muted from the phone: 0"


def test_status_ends_with_the_heartbeat_line_and_json_is_the_object() -> None:
    info = _status(running=False, pid=None)
    assert status_text(info, "heartbeat: no ping yet")[-1] == "heartbeat: no ping yet"
    assert json.loads(status_json(info)) == info.as_json()


def _state_of_two_configs(tmp_path: Path) -> tuple[Path, float]:
    """A state written by a run of an earlier config (following ``old/*.log``), then
    by one of today's (``new/**/*.log``), with one alert held for the quiet hours,
    one open window whose digest is due before ``now``, and one in the future."""
    clock = FakeClock()
    state = State(tmp_path / "state.db", clock)

    def file(path: str) -> FileState:
        return FileState(
            id=path,
            fp_hash=b"h",
            fp_n=1,
            path=path,
            offset=10,
            marker=b"m",
            line=3,
            last_seen=clock.now().timestamp(),
        )

    state.commit(files=[file("/logs/old/a.log")], followed=["/logs/old/*.log"])
    clock.advance(3600)
    state.commit(
        files=[file("/logs/new/x/b.log"), file("/logs/new/top.log")],
        followed=["/logs/new/**/*.log"],
    )
    now = clock.now().timestamp()
    alert = Queued("a1", now, "{}", ["phone"], now + 7200)
    state.commit(alerts=[alert], followed=["/logs/new/**/*.log"])
    state.close()
    return state.path, now + 60


def test_status_tells_files_of_an_earlier_config_from_the_followed(
    tmp_path: Path,
) -> None:
    path, now = _state_of_two_configs(tmp_path)
    info = read_status(path, now)
    info.daemon = DaemonRow(running=False, pid=None)
    info.lock = str(tmp_path / "lock")
    lines = status_text(info, None)
    # `**` is any number of folders, none included: top.log is followed too
    assert [(f.path, f.followed) for f in info.files] == [
        ("/logs/new/top.log", True),
        ("/logs/new/x/b.log", True),
        ("/logs/old/a.log", False),
    ]
    followed = lines.index("files followed (by the last run): 2")
    assert lines[followed + 1].startswith("  /logs/new/top.log: 2 lines read")
    assert lines[followed + 2].startswith("  /logs/new/x/b.log: 2 lines read")
    assert lines[followed + 3].startswith("files of an earlier config, no longer")
    assert lines[followed + 4].startswith("  /logs/old/a.log: 2 lines read")
    # on the phone too, only the followed one
    assert "/logs/old/a.log" not in cmd.status_text(info, "en")


def test_status_says_why_an_alert_waits_the_quiet_hours(tmp_path: Path) -> None:
    path, now = _state_of_two_configs(tmp_path)
    info = read_status(path, now)
    info.daemon = DaemonRow(running=True, pid=7)
    info.lock = str(tmp_path / "lock")
    assert info.held["phone"].count == 1
    (waiting,) = [line for line in status_text(info, None) if "waiting" in line]
    assert waiting.startswith("alerts waiting: phone 1 (1 held for the quiet hours")
    assert "quiet hours until" in cmd.status_text(info, "en")
    # once the quiet hours are over it is simply waiting (due, not yet sent)
    later = read_status(path, now + 7200)
    assert later.held == {}


@pytest.mark.parametrize(
    ("running", "said"),
    [
        (False, "  r [-]: 2 repeats for the digest due 12:00, sent when logwatch runs"),
        (True, "  r [-]: 2 repeats for the digest due 12:00, being sent"),
    ],
)
def test_a_window_past_its_close_is_said_to_be_overdue(
    running: bool, said: str
) -> None:
    info = _status(overdue=True, running=running, pid=None)
    assert any(line.startswith(said) for line in status_text(info, None))
    assert "12:00 (overdue)" in cmd.status_text(info, "en")


_TEXT = st.text(
    st.sampled_from(['"', "\\", "\n", "\x1b", "\x85", "\u202e", "é", "Ⓢ", "a", " "]),
    max_size=12,
)


@given(
    raw=_TEXT,
    captures=st.dictionaries(_TEXT, _TEXT, max_size=3),
    codes=st.lists(st.one_of(st.integers(-99999, 99999), _TEXT), max_size=3),
    key=st.lists(_TEXT, max_size=3),
    fields=st.dictionaries(
        st.sampled_from(["connection", "symbol", "platform", "code"]), _TEXT
    ),
    message=_TEXT,
    exchange=_TEXT,
    timestamp=st.sampled_from([None, "2026-09-21 14:13:20:150", "never"]),
)
def test_a_hit_as_json_is_the_bytes_json_dumps_writes(
    rules: RuleSet,
    raw: str,
    captures: dict[str, str],
    codes: list[int | str],
    key: list[str],
    fields: dict[str, str],
    message: str,
    exchange: str,
    timestamp: str | None,
) -> None:
    """The JSON line is written without a dict: byte for byte what ``json.dumps``
    writes for the documented object, whatever the strings hold."""
    from logwatch.core.logtime import parse_timestamp
    from logwatch.core.model import Hit, Record, Severity

    report = Report("en", True, rules)
    rule = report.rules["binance.margin-insufficient"]
    record = Record(
        path=raw[::-1],
        format="ninjatrader",
        first_line=3,
        offset=7,
        end=9,
        text=raw,
        raw=raw,
        timestamp=timestamp,
        fields=fields,
    )
    hit = Hit(
        rule_id=rule.id,
        severity=Severity.ERROR,
        codes=tuple(codes),
        record=record,
        line=3,
        captures=captures,
        key=tuple(key),
        exchange=exchange,
        message=message,
    )
    when = parse_timestamp(record)
    code = captures.get("code") or fields.get("code", "")
    obj = {
        "path": record.path,
        "line": 3,
        "rule": rule.id,
        "codes": codes,
        "severity": "error",
        "captures": captures,
        "text": raw,
        "title": report.title(hit),
        "remedy": rule.remedy["en"],
        "exchange": exchange or fields.get("platform") or None,
        "time": when.isoformat() if when else None,
        "format": "ninjatrader",
        "offset": 7,
        "code": int(code) if code.lstrip("-").isdigit() else None,
        "connection": fields.get("connection"),
        "symbol": fields.get("symbol"),
        "key": key,
        "recognition": None,
    }
    assert report.json(hit) == shown(json.dumps(obj, ensure_ascii=False) + "\n")
