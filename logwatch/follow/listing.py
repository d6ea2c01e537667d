"""A listing of the files that glob patterns match, by what names them while open.

Like a directory snapshot: taken by a stat and a glob that a test can replace, and
kept while the (inode, mtime) of every pattern's directory says nothing was created,
deleted or renamed there.
"""

from __future__ import annotations

import functools
import glob as globbing
import hashlib
import os
import stat as statmode
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass
from fnmatch import fnmatch, fnmatchcase
from pathlib import Path

import regex

from logwatch.follow.fileindex import Inode

COMPRESSED = (".gz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tgz")
#: What a folder means: its files with these endings, at any depth.
LOG_ENDINGS = ("log", "txt", "slog")

Stat = Callable[[str], os.stat_result]
Glob = Callable[[str], list[str]]


@dataclass(frozen=True, slots=True)
class Source:
    """Files to follow: glob patterns, exclusions and how to watch them."""

    name: str
    patterns: tuple[str, ...]
    _: KW_ONLY
    exclude: tuple[str, ...] = ()
    force_polling: bool = False
    backfill_s: float = 0.0
    #: the catch-all's level: records at it or above that no rule knows (None: off)
    unmatched: str | None = None
    #: the encoding its files are in (a ``codepages.codec_name``; None: UTF-8, or
    #: UTF-16 by BOM), and the code page of a line that is not UTF-8 (None: U+FFFD)
    encoding: str | None = None
    fallback: str | None = None


@dataclass(slots=True)
class Listed:
    """A file a pattern of source ``source`` matched, as the listing saw it."""

    path: str
    source: str
    size: int
    mtime_ns: int
    #: the patterns (as configured) that matched it
    patterns: tuple[str, ...] = ()


def _glob(pattern: str) -> list[str]:
    return globbing.glob(pattern, recursive=True)


def _is_candidate(path: str, source: Source) -> bool:
    name = os.path.basename(path)
    if name.lower().endswith(COMPRESSED):
        return False
    return not any(fnmatch(name, x) or fnmatch(path, x) for x in source.exclude)


#: What glob.escape makes of a special character: ``[*]``, ``[?]``, ``[[]``.
_ESCAPED = regex.compile(r"\[([*?\[])\]")


def _literal(part: str) -> str | None:
    """A path part as a plain name, or None when it is a pattern (``*``, ``[0-9]``).
    Parts that glob.escape protected (a user name with ``[``) are plain names."""
    if globbing.has_magic(_ESCAPED.sub("", part)):
        return None
    return _ESCAPED.sub(r"\1", part)


@functools.lru_cache(maxsize=1024)
def watch_root(pattern: str) -> tuple[str, bool]:
    """The directory to watch for a glob pattern, and whether recursively (pure, so
    kept: the listing asks at every look)."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts[:-1]:
        name = _literal(part)
        if name is None:
            return str(Path(*fixed)) if fixed else ".", True
        fixed.append(name)
    return (str(Path(*fixed)) if fixed else "."), False


def is_folder(pattern: str, isdir: Callable[[str], bool] = os.path.isdir) -> bool:
    """Whether a configured path names a folder: a directory now (``Bot [2]`` too), or
    a name without glob characters that ends with a separator."""
    expanded = os.path.expanduser(pattern)
    if isdir(expanded):
        return True
    return not globbing.has_magic(expanded) and expanded.endswith(("/", "\\"))


def folder_patterns(folder: str) -> list[str]:
    """A folder's log files at any depth, as glob patterns (its name glob-escaped)."""
    base = globbing.escape(os.path.expanduser(folder).rstrip("/\\")) or "/"
    return [f"{base.rstrip('/')}/**/*.{ending}" for ending in LOG_ENDINGS]


def expand_folders(
    patterns: Iterable[str], isdir: Callable[[str], bool] = os.path.isdir
) -> tuple[str, ...]:
    """The patterns with each folder replaced by its log files at any depth (a
    platform keeps its logs in subfolders)."""
    out: list[str] = []
    for pattern in patterns:
        more = folder_patterns(pattern) if is_folder(pattern, isdir) else [pattern]
        out += [p for p in more if p not in out]
    return tuple(out)


def watch_dirs(pattern: str) -> list[tuple[str, bool]]:
    """The directories to watch for a glob pattern, and whether recursively.

    Only ``**`` needs a recursive watch. A ``*`` in a directory part (MetaTrader's
    ``Terminal/*/Logs/*.log``) watches each directory it matches now, and its fixed
    root for new ones, without descending into everything beside them (tick caches).
    """
    root, recursive = watch_root(pattern)
    if not recursive:
        return [(root, recursive)]
    directories = Path(pattern).parts[:-1]
    if any("**" in part for part in directories):
        return [(root, recursive)]
    found = globbing.glob(os.path.join(*directories))
    return [(root, False), *((d, False) for d in sorted(found) if os.path.isdir(d))]


def path_matches(path: str, pattern: str) -> bool:
    """Whether ``pattern`` names ``path`` as the listing's glob does: folder by folder
    (a ``*`` stays inside one), ``**`` any number of folders, none included
    (``Logs/**/*.slog`` names ``Logs/a.slog``); ``./`` and ``~`` as there."""
    want = os.path.normcase(os.path.normpath(os.path.expanduser(pattern))).split(os.sep)
    have = os.path.normcase(os.path.normpath(path)).split(os.sep)

    @functools.cache
    def match(i: int, j: int) -> bool:  # want[i:] against have[j:]
        if i == len(want):
            return j == len(have)
        if want[i] == "**":
            return match(i + 1, j) or (j < len(have) and match(i, j + 1))
        return j < len(have) and fnmatchcase(have[j], want[i]) and match(i + 1, j + 1)

    return match(0, 0)


def patterns_matching(patterns: Iterable[str], paths: Iterable[str]) -> set[str]:
    """The patterns that match one of ``paths`` by name (as fnmatch does, so a ``*``
    also spans folders: for a guess, not for listing)."""
    names = list(paths)
    return {
        pattern
        for pattern in patterns
        if any(fnmatch(name, os.path.expanduser(pattern)) for name in names)
    }


def file_key(st: os.stat_result, path: str) -> Inode:
    """What names a listed file while it is open: (device, inode), or the path when
    the file system reports inode 0 (FAT/exFAT and some network drives on Windows),
    which would make every file there one; the content identity does the rest."""
    if st.st_ino:
        return st.st_dev, st.st_ino
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=7)
    return st.st_dev, -1 - int.from_bytes(digest.digest(), "big")


def _hidden(path: str, pattern: str) -> bool:
    """Whether the listing's glob passes ``path`` over: a name below the pattern's
    fixed folder starts with a dot, and no part of the pattern does."""
    expanded = os.path.expanduser(pattern)
    root, _ = watch_root(expanded)
    try:
        below = Path(os.path.relpath(path, root)).parts
        wanted = Path(os.path.relpath(expanded, root)).parts
    except ValueError:  # another drive
        return False
    return any(p.startswith(".") for p in below) and not any(
        w.startswith(".") for w in wanted
    )


def listed_as(path: str, sources: Iterable[Source]) -> Listed | None:
    """``path`` as a listing would list it, its size and time not looked at yet;
    None when no source's pattern names it (or the source excludes it, or it is
    hidden where the listing does not look)."""
    found: Listed | None = None
    for source in sources:
        if found is not None and found.source != source.name:
            break  # a listing gives a file to the first source that names it
        for pattern in source.patterns:
            if (
                path_matches(path, pattern)
                and _is_candidate(path, source)
                and not _hidden(path, pattern)
            ):
                if found is None:
                    found = Listed(path, source.name, 0, 0, (pattern,))
                else:
                    found.patterns += (pattern,)
    return found


class Lister:
    """The files of the sources' patterns, oldest change first; re-globbed only when
    a directory changed or the last listing could not be trusted."""

    def __init__(
        self,
        sources: Iterable[Source],
        warn: Callable[[str, str], None],
        stat: Stat = os.stat,
        glob: Glob = _glob,
        islink: Callable[[str], bool] = os.path.islink,
    ) -> None:
        self.sources = tuple(sources)
        self._warn = warn
        self._stat = stat
        self._glob_one = glob
        self._islink = islink
        self._found: dict[Inode, Listed] = {}
        #: the (inode, mtime) of every directory the last listing came from
        self._dirs: dict[str, tuple[int, int]] | None = None

    def take(
        self, trusted: Callable[[dict[Inode, Listed]], bool]
    ) -> dict[Inode, Listed]:
        """The listing now. A new one is kept for the next call only when it has no
        symbolic links and ``trusted(found)`` (the caller holds every file in it)."""
        dirs = self._dir_stamps()
        if dirs is not None and dirs == self._dirs:
            # nothing was created, deleted or renamed: the last listing still holds
            return self._found
        found = self._glob()
        links = any(self._islink(item.path) for item in found.values())
        settled = not links and trusted(found)
        self._found, self._dirs = found, (dirs if settled else None)
        return found

    def invalidate(self) -> None:
        """Glob again at the next ``take`` (a file changed in a way the directory
        times did not show)."""
        self._dirs = None

    def sources_listed(self) -> set[str]:
        """The sources whose patterns matched a file at the last listing."""
        return {item.source for item in self._found.values()}

    def _dir_stamps(self) -> dict[str, tuple[int, int]] | None:
        """(inode, mtime) of the directory of every pattern; None when that cannot tell
        (``**`` patterns, and network drives, whose directory times may lag)."""
        stamps = {}
        for source in self.sources:
            if source.force_polling:
                return None
            for pattern in source.patterns:
                root, recursive = watch_root(os.path.expanduser(pattern))
                if recursive:
                    return None
                try:
                    st = self._stat(root)
                except OSError:
                    stamps[root] = (-1, -1)
                    continue
                stamps[root] = (st.st_ino, st.st_mtime_ns)
        return stamps

    def _glob(self) -> dict[Inode, Listed]:
        found: dict[Inode, Listed] = {}
        for source in self.sources:
            for pattern in source.patterns:
                for path in self._glob_one(os.path.expanduser(pattern)):
                    if not _is_candidate(path, source):
                        continue
                    try:
                        st = self._stat(path)
                    except OSError:
                        continue
                    if not statmode.S_ISREG(st.st_mode):
                        self._warn(path, "not_a_file")
                        continue
                    inode = file_key(st, path)
                    if inode not in found:
                        found[inode] = Listed(
                            path, source.name, st.st_size, st.st_mtime_ns, (pattern,)
                        )
                    else:
                        found[inode].patterns += (pattern,)
        return dict(sorted(found.items(), key=lambda kv: kv[1].mtime_ns))
