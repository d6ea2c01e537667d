"""The shipped service definitions: their name, where they are, and what a value put
into one may not hold (``logwatch service`` fills them in: servicetask, serviceunit).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from logwatch.core.errors import ConfigError

#: The task's name in Task Scheduler and the unit's in systemd.
NAME = "logwatch"


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
