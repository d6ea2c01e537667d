"""``logwatch service``: the task XML, the units and the command lines it builds, and
``systemd-analyze verify`` on the units it writes (no running systemd is needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from logwatch.app import service as svc
from logwatch.app import servicetask, serviceunit
from logwatch.app.cli import cli
from logwatch.app.servicefiles import template
from logwatch.core.errors import ConfigError

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
        (tmp_path / "logwatch.exe").write_bytes(b"")
        assert svc.launcher([tmp_path], lambda n: None) == tmp_path / "logwatch.exe"
        (tmp_path / "logwatchw.exe").write_bytes(b"")
        assert svc.launcher([tmp_path], lambda n: None) == tmp_path / "logwatchw.exe"
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        assert svc.launcher([elsewhere], lambda n: f"X:/bin/{n}.exe") == Path(
            "X:/bin/logwatchw.exe"
        )
        assert svc.launcher([elsewhere], lambda n: None) is None

    def test_a_later_folder_is_searched_before_path(self, tmp_path: Path) -> None:
        first, scripts = tmp_path / "python", tmp_path / "Scripts"
        first.mkdir()
        scripts.mkdir()
        (scripts / "logwatchw.exe").write_bytes(b"")
        found = svc.launcher([first, scripts], lambda n: f"X:/bin/{n}.exe")
        assert found == scripts / "logwatchw.exe"

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


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are Linux's")
class TestUnits:
    def test_the_real_executable_replaces_the_shipped_path_and_is_quoted(
        self,
    ) -> None:
        text = serviceunit.unit_text(
            template(serviceunit.USER_UNIT),
            Path("/home/a b/.local/bin/logwatch"),
            Path("/home/a b/50%/config.yaml"),
        )
        assert (
            'ExecStart="/home/a b/.local/bin/logwatch" run '
            '--config "/home/a b/50%%/config.yaml"\n'
        ) in text
        assert 'ExecStartPre="/home/a b/.local/bin/logwatch" check --config' in text
        assert 'ExecReload="/home/a b/.local/bin/logwatch" reload --config' in text
        assert "%h/.local/bin" not in text

    def test_the_system_unit_keeps_its_etc_config_unless_told(self) -> None:
        text = serviceunit.unit_text(
            template(serviceunit.SYSTEM_UNIT), Path("/opt/lw/bin/logwatch"), None
        )
        assert (
            "ExecStart=/opt/lw/bin/logwatch run "
            "--config /etc/trading-logwatch/config.yaml\n"
        ) in text
        assert (
            "ExecReload=/opt/lw/bin/logwatch reload "
            "--config /etc/trading-logwatch/config.yaml\n"
        ) in text
        assert "DynamicUser=yes" in text

    @pytest.mark.parametrize(
        ("arg", "quoted"),
        [
            ("/usr/bin/logwatch", "/usr/bin/logwatch"),
            ("$HOME/x", '"$$HOME/x"'),
            ('a"b', '"a\\"b"'),
            ("c:\\x y", '"c:\\\\x y"'),
        ],
    )
    def test_systemd_quoting(self, arg: str, quoted: str) -> None:
        assert serviceunit.systemd_quote(arg, "--config") == quoted

    def test_user_and_system_places_and_commands(self, tmp_path: Path) -> None:
        env = {"HOME": str(tmp_path)}
        assert serviceunit.unit_path(False, env) == (
            tmp_path / ".config/systemd/user/logwatch.service"
        )
        assert serviceunit.unit_path(False, {**env, "XDG_CONFIG_HOME": "/c"}) == Path(
            "/c/systemd/user/logwatch.service"
        )
        assert serviceunit.unit_path(True, env) == Path(
            "/etc/systemd/system/logwatch.service"
        )
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
        assert serviceunit.unit_path(False, env).exists()
        (tmp_path / "run/systemd").mkdir(parents=True)
        (tmp_path / "run/systemd/private").write_text(
            "", encoding="utf-8"
        )  # the manager's socket
        plan = svc.linux_install(env, LOGWATCH, None, system=False)
        recorder = Recorder()
        svc.apply(plan, runner=recorder)
        assert recorder.calls == list(plan.commands)

    def test_uninstall_disables_removes_then_reloads_even_after_a_failure(
        self, tmp_path: Path
    ) -> None:
        env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
        (tmp_path / "run/systemd").mkdir(parents=True)
        (tmp_path / "run/systemd/private").write_text("", encoding="utf-8")
        svc.apply(svc.linux_install(env, LOGWATCH, None, False), runner=Recorder())
        recorder = Recorder(fail="disable")
        svc.apply(svc.linux_uninstall(env, False), recorder, stop_on_error=False)
        assert recorder.calls == [
            ("systemctl", "--user", "disable", "--now", "logwatch.service"),
            ("systemctl", "--user", "daemon-reload"),
        ]
        assert not serviceunit.unit_path(False, env).exists()

    def test_a_system_unit_run_from_a_home_folder_gets_a_note(self) -> None:
        plan = svc.linux_install(
            {}, Path("/home/t/.local/bin/logwatch"), None, system=True
        )
        assert "ProtectHome" in plan.notes[0]


def verify_unit(
    unit: Path, system: bool, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` on the unit file ``unit`` (a user unit unless
    ``system``), with ``env`` over this environment."""
    return subprocess.run(
        ["systemd-analyze", "verify", *([] if system else ["--user"]), str(unit)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.timeout(300)
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
    unit.write_text(plan.writes[0].text, encoding="utf-8")
    out = verify_unit(unit, system, env)
    assert (out.returncode, out.stderr) == (0, "")
    broken = unit.read_text(encoding="utf-8").replace(
        str(LOGWATCH), str(tmp_path / "nothing")
    )
    unit.write_text(broken, encoding="utf-8")
    out = verify_unit(unit, system, env)
    assert out.returncode != 0  # the check can fail: a missing executable is caught


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are Linux's")
class TestCli:
    def test_dry_run_prints_the_unit_and_the_commands(self, tmp_path: Path) -> None:
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
        result = CliRunner().invoke(
            cli, ["service", "install", "--dry-run"], env=env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert f"would write {tmp_path / 'cfg/systemd/user/logwatch.service'}" in (
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
        assert f"run --config {tmp_path / 'c.yaml'}" in unit.read_text(encoding="utf-8")
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
    def test_a_system_install_needs_root(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # an unprivileged user, whoever runs the suite (CI runs it as root); were the
        # check lost, the unit would go to tmp_path, not to /etc
        monkeypatch.setattr(os, "geteuid", lambda: 1000)
        monkeypatch.setattr(
            "logwatch.app.service.unit_path", lambda system, env: tmp_path / "unit"
        )
        result = CliRunner().invoke(cli, ["service", "install", "--system"])
        assert result.exit_code == 1
        assert "as root" in result.output


# -- values put into the units and the task (issue 18, items 8 and 13) -----------------

#: Control characters a path can hold on POSIX: each would end the unit's line
#: (``\n``, ``\r``) or is no text a unit or the task's XML can carry.
CONTROLS = ["\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\t", "\v"]

#: Paths that are legal and hard to carry: spaces, quotes, backslashes, systemd's
#: specifiers and variables, its command separator, non-ASCII.
ODD_NAMES = [
    "a b",
    'say "hi"',
    "it's",
    "back\\slash",
    "trail\\",
    "50% %h %%",
    "$HOME ${USER} $$",
    ";",
    "Трейдер [2] & Co <x>",
    "émoji 😀",
]


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
@pytest.mark.parametrize("system", [False, True])
def test_a_control_character_in_a_unit_value_is_refused(
    control: str, system: bool
) -> None:
    """Before: ``\\n`` in the config path ended the ExecStart= line, and what followed
    (``ExecStartPost=…``) became a directive of the attacker's choosing."""
    config = Path(f"/etc/c{control}ExecStartPost=/bin/sh -c id")
    with pytest.raises(ConfigError) as caught:
        svc.linux_install({}, LOGWATCH, config, system)
    assert caught.value.exit_code == 2
    assert caught.value.source == "--config"
    assert "control character" in caught.value.message
    assert control not in caught.value.format_message()  # shown escaped
    with pytest.raises(ConfigError) as caught:
        svc.linux_install({}, Path(f"/opt/x{control}y/logwatch"), None, system)
    assert caught.value.source == "the logwatch executable"


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are Linux only")
@pytest.mark.parametrize("control", ["\n", "\r", "\x1b"], ids=repr)
def test_service_install_refuses_a_config_path_with_a_control_character(
    tmp_path: Path, control: str
) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    injected = f"{tmp_path / 'c'}{control}ExecStartPost=/bin/touch {tmp_path / 'pwned'}"
    result = CliRunner().invoke(
        cli,
        ["service", "install", "--dry-run", "--config", injected],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 2, result.output
    assert "--config: " in result.output
    assert "control character" in result.output
    assert "ExecStartPost" not in result.output.replace(repr(injected)[1:-1], "")
    assert "Traceback" not in result.output
    assert not (tmp_path / "cfg").exists()


@pytest.mark.parametrize("name", ODD_NAMES)
def test_systemd_quoting_round_trips_through_systemds_own_rules(name: str) -> None:
    line = "/bin/x " + serviceunit.systemd_quote(name, "--config")
    assert systemd_words(line) == ["/bin/x", name]


def systemd_words(text: str) -> list[str]:
    """An ExecStart= line as systemd reads it (systemd.service(5), "Command lines";
    systemd.unit(5), "Specifiers"): words split at unquoted blanks, double quotes,
    C escapes, ``%%``, and ``$$`` after the first word (systemd expands no variable
    in the executable's path); other specifiers and variables must not occur."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        word, quoted = [], False
        if text[i] == '"':
            quoted, i = True, i + 1
        while i < n and (quoted or text[i] != " "):
            c = text[i]
            if quoted and c == '"':
                i += 1
                break
            if c == "\\":
                word.append({"n": "\n", "t": "\t"}.get(text[i + 1], text[i + 1]))
                i += 2
                continue
            if c == "%" or (c == "$" and words):
                assert text[i + 1] == c, f"{c}{text[i + 1]} would be expanded"
                i += 1
            word.append(c)
            i += 1
        if not quoted:
            assert "".join(word) != ";", "an unquoted ; separates commands"
        words.append("".join(word))
    return words


@pytest.mark.timeout(300)
@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="needs systemd-analyze"
)
@pytest.mark.parametrize("system", [False, True])
def test_units_with_odd_paths_pass_verify_and_name_the_real_executable(
    tmp_path: Path, system: bool
) -> None:
    """verify checks that ExecStart='s executable exists: it does only if systemd
    read back the very path (spaces, ``%``, ``$``, ``;``, non-ASCII). The config's
    path holds quotes and backslashes too, which an executable's may not."""
    env = {"HOME": str(tmp_path / "home"), "XDG_RUNTIME_DIR": str(tmp_path / "rt")}
    (tmp_path / "rt").mkdir(mode=0o700)
    odd = tmp_path / "a b 50% %h $HOME ${X} $$ g;h ; Трейдер"
    odd.mkdir()
    executable = odd / "logwatch"
    executable.symlink_to(LOGWATCH)
    config = odd / "c 'q' \"d\" e\\f\\.yaml"
    plan = svc.linux_install(env, executable, config, system)
    unit = tmp_path / "logwatch.service"
    unit.write_text(plan.writes[0].text, encoding="utf-8")
    lines = [
        line.partition("=")[2]
        for line in plan.writes[0].text.splitlines()
        if line.startswith(("ExecStart=", "ExecStartPre="))
    ]
    assert [systemd_words(line) for line in lines] == [
        [str(executable), verb, "--config", str(config)] for verb in ("check", "run")
    ]
    out = verify_unit(unit, system, env)
    assert (out.returncode, out.stderr) == (0, "")


@pytest.mark.parametrize("char", ["'", '"', "\\"])
def test_an_executable_path_systemd_would_refuse_is_refused_by_name(char: str) -> None:
    """systemd refuses a quote or backslash in the path of the program it starts,
    quoted or not ("Executable name contains special characters")."""
    with pytest.raises(ConfigError, match="install logwatch in a folder") as caught:
        svc.linux_install({}, Path(f"/opt/o{char}x/logwatch"), None, False)
    assert caught.value.source == "the logwatch executable"


def windows_argv(tail: str) -> list[str]:
    """Arguments as CommandLineToArgvW and the C runtime split them (learn.microsoft
    .com, "CommandLineToArgvW" and "Parsing C command-line arguments"): blanks
    outside quotes split; 2n backslashes + ``"`` give n and toggle quoting; 2n+1
    give n and a literal ``"``; other backslashes are literal."""
    args: list[str] = []
    word: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(tail):
        c = tail[i]
        if c == "\\":
            run = len(tail[i:]) - len(tail[i:].lstrip("\\"))
            i += run
            if i < len(tail) and tail[i] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                else:
                    quoted = not quoted
                i += 1
            else:
                word.append("\\" * run)
            in_word = True
            continue
        if c in " \t" and not quoted:
            if in_word:
                args.append("".join(word))
            word, in_word = [], False
        elif c == '"':
            quoted, in_word = not quoted, True
        else:
            word.append(c)
            in_word = True
        i += 1
    if in_word:
        args.append("".join(word))
    return args


WINDOWS_CONFIGS = [
    r"C:\Users\Трейдер [2] & Co\AppData\Local\logwatch\config.yaml",
    r"D:\my configs\a b  c.yaml",
    r"\\server\share\x y\config.yaml",
    r"C:\a\b.yaml",
    r'C:\odd "quoted" name\c.yaml',
    'C:\\back\\\\slashes\\\\\\"x.yaml',
    r"C:\<xml> & 'apos' ]]>\c.yaml",
    r"C:\50% off\c.yaml",
    "C:\\émoji 😀\\c.yaml",
]


class TestTaskArguments:
    """The task runs ``run --config FILE`` (before: ``run`` on the defaults, so the
    user's channels never got an alert)."""

    def arguments(self, tmp_path: Path, config: str | None) -> str | None:
        plan = svc.windows_install(
            {"USERNAME": "t"},
            Path("C:/x/logwatchw.exe"),
            Path("C:/w"),
            tmp_path / "task.xml",
            config,
        )
        (write,) = plan.writes
        root = ET.fromstring(write.text.encode("utf-16"))  # noqa: S314  our own XML
        return root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=TASK_NS)

    @pytest.mark.parametrize("config", WINDOWS_CONFIGS)
    def test_the_config_path_comes_back_exactly_from_the_arguments(
        self, tmp_path: Path, config: str
    ) -> None:
        arguments = self.arguments(tmp_path, config)
        assert arguments is not None
        assert windows_argv(arguments) == ["run", "--config", config]
        assert arguments.startswith('run --config "')

    def test_without_a_config_the_task_runs_on_the_defaults(
        self, tmp_path: Path
    ) -> None:
        assert self.arguments(tmp_path, None) == "run"

    @pytest.mark.parametrize("control", CONTROLS, ids=repr)
    def test_a_control_character_is_refused(self, tmp_path: Path, control: str) -> None:
        with pytest.raises(ConfigError, match="control character"):
            self.arguments(tmp_path, f"C:\\a{control}b.yaml")

    @pytest.mark.parametrize("config", [r"C:\%USERNAME%\c.yaml", r"C:\a%b c%d.yaml"])
    def test_a_variable_reference_the_task_would_expand_is_refused(
        self, tmp_path: Path, config: str
    ) -> None:
        """Task Scheduler expands ``%NAME%`` in Command, Arguments and
        WorkingDirectory (the Exec element's remarks); there is no escape for it."""
        with pytest.raises(ConfigError, match="environment variable"):
            self.arguments(tmp_path, config)

    def test_service_install_passes_the_config_to_the_task(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The command itself, on its Windows branch (the platform is faked: the
        branch only builds text, printed by --dry-run)."""
        config = tmp_path / "my config.yaml"
        monkeypatch.setattr(sys, "platform", "win32")
        result = CliRunner().invoke(
            cli,
            ["service", "install", "--dry-run", "--config", str(config)],
            env={"LOCALAPPDATA": str(tmp_path), "USERNAME": "t"},
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        xml = result.output[result.output.index("<?xml") :]
        xml = xml[: xml.index("</Task>") + len("</Task>")]
        root = ET.fromstring(xml.encode("utf-16"))  # noqa: S314  our own XML
        arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=TASK_NS)
        assert arguments is not None
        assert windows_argv(arguments) == ["run", "--config", str(config.resolve())]


@pytest.mark.parametrize(
    ("tail", "argv"),
    [
        ('"a b" c', ["a b", "c"]),
        (r"a\\\"b", ['a\\"b']),
        (r'"a\\" b', ["a\\", "b"]),
        (r"a\\b", [r"a\\b"]),
        ('a"b c"d', ["ab cd"]),
        ('""', [""]),
    ],
)
def test_the_windows_argv_reader_follows_the_documented_examples(
    tail: str, argv: list[str]
) -> None:
    assert windows_argv(tail) == argv


#: Any text a path could hold once control characters are refused.
PATH_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)


@given(PATH_TEXT)
def test_any_config_path_comes_back_from_the_units_command_line(path: str) -> None:
    line = "/bin/x " + serviceunit.systemd_quote(path, "--config")
    assert systemd_words(line) == ["/bin/x", path]


@given(PATH_TEXT.filter(lambda text: "%" not in text))
def test_any_config_path_comes_back_from_the_tasks_arguments(path: str) -> None:
    assert windows_argv(servicetask.task_arguments(path)) == ["run", "--config", path]


class TestScriptDirs:
    """A python.org Python's ``pip install`` puts the launchers in ``Python312\\Scripts``
    and ``pip install --user`` in the user scheme's Scripts, not beside ``python.exe``;
    neither is on PATH by default. ``service install`` used to look only beside
    ``sys.executable`` and crashed with a traceback (issue 20)."""

    SCHEMES = ("nt", "nt_user", "venv")

    def layout(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> tuple[Path, dict[str, Path]]:
        """A python.org layout in tmp_path: each scheme's scripts folder its own."""
        python = tmp_path / "Python312" / "python.exe"
        python.parent.mkdir()
        python.write_bytes(b"")
        folders = {scheme: tmp_path / scheme / "Scripts" for scheme in self.SCHEMES}
        for folder in folders.values():
            folder.mkdir(parents=True)

        def get_path(name: str, scheme: str = "nt") -> str:
            assert name == "scripts"
            return str(folders.get(scheme, tmp_path / "other" / scheme))

        monkeypatch.setattr(sysconfig, "get_path", get_path)
        monkeypatch.setattr(sysconfig, "get_default_scheme", lambda: "nt")
        monkeypatch.setattr(
            sysconfig, "get_scheme_names", lambda: (*self.SCHEMES, "posix_user")
        )
        monkeypatch.setattr(sys, "platform", "win32")
        monkeypatch.setattr(sys, "executable", str(python))
        return python, folders

    def test_every_windows_schemes_scripts_folder_is_searched_after_the_interpreters(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        python, folders = self.layout(tmp_path, monkeypatch)
        dirs = svc.script_dirs(python)
        assert dirs == [python.parent, *folders.values()]

    def test_the_real_schemes_include_the_running_ones(self) -> None:
        dirs = svc.script_dirs(Path(sys.executable))
        assert dirs[0] == Path(sys.executable).parent
        assert Path(sysconfig.get_path("scripts")) in dirs

    @pytest.mark.parametrize("scheme", SCHEMES)
    def test_service_install_finds_the_launcher_of_any_scheme(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
    ) -> None:
        _, folders = self.layout(tmp_path, monkeypatch)
        (folders[scheme] / "logwatchw.exe").write_bytes(b"")
        monkeypatch.setattr(shutil, "which", lambda name: None)
        result = CliRunner().invoke(
            cli,
            ["service", "install", "--dry-run"],
            env={"LOCALAPPDATA": str(tmp_path), "USERNAME": "t"},
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        xml = result.output[result.output.index("<?xml") :]
        xml = xml[: xml.index("</Task>") + len("</Task>")]
        root = ET.fromstring(xml.encode("utf-16"))  # noqa: S314  our own XML
        command = root.findtext("t:Actions/t:Exec/t:Command", namespaces=TASK_NS)
        assert command == str(folders[scheme] / "logwatchw.exe")

    @pytest.mark.parametrize("platform", ["win32", "linux"])
    def test_no_launcher_anywhere_is_a_clear_message_and_exit_2(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
    ) -> None:
        self.layout(tmp_path, monkeypatch)
        monkeypatch.setattr(sys, "platform", platform)
        monkeypatch.setattr(shutil, "which", lambda name: None)
        result = CliRunner().invoke(
            cli,
            ["service", "install", "--dry-run"],
            env={"LOCALAPPDATA": str(tmp_path), "HOME": str(tmp_path)},
        )
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert "was found neither on PATH nor in" in result.output
        assert str(tmp_path / "Python312") in result.output
