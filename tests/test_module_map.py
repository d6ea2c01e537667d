"""The packages' docstrings name every package and every module, in the contract's order."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

import logwatch

ROOT = Path(__file__).resolve().parent.parent


def package_layers() -> list[list[str]]:
    """The packages, top first, as pyproject's contract layers them."""
    with (ROOT / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c.get("containers") == ["logwatch"]]
    return [re.split(r"\s*[|:]\s*", layer.strip()) for layer in layers[1:]]


def packages_on_disk() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(logwatch.__path__) if m.ispkg}


def listed(block: str) -> list[str]:
    """The names a ``::`` block's rows start with (not their wrapped words)."""
    rows = (
        re.match(r"    (?:\| |  )?([a-z_]\w*)\s", row) for row in block.splitlines()
    )
    return [row.group(1) for row in rows if row]


def test_the_top_docstring_names_the_packages_in_the_contracts_order() -> None:
    block = (logwatch.__doc__ or "").split("::", 1)[1].split("The way of a line")[0]
    names = listed(block)
    assert names == [p for layer in package_layers() for p in layer]
    assert set(names) == packages_on_disk()


def test_every_package_lists_its_modules_once() -> None:
    for package in sorted(packages_on_disk()):
        module = importlib.import_module(f"logwatch.{package}")
        modules = {m.name for m in pkgutil.iter_modules(module.__path__)}
        block = (module.__doc__ or "").split("::", 1)[1]
        assert sorted(listed(block)) == sorted(modules), package


def test_no_module_is_left_at_the_top() -> None:
    loose = {m.name for m in pkgutil.iter_modules(logwatch.__path__) if not m.ispkg}
    assert loose == {"__main__"}
