"""The one tree of errors logwatch raises; the CLI turns each into a message and a code.

LogwatchError            exit 1
 ├── ConfigError         exit 2, prints as ``file:line: message``
 │    └── RuleError      ``file:line: rule <id>: message``
 ├── InvalidConfig       exit 2, every ConfigError found in one pass
 └── StateError          exit 1
"""

from __future__ import annotations

from collections.abc import Sequence


class LogwatchError(Exception):
    """Base of every error logwatch reports to a user."""

    exit_code = 1

    def format_message(self) -> str:
        """The text shown to the user, without a traceback."""
        return str(self)


class ConfigError(LogwatchError):
    """A problem at a position in a config or rule file."""

    exit_code = 2

    def __init__(self, source: str, line: int, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.source = source
        self.line = line
        self.column = column
        self.message = message

    @property
    def where(self) -> str:
        """``file:line`` (just ``file`` when the problem is not on a line)."""
        return f"{self.source}:{self.line}" if self.line > 0 else self.source

    def format_message(self) -> str:
        return f"{self.where}: {self.message}"


class RuleError(ConfigError):
    """A problem in one rule of a rule file."""

    def __init__(
        self, source: str, line: int, rule_id: str, message: str, column: int = 0
    ) -> None:
        super().__init__(source, line, message, column)
        self.rule_id = rule_id

    def format_message(self) -> str:
        return f"{self.where}: rule {self.rule_id}: {self.message}"


class InvalidConfig(LogwatchError):
    """Every problem found in a set of files, so a user can fix them all at once."""

    exit_code = 2

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = tuple(errors)
        super().__init__(self.format_message())

    def format_message(self) -> str:
        return "\n".join(e.format_message() for e in self.errors)


class StateError(LogwatchError):
    """The state database cannot be used."""
