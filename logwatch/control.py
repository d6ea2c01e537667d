"""How a running ``logwatch run`` is told to stop or to reload, on every platform.

POSIX has SIGTERM/SIGINT and SIGHUP. Windows has no SIGHUP and no SIGTERM from
outside: there Ctrl-C is SIGINT, Ctrl-Break and closing the console window are
SIGBREAK (the C runtime maps CTRL_BREAK_EVENT and CTRL_CLOSE_EVENT to it), and
``logwatch reload`` leaves a request file in the state directory, which the daemon
takes within a second. The request file works on Linux too.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from logwatch.clock import Clock

#: Signals that stop the daemon cleanly, where the platform has them.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGBREAK")
#: The file ``logwatch reload`` writes beside the state database.
RELOAD_REQUEST = "reload.request"
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
    while inside; the previous handlers come back after. Only the main thread can
    handle signals: elsewhere (a test's thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_stop(signum: int, frame: object) -> None:
        stop()

    previous = {sig: signal.signal(sig, on_stop) for sig in stop_signals()}
    if reload is not None and hasattr(signal, "SIGHUP"):  # Windows: `logwatch reload`
        again = reload

        def on_reload(signum: int, frame: object) -> None:
            again()

        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_reload)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
    """Whether a reload was asked for since the last look (the request is removed)."""
    try:
        reload_request(state_dir).unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False  # held by the writer this instant: the next look takes it
    return True


def request_reload(state_dir: Path, clock: Clock, timeout_s: float) -> bool:
    """Ask the daemon to reload; True once it took the request, False at the deadline
    (no daemon runs with this state directory: the request is withdrawn)."""
    path = reload_request(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    path.write_text("reload\n", "utf-8")
    deadline = clock.monotonic() + timeout_s
    pause = threading.Event()
    while path.exists():
        if clock.monotonic() >= deadline:
            with contextlib.suppress(OSError):
                path.unlink()
            return False
        pause.wait(0.05)
    return True
