"""Windows paths on a real Windows CPython, with real processes (CI runs them under
Wine: .ci/windows). The launchers of a python.org ``pip install``, the windowless
``logwatchw`` started as Task Scheduler starts it, the task XML read back on Windows.
The same logic is tested on every platform with faked layouts (test_service.py); here
the layouts are Windows' own, so the module is skipped elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.daemon_run import MARGIN, logwatch
from tests.follow_harness import write
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
        "import sys; from pathlib import Path; from logwatch import service; "
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
        "import sys, sysconfig; from logwatch.cli import main; "
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
    Scheduler starts it: it logs to %LOCALAPPDATA%\\logwatch\\Logs, alerts, refuses a
    second daemon on the same state, and ``logwatch stop`` ends it with exit 0."""
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
