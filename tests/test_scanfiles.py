"""What ``scan`` reads: each argument's files in order, once, and what named none."""

from __future__ import annotations

from pathlib import Path

from logwatch.app.scanfiles import scanned_files, size


def test_files_globs_and_folders_in_order_once_and_what_gave_none(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    (logs / "deep").mkdir(parents=True)
    (logs / "b.log").write_text("b\n", encoding="utf-8")
    (logs / "deep" / "a.log").write_text("a\n", encoding="utf-8")
    (logs / "old.log.gz").write_bytes(b"\x1f\x8b")
    (tmp_path / "empty").mkdir()
    one = tmp_path / "one.txt"
    one.write_text("1\n", encoding="utf-8")
    args = [
        str(one),
        str(tmp_path / "nothing.log"),
        str(logs / "*.log"),
        str(logs),  # b.log again: a folder adds only what is not listed yet
        str(tmp_path / "empty"),
        str(tmp_path / "none-*.log"),
    ]
    files, unfound = scanned_files(args)
    assert files == [one, logs / "b.log", logs / "deep" / "a.log"]
    assert unfound == [
        (str(tmp_path / "nothing.log"), False),
        (str(tmp_path / "empty"), True),
        (str(tmp_path / "none-*.log"), False),
    ]


def test_the_size_of_what_cannot_be_read_is_zero(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(b"12345")
    assert size(tmp_path / "a.log") == 5
    assert size(tmp_path / "gone.log") == 0
