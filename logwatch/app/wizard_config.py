"""What ``logwatch init`` writes: the answers, and the config and secrets files made
from them.

Rendering is pure (``render_config``, ``render_env``: the tests parse it back);
``write_config`` checks what was rendered loads, keeps the old file beside the new
one and writes both files private. The questions are ``wizard``'s.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from logwatch.app.wizard_text import COMMENTS
from logwatch.core.config import SourceSpec
from logwatch.core.privatefiles import write_private
from logwatch.follow.listing import folder_patterns

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"  # noqa: S105  a variable name
SMTP_VAR = "SMTP_PASSWORD"
ENV_FILE = "secrets.env"


@dataclass
class Answers:
    """What the config will say: raw YAML values (``${VAR}`` kept), and secrets."""

    language: str = "en"
    sources: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    quiet_hours: tuple[str, str] | None = None
    #: top-level keys of an existing config the wizard does not ask about
    kept: dict[str, Any] = field(default_factory=dict)
    #: NAME -> value for the env file (empty: secrets are written into the config)
    secrets: dict[str, str] = field(default_factory=dict)
    env_file: str | None = None

    def put_channel(self, channel: dict[str, Any]) -> None:
        """Add a channel, replacing one of the same name."""
        self.channels = [c for c in self.channels if c.get("name") != channel["name"]]
        self.channels.append(channel)


def _block(comment: str, data: dict[str, Any]) -> str:
    lines = [f"# {line}" for line in comment.splitlines()]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return "\n".join(lines) + "\n" + body


def render_config(answers: Answers, lang: str) -> str:
    """The config file's text, a comment before each section."""
    c = COMMENTS[lang]
    parts = ["\n".join(f"# {line}" for line in c["header"].splitlines()) + "\n"]
    parts.append(_block(c["language"], {"language": answers.language}))
    if answers.sources:
        parts.append(_block(c["sources"], {"sources": answers.sources}))
    else:
        parts.append(f"# {c['no_sources']}\n")
    if answers.channels:
        parts.append(_block(c["channels"], {"channels": answers.channels}))
    if answers.quiet_hours:
        start, end = answers.quiet_hours
        parts.append(
            _block(c["quiet_hours"], {"quiet_hours": {"from": start, "to": end}})
        )
    if answers.env_file:
        parts.append(_block(c["env_file"], {"env_file": answers.env_file}))
    if answers.kept:
        parts.append(_block(c["kept"], answers.kept))
    return "\n".join(parts)


def render_env(secrets: dict[str, str]) -> str:
    """The env file: one ``NAME='value'`` line each, single-quoted with ``\\`` and
    ``'`` escaped, so that any value (``#``, quotes, spaces at its ends, newlines)
    reads back as it was."""
    lines = ["# secrets of logwatch's config (${NAME} there); keep this file private"]
    for name, value in sorted(secrets.items()):
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        lines.append(f"{name}='{escaped}'")
    return "\n".join(lines) + "\n"


_TIME = r"(\d{1,2}:\d{2})"


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """``23:00-07:00`` -> ("23:00", "07:00"); ``-``/empty -> None.

    Raises:
        ValueError: not two times, or the same time twice.
    """
    text = text.strip()
    if text in ("", "-", "none", "нет"):
        return None
    m = re.fullmatch(rf"{_TIME}\s*[-–]\s*{_TIME}", text)
    if not m:
        raise ValueError(text)
    start, end = (time.fromisoformat(g.zfill(5)) for g in m.groups())
    if start == end:
        raise ValueError(text)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def source_for(path: str, taken: Sequence[str]) -> dict[str, Any]:
    """A source for a folder (its ``*.log``, ``*.txt``, ``*.slog`` at any depth: a
    platform keeps its logs in subfolders) or a pattern."""
    expanded = os.path.expanduser(path.strip())  # noqa: PTH111  a user's text
    if Path(expanded).is_file():  # a name like "Bot [2].log" is a name, not a glob
        patterns = [glob.escape(expanded)]
        base = Path(expanded).stem
    elif glob.has_magic(expanded) and not Path(expanded).is_dir():
        patterns = [expanded]
        base = Path(expanded.split("*", 1)[0]).name or "logs"
    else:
        patterns = folder_patterns(expanded)
        base = Path(expanded.rstrip("/\\")).name or "logs"
    name = re.sub(r"[^\w.-]+", "-", base).strip("-")[:50] or "logs"
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}-{n}", n + 1
    return {"name": unique, "paths": patterns}


def matched_files(patterns: Sequence[str]) -> list[str]:
    """The files that ``patterns`` match now (any depth where they say ``**``)."""
    files = {
        name
        for pattern in patterns
        for name in glob.glob(os.path.expanduser(pattern), recursive=True)  # noqa: PTH111, PTH207  str patterns
        if Path(name).is_file()
    }
    return sorted(files)


def found_logs(sources: Sequence[SourceSpec]) -> list[tuple[SourceSpec, list[str]]]:
    """The zero-config sources that have files on this PC, with the files."""
    out = []
    for source in sources:
        files: list[str] = []
        for pattern in source.paths:
            files += glob.glob(pattern, recursive=True)  # noqa: PTH207  str patterns
        if files:
            out.append((source, sorted(set(files))))
    return out


def email_url(host: str, port: int, user: str, password: str, to: str) -> str:
    """An Apprise ``mailto``/``mailtos`` URL (SSL on 465, STARTTLS otherwise)."""
    scheme = "mailtos" if port == 465 else "mailto"
    mode = "ssl" if port == 465 else "starttls"
    return (
        f"{scheme}://{quote(user, safe='')}:{password}@{host}:{port}"
        f"?from={quote(user, safe='@')}&to={quote(to, safe='@')}&mode={mode}"
    )


def split_password(url: str) -> tuple[str, str]:
    """A URL with its ``user:password@`` password replaced by a NUL, and the password
    ("" when it has none)."""
    m = re.match(r"^([a-z0-9+.-]+://[^:/@]*:)([^@/]+)(@.*)$", url, re.I | re.S)
    if not m:
        return url, ""
    return m.group(1) + "\0" + m.group(3), m.group(2)


def ntfy_url(text: str) -> str:
    """An Apprise ntfy URL from a topic or an ntfy web address."""
    text = text.strip()
    if "://" not in text:
        return f"ntfys://ntfy.sh/{text}"
    scheme, rest = text.split("://", 1)
    return ("ntfys" if scheme in ("https", "ntfys") else "ntfy") + "://" + rest


def answers_from(data: dict[str, Any]) -> Answers:
    """The answers an existing config (its raw YAML mapping) already gives."""
    managed = {"language", "sources", "channels", "quiet_hours", "env_file"}
    quiet = data.get("quiet_hours")
    hours = None
    if isinstance(quiet, dict) and "from" in quiet and "to" in quiet:
        hours = (_clock_text(quiet["from"]), _clock_text(quiet["to"]))
    return Answers(
        language=str(data.get("language") or "en"),
        sources=list(data.get("sources") or []),
        channels=list(data.get("channels") or []),
        quiet_hours=hours,
        kept={k: v for k, v in data.items() if k not in managed},
        env_file=data.get("env_file"),
    )


def _clock_text(value: object) -> str:
    if isinstance(value, int):  # YAML 1.1 reads 23:00 as 1380 minutes
        return f"{value // 60 % 24:02d}:{value % 60:02d}"
    return str(value)


def write_config(
    path: Path, answers: Answers, lang: str, stamp: str
) -> tuple[Path | None, Path | None]:
    """Write the config (and the env file); the backup of the old config, and the env
    file, when there are.

    Raises:
        InvalidConfig: what was rendered does not load (a bug; nothing is written).
    """
    from logwatch.core.config import config_from_text
    from logwatch.core.variables import load_env_file

    text = render_config(answers, lang)
    env_path = path.parent / answers.env_file if answers.env_file else None
    secrets = dict(answers.secrets)
    if env_path is not None and env_path.exists():
        secrets = {**load_env_file(env_path)[0], **secrets}
    env = {**secrets, **os.environ}
    check = text.replace(f"env_file: {answers.env_file}\n", "") if env_path else text
    config_from_text(check, env, str(path))
    backup = None
    if path.exists():  # it may hold secrets written inline: private too
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        write_private(backup, path.read_bytes())
    if env_path is not None and answers.secrets:
        write_private(env_path, render_env(secrets).encode("utf-8"))
    write_private(path, text.encode("utf-8"))
    return backup, env_path if answers.secrets else None
