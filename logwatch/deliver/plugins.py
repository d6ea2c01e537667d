"""Apprise's plugins, loaded only for the schemes a config uses (Apprise loads all of
them at its first lookup), and logwatch's own schemes registered beside them."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import structlog

from logwatch.deliver import alertmanager
from logwatch.deliver.desktop import console, desktop

log = structlog.get_logger("logwatch.notifier")

#: logwatch's own schemes: functions of this package, registered in Apprise
_OWN: dict[str, tuple[str, Callable[..., bool]]] = {
    "console": ("Console", console),
    "desktop": ("Desktop", desktop),
    "alertmanager": ("Alertmanager", alertmanager.post),
    "alertmanagers": ("Alertmanager (TLS)", alertmanager.post),
}
_plugins_lock = threading.Lock()


def serve(schemes: Collection[str]) -> None:
    """Make Apprise ready to send to these schemes, and to logwatch's own.

    Apprise imports all of its ~180 plugin modules the first time a scheme is looked
    up (~25 MB and ~0.3 s); the first call here imports only the modules whose source
    names one of ``schemes``. A scheme they do not serve makes ``Apprise.instantiate``
    fail, and the Notifier then loads them all (``serve_all``) and asks again: a URL is
    refused only when no plugin at all takes it.
    """
    manager = _manager()
    with _plugins_lock:
        if not manager:  # nothing loaded yet
            _load_plugins(manager, {s.lower() for s in schemes} - set(_OWN))
        _register_own(manager)


def serve_all() -> None:
    """Make Apprise ready to send to any scheme: every plugin module loaded (those
    ``serve`` loaded stay as they are), and logwatch's own schemes."""
    manager = _manager()
    quiet = logging.getLogger("apprise")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "already loaded" for each module loaded before
    try:
        with _plugins_lock:
            manager.load_modules(force=True)
            _register_own(manager)
    finally:
        quiet.setLevel(level)


def _register_own(manager: Any) -> None:
    from apprise.decorators import notify

    for scheme, (name, plugin) in _OWN.items():
        if scheme not in manager:
            notify(on=scheme, name=name)(plugin)  # type: ignore[no-untyped-call]


def _manager() -> Any:
    from apprise.manager_plugins import NotificationManager

    # a singleton: the one Apprise looks schemes up in
    return NotificationManager()  # type: ignore[no-untyped-call]


def _load_plugins(manager: Any, schemes: set[str]) -> None:
    """Import the plugin modules whose source quotes one of ``schemes``, and map them
    as Apprise's own loader does (``PluginManager.load_modules``)."""
    root = Path(manager.module_path)
    quoted = [f'"{s}"' for s in schemes] + [f"'{s}'" for s in schemes]
    manager._module_map, manager._schema_map = {}, {}
    manager._custom_module_map = {}
    manager._loaded.add(manager.module_path)  # so a lookup does not load them all
    for path in sorted(root.iterdir()):
        name = path.name.removesuffix(".py")
        if name.startswith(("_", "base")) or not (
            path.suffix == ".py" or (path / "__init__.py").exists()
        ):
            continue
        files = [path] if path.is_file() else sorted(path.glob("*.py"))
        source = "".join(f.read_text("utf-8", "replace") for f in files)
        if not any(q in source for q in quoted):
            continue
        module = _imported(f"{manager.module_name_prefix}.{name}")
        for attr in dir(module):
            plugin = getattr(module, attr)
            if not manager.module_filter_re.match(attr) or not hasattr(
                plugin, "app_id"
            ):
                continue
            manager._module_map[name] = {
                "plugin": {plugin},
                "module": module,
                "path": f"{manager.module_name_prefix}.{name}",
                "native": True,
            }
            found = getattr(plugin, "schemas", None)
            for scheme in found(plugin) if callable(found) else ():
                manager._schema_map.setdefault(scheme, plugin)
            break


def _imported(name: str) -> Any:
    """A plugin module, or None when it fails to import (Apprise skips those too)."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001  boundary: a broken plugin is skipped
        log.debug("plugin_import_failed", module=name, error=type(exc).__name__)
        return None
