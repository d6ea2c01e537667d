"""The catalogue as the rules cache keeps it: each exchange's tables (its entries,
texts, templates and broad rows) packed apart and unpacked when a line first needs
that exchange's; and equal values read back one object. Pure: no I/O.

A daemon meets a few exchanges, not the catalogue's hundred: ~7,500 entries held at rest
were ~3 MB of its memory for tables most of it never reads.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from logwatch.core.model import Code

# (below ``catalogue`` and ``rules``, which import this: their types are ``Any``
# here: _Entry is ``catalogue.Entry``, _Rule ``rules.Rule``, _Category
# ``catalogue.Category``.)
_Entry = Any
_Rule = Any
_Category = Any

#: one object for equal numbers read back from the rules cache, while it is read:
#: pickle writes each int and float anew (~30,000: line numbers, codes, mute_for_s)
_INTS: dict[int, int] = {}
_FLOATS: dict[float, float] = {}


def restore(obj: object, slots: Sequence[Any], state: Sequence[Any]) -> None:
    """Set a frozen slotted object's fields (``slots``: their descriptors) from its
    pickled ``state``, equal numbers, also in a tuple of codes, one object each."""
    ints, floats = _INTS, _FLOATS
    for slot, value in zip(slots, state, strict=True):
        kind = type(value)
        if kind is int:
            value = ints.setdefault(value, value)
        elif kind is float:
            value = floats.setdefault(value, value)
        elif kind is tuple and value and type(value[0]) is int:
            value = tuple(ints.setdefault(v, v) if type(v) is int else v for v in value)
        slot.__set__(obj, value)


def restored() -> None:
    """Forget the numbers ``restore`` shared: a load of the cache is over."""
    _INTS.clear()
    _FLOATS.clear()


def same_code(code: Code) -> Code:
    """``code``, or the equal int ``restore`` read back before in this load."""
    return _INTS.get(code, code) if type(code) is int else code


#: one tuple for equal ones: ~10,000 rows and rules hold a few dozen distinct markets
#: and tags (the rules cache keeps them shared: pickle writes an object once)
_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def shared(values: tuple[str, ...]) -> tuple[str, ...]:
    """``values``, or an equal tuple made before: one object for equal ones."""
    return _SHARED.setdefault(values, values)


class Tables(NamedTuple):
    """One exchange's tables (see ``Catalogue``)."""

    entries: dict[tuple[str, Code], _Entry]
    texts: dict[tuple[str, str], _Entry]
    templates: tuple[tuple[str, _Entry], ...]
    broad: tuple[tuple[str, _Entry], ...]
    #: its entries' rules, by id in their order (``rules.RuleSet`` packs them here)
    rules: dict[str, _Rule]


def by_exchange(
    entries: Mapping[tuple[str, Code], _Entry],
    texts: Mapping[tuple[str, str], _Entry],
    templates: Mapping[str, tuple[tuple[str, _Entry], ...]],
    broad: Mapping[str, tuple[tuple[str, _Entry], ...]],
) -> dict[str, Tables]:
    """The catalogue's four tables, split by exchange."""
    out: dict[str, Tables] = {}

    def of(exchange: str) -> Tables:
        got = out.get(exchange)
        if got is None:
            got = out[exchange] = Tables({}, {}, (), (), {})
        return got

    for key, entry in entries.items():
        of(key[0]).entries[key] = entry
    for text_key, entry in texts.items():
        of(text_key[0]).texts[text_key] = entry
    for exchange, rows in templates.items():
        out[exchange] = of(exchange)._replace(templates=rows)
    for exchange, rows in broad.items():
        out[exchange] = of(exchange)._replace(broad=rows)
    return out


def agreed_categories(entries: Iterable[_Entry]) -> dict[Code, str]:
    """Each code two tables at least have, all with the same category (of the rows
    that raise something), and that category."""
    by_code: dict[Code, list[_Entry]] = {}
    for entry in entries:
        if entry.code is not None:
            by_code.setdefault(entry.code, []).append(entry)
    agreed = {}
    for code, found in by_code.items():
        categories = {e.category for e in found if e.rule_id is not None}
        if len(found) >= 2 and len(categories) == 1:
            agreed[code] = categories.pop()
    return agreed


def _shared_dicts(categories: Mapping[str, _Category]) -> dict[str, Any]:
    """The categories' titles and remedies by a name of their own: a pack refers to
    them (its entries' titles and remedies are theirs) instead of holding copies."""
    named: dict[str, Any] = {}
    for name, category in categories.items():
        named[f"title:{name}"] = category.title
        if category.remedy is not None:
            named[f"remedy:{name}"] = category.remedy
    return named


class _Packer(pickle.Pickler):
    def __init__(self, out: io.BytesIO, names: dict[int, str]) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names

    def persistent_id(self, obj: Any) -> str | None:
        return self._names.get(id(obj))


class _Unpacker(pickle.Unpickler):
    def __init__(self, data: io.BytesIO, named: dict[str, Any]) -> None:
        super().__init__(data)
        self._named = named

    def persistent_load(self, pid: Any) -> Any:
        return self._named[pid]


def pack(
    tables: Mapping[str, Tables], categories: Mapping[str, _Category]
) -> dict[str, bytes]:
    """Each exchange's tables as a compressed pickle that refers to ``categories``."""
    names = {id(obj): name for name, obj in _shared_dicts(categories).items()}
    packed = {}
    for exchange, found in tables.items():
        out = io.BytesIO()
        _Packer(out, names).dump(tuple(found))
        packed[exchange] = zlib.compress(out.getvalue())
    return packed


class Packs:
    """Each exchange's tables, unpacked when first asked for and then kept."""

    __slots__ = ("_named", "_open", "_packed", "sizes")

    def __init__(
        self,
        packed: dict[str, bytes],
        categories: Mapping[str, _Category],
        sizes: Mapping[str, int],
    ) -> None:
        self._packed = packed
        self._open: dict[str, Tables] = {}
        self._named = _shared_dicts(categories)
        #: by table: how many entries, texts, exchanges with templates or broad rows
        self.sizes = sizes

    def tables(self, exchange: str) -> Tables | None:
        """The tables of ``exchange`` (None: it has none)."""
        got = self._open.get(exchange)
        if got is None:
            data = self._packed.get(exchange)
            if data is None:
                return None
            try:
                found: tuple[Any, ...] = _Unpacker(
                    io.BytesIO(zlib.decompress(data)), self._named
                ).load()
                # the keys' codes: the entries' own objects (pickle writes them anew)
                entries = {(k[0], same_code(k[1])): e for k, e in found[0].items()}
            except Exception as exc:  # noqa: BLE001  never in the matching thread
                # the cache's body is signed, so only a defect gets here: that
                # exchange goes unrecognised, said once, the rest goes on
                import structlog  # not at import: `scan` starts without it

                self._packed.pop(exchange, None)
                structlog.get_logger("logwatch.rules").error(
                    "rules_cache_pack_unreadable",
                    exchange=exchange,
                    error=f"{type(exc).__name__}: {exc}",
                    fix="delete the rules cache folder; the next start rebuilds it",
                )
                return None
            finally:
                restored()
            # two threads may unpack one exchange at once: the first kept wins
            got = self._open.setdefault(exchange, Tables(entries, *found[1:]))
        return got

    def opened(self) -> list[str]:
        """The exchanges whose tables were unpacked, in that order."""
        return list(self._open)

    def every(self) -> Iterator[tuple[str, Tables]]:
        """Every exchange and its tables (all of them unpacked)."""
        for exchange in self._packed:
            got = self.tables(exchange)
            if got is not None:
                yield exchange, got


class Keyed(Mapping[tuple[str, Any], _Entry]):
    """``Catalogue.entries`` or ``texts`` over packs: keyed by (exchange, …)."""

    __slots__ = ("_field", "_packs")

    def __init__(self, packs: Packs, field: str) -> None:
        self._packs, self._field = packs, field

    def __getitem__(self, key: tuple[str, Any]) -> _Entry:
        found = self._packs.tables(key[0])
        if found is None:
            raise KeyError(key)
        table: Mapping[tuple[str, Any], _Entry] = getattr(found, self._field)
        return table[key]

    def get(self, key: tuple[str, Any], default: Any = None) -> Any:
        found = self._packs.tables(key[0])
        if found is None:
            return default
        table: Mapping[tuple[str, Any], _Entry] = getattr(found, self._field)
        return table.get(key, default)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for _, found in self._packs.every():
            yield from getattr(found, self._field)

    def __len__(self) -> int:
        return self._packs.sizes[self._field]


class PerExchange(Mapping[str, tuple[tuple[str, _Entry], ...]]):
    """``Catalogue.templates`` or ``broad`` over packs: rows by exchange."""

    __slots__ = ("_field", "_packs")

    def __init__(self, packs: Packs, field: str) -> None:
        self._packs, self._field = packs, field

    def __getitem__(self, exchange: str) -> tuple[tuple[str, _Entry], ...]:
        found = self._packs.tables(exchange)
        rows: tuple[tuple[str, _Entry], ...] = getattr(found, self._field, ())
        if not rows:
            raise KeyError(exchange)
        return rows

    def __iter__(self) -> Iterator[str]:
        for exchange, found in self._packs.every():
            if getattr(found, self._field):
                yield exchange

    def __len__(self) -> int:
        return self._packs.sizes[self._field]
