"""The Windows logon task of ``logwatch service``: the shipped task XML filled in,
and the ``schtasks`` command lines that register, run, end and remove it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from logwatch.app.servicefiles import NAME, refuse_control
from logwatch.core.errors import ConfigError

TASK_TEMPLATE = "logwatch-task.xml"
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
