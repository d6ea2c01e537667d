"""``logwatch service``: logwatch in the background, from the shipped definitions.

Windows: a per-user logon task (``deploy/windows/logwatch-task.xml`` filled in, then
``schtasks``); Linux: a systemd user unit, or the hardened system unit. Building the
task XML, the units and the command lines is pure; ``apply`` is the thin part that
writes files and runs commands, through a runner the caller gives.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

#: The task's name in Task Scheduler and the unit's in systemd.
NAME = "logwatch"
TASK_TEMPLATE = "logwatch-task.xml"
USER_UNIT = "logwatch-user.service"
SYSTEM_UNIT = "logwatch.service"


def deploy_dir() -> Path:
    """The shipped service definitions (in the wheel, or the repo's ``deploy/``)."""
    packaged = Path(__file__).with_name("deploy")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "deploy"


def template(name: str) -> str:
    """The text of one shipped definition (``logwatch-task.xml``, a unit)."""
    root = deploy_dir()
    for path in (root / name, root / "windows" / name, root / "systemd" / name):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"{name} is not shipped in {root}")


# -- Windows: the logon task -----------------------------------------------------------


def task_xml(template_text: str, user: str, command: str, workdir: str) -> str:
    """The task XML with its placeholders filled in (XML-escaped), declared UTF-16.

    Task Scheduler exports and imports task XML as UTF-16; the text is written in
    that encoding (``apply``), so the declaration must say so.
    """
    filled = (
        template_text.replace("__USER__", escape(user))
        .replace("__LOGWATCHW__", escape(command))
        .replace("__WORKDIR__", escape(workdir))
    )
    return filled.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)


def windows_user(env: Mapping[str, str]) -> str:
    """``DOMAIN\\user`` of the logged-on user, as the task's UserId wants it."""
    user = env.get("USERNAME", "")
    domain = env.get("USERDOMAIN", "")
    return f"{domain}\\{user}" if domain else user


def launcher(script_dir: Path, which: Callable[[str], str | None]) -> Path:
    """The windowless ``logwatchw.exe`` beside the running ``logwatch.exe`` (uv tool and
    pipx put both in one folder), else the first on PATH, else ``logwatch.exe``."""
    for name in ("logwatchw.exe", "logwatchw"):
        if (script_dir / name).is_file():
            return script_dir / name
    found = which("logwatchw")
    if found:
        return Path(found)
    for name in ("logwatch.exe", "logwatch"):
        if (script_dir / name).is_file():
            return script_dir / name
    found = which("logwatch")
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"neither logwatchw nor logwatch was found in {script_dir} or on PATH"
    )


def schtasks_create(xml_path: Path) -> tuple[str, ...]:
    """Register (or replace) the task from its XML file."""
    return ("schtasks", "/Create", "/TN", NAME, "/XML", str(xml_path), "/F")


def schtasks_run() -> tuple[str, ...]:
    """Start the task now, not only at the next logon."""
    return ("schtasks", "/Run", "/TN", NAME)


def schtasks_end() -> tuple[str, ...]:
    """Stop the running task."""
    return ("schtasks", "/End", "/TN", NAME)


def schtasks_delete() -> tuple[str, ...]:
    """Remove the task."""
    return ("schtasks", "/Delete", "/TN", NAME, "/F")


def schtasks_query() -> tuple[str, ...]:
    """The task's state, last run and last result."""
    return ("schtasks", "/Query", "/TN", NAME, "/V", "/FO", "LIST")


# -- Linux: systemd units --------------------------------------------------------------


def systemd_quote(arg: str) -> str:
    """One ExecStart= argument: specifiers (``%``) and variables (``$``) escaped, and
    double-quoted when it holds a space, a quote or a backslash."""
    text = arg.replace("%", "%%").replace("$", "$$")
    if any(c in text for c in " \t\"\\'"):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def unit_text(template_text: str, executable: Path, config: Path | None) -> str:
    """A unit with the real path of ``logwatch`` in its ``ExecStartPre=``/``ExecStart=``
    (and ``--config``, when given, in place of the shipped one)."""
    out = []
    for line in template_text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("ExecStartPre", "ExecStart"):
            words = value.split()
            verb = words[1] if len(words) > 1 else "run"
            args = [str(executable), verb]
            if config is not None:
                args += ["--config", str(config)]
            elif "--config" in words:
                args += words[words.index("--config") : words.index("--config") + 2]
            line = f"{key}=" + " ".join(systemd_quote(a) for a in args)
        out.append(line)
    return "\n".join(out) + "\n"


def unit_path(system: bool, env: Mapping[str, str]) -> Path:
    """Where the unit goes: ``/etc/systemd/system`` or the user's unit folder."""
    if system:
        return Path("/etc/systemd/system") / f"{NAME}.service"
    config_home = env.get("XDG_CONFIG_HOME") or str(
        Path(env.get("HOME", "~")).expanduser() / ".config"
    )
    return Path(config_home) / "systemd" / "user" / f"{NAME}.service"


def systemctl(system: bool, *args: str) -> tuple[str, ...]:
    """A ``systemctl`` command line for the user's manager, or the system's."""
    return ("systemctl", *(() if system else ("--user",)), *args)


def systemd_running(system: bool, env: Mapping[str, str]) -> bool:
    """Whether a systemd manager runs that could take the unit (sd_booted(3) for the
    system; the user manager's private socket for the user)."""
    if system:
        return Path("/run/systemd/system").is_dir()
    runtime = env.get("XDG_RUNTIME_DIR")
    return runtime is not None and Path(runtime, "systemd", "private").exists()


# -- plans -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileWrite:
    """A file to write (``text`` in ``encoding``)."""

    path: Path
    text: str
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Plan:
    """What installing or removing the service does: files, then commands.

    ``commands`` run only when ``runnable``; otherwise they are what the user should
    run (printed)."""

    writes: tuple[FileWrite, ...] = ()
    commands: tuple[tuple[str, ...], ...] = ()
    removes: tuple[Path, ...] = ()
    #: commands run after the files are removed
    then: tuple[tuple[str, ...], ...] = ()
    runnable: bool = True
    notes: tuple[str, ...] = field(default=())


def windows_install(
    env: Mapping[str, str], command: Path, workdir: Path, xml_path: Path
) -> Plan:
    """The logon task for this user, running ``command`` (``logwatchw.exe``)."""
    xml = task_xml(
        template(TASK_TEMPLATE), windows_user(env), str(command), str(workdir)
    )
    notes: tuple[str, ...] = ()
    if command.stem.lower() != "logwatchw":
        notes = (
            f"{command.name} is used because logwatchw was not found: a console "
            "window stays open while logwatch runs",
        )
    return Plan(
        writes=(FileWrite(xml_path, xml, "utf-16"),),
        commands=(schtasks_create(xml_path), schtasks_run()),
        notes=notes,
    )


def windows_uninstall() -> Plan:
    """Stop and remove the task."""
    return Plan(commands=(schtasks_end(), schtasks_delete()))


def linux_install(
    env: Mapping[str, str], executable: Path, config: Path | None, system: bool
) -> Plan:
    """The user unit (or ``system``: the hardened system unit), enabled and started."""
    text = unit_text(template(SYSTEM_UNIT if system else USER_UNIT), executable, config)
    notes: list[str] = []
    if system and str(executable).startswith(("/home/", "/root/")):
        notes.append(
            f"{executable} is in a home folder, which the system unit's sandbox "
            "(DynamicUser, ProtectHome) may not let it run: install logwatch "
            "system-wide (e.g. `uv tool install` with UV_TOOL_BIN_DIR=/usr/local/bin)"
        )
    return Plan(
        writes=(FileWrite(unit_path(system, env), text),),
        commands=(
            systemctl(system, "daemon-reload"),
            systemctl(system, "enable", "--now", f"{NAME}.service"),
        ),
        runnable=systemd_running(system, env),
        notes=tuple(notes),
    )


def linux_uninstall(env: Mapping[str, str], system: bool) -> Plan:
    """Stop, disable and remove the unit."""
    return Plan(
        commands=(systemctl(system, "disable", "--now", f"{NAME}.service"),),
        removes=(unit_path(system, env),),
        then=(systemctl(system, "daemon-reload"),),
        runnable=systemd_running(system, env),
    )


def status_command(platform: str, system: bool) -> tuple[str, ...]:
    """The command that shows the service's state."""
    if platform == "win32":
        return schtasks_query()
    return systemctl(system, "status", "--no-pager", f"{NAME}.service")


Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def run_command(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run one command, its output captured (the runner ``apply`` uses by default)."""
    return subprocess.run(  # noqa: S603  our own fixed command lines
        list(args), capture_output=True, text=True, check=False, timeout=60
    )


def apply(
    plan: Plan, runner: Runner = run_command, stop_on_error: bool = True
) -> list[tuple[tuple[str, ...], subprocess.CompletedProcess[str]]]:
    """Write the plan's files, run its commands (when runnable), remove its files,
    then run the commands that follow.

    Returns each command run with its outcome; with ``stop_on_error``, the first that
    fails is the last run.
    """
    for write in plan.writes:
        write.path.parent.mkdir(parents=True, exist_ok=True)
        # "utf-16" writes a BOM, as Task Scheduler's own exports have
        newline = "\r\n" if write.encoding == "utf-16" else "\n"
        with write.path.open("w", encoding=write.encoding, newline=newline) as fh:
            fh.write(write.text)
    done: list[tuple[tuple[str, ...], subprocess.CompletedProcess[str]]] = []

    def run_all(commands: Sequence[tuple[str, ...]]) -> bool:
        for command in commands if plan.runnable else ():
            result = runner(command)
            done.append((command, result))
            if result.returncode != 0 and stop_on_error:
                return False
        return True

    if run_all(plan.commands):
        for path in plan.removes:
            path.unlink(missing_ok=True)
        run_all(plan.then)
    return done


def default_workdir(env: Mapping[str, str]) -> Path:
    """``%LOCALAPPDATA%\\logwatch``: the task's working folder (not System32)."""
    base = env.get("LOCALAPPDATA") or os.path.expanduser("~")  # noqa: PTH111
    return Path(base) / NAME
