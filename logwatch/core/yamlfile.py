"""YAML documents that remember where each value is, for ``file:line: message``."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from logwatch.core.errors import ConfigError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Config and rule files larger than this are refused (the built-in packs are ~100 KB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: At most this many values once every alias is expanded: an alias bomb (each level
#: repeating the one before) is refused before anything walks the expansion.
MAX_VALUES = 1_000_000


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_big(root: yaml.Node, source: str) -> ConfigError | None:
    """An error at the node where aliases blow the document up past ``MAX_VALUES``
    (or refer to themselves), or None. Linear in the nodes: each is sized once."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:  # post-order without recursion: a deep document cannot overflow it
        node, done = stack.pop()
        if done:
            open_.discard(id(node))
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            sizes[id(node)] = min(size, MAX_VALUES + 1)
            order.append(node)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_:
            return ConfigError(
                source, node.start_mark.line + 1, "an alias refers to itself"
            )
        open_.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    if sizes[id(root)] <= MAX_VALUES:
        return None
    node = root
    while True:  # down to where the expansion blows up
        big = [c for c in _children(node) if sizes[id(c)] > MAX_VALUES]
        if not big:
            break
        node = big[0]
    return ConfigError(
        source,
        node.start_mark.line + 1,
        f"aliases expand to more than {MAX_VALUES:,} values; is this an alias bomb?",
    )


def _duplicates(
    node: yaml.Node, source: str, seen_nodes: set[int] | None = None
) -> list[ConfigError]:
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:  # an alias: its node was checked where it was defined
        return []
    seen_nodes.add(id(node))
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
            problems.extend(_duplicates(value, source, seen_nodes))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems.extend(_duplicates(item, source, seen_nodes))
    return problems


def parse_yaml(text: str, source: str) -> tuple[Document, list[ConfigError]]:
    """A document from YAML text, and the duplicate keys found in it.

    Raises:
        ConfigError: the text is not YAML, is too large, or its aliases expand to
            too much.
    """
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(source, 1, _too_large(len(text)))
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        bomb = _too_big(root, source) if root is not None else None
        if bomb is not None:
            raise bomb
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


def _too_large(size: int) -> str:
    return (
        f"the file is {size / 2**20:.1f} MB; config and rule files may be at most "
        f"{MAX_FILE_BYTES // 2**20} MB"
    )


def load_yaml(path: Path) -> tuple[Document, list[ConfigError]]:
    """A document read from ``path``.

    Raises:
        ConfigError: the file cannot be read, is binary, is not UTF-8 or is not YAML.
    """
    source = str(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(source, 0, f"cannot read: {exc.strerror or exc}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(source, 1, _too_large(path.stat().st_size))
    return parse_yaml(decode_text(raw, source, "YAML"), source)


#: Byte order marks of the Unicode encodings a text editor saves, and their codecs
#: (UTF-16 is what Windows editors call "Unicode").
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAVE_AS = "save it as UTF-8"


def decode_text(raw: bytes, source: str, kind: str = "text") -> str:
    """A config file's text: UTF-8 (a BOM allowed) or UTF-16 with its BOM.

    Raises:
        ConfigError: at the first line that is not text in these encodings, saying
            to save it as UTF-8 (cp1251 and other one-byte encodings land here).
    """
    codec = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    if codec != "utf-16" and b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise ConfigError(source, line, _binary(kind))
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = _line_at(raw, exc.start, codec)
        what = "UTF-16" if codec == "utf-16" else "UTF-8"
        raise ConfigError(
            source,
            line,
            f"not a {kind} file in {what}: it is saved in another encoding (such "
            f"as Windows-1251); {_SAVE_AS}",
        ) from exc
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ConfigError(source, line, _binary(kind))
    return text


def _binary(kind: str) -> str:
    return f"not a {kind} text file: it holds binary data (if it is text, {_SAVE_AS})"


def _line_at(raw: bytes, offset: int, codec: str) -> int:
    """The line of byte ``offset`` (counting the newlines decoded before it)."""
    before = raw[:offset].decode(codec, errors="replace")
    return before.count("\n") + 1
