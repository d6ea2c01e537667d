"""One JSON codec for the values State keeps: alerts in the outbox, dedup windows.

pydantic reads and writes the dataclasses of model.py and window.py field by field, so
a new field is stored without anyone writing it down twice. Times are seconds since
the epoch (floats), as State has always kept them; they come back in UTC.
"""

from __future__ import annotations

import functools
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

from logwatch.alerts.window import Window
from logwatch.core.model import Alert, Hit, Record

if TYPE_CHECKING:
    from pydantic import TypeAdapter

T = TypeVar("T")


@functools.cache
def _configure() -> None:
    """Tell pydantic how the stored types read and write, once, before the first
    codec is built (pydantic is imported then: a third of a follower's start-up, and
    ``scan --follow`` stores no alerts)."""
    from pydantic import ConfigDict, with_config

    #: times as float seconds both ways ("infer" would read a far-future time as ms)
    times = ConfigDict(ser_json_temporal="seconds", val_temporal_unit="seconds")
    for kind in (Record, Hit, Alert):
        with_config(times)(kind)
    #: a window's ``folded_hashes`` as base64 text (~11 characters a hash)
    with_config(ConfigDict(**times, ser_json_bytes="base64", val_json_bytes="base64"))(
        Window
    )


class Codec(Generic[T]):
    """One stored type as JSON text; ``loads`` also reads rows of older versions
    (a field they lack takes its default)."""

    def __init__(self, kind: type[T]) -> None:
        self.kind = kind

    @cached_property
    def _adapter(self) -> TypeAdapter[T]:
        # built on first use: the commands that store nothing never pay for it
        from pydantic import TypeAdapter

        _configure()
        return TypeAdapter(self.kind)

    def dumps(self, value: T) -> str:
        """``value`` as JSON text (UTF-8 as is, not escaped)."""
        return self._adapter.dump_json(value).decode()

    def loads(self, text: str | bytes) -> T:
        """The value ``dumps`` wrote.

        Raises:
            pydantic.ValidationError: ``text`` is not one.
        """
        return self._adapter.validate_json(text)


#: an alert in the outbox (State's ``alerts.payload``)
ALERTS = Codec(Alert)
#: an open dedup window (State's ``windows.payload``)
WINDOWS = Codec(Window)
