"""The README's "How it works" picture is the tree and the contract: it cannot drift."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAY = "the way of a line"


def picture() -> tuple[list[str], list[str]]:
    """The picture's rows of packages, and its way of a line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## How it works\n", 1)[1].split("\n## ", 1)[0]
    rows = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    way = next(i for i, row in enumerate(rows) if row.startswith(WAY))
    return rows[:way], rows[way + 1 :]


def package_layers() -> list[list[str]]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c.get("containers") == ["logwatch"]]
    return [re.split(r"\s*[|:]\s*", layer.strip()) for layer in layers[1:]]


def drawn() -> dict[str, list[str]]:
    """package -> the modules its row names (a row goes on under its modules)."""
    got: dict[str, list[str]] = {}
    package = ""
    for row in picture()[0]:
        found = re.match(r"(?:\| )?(\w+)/\s+(.*)", row)
        if found:
            package, row = found.group(1), found.group(2)
            got[package] = []
        got[package] += re.findall(r"\w+", row) if row.strip() else []
    return got


def test_the_picture_layers_the_packages_as_the_contract_does() -> None:
    layers: list[list[str]] = []
    for row in picture()[0]:
        found = re.match(r"(\| )?(\w+)/\s", row)
        if found and found.group(1):  # joined by |: the layer above goes on
            layers[-1].append(found.group(2))
        elif found:
            layers.append([found.group(2)])
    assert layers == package_layers()


def test_the_picture_names_each_packages_modules() -> None:
    for package, modules in drawn().items():
        module = importlib.import_module(f"logwatch.{package}")
        on_disk = [m.name for m in pkgutil.iter_modules(module.__path__)]
        assert sorted(modules) == sorted(on_disk), package


def test_the_way_of_a_line_names_real_modules() -> None:
    steps = re.findall(r"(\w+)/(\w+)", " ".join(picture()[1]))
    assert len(steps) > 3
    for package, module in steps:
        importlib.import_module(f"logwatch.{package}.{module}")
