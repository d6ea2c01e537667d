"""Rules: the compiled Rule the engine runs, and the RuleSet a load gives.

The pure rule model. Rules are written in YAML (``rulespec``), compiled and checked
by ``rulecompile``, read from their folders with the catalogue by ``ruleload``, and
kept between runs by ``rulecache``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import regex

from logwatch.core.model import Code, Severity
from logwatch.rulebook.catalogue import Catalogue, restore

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


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules in the order they are tried: built-in packs, then the user's, by name."""

    rules: tuple[Rule, ...]
    catalogue: Catalogue = field(default_factory=Catalogue)

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
