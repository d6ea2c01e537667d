"""The shipped service definitions say what the README promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import REPO

SYSTEMD = REPO / "deploy" / "systemd"


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
def test_units_notify_check_first_and_reload_with_hup(unit: str) -> None:
    text = (SYSTEMD / unit).read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "RestartPreventExitStatus=2",
    ):
        assert line in text
    assert re.search(r"^ExecStartPre=\S*logwatch check", text, re.M)


def test_the_windows_task_starts_at_logon_in_the_users_session_and_restarts() -> None:
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    root = ET.parse(REPO / "deploy" / "windows" / "logwatch-task.xml").getroot()  # noqa: S314  our own file
    assert root.find("t:Triggers/t:LogonTrigger", ns) is not None
    assert (
        root.findtext("t:Principals/t:Principal/t:LogonType", namespaces=ns)
        == "InteractiveToken"
    )
    assert (
        root.findtext("t:Settings/t:RestartOnFailure/t:Interval", namespaces=ns)
        == "PT1M"
    )
    assert root.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=ns) == "PT0S"
    assert (
        root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
        == "-m logwatch run"
    )
