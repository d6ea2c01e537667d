"""The module map in logwatch/__init__.py names every module, and only those."""

from __future__ import annotations

import pkgutil

import logwatch

#: where the map's module names start (after the layer's name and its ``|``)
COLUMN = 15


def test_the_module_map_lists_every_module_once() -> None:
    lines = (logwatch.__doc__ or "").split("::", 1)[1].splitlines()
    mapped = [
        line[COLUMN:].split()[0]
        for line in lines
        if len(line) > COLUMN and line[COLUMN].isalpha() and line[COLUMN - 1] == " "
    ]
    modules = {m.name for m in pkgutil.iter_modules(logwatch.__path__)} - {"__main__"}
    assert sorted(mapped) == sorted(modules)
