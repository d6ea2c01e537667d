"""The shipped service definitions say what the README promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import REPO

SYSTEMD = REPO / "deploy" / "systemd"


@pytest.mark.timeout(300)
@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="needs systemd-analyze"
)
def test_the_system_unit_is_sandboxed_to_an_exposure_of_2_or_less() -> None:
    out = subprocess.run(
        [
            "systemd-analyze",
            "security",
            "--offline=yes",
            str(SYSTEMD / "logwatch.service"),
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    level = re.search(r"Overall exposure level for logwatch.service: ([\d.]+)", out)
    assert level is not None, out[-500:]
    assert float(level.group(1)) <= 2.0


@pytest.mark.parametrize("unit", ["logwatch.service", "logwatch-user.service"])
def test_units_notify_check_first_and_reload_until_done(unit: str) -> None:
    text = (SYSTEMD / unit).read_text(encoding="utf-8")
    for line in ("Type=notify", "WatchdogSec=", "RestartPreventExitStatus=2"):
        assert line in text
    assert re.search(r"^ExecStartPre=\S*logwatch check", text, re.M)
    # not `kill -HUP`, which returned before the reload was done
    assert re.search(r"^ExecReload=\S*logwatch reload", text, re.M)


TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


class TestWindowsTask:
    """deploy/windows/logwatch-task.xml against the Task Scheduler schema's rules
    (learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema)."""

    XML = REPO / "deploy" / "windows" / "logwatch-task.xml"

    def text(self, path: str) -> str | None:
        root = ET.parse(self.XML).getroot()  # noqa: S314  our own file
        return root.findtext(path, namespaces=TASK_NS)

    def test_it_starts_at_this_users_logon_in_the_users_session(self) -> None:
        """Before: no UserId, so the trigger fired at any user's logon."""
        assert self.text("t:Triggers/t:LogonTrigger/t:UserId") == "__USER__"
        assert self.text("t:Principals/t:Principal/t:UserId") == "__USER__"
        assert self.text("t:Principals/t:Principal/t:LogonType") == "InteractiveToken"

    def test_a_process_that_died_after_starting_is_relaunched(self) -> None:
        """RestartOnFailure only retries a failed start; before, a crash stayed dead
        until the next logon. A repetition without Duration repeats for ever, and
        IgnoreNew makes it a no-op while logwatch runs."""
        trigger = "t:Triggers/t:LogonTrigger/t:Repetition"
        assert self.text(f"{trigger}/t:Interval") == "PT5M"
        assert self.text(f"{trigger}/t:Duration") is None
        assert self.text("t:Settings/t:MultipleInstancesPolicy") == "IgnoreNew"
        assert self.text("t:Settings/t:ExecutionTimeLimit") == "PT0S"

    def test_restart_count_and_priority_are_inside_the_schema(self) -> None:
        """Before: Count 999 (the schema allows 1-255) and Priority 7 (below-normal
        CPU, low I/O)."""
        count = self.text("t:Settings/t:RestartOnFailure/t:Count")
        assert count is not None
        assert 1 <= int(count) <= 255
        assert self.text("t:Settings/t:RestartOnFailure/t:Interval") == "PT1M"
        assert self.text("t:Settings/t:Priority") in ("5", "6")

    def test_it_runs_the_windowless_launcher_by_path_in_a_working_directory(
        self,
    ) -> None:
        """Before: ``pythonw.exe -m logwatch`` (not found for uv tool/pipx installs),
        started in System32."""
        import tomllib

        assert self.text("t:Actions/t:Exec/t:Command") == "__LOGWATCHW__"
        assert self.text("t:Actions/t:Exec/t:Arguments") == "run"
        assert self.text("t:Actions/t:Exec/t:WorkingDirectory") == "__WORKDIR__"
        project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
            "project"
        ]
        assert project["gui-scripts"]["logwatchw"] == project["scripts"]["logwatch"]

    def test_the_readme_fills_in_every_placeholder(self) -> None:
        placeholders = set(
            re.findall(r"__[A-Z]+__", self.XML.read_text(encoding="utf-8"))
        )
        readme = (REPO / "deploy" / "windows" / "README.md").read_text(encoding="utf-8")
        filled = set(re.findall(r"\.Replace\('(__[A-Z]+__)'", readme))
        assert placeholders == filled == {"__USER__", "__LOGWATCHW__", "__WORKDIR__"}
