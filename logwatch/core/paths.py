"""Where logwatch's files are: the config's default file, the state file, the rules
cache and its key, from the config and the ``LOGWATCH_*`` variables. Light to import:
``scan`` asks here whether there is a config at all before it imports the config's
models.

The one module that reads ``LOGWATCH_*`` variables (others ask the functions here):

- ``LOGWATCH_CONFIG``: the config file (``default_config_path``, ``config_named``)
- ``LOGWATCH_STATE_DIR``: the state folder when the config names none (``state_path``)
- ``LOGWATCH_CACHE_DIR``, ``LOGWATCH_CACHE_KEY``: the rules cache (``rules_cache``)
- ``LOGWATCH_LOG_LEVEL``: ``--log-level`` (``LOG_LEVEL_VARIABLE``, read by click)
- ``LOGWATCH_`` + a config key (``LOGWATCH_DEDUP__WINDOW``): a setting
  (``setting_variables``; ``LOGWATCH_TELEGRAM_API`` also for ``init``: ``telegram_api``)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

#: Settings may come from variables named ``LOGWATCH_`` + the key in capitals, with
#: ``__`` between nested keys: ``LOGWATCH_DEDUP__WINDOW=30s`` sets ``dedup.window``.
ENV_PREFIX = "LOGWATCH_"
#: ``--log-level``'s variable (click reads it: the option's own validation applies)
LOG_LEVEL_VARIABLE = "LOGWATCH_LOG_LEVEL"
#: LOGWATCH_* variables that are not settings but still ours.
OWN_VARIABLES = frozenset(
    {
        "LOGWATCH_CONFIG",
        "LOGWATCH_STATE_DIR",
        "LOGWATCH_CACHE_DIR",
        "LOGWATCH_CACHE_KEY",
        LOG_LEVEL_VARIABLE,
    }
)


def config_named(env: Mapping[str, str]) -> bool:
    """Whether ``$LOGWATCH_CONFIG`` names a config file (then it must exist)."""
    return bool(env.get("LOGWATCH_CONFIG"))


def telegram_api(env: Mapping[str, str]) -> str | None:
    """``$LOGWATCH_TELEGRAM_API`` (the Bot API's base URL), for what has no config."""
    return env.get("LOGWATCH_TELEGRAM_API") or None


def setting_variables(env: Mapping[str, str]) -> list[tuple[str, list[str], str]]:
    """Every ``LOGWATCH_*`` variable: its name, the key path its name spells (upper
    case, split at ``__``: ``["DEDUP", "WINDOW"]``) and its text. Which of them are
    settings is the config's to say."""
    return [
        (name, name.removeprefix(ENV_PREFIX).split("__"), text)
        for name, text in env.items()
        if name.startswith(ENV_PREFIX)
    ]


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


def state_path(state_dir: str | None, env: Mapping[str, str] | None = None) -> Path:
    """The state file, computed here only: ``state.db`` in the config's ``state_dir``,
    else in ``$LOGWATCH_STATE_DIR`` (read nowhere else), else in the platform's state
    directory."""
    env = os.environ if env is None else env
    folder = state_dir or env.get("LOGWATCH_STATE_DIR")
    if folder:
        return Path(folder).expanduser() / "state.db"
    return platformdirs.user_state_path("logwatch", appauthor=False) / "state.db"


@dataclass(frozen=True, slots=True)
class RulesCache:
    """Where loaded rule sets are kept (``folder``, which may be shared) and the file
    of the user's own key that signs them (``key_file``, never in that folder)."""

    folder: Path
    key_file: Path


#: The key's name in the state folder.
CACHE_KEY_NAME = "rules-cache.key"


def rules_cache(state_dir: str | None, env: Mapping[str, str]) -> RulesCache | None:
    """The rules cache of a config whose ``state_dir`` is given: its folder is
    ``$LOGWATCH_CACHE_DIR``, else the user's cache directory; None (no cache) when
    ``LOGWATCH_CACHE_DIR`` is empty. Its key is ``$LOGWATCH_CACHE_KEY``, else
    ``rules-cache.key`` beside the state file (``state_path``): the one folder of
    logwatch's that must be private and writable, the system unit's included."""
    chosen = env.get("LOGWATCH_CACHE_DIR")
    if chosen is not None and not chosen:
        return None
    folder = (
        Path(chosen)
        if chosen
        else platformdirs.user_cache_path("logwatch", appauthor=False)
    )
    key = env.get("LOGWATCH_CACHE_KEY")
    if key:
        return RulesCache(folder, Path(key))
    return RulesCache(folder, state_path(state_dir, env).with_name(CACHE_KEY_NAME))
