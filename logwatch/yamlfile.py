"""YAML documents that remember where each value is, for ``file:line: message``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from logwatch.errors import ConfigError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML document and its node tree."""

    source: str
    data: object
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The 1-based line of the value at ``loc``, or of its nearest ancestor."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value if isinstance(value, yaml.Node) else key
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        child: yaml.Node = node.value[part]
        return child
    return None


def loc_text(loc: Sequence[str | int]) -> str:
    """A pydantic location as a person writes it: ``channels[0].url``."""
    out = ""
    for part in loc:
        out += (
            f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        )
    return out


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic validation error as a short sentence about the YAML key at fault."""
    where = loc_text(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if error["type"] == "missing":
        return f"{where} is missing"
    return f"{where}: {error['msg']}".replace("Value error, ", "")


def _duplicates(node: yaml.Node, source: str) -> list[ConfigError]:
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(
                        ConfigError(
                            source,
                            key.start_mark.line + 1,
                            f"duplicate key {key.value!r}",
                        )
                    )
                seen.add(key.value)
            problems.extend(_duplicates(value, source))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems.extend(_duplicates(item, source))
    return problems


def parse_yaml(text: str, source: str) -> tuple[Document, list[ConfigError]]:
    """A document from YAML text, and the duplicate keys found in it.

    Raises:
        ConfigError: the text is not YAML.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(source, line, f"not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(source, 1, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    problems = _duplicates(root, source) if root is not None else []
    return Document(source, data, root), problems


def load_yaml(path: Path) -> tuple[Document, list[ConfigError]]:
    """A document read from ``path``.

    Raises:
        ConfigError: the file cannot be read, is binary, is not UTF-8 or is not YAML.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(source, 0, f"cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise ConfigError(source, line, "not a YAML text file: it holds binary data")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            source, line, "not a YAML text file: not valid UTF-8"
        ) from exc
    return parse_yaml(text, source)
