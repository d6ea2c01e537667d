"""Windows paths on a real Windows CPython, with real processes (CI runs them under
Wine: .ci/windows). The launchers of a python.org ``pip install``, the windowless
``logwatchw`` started as Task Scheduler starts it, the task XML read back on Windows.
The same logic is tested on every platform with faked layouts (test_service.py); here
the layouts are Windows' own, so the module is skipped elsewhere."""

from __future__ import annotations

import codecs
import json
import locale
import os
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import wait_until
from tests.daemon_run import MARGIN, logwatch
from tests.follow_harness import EVERY_LINE_RULE, write
from tests.servers import Hook, _hook  # noqa: F401  fixture

pytestmark = pytest.mark.skipif(
    sys.platform != "win32", reason="a real Windows Python's own layout and processes"
)

TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
#: Where ``pip install`` (no --user) put the launchers of the Python running the tests.
SCRIPTS = Path(sysconfig.get_path("scripts"))
#: Task Scheduler's way of starting the task: no console, no standard handles.
DETACHED_PROCESS = 0x00000008
CREATE_NEW_PROCESS_GROUP = 0x00000200
#: The machine's ANSI code page: the fallback for a line that is not UTF-8, and what a
#: file or pipe would get without logwatch's own choice (UTF-8, stdout and stderr). The lane runs this module under
#: 1252 and again under 1251 (.ci/windows/test.sh); a real PC has one of them.
ANSI = locale.getencoding()

#: MetaTrader 5's journal (``MQL5\\Logs\\YYYYMMDD.log``): UTF-16LE with a BOM, CRLF, one
#: line at a time; the first line an error the shipped rules know (10019, no money).
MT5_JOURNAL = [
    "GN\t0\t10:12:01.345\tTrades\t'5012345': failed market buy 0.10 EURUSD [No money]",
    "LG\t0\t10:12:02.001\tNetwork\t'5012345': счёт подключён к MetaQuotes-Demo",
]


def without_scripts_on_path() -> dict[str, str]:
    """This environment with the Scripts folders off PATH: the python.org installer's
    "Add to PATH" box is off by default."""
    env = dict(os.environ)
    folders = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(
        f for f in folders if f and Path(f).name.lower() != "scripts"
    )
    return env


def task_command(output: str) -> str | None:
    """The task's Exec/Command in ``service install --dry-run``'s output, the XML
    parsed by Windows' own Python."""
    xml = output[output.index("<?xml") :]
    xml = xml[: xml.index("</Task>") + len("</Task>")]
    root = ET.fromstring(xml.encode("utf-16"))  # noqa: S314  our own XML
    return root.findtext("t:Actions/t:Exec/t:Command", namespaces=TASK_NS)


@pytest.mark.timeout(300)
def test_service_install_from_a_python_org_install_names_its_scripts_logwatchw() -> (
    None
):
    """Issue 20: ``pip install`` into a python.org Python puts ``logwatch.exe`` and
    ``logwatchw.exe`` in ``Python312\\Scripts``, not beside ``python.exe``, and not on
    PATH: ``service install`` crashed with a traceback (exit 3)."""
    launcher = SCRIPTS / "logwatch.exe"
    if (
        not launcher.is_file()
        or (Path(sys.executable).parent / "logwatch.exe").exists()
    ):
        pytest.skip("logwatch is not pip-installed into a python.org layout here")
    done = subprocess.run(
        [str(launcher), "service", "install", "--dry-run"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=without_scripts_on_path(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert task_command(done.stdout) == str(SCRIPTS / "logwatchw.exe")


@pytest.mark.timeout(300)
def test_the_user_schemes_scripts_folder_is_searched(tmp_path: Path) -> None:
    """``pip install --user`` puts the launchers in the user scheme's Scripts
    (``%APPDATA%\\Python\\Python312\\Scripts``, here moved by PYTHONUSERBASE)."""
    script = (
        "import sys; from pathlib import Path; from logwatch.app import service; "
        "print('\\n'.join(map(str, service.script_dirs(Path(sys.executable)))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUSERBASE": str(tmp_path)},
        timeout=120,
        check=True,
    )
    dirs = [Path(line) for line in done.stdout.splitlines()]
    version = f"Python{sys.version_info.major}{sys.version_info.minor}"
    assert tmp_path / version / "Scripts" in dirs
    assert SCRIPTS in dirs


@pytest.mark.timeout(300)
def test_no_launcher_anywhere_is_a_message_and_exit_2_on_windows(
    tmp_path: Path,
) -> None:
    """A Python whose folders hold no launcher (logwatch imported from elsewhere):
    a message that says where it looked, exit 2, never a traceback."""
    script = (
        "import sys, sysconfig; from logwatch.app.cli import main; "
        f"sysconfig.get_path = lambda name, scheme=None: {str(tmp_path)!r}; "
        "sys.argv = ['logwatch', 'service', 'install', '--dry-run']; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**without_scripts_on_path(), "PATH": ""},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    if (Path(sys.executable).parent / "logwatchw.exe").exists():
        pytest.skip("the launchers are beside python.exe here (a venv)")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "was found neither on PATH nor in" in done.stderr


@pytest.mark.timeout(300)
def test_the_windowless_daemon_logs_alerts_a_loopback_webhook_and_stops_on_request(
    tmp_path: Path, hook: Hook
) -> None:
    """``logwatchw.exe run`` started detached with no standard handles, as Task
    Scheduler starts it: it logs to %LOCALAPPDATA%\\logwatch\\Logs, alerts (on a
    plain log, then on a UTF-16 MetaTrader journal appended a line at a time), refuses
    a second daemon on the same state, and ``logwatch stop`` ends it with exit 0."""
    launcher = SCRIPTS / "logwatchw.exe"
    if not launcher.is_file():
        pytest.skip("no logwatchw.exe in this Python's Scripts")
    logs = tmp_path / "logs"
    logs.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{logs / '*.log'}']\n"
        f"channels:\n  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/alerts'\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [str(launcher), "run", "--config", str(config)],
        creationflags=DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP,
        close_fds=True,
    )
    log_file = Path(os.environ["LOCALAPPDATA"]) / "logwatch" / "Logs" / "logwatch.log"

    def events() -> list[dict[str, object]]:
        if not log_file.exists():
            return []
        text = log_file.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    try:
        wait_until(
            lambda: any("following" in str(e.get("text", e)) for e in events()),
            120,
            lambda: f"the start in {log_file} (exit {proc.poll()})",
        )
        write(logs / "bot.log", MARGIN)
        wait_until(lambda: len(hook.requests) >= 1, 60, "the webhook's alert")
        assert "Margin" in json.dumps(hook.requests[0], ensure_ascii=False)
        # MetaTrader 5 writes its UTF-16 journal a line at a time: the BOM comes with
        # the first line, the error is appended later and read as UTF-16 too
        journal = logs / "20261207.log"
        line = [(text + "\r\n").encode("utf-16-le") for text in MT5_JOURNAL]
        write(journal, codecs.BOM_UTF16_LE + line[1])
        write(journal, line[0])
        wait_until(
            lambda: any(
                "not enough money" in json.dumps(r, ensure_ascii=False)
                for r in hook.requests
            ),
            60,
            "the alert for the journal's error",
        )
        second = logwatch("run", "--config", str(config))
        assert second.returncode != 0
        assert "locked by logwatch" in second.stderr
        done = logwatch("stop", "--config", str(config))
        assert done.returncode == 0, done.stderr
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def scan(
    *args: str, stdout: int | IO[bytes] = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """``logwatch.exe scan ARGS`` as a user runs it (the launcher of this Python's
    Scripts), its output as the bytes it wrote."""
    launcher = SCRIPTS / "logwatch.exe"
    command = (
        [str(launcher)] if launcher.is_file() else [sys.executable, "-m", "logwatch"]
    )
    return subprocess.run(
        [*command, "scan", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )


def needs_ansi(code_page: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        code_page != ANSI,
        reason=f"the ANSI code page here is {ANSI}, not {code_page} (the lane runs "
        "this module under each: .ci/windows/test.sh)",
    )


#: A Python bot's log on Russian Windows: cp1251, CRLF; the second line an error a
#: shipped rule knows.
RUSSIAN_ERROR = (
    "2026-12-07 10:00:01,512 - bot.exchange - ERROR - Не удалось закрыть позицию: "
    "Запрос выполнен частично (XRPUSDT)"
)


@needs_ansi("cp1251")
@pytest.mark.timeout(300)
def test_scan_on_a_cp1251_machine_reads_a_russian_log_and_writes_utf8(
    tmp_path: Path,
) -> None:
    """Code page 1251: a log in it is read without ``--encoding`` (the fallback is the
    ANSI code page), the hit's text and offset are exact, and the report written to a
    file is UTF-8 with the Russian title (the system's language)."""
    log = tmp_path / "bot.log"
    data = (
        "2026-12-07 10:00:00,001 - bot - INFO - Запуск бота, биржа Binance Futures\r\n"
        f"{RUSSIAN_ERROR}\r\n"
        "2026-12-07 10:00:02,000 - bot - INFO - Ожидание сигнала\r\n"
    ).encode("cp1251")
    log.write_bytes(data)
    done = scan("--json", str(log))
    assert done.returncode == 0, done.stderr.decode("utf-8")
    (hit,) = map(json.loads, done.stdout.decode("utf-8").splitlines())
    assert hit["rule"] == "quantower.close-position-partial"
    assert hit["text"] == RUSSIAN_ERROR
    assert hit["offset"] == data.index(RUSSIAN_ERROR.encode("cp1251"))
    assert "those lines are read as cp1251" in done.stderr.decode("utf-8")
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        assert scan(str(log), stdout=fh).returncode == 0
    report = out.read_bytes().decode("utf-8")  # strict: the ANSI page would fail
    assert "Позицию не удалось закрыть: запрос выполнен частично" in report
    assert RUSSIAN_ERROR in report


@needs_ansi("cp1252")
@pytest.mark.timeout(300)
def test_scan_on_a_cp1252_machine_reads_latin_lines_beside_utf8_ones(
    tmp_path: Path,
) -> None:
    """Code page 1252: its lines (``é``, ``€`` at 0x80, which Latin-1 lacks) are read
    in it, the UTF-8 lines of the same file as UTF-8, and the report written to a
    file is UTF-8, which holds the Cyrillic line that cp1252 cannot."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "line.yaml").write_text(EVERY_LINE_RULE, encoding="utf-8")
    texts = [
        "LINE 1 Ordre refusé : marge insuffisante (1 250 €)",
        "LINE 2 журнал в UTF-8: ордер принят",
        "LINE 3 Größe über dem Limit",
    ]
    raws = [
        texts[0].encode("cp1252"),
        texts[1].encode("utf-8"),
        texts[2].encode("cp1252"),
    ]
    log = tmp_path / "bot.log"
    log.write_bytes(b"".join(raw + b"\r\n" for raw in raws))
    done = scan("--json", "--rules", str(rules), str(log))
    assert done.returncode == 0, done.stderr.decode("utf-8")
    hits = [
        hit
        for hit in map(json.loads, done.stdout.decode("utf-8").splitlines())
        if hit["rule"] == "test.line"
    ]
    offsets = [sum(len(raw) + 2 for raw in raws[:n]) for n in range(3)]
    assert [(h["text"], h["offset"]) for h in hits] == list(
        zip(texts, offsets, strict=True)
    )
    assert "those lines are read as cp1252" in done.stderr.decode("utf-8")
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        assert scan("--rules", str(rules), str(log), stdout=fh).returncode == 0
    report = out.read_bytes().decode("utf-8")
    assert all(text in report for text in texts)


@pytest.mark.timeout(300)
def test_scan_reads_a_utf16_metatrader_journal(tmp_path: Path) -> None:
    """MetaTrader 5's journal, UTF-16LE with a BOM: recognised by the shipped rules,
    its offsets the file's bytes, whatever the ANSI code page."""
    journal = tmp_path / "MQL5" / "Logs" / "20261207.log"
    journal.parent.mkdir(parents=True)
    data = codecs.BOM_UTF16_LE + "".join(line + "\r\n" for line in MT5_JOURNAL).encode(
        "utf-16-le"
    )
    journal.write_bytes(data)
    done = scan("--json", str(journal))
    assert done.returncode == 0, done.stderr.decode("utf-8")
    (hit,) = map(json.loads, done.stdout.decode("utf-8").splitlines())
    assert (hit["rule"], hit["text"], hit["offset"]) == (
        "mt5.code-10019",
        MT5_JOURNAL[0],
        len(codecs.BOM_UTF16_LE),
    )
    assert "Lines: 2, matched 1" in done.stderr.decode("utf-8")
