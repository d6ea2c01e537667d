"""The rule file's schema: what a rule is, as written in YAML, validated by pydantic.

Apart from ``rules`` so that starting from a cached rule set (``rules._Cache``) needs
neither pydantic nor the config's types: only loading rule files imports this.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from logwatch.config import AtLeast, Duration
from logwatch.model import Severity


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class Texts(Strict):
    """One text in every language logwatch speaks."""

    en: NonEmpty
    ru: NonEmpty


#: The shortest and longest ``expect:`` a rule may have.
EXPECT_S = (30.0, 7 * 86400.0)


class RuleSpec(Strict):
    """One rule as written in YAML."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$", max_length=80)]
    severity: Severity
    codes: list[int] = []
    title: Texts
    remedy: Texts
    patterns: Annotated[list[NonEmpty], Field(min_length=1)]
    key: list[NonEmpty] = []
    samples: Annotated[list[NonEmpty], Field(min_length=1)]
    near_misses: Annotated[list[NonEmpty], Field(min_length=2)]
    tags: list[NonEmpty] = []
    link: str | None = None
    ignore: list[NonEmpty] = []
    keywords: list[NonEmpty] = []
    #: dedup window for this rule (default: the config's ``dedup.window``)
    window: Duration | None = None
    #: while it keeps happening, remind every this many whole windows (0: never)
    reminder: Annotated[int, Field(ge=0)] = 0
    #: rules to mute for the same connection while this one fires, and for how long
    mutes: list[NonEmpty] = []
    mute_for: Duration = 1800.0
    #: a heartbeat rule: it fires when its pattern was NOT seen for this long
    expect: Annotated[Duration, Field(ge=EXPECT_S[0], le=EXPECT_S[1])] | None = None
    #: alert only when it hits this often (default: at the first hit)
    at_least: AtLeast | None = None


class RuleFile(Strict):
    """A rule file: a list of rules."""

    rules: list[RuleSpec]
