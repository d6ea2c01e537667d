"""What the environment gives a config: ``${VAR}`` in its strings (tokens and passwords
need not be written in the file), the ``env_file`` of ``NAME=value`` lines that may give
them, and the settings ``LOGWATCH_*`` variables make."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from logwatch.core.errors import ConfigError
from logwatch.core.paths import OWN_VARIABLES, setting_variables
from logwatch.core.yamlfile import Document, decode_text

_VAR = regex.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_variables(
    data: Any,
    loc: tuple[str | int, ...],
    env: dict[str, str],
    doc: Document,
    problems: list[ConfigError],
) -> Any:
    """``data`` with each ``${VAR}`` (``${VAR:-default}``) in its strings taken from
    ``env``; an unset one without a default is a problem at its line."""
    if isinstance(data, str):

        def sub(m: regex.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return str(default)
            problems.append(
                ConfigError(
                    doc.source,
                    doc.line_of(loc),
                    f"environment variable {name} is not set",
                )
            )
            return ""

        return _VAR.sub(sub, data)
    if isinstance(data, dict):
        return {
            k: expand_variables(v, (*loc, k), env, doc, problems)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [
            expand_variables(v, (*loc, i), env, doc, problems)
            for i, v in enumerate(data)
        ]
    return data


def parse_env_file(text: str, source: str) -> tuple[dict[str, str], list[ConfigError]]:
    """``NAME=value`` lines read as the env-file format's reference parser reads them
    (quotes, escapes in double quotes, ``#`` comments, ``export``; a ``${VAR}`` stays
    as written), and a problem for each line that sets nothing, at its line and without
    its text (it may hold a secret)."""
    from io import StringIO

    # not the library's public API: pinned to one minor release in pyproject.toml,
    # its shape checked by tests/test_variables.py
    from dotenv.parser import parse_stream

    values: dict[str, str] = {}
    problems: list[ConfigError] = []
    for binding in parse_stream(StringIO(text)):
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
        elif binding.error or binding.key is not None:  # not parsed, or no ``=``
            string = binding.original.string
            lead = string[: len(string) - len(string.lstrip())]  # blank lines before
            breaks = lead.count("\n") + lead.count("\r") - lead.count("\r\n")
            problems.append(
                ConfigError(
                    source,
                    binding.original.line + breaks,
                    "not a NAME=value line (ignored)",
                )
            )
    return values, problems


def load_env_file(path: Path) -> tuple[dict[str, str], list[ConfigError]]:
    """``parse_env_file`` of a file (UTF-8, a BOM allowed, or UTF-16 with its BOM;
    line ends kept as written).

    Raises:
        OSError: it cannot be read.
        ConfigError: it is not text in those encodings (``decode_text``).
    """
    return parse_env_file(decode_text(path.read_bytes(), str(path)), str(path))


def read_env_file(
    doc: Document, name: str, problems: list[ConfigError], warnings: list[str]
) -> dict[str, str]:
    """The variables of the config's ``env_file`` (relative to it); a file that cannot
    be read is a problem at the ``env_file`` line, one others may read a warning."""
    path = Path(doc.source).parent / Path(name).expanduser()
    try:
        values, malformed = load_env_file(path)
        mode = path.stat().st_mode
    except (OSError, ConfigError) as exc:
        why = (
            exc.format_message()
            if isinstance(exc, ConfigError)
            else f"{path}: {exc.strerror or exc}"
        )
        problems.append(
            ConfigError(doc.source, doc.line_of(("env_file",)), f"env_file {why}")
        )
        return {}
    if os.name == "posix" and mode & 0o077:
        warnings.append(
            f"{path} holds secrets but others may read it: chmod 600 {path}"
        )
    warnings += [problem.format_message() for problem in malformed]
    return values


@dataclass(frozen=True, slots=True)
class EnvSetting:
    """One setting a ``LOGWATCH_*`` variable makes: where it goes and its value (a
    list or mapping is written as JSON)."""

    variable: str
    loc: tuple[str, ...]
    value: Any

    def error(self, source: str, message: str) -> ConfigError:
        """A problem with this variable's value (it has no line in the file)."""
        return ConfigError(
            source, 0, f"environment variable {self.variable}: {message}"
        )


def env_settings(env: Mapping[str, str], keys: Iterable[str]) -> list[EnvSetting]:
    """The settings ``LOGWATCH_*`` variables make of the config's top-level ``keys``, a
    parent before its keys (the more precise one wins); variables that name no setting
    are left to ``unknown_variables``."""
    fields = {name.upper(): name for name in keys}
    out = []
    for name, parts, text in setting_variables(env):
        if parts[0] not in fields:
            continue
        value: Any = text
        if text[:1] in "[{":
            with contextlib.suppress(ValueError):  # else the text, checked as such
                value = json.loads(text)
        loc = (fields[parts[0]], *(p.lower() for p in parts[1:]))
        out.append(EnvSetting(name, loc, value))
    return sorted(out, key=lambda s: (len(s.loc), s.variable))


def with_setting(
    data: dict[str, Any], loc: tuple[str, ...], value: Any
) -> dict[str, Any]:
    """``data`` with ``value`` at ``loc`` (mappings on the way made or copied)."""
    head, *rest = loc
    if not rest:
        return {**data, head: value}
    child = data.get(head)
    return {
        **data,
        head: with_setting(
            child if isinstance(child, dict) else {}, tuple(rest), value
        ),
    }


def set_by(loc: tuple[str | int, ...], settings: list[EnvSetting]) -> EnvSetting | None:
    """The variable that set the value at ``loc`` (or a mapping holding it), if any."""
    found = None
    for setting in settings:
        if loc[: len(setting.loc)] == setting.loc:
            found = setting  # sorted: a later one is the more precise
    return found


def unknown_variables(env: Mapping[str, str], keys: Iterable[str]) -> list[str]:
    """Warnings for LOGWATCH_* variables that name none of the config's top-level
    ``keys`` (likely misspelt)."""
    fields = {name.upper() for name in keys}
    out = []
    for name, parts, _text in sorted(setting_variables(env)):
        if name in OWN_VARIABLES:
            continue
        if parts[0] not in fields:
            out.append(
                f"environment variable {name} is not a logwatch setting; ignored"
            )
    return out
