from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from logwatch.alerts.render import default_language
from logwatch.app.cli import cli
from logwatch.app.cli_scan import SCAN_GC_THRESHOLDS
from logwatch.app.report import Report
from tests.conftest import DATA
from tests.daemon_run import fresh_python
from tests.samples import shipped_rules

#: What the shipped rules are, as ``check`` sums them up (each rule pack adds to it).
SHIPPED = shipped_rules()

MARGIN = b"2026-09-16 10:54:08:591|0|4|Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"


MY_RULE = (
    "rules:\n  - id: my.halt\n    severity: critical\n"
    "    title: {en: Trading halted, ru: Торговля остановлена}\n"
    "    remedy: {en: Check the venue, ru: Проверьте площадку}\n"
    "    patterns: ['TRADING HALTED']\n    samples: ['TRADING HALTED']\n"
    "    near_misses: ['trading resumed', 'halted? no']\n"
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


class TestScan:
    def test_human_report_lists_hits_and_the_summary(self) -> None:
        result = invoke("scan", "--lang", "en", str(DATA / "sample.log"))
        assert result.exit_code == 0
        assert (
            "sample.log:4: ERROR binance.margin-insufficient: Not enough margin for the order"
            in result.output
        )
        assert "request ip: ****" in result.output
        assert "178.151" not in result.output
        assert "Lines: 11, matched 3, missed 8" in result.output
        assert "lines/s)]" in result.output

    def test_json_lines_carry_the_contract_fields(self) -> None:
        result = invoke("scan", "--json", "--lang", "ru", str(DATA / "sample.log"))
        hits = [json.loads(x) for x in result.stdout.splitlines()]
        assert [(h["line"], h["rule"]) for h in hits] == [
            (2, "binance.recv-window"),
            (4, "binance.margin-insufficient"),
            (10, "binance.invalid-api-key"),
        ]
        first = hits[0]
        assert first["codes"] == [-1021, -5028]
        assert first["severity"] == "error"
        assert first["code"] == -1021
        assert first["time"] == "2026-11-20T09:30:05.442000"
        assert first["title"] == "Запрос пришёл за пределами recvWindow Binance"
        assert set(first) >= {
            "path",
            "line",
            "rule",
            "codes",
            "severity",
            "captures",
            "text",
        }
        assert "178.151" not in result.stdout

    def test_a_scan_leaves_start_up_out_of_the_collector_and_puts_it_back(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """While files are scanned once, what start-up made is frozen and the
        collector runs less often; afterwards both are as they were. (``Report.add``
        wrapped to look, not to change what it does.)"""
        log = tmp_path / "m.log"
        log.write_bytes(MARGIN * 3)
        seen: list[tuple[int, tuple[int, int, int]]] = []
        add = Report.add

        def looking(report: Report, scan: Any) -> str:
            seen.append((gc.get_freeze_count(), gc.get_threshold()))
            return add(report, scan)

        monkeypatch.setattr(Report, "add", looking)
        before = gc.get_threshold(), gc.get_freeze_count()
        result = invoke("scan", "--json", str(log))
        assert result.exit_code == 0
        assert len(result.stdout.splitlines()) == 3
        assert seen
        assert all(frozen > 0 for frozen, _ in seen)
        assert {thresholds for _, thresholds in seen} == {SCAN_GC_THRESHOLDS}
        assert (gc.get_threshold(), gc.get_freeze_count()) == before

    def test_captures_are_reported(self, tmp_path: Path) -> None:
        log = tmp_path / "q.log"
        log.write_text(
            "Refuse (Binance): Timestamp for this request was 1500ms ahead of the "
            "server's time.\n",
            encoding="utf-8",
        )
        (hit,) = [
            json.loads(x)
            for x in invoke("scan", "--json", str(log)).stdout.splitlines()
        ]
        assert hit["captures"] == {"ahead_ms": "1500"}
        assert hit["connection"] == "Binance"

    def test_nothing_matched_exits_1(self, tmp_path: Path) -> None:
        log = tmp_path / "quiet.log"
        log.write_text("all is well\n", encoding="utf-8")
        result = invoke("scan", str(log))
        assert result.exit_code == 1
        assert "No rule matched." in result.output

    def test_globs_missing_paths_and_directories(self, tmp_path: Path) -> None:
        """Issue 21: a folder was skipped and a missing file exited 1 ("nothing
        matched"): now a folder is its log files at any depth (grep -r), and a file
        that cannot be read is exit 2, so a typo is not taken for a clean log."""
        (tmp_path / "a.log").write_bytes(MARGIN)
        (tmp_path / "b.log").write_bytes(MARGIN * 2)
        (tmp_path / "sub.log" / "2026").mkdir(parents=True)
        (tmp_path / "sub.log" / "2026" / "c.txt").write_bytes(MARGIN * 4)
        (tmp_path / "sub.log" / "old.log.gz").write_bytes(b"\x1f\x8b")
        result = invoke("scan", str(tmp_path / "*.log"), str(tmp_path / "nope.log"))
        assert result.exit_code == 2
        assert "Lines: 7, matched 7" in result.stdout
        assert f"{tmp_path / 'nope.log'}: no such file" in result.stderr
        assert "is a directory" not in result.stderr
        found = invoke("scan", str(tmp_path))  # the folder: the same files, once
        assert found.exit_code == 0
        assert "Lines: 7, matched 7" in found.stdout
        missing = invoke("scan", str(tmp_path / "none*.txt"))
        assert missing.exit_code == 2
        assert "none*.txt: no such file" in missing.stderr
        (tmp_path / "empty").mkdir()
        empty = invoke("scan", str(tmp_path / "empty"))
        assert empty.exit_code == 1
        assert "no log files in this folder" in empty.stderr

    def test_unreadable_file_is_reported_and_skipped(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        log = tmp_path / "locked.log"
        log.write_bytes(MARGIN)
        real_open = Path.open

        def deny(self: Path, *a: Any, **k: Any) -> Any:
            if self == log:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *a, **k)

        monkeypatch.setattr(
            Path, "open", deny
        )  # root can read any file, so deny it here
        result = invoke("scan", str(log), str(DATA / "sample.log"))
        assert f"{log}: cannot read: Permission denied" in result.stderr
        assert "matched" in result.stdout  # the readable one is still scanned
        assert result.exit_code == 2

    def test_bad_files_are_reported_once_and_real_errors_still_found(
        self, tmp_path: Path
    ) -> None:
        garbage = tmp_path / "garbage.log"
        garbage.write_bytes(
            b"\x00" * 5000
            + b"\xff\xfe\x80" * 100
            + b"\n"
            + MARGIN
            + b"\x00\x01\x02\n" * 10
        )
        utf16 = tmp_path / "mt5.log"
        utf16.write_bytes(
            "LG\t2\t01:29:08.243\tTrades\tBinance: User in liquidation mode now.\n".encode(
                "utf-16-le"
            )
            * 3
        )
        huge = tmp_path / "huge.log"
        with huge.open("wb") as fh:
            fh.write(b"A" * (50 * 1024 * 1024) + b"\n")
            fh.write(MARGIN)
        result = invoke("scan", "--json", str(garbage), str(utf16), str(huge))
        rules = [
            (Path(h["path"]).name, h["rule"])
            for h in map(json.loads, result.stdout.splitlines())
        ]
        assert rules == [
            ("garbage.log", "binance.margin-insufficient"),
            ("mt5.log", "binance.liquidation-mode"),
            ("mt5.log", "binance.liquidation-mode"),
            ("mt5.log", "binance.liquidation-mode"),
            ("huge.log", "binance.margin-insufficient"),
        ]
        assert result.stderr.count("garbage.log: holds NUL bytes") == 1
        assert (
            result.stderr.count("garbage.log: holds bytes that are not valid text") == 1
        )
        assert result.stderr.count("huge.log: has lines over 65536 bytes") == 1

    def test_show_misses_lists_lines_with_a_keyword_but_no_match(
        self, tmp_path: Path
    ) -> None:
        log = tmp_path / "m.log"
        log.write_text(
            "binance: Margin is insufficient\n"
            "binance: too many requests per second allowed\n",
            encoding="utf-8",
        )
        result = invoke("scan", "--show-misses", str(log))
        assert "Near misses (a keyword, but no rule matched): 1" in result.output
        assert "m.log:2: binance: too many requests per second allowed" in result.output

    def test_forced_format(self, tmp_path: Path) -> None:
        log = tmp_path / "x.txt"
        log.write_bytes(MARGIN)
        hit = json.loads(
            invoke("scan", "--json", "--format", "ninjatrader", str(log)).stdout
        )
        assert hit["format"] == "ninjatrader"
        assert hit["time"] == "2026-09-16T10:54:08.591000"

    def test_a_rule_error_exits_2_without_a_traceback(self, tmp_path: Path) -> None:
        (tmp_path / "bad.yaml").write_text(
            "rules:\n  - id: x.y\n    severity: nope\n", encoding="utf-8"
        )
        result = invoke("scan", "--rules", str(tmp_path), str(DATA / "sample.log"))
        assert result.exit_code == 2
        assert (
            f"{tmp_path / 'bad.yaml'}:3: rule x.y: severity: Input should be"
            in result.stderr
        )
        assert "Traceback" not in result.output

    def test_a_catastrophic_user_pattern_is_reported_once_and_the_scan_goes_on(
        self, tmp_path: Path
    ) -> None:
        from tests.samples import CATASTROPHIC

        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / "slow.yaml").write_text(CATASTROPHIC, encoding="utf-8")
        log = tmp_path / "evil.log"
        log.write_bytes(("a" * 5000 + "b\n").encode() * 4 + MARGIN)
        result = invoke("scan", "--json", "--rules", str(rules), str(log))
        assert (
            result.stderr.count(
                "rule user.slow disabled: its patterns timed out 3 times"
            )
            == 1
        )
        assert [json.loads(x)["rule"] for x in result.stdout.splitlines()] == [
            "binance.margin-insufficient"
        ]

    def test_usage_errors_exit_2(self) -> None:
        assert invoke("scan").exit_code == 2
        assert invoke("scan", "--lang", "de", "x").exit_code == 2


class TestCommands:
    def test_check_validates_config_and_rules_together(self, tmp_path: Path) -> None:
        result = invoke("check", "--config", str(DATA / "config.yaml"))
        assert result.exit_code == 0
        first, *channels = result.output.splitlines()
        assert first.endswith(f"OK; {SHIPPED.summary()}, 1 sources, 1 channels")
        assert channels == [
            "  channel desk: info and above; every source, rule and category"
        ]
        assert (
            invoke("check", "--rules", str(tmp_path)).output
            == f"{SHIPPED.summary()} OK\n"
        )

    @pytest.mark.parametrize(
        ("args", "checked"),
        [
            # the shipped rules alone: test_catalogue checks them, once per test run
            (["--config", "{config}"], False),
            (["--config", "{config}", "--rules", "{empty}"], False),
            (["--config", "{disabled}"], True),
            (["--config", "{own}"], True),
            (["--rules", "{mine}"], True),
        ],
        ids=["shipped", "empty_dir", "disabled", "config_dir", "rules_dir"],
    )
    def test_check_goes_through_the_catalogue_only_for_the_users_own_rules(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        args: list[str],
        checked: bool,
    ) -> None:
        """Every catalogue code through its shapes took seconds at each ``check`` and
        ``init``, and a loaded machine's test run past its timeout (issue 18)."""
        import logwatch.match.engine

        runs: list[int] = []

        def counted(engine: logwatch.match.engine.Engine) -> list[Any]:
            runs.append(len(engine.catalogue))
            return []  # whether it runs is the question; test_catalogue runs it

        monkeypatch.setattr(logwatch.match.engine, "catalogue_problems", counted)
        paths = {name: tmp_path / name for name in ("mine", "empty")}
        for path in paths.values():
            path.mkdir()
        (paths["mine"] / "mine.yaml").write_text(MY_RULE, encoding="utf-8")
        head = f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        for name, rules in (
            ("config", ""),
            ("disabled", "rules:\n  disable: [binance.code-1013]\n"),
            ("own", f"rules:\n  dirs: ['{paths['mine']}']\n"),
        ):
            paths[name] = tmp_path / f"{name}.yaml"
            paths[name].write_text(head + rules, encoding="utf-8")
        named = {name: str(path) for name, path in paths.items()}
        result = invoke("check", *(arg.format(**named) for arg in args))
        assert result.exit_code == 0, result.output
        assert runs == ([len(SHIPPED.catalogue)] if checked else [])

    def test_check_reports_every_problem(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text(
            "rules:\n  - id: a.b\n    severity: nope\n    colour: red\n",
            encoding="utf-8",
        )
        (tmp_path / "b.yml").write_bytes(b"\x00\x01")
        result = invoke("check", "--rules", str(tmp_path))
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert (
            f"{tmp_path / 'a.yaml'}:3: rule a.b: severity: Input should be 'info', 'warning', 'error' or 'critical'"
            in lines
        )
        assert f"{tmp_path / 'a.yaml'}:4: rule a.b: unknown key 'colour'" in lines
        assert (
            f"{tmp_path / 'b.yml'}:1: not a YAML text file: it holds binary data "
            "(if it is text, save it as UTF-8)" in lines
        )

    def test_rules_lists_and_json(self) -> None:
        text = invoke("rules", "--lang", "en").output
        assert "binance.margin-insufficient" in text
        assert "Not enough margin for the order" in text
        items = json.loads(invoke("rules", "--json", "--lang", "ru").output)
        item = next(i for i in items if i["id"] == "binance.margin-insufficient")
        assert item["codes"] == [-2019]
        assert item["title"] == "Недостаточно маржи для ордера"

    def test_schema_is_json(self) -> None:
        schema = json.loads(invoke("schema").output)
        assert schema["title"] == "logwatch rule file"

    def test_version(self) -> None:
        assert invoke("--version").output.startswith("logwatch, version ")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU"}, "en"),
        ({"LANG": "C"}, "en"),
    ],
)
def test_default_language_follows_the_locale(
    env: dict[str, str], expected: str
) -> None:
    assert default_language(env) == expected


class TestOutputThatCannotCrash:
    """Windows gives files and pipes the ANSI code page (cp1251, cp1252): ``scan >
    out.txt`` or ``scan | findstr`` raised UnicodeEncodeError on "⏎", Russian titles or
    a line in another script, and exited 1, which means "nothing matched". Simulated
    with PYTHONIOENCODING and with a cp1252 TextIOWrapper."""

    # "保证金" (margin) is in neither cp1251 nor cp1252; the Russian title not in cp1252
    LINE = "Refuse (Binance Futures): Margin is insufficient. (BTCUSDT) 保证金\n"

    @pytest.mark.timeout(300)
    @pytest.mark.parametrize("command", ["scan", "rules", "status"])
    def test_an_ansi_code_page_pipe_gets_escapes_and_the_documented_exit_code(
        self, tmp_path: Path, command: str
    ) -> None:
        import os
        import subprocess
        import sys

        (tmp_path / "bot.log").write_text(self.LINE, "utf-8")
        args = {
            "scan": ["scan", "--lang", "ru", str(tmp_path / "bot.log")],
            "rules": ["rules", "--lang", "ru"],
            "status": ["status"],
        }[command]
        # rules: Russian titles into cp1252; status: a Cyrillic user name's state path
        encoding = "cp1251" if command == "scan" else "cp1252"
        env = {
            **os.environ,
            "PYTHONIOENCODING": encoding,
            "HOME": str(tmp_path),
            "LOGWATCH_STATE_DIR": str(tmp_path / "Трейдер"),  # XDG_*: POSIX only
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "logwatch", *args],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-800:]
        text = proc.stdout.decode(encoding)
        if command == "scan":
            assert "\\u4fdd\\u8bc1\\u91d1" in text  # 保证金, escaped
            assert "Недостаточно маржи" in text  # what cp1251 holds stays readable
        elif command == "rules":
            assert "binance.margin-insufficient" in text
            assert "\\u041d\\u0435\\u0434" in text  # Нед(остаточно), escaped
        else:
            assert "files followed (by the last run): 0" in text
            assert "\\u0422\\u0440" in text  # Тр(ейдер)

    def test_a_cp1252_pipe_is_switched_to_utf8(self) -> None:
        import io
        import os

        from logwatch.app.cli import safe_output

        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding="cp1252")
        stream.isatty = lambda: False  # type: ignore[method-assign]
        safe_output(stream, {})
        stream.write("Недостаточно маржи ⏎ \udcff\n")
        stream.flush()
        # the stream's own newline translation: \r\n on Windows
        assert raw.getvalue() == f"Недостаточно маржи ⏎ \\udcff{os.linesep}".encode()

    @pytest.mark.timeout(300)
    def test_an_error_naming_a_cyrillic_path_is_utf8_on_a_pipe_like_the_output(
        self, tmp_path: Path
    ) -> None:
        """Issue 20: stderr on a pipe kept the ANSI code page on Windows while stdout
        was switched to UTF-8, so under cp1252 ``нет.log`` came out as
        ``\\u043d\\u0435\\u0442.log``. A real process, its stderr read as UTF-8."""
        import os
        import subprocess
        import sys

        missing = tmp_path / "нет.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONIOENCODING", "PYTHONUTF8")
        }
        proc = subprocess.run(
            [sys.executable, "-m", "logwatch", "scan", str(missing)],
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2
        assert f"{missing}: no such file" in proc.stderr.decode("utf-8")

    @pytest.mark.parametrize(
        ("isatty", "env", "expected"),
        [
            (False, {}, ("utf-8", "backslashreplace")),
            (True, {}, (None, "backslashreplace")),
            (False, {"PYTHONIOENCODING": "cp1251"}, (None, "backslashreplace")),
            (False, {"PYTHONIOENCODING": "cp1251:replace"}, (None, "replace")),
        ],
    )
    def test_the_encoding_follows_the_console_and_pythonioencoding(
        self, isatty: bool, env: dict[str, str], expected: tuple[str | None, str]
    ) -> None:
        from logwatch.app.cli import output_encoding

        assert output_encoding(isatty, env) == expected

    def test_a_bug_exits_3_not_1_which_means_nothing_matched(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        import sys

        from logwatch.app import cli as cli_module
        from logwatch.app import scanfiles

        def broken(paths: object) -> object:
            raise RuntimeError("a bug")

        monkeypatch.setattr(scanfiles, "scanned_files", broken)
        monkeypatch.setattr(sys, "argv", ["logwatch", "scan", str(DATA / "sample.log")])
        with pytest.raises(SystemExit) as exit_:
            cli_module.main()
        assert exit_.value.code == cli_module.INTERNAL_ERROR == 3
        assert "RuntimeError: a bug" in capsys.readouterr().err


_SCAN_IMPORTS = """
import sys
from click.testing import CliRunner
from logwatch.app.cli import cli

result = CliRunner().invoke(cli, ["scan", sys.argv[1]], catch_exceptions=False)
# not sqlite3 itself: coverage, measuring this process, imports it; logwatch.store.state
heavy = ("apprise", "watchdog", "structlog", "pydantic_settings", "prometheus_client",
         "logwatch.app.daemon", "logwatch.deliver.notifier", "logwatch.store.state", "logwatch.app.follower")
print(result.exit_code, [name for name in heavy if name in sys.modules])
"""


_FOLLOW_IMPORTS = """
import sys
import logwatch.app.cli as cli
cli.without_rich(sys.modules)  # as main() does
import logwatch.app.control, logwatch.app.follower, logwatch.app.lock, logwatch.app.logs, logwatch.store.state
print([name for name in ("pydantic", "apprise", "rich") if sys.modules.get(name)])
"""


@pytest.mark.timeout(300)
def test_following_starts_without_pydantic_apprise_or_rich() -> None:
    """Issue 18 (with kills): a restarted follower took 1.4-2.9 s on a busy PC to
    start following, a third of it importing what following does not use: pydantic
    (for the codec of stored alerts), rich (structlog's tracebacks, where a tool
    installed it beside us)."""
    assert fresh_python(_FOLLOW_IMPORTS) == "[]\n"


@pytest.mark.timeout(300)
def test_scan_starts_without_the_daemons_modules(tmp_path: Path) -> None:
    # start-up is most of a short scan's time: it imports what matching needs only
    # (rules, engine, the config for its secrets), none of following or delivery
    log = tmp_path / "q.log"
    log.write_text(
        "Refuse (Binance Futures): Margin is insufficient.\n", encoding="utf-8"
    )
    assert fresh_python(_SCAN_IMPORTS, str(log)) == "0 []\n"


def _open_here(path: Path) -> bool:
    """Whether this process has ``path`` open (Linux's /proc)."""
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if fd.readlink() == path:
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
def test_a_follow_that_cannot_start_lets_the_files_it_held_go(tmp_path: Path) -> None:
    """``scan --follow`` holds its files before anything else (issue 18); a start that
    ends on a rule error (exit 2) closes them too."""
    log = tmp_path / "app.log"
    log.write_text("Margin is insufficient\n", encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["scan", "--follow", "--rules", str(rules), str(log)]
    )
    assert result.exit_code == 2, result.output
    assert not _open_here(log)
