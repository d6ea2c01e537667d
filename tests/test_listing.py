"""The listing with an injected stat and glob: a directory tree held in a dict."""

from __future__ import annotations

import fnmatch
import os
import stat
from pathlib import Path

import pytest

from logwatch.follow.fileindex import Inode
from logwatch.follow.listing import (
    Listed,
    Lister,
    Source,
    expand_folders,
    folder_patterns,
    path_matches,
    patterns_matching,
)


class Tree:
    """Paths -> (mode, inode, size, mtime_ns); counts the globs it answers."""

    def __init__(self) -> None:
        self.nodes: dict[str, tuple[int, int, int, int]] = {
            "/logs": (stat.S_IFDIR, 1, 0, 0)
        }
        self.globs = 0

    def add(self, path: str, ino: int, size: int, mtime_ns: int) -> None:
        self.nodes[path] = (stat.S_IFREG | 0o644, ino, size, mtime_ns)
        mode, dir_ino, _, dir_mtime = self.nodes["/logs"]
        self.nodes["/logs"] = (mode, dir_ino, 0, dir_mtime + 1)  # a name was created

    def stat(self, path: str) -> os.stat_result:
        path = path.replace(os.sep, "/")  # Windows' normpath gives its own separator
        if path not in self.nodes:
            raise FileNotFoundError(path)
        mode, ino, size, mtime_ns = self.nodes[path]
        fields = (mode, ino, 9, 1, 0, 0, size, 0, 0, 0)
        return os.stat_result(fields, {"st_mtime_ns": mtime_ns})

    def glob(self, pattern: str) -> list[str]:
        self.globs += 1
        return [p for p in self.nodes if fnmatch.fnmatchcase(p, pattern)]


def listing_of(tree: Tree, warned: list[tuple[str, str]], *sources: Source) -> Lister:
    return Lister(
        sources,
        lambda path, event: warned.append((path, event)),
        stat=tree.stat,
        glob=tree.glob,
        islink=lambda path: False,
    )


def trust(found: dict[Inode, Listed]) -> bool:
    return True


def test_files_are_listed_by_inode_oldest_change_first() -> None:
    tree = Tree()
    tree.add("/logs/b.log", 20, 5, 200)
    tree.add("/logs/a.log", 10, 3, 100)
    tree.add("/logs/old.log.gz", 30, 3, 50)  # compressed: never followed
    tree.add("/logs/skip.log", 40, 3, 60)
    source = Source("app", ("/logs/*.log",), exclude=("skip.*",))
    found = listing_of(tree, [], source).take(trust)
    assert list(found.items()) == [
        ((9, 10), Listed("/logs/a.log", "app", 3, 100, ("/logs/*.log",))),
        ((9, 20), Listed("/logs/b.log", "app", 5, 200, ("/logs/*.log",))),
    ]


def test_a_file_names_every_pattern_that_matched_it() -> None:
    """Where a file starts depends on whether any of its patterns was followed before."""
    tree = Tree()
    tree.add("/logs/a.log", 10, 3, 100)
    sources = [Source("app", ("/logs/a*", "/logs/*.log")), Source("b", ("/logs/*",))]
    found = listing_of(tree, [], *sources).take(trust)
    assert found[(9, 10)].source == "app"
    assert found[(9, 10)].patterns == ("/logs/a*", "/logs/*.log", "/logs/*")


def test_patterns_that_match_saved_paths_are_guessed_followed() -> None:
    patterns = ["/logs/*.log", "/other/*.log", "/logs/**/*.slog", "~/bot/*.log"]
    paths = ["/logs/app.log", "/logs/q/2026/x.slog"]
    assert patterns_matching(patterns, paths) == {"/logs/*.log", "/logs/**/*.slog"}


def test_a_trusted_listing_is_kept_until_its_directory_changes() -> None:
    tree = Tree()
    tree.add("/logs/a.log", 10, 3, 100)
    listing = listing_of(tree, [], Source("app", ("/logs/*.log",)))
    first = listing.take(trust)
    assert listing.take(trust) == first
    assert tree.globs == 1
    tree.add("/logs/b.log", 20, 1, 300)
    assert len(listing.take(trust)) == 2
    assert tree.globs == 2
    assert listing.sources_listed() == {"app"}


def test_an_untrusted_listing_is_taken_again_next_time() -> None:
    tree = Tree()
    tree.add("/logs/a.log", 10, 3, 100)
    listing = listing_of(tree, [], Source("app", ("/logs/*.log",)))
    listing.take(lambda found: False)
    listing.take(trust)
    assert tree.globs == 2


def test_a_directory_where_a_file_was_expected_is_reported() -> None:
    tree = Tree()
    tree.nodes["/logs/dir.log"] = (stat.S_IFDIR, 50, 0, 0)
    warned: list[tuple[str, str]] = []
    found = listing_of(tree, warned, Source("app", ("/logs/*.log",))).take(trust)
    assert found == {}
    assert warned == [("/logs/dir.log", "not_a_file")]


def test_polled_sources_are_globbed_every_time() -> None:
    tree = Tree()
    tree.add("/logs/a.log", 10, 3, 100)
    listing = listing_of(tree, [], Source("app", ("/logs/*.log",), force_polling=True))
    listing.take(trust)
    listing.take(trust)
    assert tree.globs == 2


def test_path_matches_names_what_the_glob_lists(tmp_path: Path) -> None:
    """``**`` is any number of folders, none included, as the listing's glob has it;
    fnmatch alone wanted one (the files at the top of a Quantower Logs folder had no
    source, and status called them an earlier config's)."""
    import glob

    tree = ["a.slog", "x/b.slog", "x/y/c.slog", "x/d.txt", "e.slog.gz"]
    for name in tree:
        (tmp_path / "Logs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "Logs" / name).write_text("", encoding="utf-8")
    for pattern in ("Logs/**/*.slog", "Logs/*.slog", "Logs/**/x/*.slog", "**/*.slog"):
        full = str(tmp_path / pattern)
        listed = set(glob.glob(full, recursive=True))  # noqa: PTH207  the glob listing uses
        for name in tree:
            path = str(tmp_path / "Logs" / name)
            assert path_matches(path, full) is (path in listed), (pattern, name)


def test_path_matches_takes_relative_and_home_patterns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    assert path_matches(f".{os.sep}logs{os.sep}a.log", "./logs/*.log")
    assert path_matches(f"logs{os.sep}a.log", "./logs/*.log")
    assert path_matches(str(tmp_path / "logs" / "a.log"), "~/logs/*.log")
    assert not path_matches(str(tmp_path / "other" / "a.log"), "~/logs/*.log")


FOLDERS = [
    # (configured path, is a directory now, what it means)
    ("/q", True, ("/q/**/*.log", "/q/**/*.txt", "/q/**/*.slog")),
    ("/q/", False, ("/q/**/*.log", "/q/**/*.txt", "/q/**/*.slog")),
    ("/bot [2]", True, tuple(f"/bot [[]2]/**/*.{e}" for e in ("log", "txt", "slog"))),
    ("/q/app.log", False, ("/q/app.log",)),
    ("/q/*.log", False, ("/q/*.log",)),
    ("/q/**/*.log", False, ("/q/**/*.log",)),
]


@pytest.mark.parametrize(("path", "isdir", "means"), FOLDERS)
def test_a_folder_means_its_log_files_at_any_depth(
    path: str, isdir: bool, means: tuple[str, ...]
) -> None:
    assert expand_folders([path], lambda p: isdir) == means


def test_a_folder_listed_twice_is_one_set_of_patterns() -> None:
    assert expand_folders(["/q", "/q/"], lambda p: True) == tuple(folder_patterns("/q"))
