"""One thread per channel, and per bot read for commands, for as long as logwatch runs,
whatever the reloads.

A send may hang far longer than a reload may wait for it, and so may a long poll of a
bot's commands. Had each config its own threads, the old one would still be inside its
send (or poll) when the new one read the same unmarked rows (or updates), and both
would post them (or answer them). Here a reload hands each lane over instead: its one
thread finishes the message (or poll) under way for the old config, then serves the
new one, so two sends to one channel, or two polls of one bot, never overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from typing import Generic, Protocol, Self, TypeVar

import structlog

from logwatch.app.remote import Remotes
from logwatch.core.errors import StateError
from logwatch.deliver.delivery import Dispatcher

log = structlog.get_logger("logwatch.delivery")

#: How long a pass waits after State or a channel failed unexpectedly (seconds).
RETRY_S = 5.0


class Served(Protocol):
    """What one config serves its lanes with (a lane: a channel, a bot)."""

    @property
    def lanes(self) -> Collection[str]:
        """The lanes this config has."""
        ...

    def step(self, lane: str) -> float:
        """One pass on a lane; seconds until the next."""
        ...

    def wait(self, lane: str, timeout_s: float) -> None:
        """Wait between passes (cut short by ``stop``)."""
        ...

    def adopt(self, old: Self, lane: str) -> None:
        """Take over what the stopped ``old`` holds for a lane (on its thread)."""
        ...

    def stop(self) -> None:
        """Nothing more after the pass under way; wake the lanes' threads."""
        ...


S = TypeVar("S", bound=Served)


class Lanes(Generic[S]):
    """One thread per lane: ``serve(config's part)`` hands every lane to it, ``close``
    ends them. Threads are named ``{kind}-{lane}``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._lock = threading.Lock()
        self._served: S | None = None
        self._threads: dict[str, threading.Thread] = {}
        self._closed = False

    def serve(self, served: S) -> list[str]:
        """Serve ``served`` from now on; the lanes that were served already (and are
        handed over).

        A lane that has a thread keeps it: after the pass under way, that thread goes
        on with ``served``. A new lane gets a thread; the thread of a lane ``served``
        lacks ends after the pass under way.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the {self.kind} threads are closed")
            old, self._served = self._served, served
            kept = [lane for lane in served.lanes if lane in self._threads]
            for lane in served.lanes:
                if lane not in self._threads:
                    thread = threading.Thread(
                        target=self._run,
                        args=(lane,),
                        name=f"{self.kind}-{lane}",
                        daemon=True,
                    )
                    self._threads[lane] = thread
                    thread.start()
        if old is not None and old is not served:
            old.stop()  # after the current pass, and wakes its threads to look again
        return kept

    @property
    def lanes(self) -> list[str]:
        """The lanes that have a thread now."""
        with self._lock:
            return list(self._threads)

    def _current(self, lane: str) -> S | None:
        """What this lane's thread serves next; None: the thread ends (it leaves the
        table in the same breath, so a later ``serve`` starts another only once this
        one does no more)."""
        with self._lock:
            served = self._served
            if self._closed or served is None or lane not in served.lanes:
                del self._threads[lane]
                return None
            return served

    def _run(self, lane: str) -> None:
        done: S | None = None
        while (served := self._current(lane)) is not None:
            if done is not None and done is not served:
                served.adopt(done, lane)
            done = served
            served.wait(lane, self.step(served, lane))

    def step(self, served: S, lane: str) -> float:
        """One pass on a lane (its failures handled by ``served``)."""
        return served.step(lane)

    def close(self, timeout_s: float = 2.0) -> None:
        """End every thread; wait up to ``timeout_s`` for each (a pass under way may
        finish in the background)."""
        with self._lock:
            self._closed = True
            served, threads = self._served, list(self._threads.values())
        if served is not None:
            served.stop()
        for thread in threads:
            thread.join(timeout_s)


class Senders(Lanes[Dispatcher]):
    """The channel threads (``send-{channel}``)."""

    def __init__(self) -> None:
        super().__init__("send")

    @property
    def channels(self) -> list[str]:
        """The channels that have a thread now."""
        return self.lanes

    def step(self, served: Dispatcher, lane: str) -> float:
        """One pass on a channel; a failure is logged and tried again after RETRY_S."""
        try:
            return served.step(lane)
        except StateError as exc:  # a full disk: the follower reports it
            log.debug("delivery_state_unwritable", channel=lane, problem=str(exc))
        except Exception:  # boundary: the top of a channel thread, logged
            log.exception("delivery_loop_failed", channel=lane)
        return RETRY_S


class Pollers(Lanes[Remotes]):
    """The threads reading each bot's commands (``telegram-commands-{bot id}``): one
    getUpdates long poll per bot at a time, across reloads."""

    def __init__(self) -> None:
        super().__init__("telegram-commands")
