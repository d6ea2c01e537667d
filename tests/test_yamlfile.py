from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.core.errors import ConfigError
from logwatch.core.yamlfile import load_yaml, parse_yaml


def test_line_of_walks_mappings_and_sequences() -> None:
    doc, problems = parse_yaml("a:\n  b:\n    - x\n    - {c: 1}\n", "f.yaml")
    assert problems == []
    assert doc.line_of(("a", "b", 1, "c")) == 4
    assert doc.line_of(("a", "b", 9)) == 3  # the list itself, where index 9 is missing
    assert doc.line_of(("nope",)) == 1


def test_duplicate_keys_are_problems() -> None:
    _, problems = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert [p.format_message() for p in problems] == ["f.yaml:4: duplicate key 'c'"]


def test_empty_document() -> None:
    doc, _ = parse_yaml("", "f.yaml")
    assert doc.data is None
    assert doc.line_of(("a",)) == 1


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_yaml(tmp_path / "missing.yaml")


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml(path)[0].data == {"a": 1}
