"""Loading the rule folders: which files, in which order, and the checks of the whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.core.errors import InvalidConfig
from logwatch.rulebook.ruleload import builtin_rules_dir, load_rules, rule_files
from tests.samples import GOOD


def test_built_in_first_then_each_folders_files_before_its_sub_folders(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("sub/a.yaml", "z.yml", "b.codes.csv", "exception-classes.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    files = rule_files([tmp_path])
    own = [f.relative_to(tmp_path).as_posix() for f in files if tmp_path in f.parents]
    assert own == ["b.codes.csv", "exception-classes.csv", "z.yml", "sub/a.yaml"]
    assert builtin_rules_dir() in files[0].parents
    assert rule_files([tmp_path], builtin=False) == [
        tmp_path / name for name in ("b.codes.csv", "exception-classes.csv", "z.yml")
    ] + [tmp_path / "sub" / "a.yaml"]


def test_a_missing_folder_and_a_duplicate_id_are_problems_of_the_whole(
    tmp_path: Path,
) -> None:
    with pytest.raises(InvalidConfig, match="no such rules directory"):
        rule_files([tmp_path / "nowhere"])
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(
        InvalidConfig, match=r"duplicate id: already defined at .*a\.yaml"
    ):
        load_rules([tmp_path], builtin=False)
