"""The rules cache (rulecache): the same rules as a load from the files, or a load."""

from __future__ import annotations

import hmac
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import regex

from logwatch.core.errors import InvalidConfig, StateError
from logwatch.core.paths import RulesCache, rules_cache, state_path
from logwatch.core.privatefiles import check_private_dir
from logwatch.match.engine import Engine
from logwatch.rulebook import rulecache, ruleload
from logwatch.rulebook.rulecompile import sample_record
from logwatch.rulebook.ruleload import load_rules
from logwatch.rulebook.rules import RuleSet
from tests.samples import GOOD


def facts(ruleset: RuleSet) -> list[object]:
    """What a rule set is made of, comparable across processes."""
    return [
        (
            r.id,
            r.severity,
            r.codes,
            r.title,
            r.keywords,
            [(p.pattern, p.flags) for p in r.patterns],
            [(p.pattern, p.flags) for p in r.ignore],
            r.key,
            r.category,
            r.exchange,
        )
        for r in ruleset
    ] + [
        sorted(ruleset.catalogue.entries, key=str),  # codes: numbers and names
        [(s.id, s.pattern.pattern, s.keywords) for s in ruleset.catalogue.shapes],
    ]


@pytest.fixture
def user_rules(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir()
    (directory / "mine.yaml").write_text(GOOD, encoding="utf-8")
    return directory


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """The key's place by default: beside the state file, in the state folder."""
    return tmp_path / "state" / "rules-cache.key"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the loads from the files (a load from the cache is not one)."""
    calls: list[int] = []
    real = ruleload._load_rules

    def counted(dirs: list[Path], builtin: bool) -> RuleSet:
        calls.append(1)
        return real(dirs, builtin)

    monkeypatch.setattr(ruleload, "_load_rules", counted)
    return calls


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.pickle"))


def test_a_second_load_comes_from_the_cache_with_the_same_rules(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
) -> None:
    cache = tmp_path / "cache"
    first = load_rules([user_rules], cache=RulesCache(cache, key_file))
    second = load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert loads == [1]
    assert facts(second) == facts(first) == facts(load_rules([user_rules]))
    assert len(cache_files(cache)) == 1


def test_rules_read_back_share_equal_numbers(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
) -> None:
    """Issue 23 (RSS at READY): pickle writes every int and float anew; read back,
    equal line numbers, codes and floats are one object each among the rules kept
    at rest, and within an exchange's pack, whose catalogue keys hold its entries'
    own codes, as its rules do."""
    cache = tmp_path / "cache"
    load_rules(cache=RulesCache(cache, key_file))
    ruleset = load_rules(cache=RulesCache(cache, key_file))
    assert loads == [1]  # the second came from the cache
    assert ruleset.catalogue.packs is not None
    binance = ruleset.catalogue.packs.tables("binance")
    assert binance is not None
    for rules in (ruleset.rules, tuple(binance.rules.values())):
        floats = {id(r.mute_for_s) for r in rules if r.mute_for_s == 1800.0}
        assert len(floats) == 1
        lines: dict[int, set[int]] = {}
        for r in rules:
            lines.setdefault(r.line, set()).add(id(r.line))
        assert len(lines) > 1
        assert all(len(ids) == 1 for ids in lines.values())
    entries = ruleset.catalogue.entries
    coded = [(k, e) for k, e in entries.items() if isinstance(e.code, int)]
    assert len(coded) > 1000
    assert all(k[1] is e.code for k, e in coded)
    packed = binance.rules
    assert all(
        packed[e.rule_id].codes[0] is e.code
        for _, e in coded
        if e.rule_id in packed and packed[e.rule_id].codes == (e.code,)
    )


def test_a_rule_set_read_back_unpacks_an_exchange_only_when_a_line_needs_it(
    tmp_path: Path, key_file: Path, loads: list[int]
) -> None:
    """Issue 23 (RSS at READY): read back, the catalogue's tables and its codes'
    rules stay packed per exchange (a daemon meets a few of ~100) until a line
    needs one exchange's; the set is still the whole one, in its order."""
    cache = tmp_path / "cache"
    loaded = load_rules(cache=RulesCache(cache, key_file))
    ruleset = load_rules(cache=RulesCache(cache, key_file))
    assert loads == [1]
    packs = ruleset.catalogue.packs
    assert packs is not None
    assert len(ruleset.rules) < len(ruleset) / 2  # the rest is packed
    engine = Engine(ruleset)
    assert packs.opened() == []
    line = 'binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'
    (hit,) = engine.match(sample_record(line))
    assert (hit.rule_id, hit.exchange) == ("binance.code-1013", "binance")
    assert packs.opened() == ["binance"]
    rule = ruleset.rule("kraken.code-eorder-insufficient-funds")
    assert rule is not None
    assert rule.codes == ("EOrder:Insufficient funds",)
    assert packs.opened() == ["binance", "kraken"]
    assert ruleset.rule("kraken.no-such-rule") is None
    assert ruleset.by_id.get("binance.code-1013") is not None
    assert len(ruleset) == len(loaded)
    assert [r.id for r in ruleset] == [r.id for r in loaded]
    assert ruleset.tags() == {t for r in loaded for t in r.tags}


def test_a_changed_rule_file_is_loaded_anew_even_with_its_size_and_time(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    cache = tmp_path / "cache"
    path = user_rules / "mine.yaml"
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    before = path.stat()
    path.write_text(GOOD.replace('en: "T"', 'en: "U"'), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    (rule,) = [
        r
        for r in load_rules([user_rules], cache=RulesCache(cache, key_file))
        if r.id == "my.rule"
    ]
    assert rule.title["en"] == "U"


def test_a_new_rule_file_is_loaded_anew(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    cache = tmp_path / "cache"
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    (user_rules / "more.yaml").write_text(
        GOOD.replace("my.rule", "my.other"), encoding="utf-8"
    )
    ids = {r.id for r in load_rules([user_rules], cache=RulesCache(cache, key_file))}
    assert {"my.rule", "my.other"} <= ids


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"garbage",
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # cut: the key holds, the pickle not
        lambda data: data[:-40] + b"\x00" * 40,
        lambda data: data.replace(rulecache.CacheFile.MAGIC, b"logwatch-rules-1\n", 1),
        lambda data: data[:20] + bytes([data[20] ^ 1]) + data[21:],  # another key
        # tampered with (issue 18, item 7)
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # the last byte of the body
        lambda data: data[:60] + bytes([data[60] ^ 1]) + data[61:],  # the signature
        lambda data: data + b".",
    ],
    ids=[
        *("garbage", "empty", "cut", "zeroed-end", "old-format", "other-key"),
        *("body", "signature", "longer"),
    ],
)
def test_a_damaged_old_or_tampered_cache_is_loaded_anew_and_replaced(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int], damage: object
) -> None:
    """Each is refused before a byte is unpickled, said once, and replaced: the
    signature cannot tell a damaged file from a tampered one, so neither does the
    warning."""
    cache = RulesCache(tmp_path / "cache", key_file)
    expected = facts(load_rules([user_rules], cache=cache))
    (path,) = cache_files(cache.folder)
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    warnings: list[str] = []
    assert facts(load_rules([user_rules], cache=cache, warnings=warnings)) == expected
    assert loads == [1, 1]
    assert warnings == [
        f"rules cache not used: {path}: damaged, or not signed with this user's "
        "key; the rules were loaded from their files"
    ]
    # the damaged file was replaced by a good one
    assert facts(load_rules([user_rules], cache=cache)) == expected
    assert loads == [1, 1]


def test_a_cache_of_something_else_than_rules_is_not_used(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
) -> None:
    cache = tmp_path / "cache"
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    (path,) = cache_files(cache)
    head = path.read_bytes()[: len(rulecache.CacheFile.MAGIC) + 32]
    body = pickle.dumps({"rules": []})
    path.write_bytes(
        head + signed(head, body, key_file) + body
    )  # signed: only the type is wrong
    warnings: list[str] = []
    ruleset = load_rules(
        [user_rules], cache=RulesCache(cache, key_file), warnings=warnings
    )
    assert "my.rule" in {r.id for r in ruleset}
    assert loads == [1, 1]
    assert warnings == [
        f"rules cache not used: {path}: holds no rules; "
        "the rules were loaded from their files"
    ]


def signed(head: bytes, body: bytes, key_file: Path) -> bytes:
    """The signature the cache's owner would give ``body`` (with the test's key)."""
    return hmac.digest(key_file.read_bytes(), head + body, "sha256")


@pytest.mark.parametrize("refused", ["cache", "key"])
def test_a_folder_that_cannot_be_written_only_costs_the_cache(
    tmp_path: Path,
    user_rules: Path,
    key_file: Path,
    loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
    refused: str,
) -> None:
    """A read-only cache folder (or a full disk) costs the cache, silently; a key
    folder logwatch may not write in costs it too, with a warning: without a key
    there is no cache. Before: silence (under the system unit, for good)."""
    cache = RulesCache(tmp_path / "cache", key_file)
    folder = {"cache": cache.folder, "key": key_file.parent}[refused]
    real = tempfile.mkstemp

    def refuse(*args: object, dir: object = None, **kwargs: object) -> tuple[int, str]:
        if dir == folder:
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    expected = facts(load_rules([user_rules]))
    warnings: list[str] = []
    for _ in range(2):
        got = load_rules([user_rules], cache=cache, warnings=warnings)
        assert facts(got) == expected
    assert loads == [1, 1, 1]
    assert cache_files(cache.folder) == []
    said = (
        f"rules cache not used: {key_file}: no key to sign it with: Permission "
        "denied; the rules were loaded from their files"
    )
    assert warnings == {"cache": [], "key": [said, said]}[refused]


def test_a_cache_directory_under_a_file_only_costs_the_cache(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cache = tmp_path / "file" / "cache"
    expected = facts(load_rules([user_rules]))
    assert (
        facts(load_rules([user_rules], cache=RulesCache(cache, key_file))) == expected
    )


def test_a_load_with_problems_is_not_cached(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    cache = tmp_path / "cache"
    (user_rules / "bad.yaml").write_text(
        GOOD.replace("my.rule", "my.bad").replace("severity: warning", "severity: x"),
        encoding="utf-8",
    )
    for _ in range(2):
        with pytest.raises(InvalidConfig):
            load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert cache_files(cache) == []


#: One process's loads: each rule set, as loaded, pickled to a file of its own.
LOAD = """
import pickle, sys
from pathlib import Path
from logwatch.core.paths import RulesCache
from logwatch.rulebook.ruleload import load_rules
for i in range(3):
    cache = RulesCache(Path(sys.argv[2]), Path(sys.argv[4]))
    ruleset = load_rules([Path(sys.argv[1])], cache=cache)
    Path(f"{sys.argv[3]}-{i}").write_bytes(pickle.dumps(ruleset))
"""


@pytest.mark.timeout(300)
def test_two_processes_sharing_a_cache_both_get_the_rules(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    cache = tmp_path / "cache"
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD]
            + [str(p) for p in (user_rules, cache, out, key_file)],
            cwd=root,
        )
        for out in (tmp_path / "a", tmp_path / "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    expected = facts(load_rules([user_rules]))
    got = sorted(tmp_path.glob("[ab]-*"))
    assert len(got) == 6
    for path in got:
        ruleset = pickle.loads(path.read_bytes())  # noqa: S301  written just now
        assert facts(ruleset) == expected, path.name
    assert len(cache_files(cache)) == 1
    assert not list(cache.glob("*.tmp"))


def test_the_cache_directory_follows_the_environment(tmp_path: Path) -> None:
    chosen = rules_cache(None, {"LOGWATCH_CACHE_DIR": str(tmp_path)})
    assert chosen is not None
    assert chosen.folder == tmp_path
    assert rules_cache(None, {"LOGWATCH_CACHE_DIR": ""}) is None
    default = rules_cache(None, {})
    assert default is not None
    assert "logwatch" in default.folder.parts


@pytest.mark.parametrize(
    ("state_dir", "env", "expected"),
    [
        (None, {"LOGWATCH_STATE_DIR": "{tmp}/env"}, "{tmp}/env/rules-cache.key"),
        ("{tmp}/own", {"LOGWATCH_STATE_DIR": "{tmp}/env"}, "{tmp}/own/rules-cache.key"),
        ("{tmp}/own", {"LOGWATCH_CACHE_KEY": "{tmp}/k"}, "{tmp}/k"),
        (None, {"LOGWATCH_CACHE_KEY": ""}, "{default}/rules-cache.key"),
        (None, {}, "{default}/rules-cache.key"),
    ],
    ids=["state-dir-variable", "config-state-dir", "key-variable", "empty", "none"],
)
def test_the_key_is_in_the_state_folder_unless_moved(
    tmp_path: Path, state_dir: str | None, env: dict[str, str], expected: str
) -> None:
    """Beside the state file wherever the config or LOGWATCH_STATE_DIR puts it (the
    system unit's state folder is the one it can write), or where LOGWATCH_CACHE_KEY
    says. Before: always the platform's state folder, whatever the state's was."""
    default = str(state_path(None, {}).parent)

    def fill(text: str) -> str:
        return text.format(tmp=tmp_path, default=default)

    cache = rules_cache(
        state_dir and fill(state_dir), {k: fill(v) for k, v in env.items()}
    )
    assert cache is not None
    assert cache.key_file == Path(fill(expected))
    assert cache.key_file.parent != cache.folder


@pytest.mark.timeout(300)
def test_scan_keeps_its_rules_in_the_cache_and_reports_the_same_hits(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026-09-16 10:00:00:000|0|4|Refuse (Binance Futures): "
        "Margin is insufficient. (BTCUSDT)\n",
        encoding="utf-8",
    )
    env = dict(os.environ, LOGWATCH_CACHE_DIR=str(tmp_path / "cache"))
    runs = [
        subprocess.run(
            [sys.executable, "-m", "logwatch", "scan", "--json", str(log)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0]
    assert '"rule": "binance.margin-insufficient"' in runs[0].stdout
    assert runs[1].stdout == runs[0].stdout
    assert len(cache_files(tmp_path / "cache")) == 1


def test_a_rule_set_that_cannot_be_pickled_only_costs_the_cache(
    tmp_path: Path, user_rules: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> bytes:
        raise TypeError("cannot pickle 'function' object")

    monkeypatch.setattr(pickle, "dumps", refuse)
    cache = tmp_path / "cache"
    assert "my.rule" in {
        r.id for r in load_rules([user_rules], cache=RulesCache(cache, key_file))
    }
    assert cache_files(cache) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_a_rules_directory_whose_name_is_not_utf8_is_cached(
    tmp_path: Path, loads: list[int], key_file: Path
) -> None:
    directory = Path(os.fsdecode(os.fsencode(tmp_path) + b"/r\xff"))
    directory.mkdir()
    (directory / "mine.yaml").write_text(GOOD, encoding="utf-8")
    cache = tmp_path / "cache"
    for _ in range(2):
        assert "my.rule" in {
            r.id for r in load_rules([directory], cache=RulesCache(cache, key_file))
        }
    assert loads == [1]


def test_two_versions_in_turn_each_keep_their_cache(
    tmp_path: Path,
    user_rules: Path,
    key_file: Path,
    loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # e.g. logwatch in a venv and another install of it: the key differs (here the
    # regex version stands for any input of the key)
    cache = tmp_path / "cache"
    for version in ["1", "2", "1", "2"]:
        monkeypatch.setattr(regex, "__version__", version)
        load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert loads == [1, 1]
    for version in ["3", "4", "5", "6"]:
        monkeypatch.setattr(regex, "__version__", version)
        load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert len(cache_files(cache)) == rulecache.CacheFile.KEEP
    monkeypatch.setattr(regex, "__version__", "6")
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert len(loads) == 6  # the newest is kept


def test_without_logwatchs_source_files_there_is_no_cache(
    tmp_path: Path,
    user_rules: Path,
    key_file: Path,
    loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a build that ships bytecode only: the key could not tell one version from another
    cache = tmp_path / "cache"
    monkeypatch.setattr(rulecache, "_own_code", list)
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert loads == [1, 1]
    assert cache_files(cache) == []


# -- a cache others could have written (issue 18, item 7) ------------------------------

#: Written by the planted pickle when it is loaded: proof that it ran code.
MARKER = "planted-code-ran"


class Planted:
    """A pickle that runs code when loaded (it writes ``MARKER``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.write_text, (self.marker, MARKER))


def plant(path: Path, payload: object) -> None:
    """Replace the cache file at ``path`` with ``payload``, behind the file's own
    magic and key: both can be computed by anyone who can read the rule files."""
    data = path.read_bytes()
    head = data[: data.index(b"\n") + 1 + 32]
    path.unlink()
    path.write_bytes(head + pickle.dumps(payload))


def test_a_planted_pickle_is_never_loaded(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
) -> None:
    """Before: the file's head was all that was checked, then it was unpickled: the
    planted object ran its code as the reader."""
    cache = tmp_path / "cache"
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    (path,) = cache_files(cache)
    marker = tmp_path / "marker"
    plant(path, Planted(marker))
    warnings: list[str] = []
    ruleset = load_rules(
        [user_rules], cache=RulesCache(cache, key_file), warnings=warnings
    )
    assert not marker.exists()
    assert loads == [1, 1]
    assert "my.rule" in {r.id for r in ruleset}
    assert warnings == [
        f"rules cache not used: {path}: damaged, or not signed with this user's "
        "key; the rules were loaded from their files"
    ]
    load_rules(
        [user_rules], cache=RulesCache(cache, key_file)
    )  # rebuilt: used again, quietly
    assert loads == [1, 1]


def test_a_planted_empty_rule_set_does_not_switch_the_rules_off(
    tmp_path: Path, user_rules: Path, key_file: Path
) -> None:
    """Before: a pickled ``RuleSet(())`` under the computable name was used: no rule
    matched anything, and nothing said so."""
    cache = tmp_path / "cache"
    expected = facts(load_rules([user_rules], cache=RulesCache(cache, key_file)))
    (path,) = cache_files(cache)
    plant(path, RuleSet(()))
    assert (
        facts(load_rules([user_rules], cache=RulesCache(cache, key_file))) == expected
    )


def test_a_cache_signed_with_another_users_key_is_rejected(
    tmp_path: Path, user_rules: Path, loads: list[int]
) -> None:
    """A cache folder shared by two users (LOGWATCH_CACHE_DIR): each signs with a
    key of their own, so one never loads what the other wrote."""
    cache = tmp_path / "cache"
    load_rules([user_rules], cache=RulesCache(cache, tmp_path / "a" / "key"))
    warnings: list[str] = []
    load_rules(
        [user_rules], cache=RulesCache(cache, tmp_path / "b" / "key"), warnings=warnings
    )
    assert loads == [1, 1]
    assert "not signed with this user's key" in warnings[0]


def test_the_key_is_made_once_private_and_away_from_the_cache(
    tmp_path: Path, user_rules: Path
) -> None:
    cache = tmp_path / "cache"
    key_file = tmp_path / "data" / "rules-cache.key"
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    key = key_file.read_bytes()
    assert len(key) == 32
    load_rules([user_rules], cache=RulesCache(cache, key_file))
    assert key_file.read_bytes() == key
    assert not list(cache.glob("*.key"))
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]
    if sys.platform != "win32":  # POSIX modes
        assert key_file.stat().st_mode & 0o777 == 0o600
    default = rules_cache(None, {})
    assert default is not None
    assert default.key_file.name == "rules-cache.key"
    assert default.key_file.parent != default.folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes and owners")
def warned_load(user_rules: Path, cache: Path, key_file: Path) -> list[str]:
    """The warnings of one load of ``user_rules`` through the cache in ``cache``."""
    warnings: list[str] = []
    load_rules([user_rules], cache=RulesCache(cache, key_file), warnings=warnings)
    return warnings


def test_a_folder_planted_as_the_cache_file_is_named_once_and_never_read(
    tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
) -> None:
    """What is not a regular file at the cache file's name is never read, the rules
    come from their files, and the folder is named once per load, on POSIX (the
    folder opens, its file object does not) as on Windows (the folder does not
    open). Before: it was passed over without a word on both (fdopen refused it
    with an OSError, taken for "no cache")."""
    cache = tmp_path / "cache"
    first = load_rules([user_rules], cache=RulesCache(cache, key_file))
    (path,) = cache_files(cache)
    path.unlink()
    path.mkdir()
    (path / "inside").write_bytes(b"")
    warnings: list[str] = []
    again = load_rules(
        [user_rules], cache=RulesCache(cache, key_file), warnings=warnings
    )
    assert warnings == [
        f"rules cache not used: {path}: a folder, not a file; "
        "the rules were loaded from their files"
    ]
    assert loads == [1, 1]
    assert facts(again) == facts(first)
    assert [p.name for p in path.iterdir()] == ["inside"]
    assert list(cache.iterdir()) == [path]  # no temporary file left beside it


#: Folder modes as chmod gives them: on POSIX their owner and group and others bits;
#: on Windows chmod only sets or clears the read-only attribute (a mode without the
#: owner's write bit), and the folders' access rules, which logwatch does not judge,
#: guard them (privatefiles.not_private finds nothing there).
FOLDER_MODES = [0o700, 0o755, 0o750, 0o500, 0o775, 0o770, 0o707, 0o702, 0o1777]


@pytest.mark.parametrize("mode", [m for m in FOLDER_MODES if m != 0o500])
def test_a_key_folder_is_refused_exactly_as_a_state_folder_is(
    tmp_path: Path, user_rules: Path, loads: list[int], mode: int
) -> None:
    """One policy for the state folder, the key's by default (issue 18, item 10):
    refused when others can write it, with the fix named, and left as it is.
    Before: the cache made it 0700, so whether ``run`` refused the state folder
    depended on whether ``scan`` had run first. On Windows neither is refused,
    whatever chmod did, and the folder is left as it is there too."""
    state = tmp_path / "state"
    key_file = state / "rules-cache.key"
    state.mkdir()
    state.chmod(mode)
    before = state.stat().st_mode
    try:
        check_private_dir(state)
    except StateError as exc:
        refused = [
            f"rules cache not used: {exc}; the rules were loaded from their files"
        ]
    else:
        refused = []
    warnings: list[str] = []
    for _ in range(2):
        cache = RulesCache(tmp_path / "cache", key_file)
        load_rules([user_rules], cache=cache, warnings=warnings)
    assert warnings == refused * 2
    assert loads == ([1, 1] if refused else [1])
    assert state.stat().st_mode == before
    assert key_file.exists() is not bool(refused)
    if sys.platform == "win32":
        assert refused == []
    else:
        assert before & 0o7777 == mode


@pytest.mark.parametrize("mode", FOLDER_MODES)
def test_a_cache_folder_is_made_private_exactly_when_a_state_folder_is_refused(
    tmp_path: Path, user_rules: Path, mode: int
) -> None:
    """Two policies, one question (``privatefiles.not_private``): a folder of
    the user's own is tightened by the cache where the state refuses it. On Windows
    neither is refused, and the folder is left as it is."""
    state, cache = tmp_path / "state", tmp_path / "cache"
    for folder in (state, cache):
        folder.mkdir()
        folder.chmod(mode)
    before = cache.stat().st_mode
    try:
        check_private_dir(state)
    except StateError:
        refused = True
    else:
        refused = False
    load_rules([user_rules], cache=RulesCache(cache, tmp_path / "keys" / "key"))
    if sys.platform == "win32":
        assert not refused
        assert cache.stat().st_mode == before
    else:
        assert cache.stat().st_mode & 0o7777 == (0o700 if refused else mode)


@pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX modes, owners, links and fifos"
)
class TestOwnership:
    """Only this user's files, in a folder no one else can write, are read."""

    def test_a_cache_folder_others_can_write_is_not_read_then_made_private(
        self, tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
    ) -> None:
        cache = tmp_path / "cache"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        cache.chmod(0o777)
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert warnings == [
            f"rules cache not used: {cache}: writable by others (mode 777); "
            "the rules were loaded from their files"
        ]
        assert cache.stat().st_mode & 0o777 == 0o700  # it is this user's own
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        assert loads == [1, 1]

    def test_a_new_cache_folder_is_private_whatever_the_umask(
        self, tmp_path: Path, user_rules: Path, key_file: Path
    ) -> None:
        old = os.umask(0o002)
        try:
            load_rules(
                [user_rules], cache=RulesCache(tmp_path / "c" / "cache", key_file)
            )
        finally:
            os.umask(old)
        assert (tmp_path / "c" / "cache").stat().st_mode & 0o777 == 0o700

    def test_a_cache_file_others_can_write_is_not_read(
        self, tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
    ) -> None:
        cache = tmp_path / "cache"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        (path,) = cache_files(cache)
        path.chmod(0o666)
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert "writable by others (mode 666)" in warnings[0]

    def test_a_link_planted_as_the_cache_file_is_not_followed(
        self, tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
    ) -> None:
        cache = tmp_path / "cache"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        (path,) = cache_files(cache)
        elsewhere = tmp_path / "elsewhere.pickle"
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert warnings[0].startswith(f"rules cache not used: {path}: a symbolic link")

    def test_a_fifo_planted_as_the_cache_file_neither_blocks_nor_is_read(
        self, tmp_path: Path, user_rules: Path, key_file: Path, loads: list[int]
    ) -> None:
        cache = tmp_path / "cache"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        (path,) = cache_files(cache)
        path.unlink()
        os.mkfifo(path)  # type: ignore[attr-defined,unused-ignore]
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert warnings[0].startswith(f"rules cache not used: {path}: not a regular")

    def test_a_key_others_can_read_is_refused(
        self, tmp_path: Path, user_rules: Path, loads: list[int]
    ) -> None:
        cache, key_file = tmp_path / "cache", tmp_path / "data" / "key"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        key_file.chmod(0o644)
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert warnings == [
            f"rules cache not used: {key_file}: readable by others (mode 644); "
            "the rules were loaded from their files"
        ]

    @pytest.mark.parametrize("what", ["file", "folder", "key"])
    def test_what_another_user_owns_is_refused(
        self, tmp_path: Path, user_rules: Path, loads: list[int], what: str
    ) -> None:
        """``sudo`` keeping HOME: root reading the user's cache (here the other user
        is ``nobody``; only root can give a file away)."""
        if os.geteuid() != 0:  # type: ignore[attr-defined,unused-ignore]
            pytest.skip("only root can give a file to another user")
        cache, key_file = tmp_path / "cache", tmp_path / "data" / "key"
        load_rules([user_rules], cache=RulesCache(cache, key_file))
        (path,) = cache_files(cache)
        owned = {"file": path, "folder": cache, "key": key_file}[what]
        os.chown(owned, 65534, 65534)  # type: ignore[attr-defined,unused-ignore]
        warnings = warned_load(user_rules, cache, key_file)
        assert loads == [1, 1]
        assert warnings == [
            f"rules cache not used: {owned}: owned by user 65534, not by this "
            "user; the rules were loaded from their files"
        ]


@pytest.mark.timeout(300)
def test_scan_never_runs_a_planted_cache_and_says_so(tmp_path: Path) -> None:
    """The whole path, in a real process: ``LOGWATCH_CACHE_DIR`` shared, a pickle
    planted under the name ``scan`` computes."""
    log = tmp_path / "app.log"
    log.write_text(
        "2026-09-16 10:00:00:000|0|4|Refuse (Binance Futures): "
        "Margin is insufficient. (BTCUSDT)\n",
        encoding="utf-8",
    )
    env = dict(os.environ, LOGWATCH_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "logwatch", "scan", "--json", str(log)]

    def scan() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=tmp_path,
            check=False,
        )

    first = scan()
    (path,) = cache_files(tmp_path / "cache")
    marker = tmp_path / "marker"
    plant(path, Planted(marker))
    second = scan()
    assert not marker.exists()
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert '"rule": "binance.margin-insufficient"' in second.stdout
    assert second.stderr.count("rules cache not used") == 1
    assert "rules cache" not in scan().stderr  # rebuilt


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_check_shows_a_refused_cache_with_the_configs_warnings(tmp_path: Path) -> None:
    """``run`` and ``check`` build their rules through the config (wiring)."""
    from click.testing import CliRunner

    from logwatch.app.cli import cli

    config = tmp_path / "c.yaml"
    config.write_text(f"state_dir: {tmp_path / 'state'}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    env = {"LOGWATCH_CACHE_DIR": str(cache)}
    runner = CliRunner()
    first = runner.invoke(cli, ["check", "--config", str(config)], env=env)
    assert first.exit_code == 0, first.output
    cache.chmod(0o770)
    result = runner.invoke(cli, ["check", "--config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    assert (
        f"logwatch: rules cache not used: {cache}: writable by others (mode 770)"
        in result.output
    )


# -- the key in the state folder it is given (issue 18 review, items 1 and 2) ----------

MARGIN_LINE = (
    "2026-09-16 10:00:00:000|0|4|Refuse (Binance Futures): "
    "Margin is insufficient. (BTCUSDT)\n"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own, for this process and the ``logwatch`` it starts;
    the key goes where the code puts it (no LOGWATCH_CACHE_KEY)."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("HOME", "USERPROFILE"):
        monkeypatch.setenv(name, str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LOGWATCH_CACHE_KEY")
    monkeypatch.setenv("LOGWATCH_CACHE_DIR", str(tmp_path / "cache"))
    return home


def logwatch(
    tmp_path: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """A real ``logwatch`` (this environment); one that does not stop by itself
    within ``timeout`` is stopped and given returncode None."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "logwatch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return subprocess.CompletedProcess(proc.args, None, out, err)  # type: ignore[arg-type]
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def scan_once(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "app.log"
    log.write_text(MARGIN_LINE, encoding="utf-8")
    return logwatch(tmp_path, "scan", "--json", str(log))


def keys_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("rules-cache.key"))


@pytest.mark.parametrize("given_by", ["variable", "config"])
def test_the_key_is_kept_in_the_state_folder_logwatch_is_given(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch, given_by: str
) -> None:
    """The system unit's LOGWATCH_STATE_DIR (or a config's state_dir) is the folder
    logwatch may write: the key goes there, and the cache is used on the next run.
    Before: the key always went to the platform's state folder under HOME, which
    the system unit cannot write, and the cache was silently off there."""
    state = tmp_path / "state"
    if given_by == "variable":
        monkeypatch.setenv("LOGWATCH_STATE_DIR", str(state))
        command = ["scan", "--json", str(tmp_path / "app.log")]
    else:
        config = tmp_path / "c.yaml"
        config.write_text(f"state_dir: {state}\n", encoding="utf-8")
        command = ["check", "--config", str(config)]
    (tmp_path / "app.log").write_text(MARGIN_LINE, encoding="utf-8")
    first = logwatch(tmp_path, *command)
    assert first.returncode == 0, first.stderr
    assert keys_in(state) == [state / "rules-cache.key"]
    assert keys_in(home) == []
    (cache,) = cache_files(tmp_path / "cache")
    written = cache.stat()
    second = logwatch(tmp_path, *command)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert "rules cache" not in first.stderr + second.stderr
    # read, not rewritten: a cache that is not used is loaded anew and replaced
    assert cache_files(tmp_path / "cache") == [cache]
    assert (cache.stat().st_ino, cache.stat().st_mtime_ns) == (
        written.st_ino,
        written.st_mtime_ns,
    )


def test_scan_says_once_that_there_is_no_key_to_sign_the_cache_with(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state folder that cannot be made (here: under a file, which stops root
    too): the cache is off, and scan says so. Before: silence."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    state = tmp_path / "file" / "state"
    monkeypatch.setenv("LOGWATCH_STATE_DIR", str(state))
    for _ in range(2):
        run = scan_once(tmp_path)
        assert run.returncode == 0, run.stderr
        assert '"rule": "binance.margin-insufficient"' in run.stdout
        assert run.stderr.count("logwatch: rules cache not used:") == 1, run.stderr
        assert f"rules cache not used: {state}" in run.stderr  # the key's folder
    assert cache_files(tmp_path / "cache") == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("order", [("scan", "run"), ("run", "scan")])
def test_one_policy_for_the_state_folder_whichever_command_runs_first(
    tmp_path: Path, home: Path, order: tuple[str, str]
) -> None:
    """The default state folder, left open to the group by a umask of 002: ``run``
    refuses it, naming the fix; ``scan`` then keeps the cache off with the same
    words, and leaves the folder as it is. Before: a ``scan`` first made it 0700
    and ``run`` started; a ``run`` first was refused."""
    state = state_path(None, {}).parent  # under the test's home
    assert home in state.parents
    state.mkdir(parents=True)
    state.chmod(0o775)
    refusal = f"{state}: refusing this state folder: others can write it (mode 775)"
    seen: dict[str, object] = {}
    for command in order:
        if command == "scan":
            done = scan_once(tmp_path)
            assert done.returncode == 0, done.stderr
            seen[command] = (
                done.stderr.count("rules cache not used:"),
                f"logwatch: rules cache not used: {refusal}" in done.stderr,
            )
        else:  # one that is not refused runs until stopped
            done = logwatch(tmp_path, "run", timeout=60)
            seen[command] = (done.returncode, refusal in done.stderr)
        seen[f"mode after {command}"] = state.stat().st_mode & 0o7777
    assert seen == {
        "scan": (1, True),
        "run": (1, True),
        "mode after scan": 0o775,
        "mode after run": 0o775,
    }
    assert keys_in(home) == []
