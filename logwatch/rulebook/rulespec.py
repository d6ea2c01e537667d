"""The rule and catalogue files' schema: what they hold, as written in YAML, validated
by pydantic.

Apart from ``rules`` so that starting from a cached rule set (``rulecache``) needs
neither pydantic nor the config's types: only loading rule files imports this.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from logwatch.core.config import AtLeast
from logwatch.core.durations import Duration
from logwatch.core.model import Severity
from logwatch.rulebook.rules import ID_PATTERN


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

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
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


class CategorySpec(Strict):
    """What a kind of error means to a trader, for codes without their own remedy."""

    severity: Literal["info", "warning", "error", "critical", "none"]
    title: Texts
    remedy: Texts | None = None


class ExchangeSpec(Strict):
    """An exchange or platform: its display name, what its unknown codes say, and
    the words and API hosts that name it in a log."""

    name: NonEmpty
    title: Texts | None = None
    remedy: Texts | None = None
    aliases: tuple[NonEmpty, ...] = ()
    hosts: tuple[NonEmpty, ...] = ()
    source: str = ""


class ShapeSpec(Strict):
    """One way a library prints an exchange's error."""

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    exchange: Annotated[str, Field(pattern=r"^[a-z0-9]+$")]
    pattern: NonEmpty
    keywords: Annotated[list[NonEmpty], Field(min_length=1)]
    #: only records of these formats (default: any)
    formats: tuple[NonEmpty, ...] = ()
    #: real lines of this shape with ``{code}`` and ``{message}`` (or
    #: ``{json_message}``, escaped as in JSON) where they go
    examples: Annotated[list[NonEmpty], Field(min_length=1)]


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, for editors."""
    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "logwatch rule file"
    return schema
