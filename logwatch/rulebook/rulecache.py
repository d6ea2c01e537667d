"""The rules cache: a loaded RuleSet kept, signed, in a file keyed on its inputs.

Keyed on the rule files and on logwatch's own source, so a change of either loads the
rules anew; ``ruleload.load_rules`` reads it before loading from the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import regex

import logwatch
from logwatch.core.errors import StateError
from logwatch.core.privatefiles import (
    BINARY,
    NOFOLLOW,
    OTHERS_ANY,
    OTHERS_WRITE,
    Exposure,
    check_private_dir,
    not_private,
    write_private,
)
from logwatch.rulebook.cataloguepacks import restored
from logwatch.rulebook.rules import RuleSet


def _own_code() -> list[Path]:
    """logwatch's own source files: the rules cache's key holds them."""
    return sorted(Path(logwatch.__file__).parent.rglob("*.py"))


class _Untrusted(Exception):
    """A cache file, its folder or the key that others could have written."""


#: Opens a file itself, never the file a symbolic link points to, and never waits: a
#: FIFO planted in its place would block the open for ever.
_OPEN_FLAGS = os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | BINARY


def _untrusted(path: Path, found: Exposure, private: bool = False) -> _Untrusted:
    """Why ``path`` (open to others as ``found`` says) is not used."""
    if found.foreign:
        return _Untrusted(f"{path}: owned by user {found.owner}, not by this user")
    said = "readable by others" if private else "writable by others"
    return _Untrusted(f"{path}: {said} (mode {found.mode:o})")


def _own(st: os.stat_result, path: Path, private: bool = False) -> None:
    """Raise ``_Untrusted`` unless ``st`` (of ``path``) is this user's, and no other
    user can write it (with ``private``: nor read it); see ``not_private``, which
    checks nothing on Windows: the default places are in the user's own profile
    (``%LOCALAPPDATA%``), which other users cannot open; the key signs the rest.
    """
    found = not_private(st, OTHERS_ANY if private else OTHERS_WRITE)
    if found is not None:
        raise _untrusted(path, found, private)


def _read_own(path: Path, private: bool = False) -> bytes:
    """The bytes of ``path``, a regular file of this user's (see ``_own``), opened
    without following a link.

    Raises:
        FileNotFoundError: there is none.
        _Untrusted: it is a link, a folder or another special file, or someone
            else's.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if NOFOLLOW and path.is_symlink():  # ELOOP: a link planted in its place
            raise _Untrusted(f"{path}: a symbolic link") from exc
        # Windows opens no folder (EACCES): said as on POSIX, where it opens
        if path.is_dir():
            raise _Untrusted(f"{path}: a folder, not a file") from exc
        raise
    try:
        # before fdopen, which refuses a folder with an OSError of its own
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _Untrusted(f"{path}: a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise _Untrusted(f"{path}: not a regular file")
        _own(st, path, private)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _own_dir(path: Path) -> None:
    """Make ``path`` (private to this user) unless it is there. A folder of this
    user's that others could write (made under a umask of 002, as some systems give
    users) is made private: each file in it is still checked when read.

    Raises:
        OSError: it cannot be made.
        _Untrusted: it is someone else's (see ``_own``).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = not_private(path.stat())
    if found is None:
        return
    if found.foreign:
        raise _untrusted(path, found)
    path.chmod(0o700)


class CacheFile:
    """A loaded RuleSet kept in one file per set of rule directories.

    The file starts with a key: a digest of every input of the load — the content
    and names of the rule files, the code of logwatch that compiles them, the Python
    and ``regex`` versions. A file whose key differs (other files, other code), that
    cannot be read or unpickled (corrupt, cut, another format) is ignored and the
    rules are loaded from their files; a cache that cannot be written (a read-only
    or full disk) is not written. Writes go to a file of their own, then replace the
    cache in one step, so two processes never read each other's half-written file.
    Only a load without problems is kept.

    Unpickling runs code, and the file's name can be computed by anyone: so a file is
    read only when it is this user's, in a folder no one else can write, opened
    without following links, and its HMAC (under the user's own random key, kept
    private in ``key_file``, away from the cache folder, in a folder refused as the
    state folder is when others can write it) matches — checked before a byte is
    unpickled. Anything else, and a key that cannot be had, is ignored with a warning
    and loaded anew.
    """

    MAGIC = b"logwatch-rules-2\n"
    #: Files kept per set of directories: two installed versions of logwatch (or two
    #: sets of rules in turn) each keep theirs instead of replacing the other's.
    KEEP = 3
    KEY_BYTES = 32

    def __init__(self, path: Path, key: bytes, key_file: Path) -> None:
        self.path, self.key, self.key_file = path, key, key_file
        #: why the cache was not used, for the user (None: nothing to say)
        self.warning: str | None = None
        self._secret: bytes | None = None
        self._asked = False

    @classmethod
    def of(
        cls,
        cache_dir: Path,
        key_file: Path,
        dirs: list[Path],
        builtin: bool,
        files: Sequence[Path],
    ) -> CacheFile | None:
        """The cache of these directories, whose rule files (``ruleload.rule_files``)
        are ``files``, or None when an input cannot be read."""
        digest = hashlib.blake2b(digest_size=32)
        where = hashlib.blake2b(digest_size=8)
        for part in (sys.version, regex.__version__, str(builtin)):
            digest.update(part.encode() + b"\0")
        for directory in dirs:
            where.update(os.fsencode(directory.resolve()) + b"\0")
        code = _own_code()
        if not code:  # only bytecode (a frozen build): no way to tell versions apart
            return None
        try:
            for path in (*code, *files):
                body = path.read_bytes()
                digest.update(os.fsencode(path) + f"\0{len(body)}\0".encode())
                digest.update(body)
        except OSError:
            return None  # loading reports what is wrong
        key = digest.digest()
        stem = f"rules-{where.hexdigest()}{'' if builtin else '-own'}-"
        return cls(cache_dir / f"{stem}{key.hex()[:16]}.pickle", key, key_file)

    def _ignored(self, why: str) -> None:
        self.warning = (
            f"rules cache not used: {why}; the rules were loaded from their files"
        )

    def secret(self) -> bytes | None:
        """The user's signing key, made on first use; None, with ``warning`` set,
        when it cannot be had: without it the cache is off, and the user is told."""
        if not self._asked:
            self._asked = True
            try:
                self._secret = self._read_or_make_secret()
            except (_Untrusted, StateError) as exc:
                self._ignored(str(exc))
            except OSError as exc:
                self._ignored(
                    f"{self.key_file}: no key to sign it with: {exc.strerror or exc}"
                )
        return self._secret

    def _read_or_make_secret(self) -> bytes:
        # the state folder by default: refused when not private, as the state is
        # (never tightened here, or the outcome would depend on which command ran
        # first); the message names the fix
        check_private_dir(self.key_file.parent)
        try:
            secret = _read_own(self.key_file, private=True)
        except FileNotFoundError:
            import secrets
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=self.key_file.parent)  # mode 600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_bytes(self.KEY_BYTES))
                # a link never replaces a key another process made meanwhile
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, self.key_file)
            finally:
                Path(tmp).unlink()
            secret = _read_own(self.key_file, private=True)
        if len(secret) != self.KEY_BYTES:
            raise _Untrusted(f"{self.key_file}: not a key of logwatch's")
        return secret

    def _mac(self, secret: bytes, body: bytes) -> bytes:
        return hmac.digest(secret, self.MAGIC + self.key + body, "sha256")

    def read(self) -> RuleSet | None:
        """The cached rule set, if the file holds one for this key, signed by this
        user's key; None (with ``warning`` set) for anything else but no file."""
        try:
            _own(self.path.parent.stat(), self.path.parent)
            data = _read_own(self.path)
        except FileNotFoundError:
            return None
        except _Untrusted as exc:
            self._ignored(str(exc))
            return None
        except OSError:
            return None
        secret = self.secret()
        if secret is None:
            return None
        head = self.MAGIC + self.key
        mac = data[len(head) : len(head) + 32]
        body = data[len(head) + 32 :]
        if not data.startswith(head) or not hmac.compare_digest(
            mac, self._mac(secret, body)
        ):
            self._ignored(f"{self.path}: damaged, or not signed with this user's key")
            return None
        try:
            ruleset = pickle.loads(body)  # noqa: S301  signed by this user's key
        except Exception:  # noqa: BLE001  any damage: load from the files instead
            self._ignored(f"{self.path}: cannot be read back")
            return None
        finally:
            restored()
        if not isinstance(ruleset, RuleSet):
            self._ignored(f"{self.path}: holds no rules")
            return None
        return ruleset

    def write(self, ruleset: RuleSet) -> None:
        """Keep ``ruleset``; silently not when the directory cannot take it."""
        try:
            secret = self.secret()
            if secret is None:  # ``warning`` says why
                return
            body = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
            _own_dir(self.path.parent)  # someone else's: not written (read warned)
            write_private(
                self.path, self.MAGIC + self.key + self._mac(secret, body) + body
            )
            self._prune()
        except Exception:  # noqa: BLE001, S110  unwritable, full, unpicklable: no cache
            pass

    def _prune(self) -> None:
        """Remove this directory set's files beyond the ``KEEP`` newest."""
        stem = self.path.name.rsplit("-", 1)[0]
        files = []
        for path in self.path.parent.glob(f"{stem}-*.pickle"):
            with contextlib.suppress(OSError):
                files.append((path.stat().st_mtime_ns, path))
        for _, path in sorted(files, reverse=True)[self.KEEP :]:
            if path != self.path:
                with contextlib.suppress(OSError):
                    path.unlink()
