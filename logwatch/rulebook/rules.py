"""Rules: the compiled Rule the engine runs, and the RuleSet a load gives.

The pure rule model. Rules are written in YAML (``rulespec``), compiled and checked
by ``rulecompile``, read from their folders with the catalogue by ``ruleload``, and
kept between runs by ``rulecache``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import regex

from logwatch.core.model import Code, Severity
from logwatch.rulebook.catalogue import Catalogue
from logwatch.rulebook.cataloguepacks import restore

#: What a rule id looks like: ``binance.invalid-api-key``.
ID_PATTERN = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"

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

    def __setstate__(self, state: Sequence[Any]) -> None:
        restore(self, _RULE_SLOTS, state)

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


_RULE_SLOTS = tuple(getattr(Rule, f.name) for f in fields(Rule))
_DEFAULT_MUTE_FOR_S = next(f.default for f in fields(Rule) if f.name == "mute_for_s")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules in the order they are tried: built-in packs, then the user's, by name.

    Read back from the rules cache, ``rules`` holds only the rules kept at rest: the
    rules of the catalogue's codes and texts (~7,500, each with the default policy)
    stay in their exchange's pack (``cataloguepacks``) until ``rule`` asks for one
    of them or the set is iterated; ``_order`` says where they stand.
    """

    rules: tuple[Rule, ...]
    catalogue: Catalogue = field(default_factory=Catalogue)
    #: read back: runs of (exchange, how many of its packed rules; "": of ``rules``)
    _order: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)
    #: read back: the tags of the packed rules
    _tags: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _by_id: dict[str, Rule] | None = field(default=None, compare=False, repr=False)

    def __iter__(self) -> Iterator[Rule]:
        if not self._order:
            return iter(self.rules)
        return self._in_order()

    def _in_order(self) -> Iterator[Rule]:
        kept = iter(self.rules)
        packed: dict[str, Iterator[Rule]] = {}
        for exchange, count in self._order:
            if exchange:
                if exchange not in packed:
                    packed[exchange] = iter(self._packed(exchange).values())
                yield from itertools.islice(packed[exchange], count)
            else:
                yield from itertools.islice(kept, count)

    def _packed(self, exchange: str) -> dict[str, Rule]:
        packs = self.catalogue.packs
        tables = packs.tables(exchange) if packs is not None else None
        return tables.rules if tables is not None else {}

    def __len__(self) -> int:
        if not self._order:
            return len(self.rules)
        return sum(count for _, count in self._order)

    def rule(self, rule_id: str) -> Rule | None:
        """The rule of that id (None: there is none)."""
        by_id = self._by_id
        if by_id is None:
            by_id = {rule.id: rule for rule in self.rules}
            object.__setattr__(self, "_by_id", by_id)
        found = by_id.get(rule_id)
        if found is None and self._order:
            found = self._packed(rule_id.split(".", 1)[0]).get(rule_id)
        return found

    @property
    def by_id(self) -> Mapping[str, Rule]:
        """The rules by id, the packed ones unpacked when asked for."""
        return _ById(self)

    def tags(self) -> set[str]:
        """Every rule's tags."""
        return {tag for rule in self.rules for tag in rule.tags} | self._tags

    def summary(self) -> str:
        """``26 rules, 2102 catalogue codes in 14 shapes``."""
        handwritten = sum(1 for r in self.rules if not r.category)
        return (
            f"{handwritten} rules, {len(self.catalogue)} catalogue codes in "
            f"{len(self.catalogue.shapes)} shapes"
        )

    def __getstate__(self) -> tuple[Any, ...]:
        """As the rules cache keeps it: the rules of the catalogue's entries in their
        exchange's pack (see ``_packable``), the rest and their order here."""
        packed: dict[str, dict[str, Rule]] = {}
        kept: list[Rule] = []
        order: list[tuple[str, int]] = []
        for rule in self:
            exchange = rule.exchange if _packable(rule, self.catalogue) else ""
            if exchange:
                packed.setdefault(exchange, {})[rule.id] = rule
            else:
                kept.append(rule)
            if order and order[-1][0] == exchange:
                order[-1] = (exchange, order[-1][1] + 1)
            else:
                order.append((exchange, 1))
        tags = {t for rules in packed.values() for r in rules.values() for t in r.tags}
        return (tuple(kept), self.catalogue.packed(packed), tuple(order), tags)

    def __setstate__(self, state: Sequence[Any]) -> None:
        kept, packed, order, tags = state
        catalogue = Catalogue.__new__(Catalogue)
        catalogue.__setstate__(packed)
        for name, value in (
            ("rules", kept),
            ("catalogue", catalogue),
            ("_order", order),
            ("_tags", frozenset(tags)),
            ("_by_id", None),
        ):
            object.__setattr__(self, name, value)


def _packable(rule: Rule, catalogue: Catalogue) -> bool:
    """Whether ``rule`` is one of a catalogue entry's (a code's or a text's), with
    nothing of its own a deduper needs (its policy is the default's: no window,
    reminder, mutes or threshold of its own), and its id starts with its exchange's
    and a dot (``rule`` finds it by what comes before the first dot)."""
    return (
        bool(rule.category)
        and rule.source != "catalogue"
        and rule.exchange in catalogue.exchanges
        and "." not in rule.exchange
        and rule.id.startswith(f"{rule.exchange}.")
        and not rule.patterns
        and rule.window_s is None
        and rule.reminder_windows == 0
        and not rule.mutes
        and rule.mute_for_s == _DEFAULT_MUTE_FOR_S
        and rule.at_least is None
        and rule.expect_s is None
    )


class _ById(Mapping[str, Rule]):
    """``RuleSet.by_id``."""

    __slots__ = ("_rules",)

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules

    def __getitem__(self, rule_id: str) -> Rule:
        found = self._rules.rule(rule_id)
        if found is None:
            raise KeyError(rule_id)
        return found

    def get(self, rule_id: str, default: Any = None) -> Any:
        found = self._rules.rule(rule_id)
        return default if found is None else found

    def __iter__(self) -> Iterator[str]:
        return (rule.id for rule in self._rules)

    def __len__(self) -> int:
        return len(self._rules)


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
