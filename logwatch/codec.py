"""One JSON codec for the values State keeps: alerts in the outbox, dedup windows.

pydantic reads and writes the dataclasses of model.py and dedup.py field by field, so
a new field is stored without anyone writing it down twice. Times are seconds since
the epoch (floats), as State has always kept them; they come back in UTC.
"""

from __future__ import annotations

from functools import cached_property
from typing import Generic, TypeVar

from pydantic import ConfigDict, TypeAdapter, with_config

from logwatch.dedup import Window
from logwatch.model import Alert, Hit, Record

T = TypeVar("T")

#: times as float seconds both ways ("infer" would read a far-future time as ms)
_TIMES = ConfigDict(ser_json_temporal="seconds", val_temporal_unit="seconds")
for _kind in (Record, Hit, Alert):
    with_config(_TIMES)(_kind)
#: a window's ``folded_hashes`` as base64 text (~11 characters a hash)
with_config(ConfigDict(**_TIMES, ser_json_bytes="base64", val_json_bytes="base64"))(
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
