"""Rules: the YAML format, its validation, and the compiled Rule the engine runs.

A rule file holds a top-level ``rules:`` list. Every rule carries sample lines that must
match and near-misses that must not; loading runs them, so a wrong rule cannot load.
Every problem is reported as ``path:line: rule <id>: what is wrong``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import hmac
import os
import pickle
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from logwatch import formats
from logwatch.errors import ConfigError, InvalidConfig, RuleError, StateError
from logwatch.model import RECORD_FIELDS, Code, Line, Record, Severity
from logwatch.paths import RulesCache
from logwatch.patterns import (
    MIN_KEYWORD_CHARS,
    PATTERN_FLAGS,
    bounded_work,
    keyword_variants,
    nested_quantifier,
    parse,
    required_literals,
)
from logwatch.privatefiles import (
    BINARY,
    NOFOLLOW,
    OTHERS_ANY,
    OTHERS_WRITE,
    Exposure,
    check_private_dir,
    not_private,
    write_private,
)

if TYPE_CHECKING:
    from pydantic import ValidationError

    from logwatch.catalogue import Catalogue
    from logwatch.rulespec import RuleSpec
    from logwatch.yamlfile import Document

#: Files of catalogue codes end with this (``binance.codes.csv``).
CODES_SUFFIX = ".codes.csv"
#: The file of exception class names and their categories.
CLASSES_NAME = "exception-classes.csv"

#: Per-call limit for one regex search; see engine.Engine for what happens on expiry.
DEFAULT_TIMEOUT_S = 0.1


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule with its patterns compiled."""

    id: str
    severity: Severity
    codes: tuple[Code, ...]
    title: Mapping[str, str]
    remedy: dict[str, str]
    patterns: tuple[regex.Pattern[str], ...]
    ignore: tuple[regex.Pattern[str], ...]
    key: tuple[str, ...]
    keywords: tuple[bytes, ...]
    tags: tuple[str, ...]
    link: str | None
    samples: tuple[str, ...]
    near_misses: tuple[str, ...]
    source: str
    line: int
    window_s: float | None = None
    reminder_windows: int = 0
    mutes: tuple[str, ...] = ()
    mute_for_s: float = 1800.0
    #: the exchange or platform (the id's prefix: ``binance``, ``mt5``…)
    exchange: str = ""
    #: the catalogue category, for rules made from catalogue codes
    category: str = ""
    #: whether alerts take their title from the message the exchange sent
    message_title: bool = False
    expect_s: float | None = None
    #: alert only when hit this many times (count) within this many seconds
    at_least: tuple[int, float] | None = None
    #: every pattern's search costs a bounded work per position of the text (see
    #: ``patterns.bounded_work``): searched without a timeout
    bounded: bool = False

    def match(
        self, text: str, timeout_s: float | None = DEFAULT_TIMEOUT_S
    ) -> regex.Match[str] | None:
        """The first pattern's match in ``text``, unless an ``ignore`` pattern vetoes.

        Raises:
            TimeoutError: a search ran longer than ``timeout_s``.
        """
        if self.bounded:
            timeout_s = None
        for pattern in self.patterns:
            m = pattern.search(text, timeout=timeout_s)
            if m is not None:
                break
        else:
            return None
        for veto in self.ignore:
            if veto.search(text, timeout=timeout_s) is not None:
                return None
        return m

    def prefiltered(self, line: str) -> bool:
        """Whether the prefilter lets ``line`` through to this rule's patterns."""
        low = line.encode("utf-8", "replace").lower()
        return any(k in low for k in self.keywords)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules in the order they are tried: built-in packs, then the user's, by name."""

    rules: tuple[Rule, ...]
    catalogue: Catalogue = dataclasses.field(default_factory=lambda: _empty_catalogue())

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def summary(self) -> str:
        """``26 rules, 2102 catalogue codes in 14 shapes``."""
        handwritten = sum(1 for r in self.rules if not r.category)
        return (
            f"{handwritten} rules, {len(self.catalogue)} catalogue codes in "
            f"{len(self.catalogue.shapes)} shapes"
        )


def _empty_catalogue() -> Catalogue:
    from logwatch.catalogue import Catalogue

    return Catalogue()


def builtin_rules_dir() -> Path:
    """The rule packs shipped with logwatch (in the wheel, or the repo's ``rules/``)."""
    packaged = Path(__file__).with_name("rules")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, for editors."""
    from logwatch.rulespec import RuleFile

    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "logwatch rule file"
    return schema


# -- validation ------------------------------------------------------------------------


class _Problems:
    def __init__(self, doc: Document, index: int, rule_id: str) -> None:
        self.doc, self.index, self.rule_id = doc, index, rule_id
        self.errors: list[ConfigError] = []

    def add(self, loc: Sequence[str | int], message: str) -> None:
        line = self.doc.line_of(("rules", self.index, *loc))
        self.errors.append(RuleError(self.doc.source, line, self.rule_id, message))


def sample_record(line: str) -> Record:
    """The record a sample line makes, in the format its content looks like."""
    fmt = formats.detect("sample", [line])
    return fmt.record("sample", [Line(line, 1, 0, len(line))])


def _why(exc: regex.error) -> str:
    """A regex compile error as a sentence, with its position when known."""
    msg = getattr(exc, "msg", None) or str(exc)
    pos = getattr(exc, "pos", None)
    return f"{msg} at position {pos}" if pos is not None else msg


def _compile(
    spec: RuleSpec, problems: _Problems, source: str, line: int
) -> Rule | None:
    compiled: dict[str, list[regex.Pattern[str]]] = {"patterns": [], "ignore": []}
    required: list[set[str] | None] = []
    broken = False
    no_parser = ""  # why keywords cannot be read off patterns here, if they cannot
    for field in ("patterns", "ignore"):
        for i, text in enumerate(getattr(spec, field)):
            try:
                pattern = regex.compile(text, PATTERN_FLAGS)
            except regex.error as exc:
                problems.add((field, i), f"{field}[{i}] does not compile: {_why(exc)}")
                broken = True
                continue
            compiled[field].append(pattern)
            try:
                tree = parse(text)
            except LookupError as exc:  # no stdlib parser on this Python
                tree, no_parser = None, str(exc)
            except Exception:  # noqa: BLE001  boundary: regex-only syntax the stdlib parser lacks
                tree = None
            if tree is not None and nested_quantifier(tree):
                problems.add(
                    (field, i),
                    f"{field}[{i}] has a repeat inside a repeat (like (a+)+), which "
                    "can "
                    "backtrack catastrophically; rewrite it without the nesting",
                )
            if field == "patterns":
                required.append(required_literals(tree) if tree is not None else None)
    groups = {name for p in compiled["patterns"] for name in p.groupindex}
    for i, entry in enumerate(spec.key):
        if entry not in groups and entry not in RECORD_FIELDS:
            problems.add(
                ("key", i),
                f"key entry {entry!r} is neither a named group of the patterns "
                f"({', '.join(sorted(groups)) or 'none'}) nor a record field "
                f"({', '.join(RECORD_FIELDS)})",
            )
    keywords: set[bytes] = set()
    if spec.keywords:
        for word in spec.keywords:
            if len(word) < MIN_KEYWORD_CHARS:
                problems.add(
                    ("keywords",),
                    f"keyword {word!r} is shorter than {MIN_KEYWORD_CHARS}",
                )
            keywords |= keyword_variants(word)
    else:
        for i, req in enumerate(required):
            if req is None and no_parser:
                problems.add(("patterns", i), f"patterns[{i}]: {no_parser}")
            elif req is None:
                problems.add(
                    ("patterns", i),
                    f"patterns[{i}] has no literal text of {MIN_KEYWORD_CHARS}+ "
                    "characters "
                    "that every match contains; list some under `keywords:`",
                )
            else:
                for word in req:
                    keywords |= keyword_variants(word)
    rule = Rule(
        id=spec.id,
        severity=spec.severity,
        codes=tuple(spec.codes),
        title=spec.title.model_dump(),
        remedy=spec.remedy.model_dump(),
        patterns=tuple(compiled["patterns"]),
        ignore=tuple(compiled["ignore"]),
        key=tuple(spec.key),
        keywords=tuple(sorted(keywords)),
        tags=tuple(spec.tags),
        link=spec.link,
        samples=tuple(spec.samples),
        near_misses=tuple(spec.near_misses),
        source=source,
        line=line,
        window_s=spec.window,
        reminder_windows=spec.reminder,
        mutes=tuple(spec.mutes),
        mute_for_s=spec.mute_for,
        exchange=spec.id.split(".", 1)[0] if "." in spec.id else "",
        expect_s=spec.expect,
        at_least=(spec.at_least.count, spec.at_least.within) if spec.at_least else None,
        bounded=all(bounded_work(text) for text in (*spec.patterns, *spec.ignore)),
    )
    if not broken and rule.keywords:
        _check_samples(rule, problems)
    return None if problems.errors else rule


def _check_samples(rule: Rule, problems: _Problems) -> None:
    hit_by: set[int] = set()
    for i, sample in enumerate(rule.samples):
        text = sample_record(sample).text
        try:
            matched = [
                j for j, p in enumerate(rule.patterns) if p.search(text, timeout=1.0)
            ]
            vetoed = any(p.search(text, timeout=1.0) for p in rule.ignore)
        except TimeoutError:
            problems.add(("samples", i), f"samples[{i}] took over 1 s to match")
            continue
        if not matched or vetoed:
            why = "an ignore pattern vetoes it" if matched else "no pattern matches it"
            problems.add(("samples", i), f"samples[{i}] does not match: {why}")
        elif not rule.prefiltered(sample):
            problems.add(
                ("samples", i),
                f"samples[{i}] matches but holds none of the keywords "
                f"{sorted(k.decode() for k in rule.keywords)}; fix `keywords:`",
            )
        hit_by.update(matched)
    for j in range(len(rule.patterns)):
        if j not in hit_by:
            problems.add(("patterns", j), f"patterns[{j}] matches none of the samples")
    for i, miss in enumerate(rule.near_misses):
        try:
            hit = rule.prefiltered(miss) and rule.match(sample_record(miss).text, 1.0)
        except TimeoutError:
            problems.add(("near_misses", i), f"near_misses[{i}] took over 1 s to match")
            continue
        if hit:
            problems.add(("near_misses", i), f"near_misses[{i}] matches, but must not")


def parse_rules(doc: Document) -> tuple[list[Rule], list[ConfigError]]:
    """The rules in a YAML document, and every problem found in it."""
    from pydantic import ValidationError

    from logwatch.rulespec import RuleSpec
    from logwatch.yamlfile import describe

    source, data = doc.source, doc.data
    if data is None:
        return [], [
            ConfigError(source, 1, "empty file: expected a top-level `rules:` list")
        ]
    if not isinstance(data, dict):
        return [], [
            ConfigError(source, 1, "expected a mapping with a top-level `rules:` list")
        ]
    errors: list[ConfigError] = []
    for key in data:
        if key != "rules":
            errors.append(
                ConfigError(source, doc.line_of((key,)), f"unknown key {key!r}")
            )
    items = data.get("rules")
    if not isinstance(items, list):
        errors.append(
            ConfigError(
                source, doc.line_of(("rules",)), "`rules:` must be a list of rules"
            )
        )
        return [], errors
    out = []
    for index, item in enumerate(items):
        rule_id = item.get("id") if isinstance(item, dict) else None
        problems = _Problems(
            doc, index, rule_id if isinstance(rule_id, str) else f"#{index + 1}"
        )
        try:
            spec = RuleSpec.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                problems.add(tuple(err["loc"]), describe(err))
            salvaged = _salvage(item, exc)
            if salvaged is None:
                _compile_only(item, problems)
            else:  # check the rest too, so one fix does not reveal the next problem
                _compile(salvaged, problems, source, doc.line_of(("rules", index)))
            errors.extend(problems.errors)
            continue
        rule = _compile(spec, problems, source, doc.line_of(("rules", index)))
        errors.extend(problems.errors)
        if rule is not None:
            out.append(rule)
    errors.sort(key=lambda e: e.line)
    return out, errors


#: Stand-ins for fields that failed validation, so the rest of a rule can be checked.
_STAND_INS: dict[str, object] = {
    "id": "rule",
    "severity": "warning",
    "title": {"en": "-", "ru": "-"},
    "remedy": {"en": "-", "ru": "-"},
}


def _salvage(item: object, exc: ValidationError) -> RuleSpec | None:
    """The rule with its invalid fields replaced or dropped, if its patterns, samples
    and near-misses are valid; else None."""
    from pydantic import ValidationError

    from logwatch.rulespec import RuleSpec

    if not isinstance(item, dict):
        return None
    bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if bad & {"patterns", "samples", "near_misses"}:
        return None
    fixed = {
        k: v for k, v in item.items() if k not in bad and k in RuleSpec.model_fields
    }
    fixed.update({k: v for k, v in _STAND_INS.items() if k in bad})
    try:
        return RuleSpec.model_validate(fixed)
    except ValidationError:
        return None


def _compile_only(item: object, problems: _Problems) -> None:
    """Report patterns that do not compile, in a rule that failed validation."""
    if not isinstance(item, dict):
        return
    for field in ("patterns", "ignore"):
        texts = item.get(field)
        for i, text in enumerate(texts if isinstance(texts, list) else []):
            if isinstance(text, str):
                try:
                    regex.compile(text, PATTERN_FLAGS)
                except regex.error as exc:
                    problems.add(
                        (field, i), f"{field}[{i}] does not compile: {_why(exc)}"
                    )


def rule_files(dirs: Iterable[Path], builtin: bool = True) -> list[Path]:
    """The rule and catalogue files to load, built-in first, each directory's by name.

    Raises:
        InvalidConfig: a directory does not exist.
    """
    files: list[Path] = []
    missing = []
    for directory in ([builtin_rules_dir()] if builtin else []) + list(dirs):
        if not directory.is_dir():
            missing.append(ConfigError(str(directory), 0, "no such rules directory"))
            continue
        # sub-folders too (rules/ccxt/…), each folder's files before its sub-folders'
        files.extend(
            sorted(
                (
                    p
                    for p in directory.rglob("*")
                    if (
                        p.suffix in (".yaml", ".yml")
                        or p.name.endswith(CODES_SUFFIX)
                        or p.name == CLASSES_NAME
                    )
                    and p.is_file()
                ),
                key=lambda p: (len(p.relative_to(directory).parts), p),
            )
        )
    if missing:
        raise InvalidConfig(missing)
    return files


def load_rules(
    dirs: Iterable[Path] = (),
    builtin: bool = True,
    cache: RulesCache | None = None,
    warnings: list[str] | None = None,
) -> RuleSet:
    """Every rule and catalogue entry from the built-in packs and ``dirs``.

    With ``cache`` (``paths.rules_cache``), a rule set loaded before from the very
    same files by the very same code is read from its folder instead, when signed
    with the user's key in its ``key_file`` (see ``_Cache``). A cache that was refused,
    or that cannot be used for want of a key, is named in ``warnings``.

    Raises:
        InvalidConfig: with every problem in every file, duplicate ids included.
    """
    dirs = list(dirs)
    # thousands of small objects and no cycles: collecting while they are made only
    # costs time (a third of the load at start-up)
    enabled = gc.isenabled()
    gc.disable()
    kept = None
    try:
        if cache is not None:
            kept = _Cache.of(cache.folder, cache.key_file, dirs, builtin)
        cached = kept.read() if kept is not None else None
        if cached is not None:
            return cached
        ruleset = _load_rules(dirs, builtin)
        if kept is not None:
            kept.write(ruleset)
        return ruleset
    finally:
        if kept is not None and kept.warning and warnings is not None:
            warnings.append(kept.warning)
        if enabled:
            gc.enable()


def _own_code() -> list[Path]:
    """logwatch's own source files: the rules cache's key holds them."""
    return sorted(Path(__file__).parent.glob("*.py"))


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
        _Untrusted: it is a link or someone else's.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if NOFOLLOW and path.is_symlink():  # ELOOP: a link planted in its place
            raise _Untrusted(f"{path}: a symbolic link") from exc
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise _Untrusted(f"{path}: not a regular file")
        _own(st, path, private)
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


class _Cache:
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
        cls, cache_dir: Path, key_file: Path, dirs: list[Path], builtin: bool
    ) -> _Cache | None:
        """The cache of these directories, or None when an input cannot be read."""
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
            files = rule_files(dirs, builtin)
            for path in (*code, *files):
                body = path.read_bytes()
                digest.update(os.fsencode(path) + f"\0{len(body)}\0".encode())
                digest.update(body)
        except (OSError, InvalidConfig):
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


def _load_rules(dirs: Iterable[Path], builtin: bool) -> RuleSet:
    """The work of ``load_rules``, done while the collector is paused."""
    from logwatch import cataloguefile as cat
    from logwatch.yamlfile import load_yaml

    rules: list[Rule] = []
    errors: list[ConfigError] = []
    parts = cat.Parts()
    rows: list[cat.Row] = []
    shipped = builtin_rules_dir()
    builtin_sources: set[str] = set()
    for path in rule_files(dirs, builtin):
        if builtin and shipped in path.parents:
            builtin_sources.add(str(path))
        if path.name == CLASSES_NAME:
            try:
                errors.extend(cat.parse_classes(cat.read_text(path), str(path), parts))
            except ConfigError as exc:
                errors.append(exc)
            continue
        if path.name.endswith(CODES_SUFFIX):
            try:
                text = cat.read_text(path)
            except ConfigError as exc:
                errors.append(exc)
                continue
            found_rows, problems = cat.parse_codes(
                text, str(path), cat.exchange_of(path.name)
            )
            rows.extend(found_rows)
            errors.extend(problems)
            continue
        try:
            doc, problems = load_yaml(path)
        except ConfigError as exc:
            errors.append(exc)
            continue
        errors.extend(problems)
        if cat.is_catalogue(doc):
            errors.extend(cat.parse_catalogue_yaml(doc, parts))
            continue
        found, problems = parse_rules(doc)
        errors.extend(problems)
        rules.extend(found)
    catalogue, problems = cat.assemble(
        parts, rows, {r.id for r in rules}, builtin_sources
    )
    errors.extend(problems)
    rules.extend(cat.catalogue_rules(catalogue, {r.id for r in rules}))
    rules.append(UNMATCHED)
    ids = {rule.id for rule in rules}
    for rule in rules:
        for target in rule.mutes:
            if target not in ids:
                errors.append(
                    RuleError(
                        rule.source,
                        rule.line,
                        rule.id,
                        f"mutes unknown rule {target!r}",
                    )
                )
    first: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in first:
            other = first[rule.id]
            errors.append(
                RuleError(
                    rule.source,
                    rule.line,
                    rule.id,
                    f"duplicate id: already defined at {other.source}:{other.line}",
                )
            )
        else:
            first[rule.id] = rule
    if errors:
        raise InvalidConfig(errors)
    return RuleSet(tuple(first.values()), catalogue)


#: The catch-all: a record at a source's ``unmatched`` level that no rule recognised.
UNMATCHED = Rule(
    id="logwatch.unmatched",
    severity=Severity.WARNING,
    codes=(),
    title={
        "en": "An error no rule knows yet",
        "ru": "Ошибка, которой нет в правилах",
    },
    remedy={
        "en": "The platform logged an error or warning that logwatch does not know, "
        "shown here in its own words (alerted once per kind of message). Read it and "
        "check the platform; if it matters, write a rule for it in your rules "
        "directory, or add its code to a .codes.csv file.",
        "ru": "Платформа записала ошибку или предупреждение, которых logwatch не "
        "знает; они показаны её собственными словами (одно оповещение на вид "
        "сообщения). Прочитайте его и проверьте платформу; если это важно, напишите "
        "для него правило в своей папке правил или добавьте его код в файл "
        ".codes.csv.",
    },
    patterns=(),
    ignore=(),
    key=(),
    keywords=(),
    tags=("catch-all",),
    link=None,
    samples=(),
    near_misses=(),
    source="logwatch",
    line=0,
    exchange="logwatch",
    category="catch-all",
    message_title=True,
)


def rules_from_text(text: str, source: str = "<rules>") -> RuleSet:
    """Rules parsed from YAML text alone (for tests and tools).

    Raises:
        InvalidConfig: with every problem found.
    """
    from logwatch.yamlfile import parse_yaml

    doc, problems = parse_yaml(text, source)
    rules, errors = parse_rules(doc)
    if problems or errors:
        raise InvalidConfig([*problems, *errors])
    return RuleSet(tuple(rules))
