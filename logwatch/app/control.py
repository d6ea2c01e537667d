"""How a running ``logwatch run`` is told to stop or to reload, on every platform.

POSIX has SIGTERM/SIGINT and SIGHUP. Windows has no SIGHUP and no SIGTERM from
outside: there Ctrl-C is SIGINT, Ctrl-Break and closing the console window are
SIGBREAK (the C runtime maps CTRL_BREAK_EVENT and CTRL_CLOSE_EVENT to it), and
``logwatch reload`` and ``logwatch stop`` leave a request file in the state directory,
which the daemon takes within a second: the windowless ``logwatchw`` has no console for
a control event. The request files work on Linux too.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from logwatch.core.clock import Clock
from logwatch.core.errors import StateError
from logwatch.core.privatefiles import check_private_dir, create_new

#: Signals that stop the daemon cleanly, where the platform has them.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGBREAK")
#: The file ``logwatch reload`` writes beside the state database.
RELOAD_REQUEST = "reload.request"
#: What the daemon renames the request to while it reloads; removed once done. A
#: request made meanwhile is a new one: its edit is read by a reload of its own.
RELOAD_TAKEN = "reload.taken"
#: The file ``logwatch stop`` writes there: stop as on SIGTERM, the state saved.
STOP_REQUEST = "stop.request"
#: Console events (SetConsoleCtrlHandler) after which Windows ends the process as soon
#: as the handler returns: close, logoff, shutdown. The handler waits for the save.
CLOSE_EVENTS = frozenset({2, 5, 6})  # CTRL_CLOSE_EVENT, CTRL_LOGOFF, CTRL_SHUTDOWN
#: Windows allows a close handler 5 s (learn.microsoft.com/windows/console/
#: handlerroutine); the save must finish inside it.
CLOSE_WAIT_S = 4.5


def stop_signals() -> list[signal.Signals]:
    """The signals that stop ``logwatch run`` here (SIGBREAK only on Windows)."""
    return [
        signal.Signals(getattr(signal, name))
        for name in STOP_SIGNALS
        if hasattr(signal, name)
    ]


@contextlib.contextmanager
def on_signals(
    stop: Callable[[], None], reload: Callable[[], None] | None = None
) -> Iterator[None]:
    """Call ``stop`` on the stop signals and, where there is SIGHUP, ``reload`` on it,
    while inside; the previous handlers come back after. The handlers only queue the
    request: a thread of their own (``Requests``) makes the call. Only the main thread
    can handle signals: elsewhere (a test's thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with Requests(stop, reload or (lambda: None)) as requests:

        def on_stop(signum: int, frame: object) -> None:
            requests.stop()

        def on_reload(signum: int, frame: object) -> None:
            requests.reload()

        previous = {sig: signal.signal(sig, on_stop) for sig in stop_signals()}
        if reload is not None and hasattr(signal, "SIGHUP"):  # Windows: `reload`
            previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_reload)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class Requests:
    """Stop and reload requests, passed on by a thread of their own.

    A signal handler runs in the main thread between two of its steps, maybe while it
    holds an ``Event``'s lock (``set``, ``clear`` and ``wait`` take it): an ``Event``
    set from the handler could wait for ever. The handler only puts the request on a
    ``SimpleQueue`` (its ``put`` is reentrant); this thread calls ``on_stop`` or
    ``on_reload``. A context manager: the thread runs while inside.
    """

    def __init__(self, on_stop: Callable[[], None], on_reload: Callable[[], None]):
        self._calls = {"stop": on_stop, "reload": on_reload}
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._relay, name="logwatch-requests")

    def stop(self) -> None:
        """Ask to stop (safe in a signal handler)."""
        self._queue.put("stop")

    def reload(self) -> None:
        """Ask to reload (safe in a signal handler)."""
        self._queue.put("reload")

    def __enter__(self) -> Requests:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()

    def _relay(self) -> None:
        while (request := self._queue.get()) is not None:
            self._calls[request]()


def on_close_event(
    ctrl_type: int, stop: Callable[[], None], stopped: threading.Event
) -> bool:
    """What the console handler does (pure but for the wait): for a close, logoff or
    shutdown, ask to stop and wait until the state is saved; True if handled."""
    if ctrl_type not in CLOSE_EVENTS:
        return False  # Ctrl-C and Ctrl-Break come as SIGINT/SIGBREAK
    stop()
    stopped.wait(CLOSE_WAIT_S)
    return True


_handlers: list[object] = []  # the ctypes callbacks must outlive the registration


def watch_console_close(
    stop: Callable[[], None], stopped: threading.Event
) -> None:  # pragma: no cover - Windows only
    """Register ``on_close_event`` with SetConsoleCtrlHandler (Windows; else nothing).

    Python's own handler returns at once, and Windows then ends the process before
    the main thread could save; this one holds the close until ``stopped`` is set.
    """
    if sys.platform != "win32":
        return
    import ctypes
    from ctypes import wintypes

    routine = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)  # type: ignore[attr-defined,unused-ignore]

    def handler(ctrl_type: int) -> bool:
        return on_close_event(ctrl_type, stop, stopped)

    callback = routine(handler)
    _handlers.append(callback)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    kernel32.SetConsoleCtrlHandler(callback, True)


def reload_request(state_dir: Path) -> Path:
    """Where ``logwatch reload`` asks the daemon using ``state_dir`` to reload."""
    return state_dir / RELOAD_REQUEST


def take_reload_request(state_dir: Path) -> bool:
    """Whether a reload was asked for since the last look: the request becomes
    ``reload.taken`` (one rename: a link is moved, never followed) until
    ``reload_done``, so ``logwatch reload`` (and a supervisor's ``ExecReload=``
    running it) returns once the reload is done, not when it starts."""
    try:
        reload_request(state_dir).replace(state_dir / RELOAD_TAKEN)
    except FileNotFoundError:
        return False
    except OSError:
        return False  # held by the writer this instant: the next look takes it
    return True


def take_stop_request(state_dir: Path) -> bool:
    """Whether a stop was asked for since the last look (the request is removed)."""
    return take_request(state_dir / STOP_REQUEST)


def take_request(path: Path) -> bool:
    """Whether the request file ``path`` was there (it is removed)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False  # held by the writer this instant: the next look takes it
    return True


def reload_done(state_dir: Path) -> None:
    """The reload asked for is done (whether it worked or not: the log says)."""
    with contextlib.suppress(OSError):
        (state_dir / RELOAD_TAKEN).unlink()


def request_reload(state_dir: Path, clock: Clock, timeout_s: float) -> bool | None:
    """Ask the daemon to reload; True once it has reloaded, False at the deadline
    when no daemon took the request (it is withdrawn), None when one took it but
    was still reloading at the deadline (see ``ask``)."""
    return ask(reload_request(state_dir), clock, timeout_s, state_dir / RELOAD_TAKEN)


def request_stop(state_dir: Path, clock: Clock, timeout_s: float) -> bool:
    """Ask the daemon to stop; see ``ask``."""
    return bool(ask(state_dir / STOP_REQUEST, clock, timeout_s))


def ask(
    path: Path, clock: Clock, timeout_s: float, taken: Path | None = None
) -> bool | None:
    """Leave the request file ``path``; True once the daemon is done with it (it
    removed ``path`` and ``taken``, what it renames a request to while it works on
    it), False at the deadline when no daemon took it (the request is withdrawn),
    None when one took it and was still at it. A request already there is waited
    on; a link in its place is never written through.

    Raises:
        StateError: the state directory is not private (``check_private_dir``), or a
            link is where the request goes (a daemon would take it for one).
    """
    what = path.stem  # reload, stop
    check_private_dir(path.parent)
    if not create_new(path, f"{what}\n".encode("ascii")) and path.is_symlink():
        raise StateError(
            f"{path}: a link, not a {what} request (logwatch did not write through "
            "it); remove it, then ask again"
        )
    deadline = clock.monotonic() + timeout_s
    pause = threading.Event()

    def working() -> bool:
        return taken is not None and os.path.lexists(taken)

    # a link that points nowhere is still there: lexists
    while os.path.lexists(path) or working():
        if clock.monotonic() >= deadline:
            if working() or not os.path.lexists(path):
                # a daemon is reloading: ours is taken, or left for the next one
                return None
            with contextlib.suppress(OSError):
                path.unlink()
            return False
        pause.wait(0.05)
    return True
