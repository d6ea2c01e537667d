from __future__ import annotations

from logwatch.core.errors import (
    ConfigError,
    InvalidConfig,
    LogwatchError,
    RuleError,
    StateError,
)


def test_messages_and_exit_codes() -> None:
    assert ConfigError("c.yaml", 3, "bad").format_message() == "c.yaml:3: bad"
    assert ConfigError("dir", 0, "missing").format_message() == "dir: missing"
    assert (
        RuleError("r.yaml", 5, "a.b", "oops").format_message()
        == "r.yaml:5: rule a.b: oops"
    )
    both = InvalidConfig([ConfigError("a", 1, "x"), RuleError("b", 2, "c.d", "y")])
    assert both.format_message() == "a:1: x\nb:2: rule c.d: y"
    assert both.exit_code == 2
    assert StateError("db").exit_code == LogwatchError("x").exit_code == 1
    assert LogwatchError("plain").format_message() == "plain"
