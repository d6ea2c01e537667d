"""The files a scan reads: its arguments with their globs expanded, and a folder as its
log files at any depth (like ``grep -r``)."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from logwatch.follow.listing import COMPRESSED, folder_patterns


def scanned_files(paths: Sequence[str]) -> tuple[list[Path], list[tuple[str, bool]]]:
    """The files to scan, in order and once each; and the arguments that gave none,
    in order, each with whether it is a folder (with no log file) or names nothing."""
    files: list[Path] = []
    unfound: list[tuple[str, bool]] = []
    for arg, path in expand(paths):
        if path is None or not path.exists():
            unfound.append((arg, False))
        elif path.is_dir():
            found = log_files(path)
            if not found:
                unfound.append((arg, True))
            files += [f for f in found if f not in files]
        else:
            files.append(path)
    return files, unfound


def expand(paths: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """Each argument's files, globs expanded in order; ``(arg, None)`` if none exist."""
    for arg in paths:
        path = Path(arg).expanduser()
        if path.exists() or not glob.has_magic(arg):
            yield arg, path
            continue
        # Path.glob takes only relative patterns; a user may give an absolute one
        found = sorted(glob.glob(str(path), recursive=True))  # noqa: PTH207
        if not found:
            yield arg, None
        for name in found:
            yield name, Path(name)


def log_files(folder: Path) -> list[Path]:
    """A folder's log files at any depth (``*.log``, ``*.txt``...), in name order."""
    found = {
        name
        for pattern in folder_patterns(str(folder))
        for name in glob.glob(pattern, recursive=True)  # noqa: PTH207  as listed
        if not name.lower().endswith(COMPRESSED) and Path(name).is_file()
    }
    return [Path(name) for name in sorted(found)]


def size(path: Path) -> int:
    """Its size in bytes (0 when it cannot be read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
