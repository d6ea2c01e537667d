"""Where the config comes from when no ``--config`` is given: its default file and the
``LOGWATCH_*`` variables. Light to import: ``scan`` asks here whether there is a config
at all before it imports the config's models."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

#: Settings may come from variables named ``LOGWATCH_`` + the key in capitals, with
#: ``__`` between nested keys: ``LOGWATCH_DEDUP__WINDOW=30s`` sets ``dedup.window``.
ENV_PREFIX = "LOGWATCH_"
#: LOGWATCH_* variables that are not settings but still ours.
OWN_VARIABLES = frozenset(
    {
        "LOGWATCH_CONFIG",
        "LOGWATCH_STATE_DIR",
        "LOGWATCH_CACHE_DIR",
        "LOGWATCH_CACHE_KEY",
    }
)


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$LOGWATCH_CONFIG``, else ``config.yaml`` in the platform's config directory."""
    env = os.environ if env is None else env
    if env.get("LOGWATCH_CONFIG"):
        return Path(env["LOGWATCH_CONFIG"]).expanduser()
    return platformdirs.user_config_path("logwatch", appauthor=False) / "config.yaml"


def config_given(env: Mapping[str, str] | None = None) -> bool:
    """Whether anything but the defaults makes the config: its file exists, or a
    ``LOGWATCH_*`` variable that may be a setting is set."""
    env = os.environ if env is None else env
    return default_config_path(env).exists() or any(
        name.startswith(ENV_PREFIX) and name not in OWN_VARIABLES for name in env
    )
