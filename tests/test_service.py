"""``logwatch service``: the task XML, the units and the command lines it builds, and
``systemd-analyze verify`` on the units it writes (no running systemd is needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from logwatch import service as svc
from logwatch.cli import cli

TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
LOGWATCH = Path(sys.executable).parent / "logwatch"


class TestTaskXml:
    USER = "ТРЕЙДЕР-ПК\\Трейдер [2] & Co"
    COMMAND = r"C:\Users\Трейдер [2] & Co\.local\bin\logwatchw.exe"
    WORKDIR = r"C:\Users\Трейдер [2] & Co\AppData\Local\logwatch"

    def plan(self, tmp_path: Path) -> svc.Plan:
        env = {"USERDOMAIN": "ТРЕЙДЕР-ПК", "USERNAME": "Трейдер [2] & Co"}
        return svc.windows_install(
            env, Path(self.COMMAND), Path(self.WORKDIR), tmp_path / "task.xml"
        )

    def test_every_placeholder_is_filled_with_escaped_real_values(
        self, tmp_path: Path
    ) -> None:
        (write,) = self.plan(tmp_path).writes
        assert "__" not in write.text.replace("__init__", "")
        root = ET.fromstring(write.text.encode("utf-16"))  # noqa: S314  our own XML

        def find(path: str) -> str | None:
            return root.findtext(path, namespaces=TASK_NS)

        assert find("t:Triggers/t:LogonTrigger/t:UserId") == self.USER
        assert find("t:Principals/t:Principal/t:UserId") == self.USER
        assert find("t:Actions/t:Exec/t:Command") == str(Path(self.COMMAND))
        assert find("t:Actions/t:Exec/t:WorkingDirectory") == str(Path(self.WORKDIR))
        assert find("t:Actions/t:Exec/t:Arguments") == "run"

    def test_it_is_written_as_utf16_with_a_bom_as_task_scheduler_exports(
        self, tmp_path: Path
    ) -> None:
        plan = self.plan(tmp_path)
        recorder = Recorder()
        svc.apply(plan, runner=recorder)
        assert recorder.calls == list(plan.commands)  # after the file was written
        raw = (tmp_path / "task.xml").read_bytes()
        assert raw.startswith(b"\xff\xfe")
        text = raw.decode("utf-16")
        assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
        assert "\r\n" in text
        ET.fromstring(raw)  # noqa: S314  parses by its own declaration and BOM

    def test_schtasks_registers_replaces_and_starts_the_task(
        self, tmp_path: Path
    ) -> None:
        plan = self.plan(tmp_path)
        xml = str(tmp_path / "task.xml")
        assert plan.commands == (
            ("schtasks", "/Create", "/TN", "logwatch", "/XML", xml, "/F"),
            ("schtasks", "/Run", "/TN", "logwatch"),
        )
        assert svc.windows_uninstall().commands == (
            ("schtasks", "/End", "/TN", "logwatch"),
            ("schtasks", "/Delete", "/TN", "logwatch", "/F"),
        )

    def test_the_windowless_launcher_is_preferred_beside_the_running_one(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "logwatch.exe").write_text("")
        assert svc.launcher(tmp_path, lambda n: None) == tmp_path / "logwatch.exe"
        (tmp_path / "logwatchw.exe").write_text("")
        assert svc.launcher(tmp_path, lambda n: None) == tmp_path / "logwatchw.exe"
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        assert svc.launcher(elsewhere, lambda n: f"X:/bin/{n}.exe") == Path(
            "X:/bin/logwatchw.exe"
        )
        with pytest.raises(FileNotFoundError):
            svc.launcher(elsewhere, lambda n: None)

    def test_a_console_launcher_is_named_in_a_note(self, tmp_path: Path) -> None:
        plan = svc.windows_install(
            {}, Path("C:/x/logwatch.exe"), Path("C:/w"), tmp_path / "t.xml"
        )
        assert "console window" in plan.notes[0]


def _refuse(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    raise AssertionError(f"ran {args}")


class Recorder:
    def __init__(self, fail: str = "") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.fail = fail

    def __call__(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(tuple(args))
        code = 1 if self.fail and self.fail in args else 0
        return subprocess.CompletedProcess(list(args), code, "", "boom" if code else "")


class TestUnits:
    def test_the_real_executable_replaces_the_shipped_path_and_is_quoted(
        self,
    ) -> None:
        text = svc.unit_text(
            svc.template(svc.USER_UNIT),
            Path("/home/a b/.local/bin/logwatch"),
            Path("/home/a b/50%/config.yaml"),
        )
        assert (
            'ExecStart="/home/a b/.local/bin/logwatch" run '
            '--config "/home/a b/50%%/config.yaml"\n'
        ) in text
        assert 'ExecStartPre="/home/a b/.local/bin/logwatch" check --config' in text
        assert "%h/.local/bin" not in text

    def test_the_system_unit_keeps_its_etc_config_unless_told(self) -> None:
        text = svc.unit_text(
            svc.template(svc.SYSTEM_UNIT), Path("/opt/lw/bin/logwatch"), None
        )
        assert (
            "ExecStart=/opt/lw/bin/logwatch run "
            "--config /etc/trading-logwatch/config.yaml\n"
        ) in text
        assert "DynamicUser=yes" in text

    @pytest.mark.parametrize(
        ("arg", "quoted"),
        [
            ("/usr/bin/logwatch", "/usr/bin/logwatch"),
            ("$HOME/x", "$$HOME/x"),
            ('a"b', '"a\\"b"'),
            ("c:\\x y", '"c:\\\\x y"'),
        ],
    )
    def test_systemd_quoting(self, arg: str, quoted: str) -> None:
        assert svc.systemd_quote(arg) == quoted

    def test_user_and_system_places_and_commands(self, tmp_path: Path) -> None:
        env = {"HOME": str(tmp_path)}
        assert svc.unit_path(False, env) == (
            tmp_path / ".config/systemd/user/logwatch.service"
        )
        assert svc.unit_path(False, {**env, "XDG_CONFIG_HOME": "/c"}) == Path(
            "/c/systemd/user/logwatch.service"
        )
        assert svc.unit_path(True, env) == Path("/etc/systemd/system/logwatch.service")
        plan = svc.linux_install(env, LOGWATCH, None, system=False)
        assert plan.commands == (
            ("systemctl", "--user", "daemon-reload"),
            ("systemctl", "--user", "enable", "--now", "logwatch.service"),
        )
        assert svc.linux_install(env, LOGWATCH, None, system=True).commands[1] == (
            "systemctl",
            "enable",
            "--now",
            "logwatch.service",
        )

    def test_systemctl_runs_only_when_a_user_manager_is_there(
        self, tmp_path: Path
    ) -> None:
        env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
        plan = svc.linux_install(env, LOGWATCH, None, system=False)
        assert not plan.runnable
        assert svc.apply(plan, runner=_refuse) == []
        assert svc.unit_path(False, env).exists()
        (tmp_path / "run/systemd").mkdir(parents=True)
        (tmp_path / "run/systemd/private").write_text("")  # the manager's socket
        plan = svc.linux_install(env, LOGWATCH, None, system=False)
        recorder = Recorder()
        svc.apply(plan, runner=recorder)
        assert recorder.calls == list(plan.commands)

    def test_uninstall_disables_removes_then_reloads_even_after_a_failure(
        self, tmp_path: Path
    ) -> None:
        env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
        (tmp_path / "run/systemd").mkdir(parents=True)
        (tmp_path / "run/systemd/private").write_text("")
        svc.apply(svc.linux_install(env, LOGWATCH, None, False), runner=Recorder())
        recorder = Recorder(fail="disable")
        svc.apply(svc.linux_uninstall(env, False), recorder, stop_on_error=False)
        assert recorder.calls == [
            ("systemctl", "--user", "disable", "--now", "logwatch.service"),
            ("systemctl", "--user", "daemon-reload"),
        ]
        assert not svc.unit_path(False, env).exists()

    def test_a_system_unit_run_from_a_home_folder_gets_a_note(self) -> None:
        plan = svc.linux_install(
            {}, Path("/home/t/.local/bin/logwatch"), None, system=True
        )
        assert "ProtectHome" in plan.notes[0]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="needs systemd-analyze"
)
@pytest.mark.parametrize("system", [False, True])
def test_the_written_units_pass_systemd_analyze_verify(
    tmp_path: Path, system: bool
) -> None:
    env = {"HOME": str(tmp_path / "home a"), "XDG_RUNTIME_DIR": str(tmp_path / "rt")}
    (tmp_path / "rt").mkdir(mode=0o700)
    plan = svc.linux_install(env, LOGWATCH, tmp_path / "50% c.yaml", system)
    unit = tmp_path / "logwatch.service"
    unit.write_text(plan.writes[0].text)
    out = subprocess.run(
        ["systemd-analyze", "verify", *([] if system else ["--user"]), str(unit)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert (out.returncode, out.stderr) == (0, "")
    broken = unit.read_text().replace(str(LOGWATCH), str(tmp_path / "nothing"))
    unit.write_text(broken)
    out = subprocess.run(
        ["systemd-analyze", "verify", *([] if system else ["--user"]), str(unit)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert out.returncode != 0  # the check can fail: a missing executable is caught


class TestCli:
    def test_dry_run_prints_the_unit_and_the_commands(self, tmp_path: Path) -> None:
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
        result = CliRunner().invoke(
            cli, ["service", "install", "--dry-run"], env=env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert f"would write {tmp_path}/cfg/systemd/user/logwatch.service" in (
            result.output
        )
        assert f"ExecStart={LOGWATCH} run" in result.output
        assert "  systemctl --user enable --now logwatch.service" in result.output
        assert not (tmp_path / "cfg").exists()

    def test_install_without_systemd_writes_the_unit_and_says_what_to_run(
        self, tmp_path: Path
    ) -> None:
        env = {
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
            "XDG_RUNTIME_DIR": str(tmp_path / "rt"),
        }
        runner = CliRunner()
        result = runner.invoke(
            cli,
            ["service", "install", "--config", str(tmp_path / "c.yaml")],
            env=env,
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        assert "no systemd manager is running here" in result.output
        unit = tmp_path / "cfg/systemd/user/logwatch.service"
        assert f"run --config {tmp_path}/c.yaml" in unit.read_text()
        result = runner.invoke(cli, ["service", "status"], env=env)
        assert "present" in result.output
        assert "no manager is running" in result.output
        assert result.exit_code == 0
        result = runner.invoke(cli, ["service", "uninstall"], env=env)
        assert result.exit_code == 0
        assert not unit.exists()
        result = runner.invoke(cli, ["service", "status"], env=env)
        assert "absent" in result.output
        assert result.exit_code == 1

    @pytest.mark.skipif(sys.platform == "win32", reason="POSIX uid")
    def test_a_system_install_needs_root(self, tmp_path: Path) -> None:
        if os.geteuid() == 0:  # type: ignore[attr-defined,unused-ignore]
            pytest.skip("running as root")
        result = CliRunner().invoke(cli, ["service", "install", "--system"])
        assert result.exit_code == 1
        assert "as root" in result.output
