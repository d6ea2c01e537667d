"""The systemd units of ``logwatch service``: the shipped user or system unit with
the real executable and config in its command lines, where it goes, and
``systemctl``."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

from logwatch.app.servicefiles import NAME, refuse_control
from logwatch.core.errors import ConfigError

USER_UNIT = "logwatch-user.service"
SYSTEM_UNIT = "logwatch.service"

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
