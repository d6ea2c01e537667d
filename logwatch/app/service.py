"""``logwatch service``: logwatch in the background, from the shipped definitions.

Windows: a per-user logon task (``deploy/windows/logwatch-task.xml`` filled in, then
``schtasks``); Linux: a systemd user unit, or the hardened system unit. Building the
task XML, the units and the command lines is pure; ``apply`` is the thin part that
writes files and runs commands, through a runner the caller gives.
"""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
import sysconfig
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from logwatch.core.errors import ConfigError

#: The task's name in Task Scheduler and the unit's in systemd.
NAME = "logwatch"
TASK_TEMPLATE = "logwatch-task.xml"
USER_UNIT = "logwatch-user.service"
SYSTEM_UNIT = "logwatch.service"


def deploy_dir() -> Path:
    """The shipped service definitions (in the wheel, or the repo's ``deploy/``)."""
    packaged = Path(__file__).parent.with_name("deploy")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "deploy"


def template(name: str) -> str:
    """The text of one shipped definition (``logwatch-task.xml``, a unit)."""
    root = deploy_dir()
    for path in (root / name, root / "windows" / name, root / "systemd" / name):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"{name} is not shipped in {root}")


def refuse_control(value: str, what: str) -> str:
    """``value``, unless it holds a control character (a newline would end a unit's
    line and start a directive of its own) or bytes that are not text.

    Raises:
        ConfigError: naming ``what`` (``--config``) and the character, escaped.
    """
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            raise ConfigError(
                what,
                0,
                f"{value!r} holds a control character (U+{ord(char):04X}), "
                "which a service definition cannot carry safely",
            )
        if category == "Cs":
            raise ConfigError(what, 0, f"{value!r} is not valid UTF-8")
    return value


# -- Windows: the logon task -----------------------------------------------------------

#: The template's arguments: ``run`` on the defaults (``--config`` is added at install).
TASK_ARGUMENTS = "<Arguments>run</Arguments>"
#: ``%NAME%``: Task Scheduler expands it in Command, Arguments and WorkingDirectory,
#: and has no escape for a literal one.
_TASK_VARIABLE = re.compile(r"%[^%]+%")


def task_value(value: str, what: str) -> str:
    """``value`` as it may go into the task: no control character (XML 1.0 cannot
    hold most) and nothing Task Scheduler would expand as a variable.

    Raises:
        ConfigError: naming ``what``.
    """
    refuse_control(value, what)
    found = _TASK_VARIABLE.search(value)
    if found:
        raise ConfigError(
            what,
            0,
            f"{value!r} holds {found.group()}, which Task Scheduler would replace "
            "with an environment variable's value: use a path without it",
        )
    return value


def windows_quote(arg: str) -> str:
    """One argument, double-quoted so that the C runtime and CommandLineToArgvW
    split it back exactly: a backslash run before a quote (or the closing quote)
    is doubled, and a quote inside is escaped with one more backslash."""
    out = ['"']
    backslashes = 0
    for char in arg:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')
        else:
            out.append("\\" * backslashes + char)
        backslashes = 0
    out.append("\\" * (2 * backslashes) + '"')
    return "".join(out)


def task_arguments(config: str | None) -> str:
    """What the task passes to ``logwatchw``: ``run``, with ``--config "FILE"``."""
    if config is None:
        return "run"
    return "run --config " + windows_quote(task_value(config, "--config"))


def task_xml(
    template_text: str,
    user: str,
    command: str,
    workdir: str,
    config: str | None = None,
) -> str:
    """The task XML with its placeholders filled in (XML-escaped), declared UTF-16.

    Task Scheduler exports and imports task XML as UTF-16; the text is written in
    that encoding (``apply``), so the declaration must say so.

    Raises:
        ConfigError: a value the task cannot carry (see ``task_value``).
    """
    if TASK_ARGUMENTS not in template_text:
        raise ValueError(f"the task template has no {TASK_ARGUMENTS}")
    filled = (
        template_text.replace("__USER__", escape(refuse_control(user, "the user")))
        .replace(
            "__LOGWATCHW__", escape(task_value(command, "the logwatchw executable"))
        )
        .replace("__WORKDIR__", escape(task_value(workdir, "the working folder")))
        .replace(
            TASK_ARGUMENTS, f"<Arguments>{escape(task_arguments(config))}</Arguments>"
        )
    )
    return filled.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)


def windows_user(env: Mapping[str, str]) -> str:
    """``DOMAIN\\user`` of the logged-on user, as the task's UserId wants it."""
    user = env.get("USERNAME", "")
    domain = env.get("USERDOMAIN", "")
    return f"{domain}\\{user}" if domain else user


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


#: What an ExecStart= word may hold unquoted; anything else is double-quoted.
_SYSTEMD_PLAIN = frozenset(string.ascii_letters + string.digits + "/._-+,:@=")
#: What systemd refuses in an executable's path, quoted or not ("special characters").
_SYSTEMD_UNSAFE_EXECUTABLE = frozenset("\\\"'")


def _systemd_word(text: str) -> str:
    """``text`` (specifiers and variables already escaped) as one ExecStart= word:
    double-quoted with C escapes for ``\\`` and ``"`` unless every character is
    plain (so a lone ``;`` is never read as a command separator)."""
    if text and _SYSTEMD_PLAIN.issuperset(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_quote(arg: str, what: str) -> str:
    """One ExecStart= argument, read back by systemd exactly: specifiers (``%%``)
    and variables (``$$``) escaped, then quoted (see ``_systemd_word``).

    Raises:
        ConfigError: ``arg`` holds a control character (see ``refuse_control``).
    """
    return _systemd_word(
        refuse_control(arg, what).replace("%", "%%").replace("$", "$$")
    )


def systemd_executable(path: str, what: str = "the logwatch executable") -> str:
    """The executable's word of an ExecStart= line: specifiers escaped, but not
    ``$``, which systemd does not expand there.

    Raises:
        ConfigError: a control character, or a quote or backslash: systemd refuses
            those in an executable's path however it is quoted.
    """
    refuse_control(path, what)
    if _SYSTEMD_UNSAFE_EXECUTABLE.intersection(path):
        raise ConfigError(
            what,
            0,
            f"{path!r} holds a quote or a backslash, which systemd refuses in the "
            "path of a program it starts: install logwatch in a folder without them",
        )
    return _systemd_word(path.replace("%", "%%"))


def unit_text(template_text: str, executable: Path, config: Path | None) -> str:
    """A unit with the real path of ``logwatch`` in its ``ExecStartPre=``,
    ``ExecStart=`` and ``ExecReload=`` (and ``--config``, when given, in place of the
    shipped one).

    Raises:
        ConfigError: a path holds a control character.
    """
    out = []
    for line in template_text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("ExecStartPre", "ExecStart", "ExecReload"):
            words = value.split()
            verb = words[1] if len(words) > 1 else "run"
            args = [verb]
            if config is not None:
                args += ["--config", str(config)]
            elif "--config" in words:
                args += words[words.index("--config") : words.index("--config") + 2]
            quoted = [systemd_quote(arg, "--config") for arg in args]
            line = f"{key}=" + " ".join([systemd_executable(str(executable)), *quoted])
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
