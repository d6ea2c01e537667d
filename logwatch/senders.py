"""One thread per channel for as long as logwatch runs, whatever the reloads.

A send may hang far longer than a reload may wait for it. Had each config its own
threads, the old one would still be inside its send when the new one read the same
unmarked rows, and both would post them. Here a reload hands the channels over instead:
each channel's one thread finishes the message under way with the old dispatcher, then
serves the new one, so two sends to one channel can never overlap.
"""

from __future__ import annotations

import threading

import structlog

from logwatch.delivery import Dispatcher
from logwatch.errors import StateError

log = structlog.get_logger("logwatch.delivery")

#: How long a pass waits after State or a channel failed unexpectedly (seconds).
RETRY_S = 5.0


class Senders:
    """The channel threads; ``serve(dispatcher)`` hands every channel to a dispatcher,
    ``close`` ends them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dispatcher: Dispatcher | None = None
        self._threads: dict[str, threading.Thread] = {}
        self._closed = False

    def serve(self, dispatcher: Dispatcher) -> None:
        """Send through ``dispatcher`` from now on.

        A channel that has a thread keeps it: after the message under way, that thread
        goes on with ``dispatcher``. A new channel gets a thread; the thread of a
        channel the dispatcher lacks ends after the message under way.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the senders are closed")
            old, self._dispatcher = self._dispatcher, dispatcher
            for channel in dispatcher.notifier.channels:
                if channel not in self._threads:
                    thread = threading.Thread(
                        target=self._run,
                        args=(channel,),
                        name=f"send-{channel}",
                        daemon=True,
                    )
                    self._threads[channel] = thread
                    thread.start()
        if old is not None and old is not dispatcher:
            old.stop()  # after the current one, and wakes its threads to look again

    @property
    def channels(self) -> list[str]:
        """The channels that have a thread now."""
        with self._lock:
            return list(self._threads)

    def _current(self, channel: str) -> Dispatcher | None:
        """The dispatcher this channel's thread serves next; None: the thread ends
        (it leaves the table in the same breath, so a later ``serve`` starts another
        only once this one sends no more)."""
        with self._lock:
            dispatcher = self._dispatcher
            if (
                self._closed
                or dispatcher is None
                or channel not in dispatcher.notifier.channels
            ):
                del self._threads[channel]
                return None
            return dispatcher

    def _run(self, channel: str) -> None:
        served: Dispatcher | None = None
        while (dispatcher := self._current(channel)) is not None:
            if served is not None and served is not dispatcher:
                dispatcher.adopt(served, channel)
            served = dispatcher
            try:
                wait = dispatcher.step(channel)
            except StateError as exc:  # a full disk: the follower reports it
                log.debug(
                    "delivery_state_unwritable", channel=channel, problem=str(exc)
                )
                wait = RETRY_S
            except Exception:  # boundary: the top of a channel thread, logged
                log.exception("delivery_loop_failed", channel=channel)
                wait = RETRY_S
            dispatcher.wait(channel, wait)

    def close(self, timeout_s: float = 2.0) -> None:
        """End every thread; wait up to ``timeout_s`` for each (a send under way may
        finish in the background)."""
        with self._lock:
            self._closed = True
            dispatcher, threads = self._dispatcher, list(self._threads.values())
        if dispatcher is not None:
            dispatcher.stop()
        for thread in threads:
            thread.join(timeout_s)
