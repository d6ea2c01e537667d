"""``logwatch service``: logwatch in the background, from the shipped definitions.

Windows: a per-user logon task (``deploy/windows/logwatch-task.xml`` filled in, then
``schtasks``: servicetask); Linux: a systemd user unit, or the hardened system unit
(serviceunit). Here: finding the launcher, and the plans that install or remove the
service. Building them is pure; ``apply`` is the thin part that writes files and runs
commands, through a runner the caller gives.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from logwatch.app.servicefiles import NAME, template
from logwatch.app.servicetask import (
    TASK_TEMPLATE,
    schtasks_create,
    schtasks_delete,
    schtasks_end,
    schtasks_query,
    schtasks_run,
    task_xml,
    windows_user,
)
from logwatch.app.serviceunit import (
    SYSTEM_UNIT,
    USER_UNIT,
    systemctl,
    systemd_running,
    unit_path,
    unit_text,
)


def script_dirs(executable: Path) -> list[Path]:
    """Where the launchers may be, in order: beside the running interpreter (a venv
    on Windows, uv tool, pipx), then each install scheme's scripts folder here:
    ``Python312\\Scripts`` for ``pip install``, the user scheme's for ``pip install
    --user`` (neither on PATH unless the installer's box was ticked), a venv's."""
    prefix = "nt" if sys.platform == "win32" else "posix"
    schemes = [sysconfig.get_default_scheme()]
    schemes += [s for s in sysconfig.get_scheme_names() if s.startswith(prefix)]
    schemes.append("venv")
    dirs = [executable.parent]
    for scheme in schemes:
        try:
            dirs.append(Path(sysconfig.get_path("scripts", scheme)))
        except KeyError:  # a scheme this Python does not know
            continue
    unique: dict[str, Path] = {}
    for folder in dirs:
        unique.setdefault(os.path.normcase(folder.absolute()), folder)
    return list(unique.values())


def _first(dirs: Sequence[Path], names: Sequence[str]) -> Path | None:
    for folder in dirs:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def launcher(dirs: Sequence[Path], which: Callable[[str], str | None]) -> Path | None:
    """The windowless ``logwatchw.exe`` from the scripts folders (see ``script_dirs``),
    else the first on PATH, else ``logwatch.exe`` the same way; ``None`` if none is."""
    for windowless in (True, False):
        stem = "logwatchw" if windowless else "logwatch"
        found = _first(dirs, (f"{stem}.exe", stem))
        if found:
            return found
        on_path = which(stem)
        if on_path:
            return Path(on_path)
    return None


def executable(dirs: Sequence[Path], which: Callable[[str], str | None]) -> Path | None:
    """The ``logwatch`` command a systemd unit runs, found as ``launcher`` finds it."""
    found = _first(dirs, ("logwatch",))
    if found:
        return found
    on_path = which("logwatch")
    return Path(on_path) if on_path else None


def not_found(dirs: Sequence[Path]) -> str:
    """What to say when no launcher was found: where we looked and what to do."""
    looked = "".join(f"\n  {folder}" for folder in dirs)
    return (
        "the logwatch launcher (logwatchw or logwatch) was found neither on PATH"
        f" nor in{looked}\nreinstall logwatch (uv tool install trading-logwatch, or"
        " pip install trading-logwatch) or add its Scripts folder to PATH"
    )


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
    env: Mapping[str, str],
    command: Path,
    workdir: Path,
    xml_path: Path,
    config: str | None = None,
) -> Plan:
    """The logon task for this user, running ``command`` (``logwatchw.exe``) with
    ``--config config`` when given.

    Raises:
        ConfigError: a value the task cannot carry (see ``task_value``).
    """
    xml = task_xml(
        template(TASK_TEMPLATE), windows_user(env), str(command), str(workdir), config
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
    """The user unit (or ``system``: the hardened system unit), enabled and started.

    Raises:
        ConfigError: a path holds a control character.
    """
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
