"""The daemon's own log: structlog to stderr, never stdout, where hits are printed.

Without a stderr at all (``pythonw.exe``, a GUI launcher, a service: Python then sets
``sys.stderr`` to ``None``) the log goes to a rotating JSON file in the platform's log
directory instead, and nothing is ever written to ``None``.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
import threading
from collections import Counter, deque
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import platformdirs
import structlog

from logwatch.core.clock import Clock, SystemClock
from logwatch.core.terminal import shown
from logwatch.match.redact import redact

log = structlog.get_logger("logwatch.logs")

#: The log file rotates at this size, keeping this many old ones (logwatch.log.1...).
FILE_BYTES = 5 * 1024 * 1024
FILE_BACKUPS = 3
FILE_NAME = "logwatch.log"
HANDLER_NAME = "logwatch"


#: A level's syslog priority, which journald reads from a ``<N>`` before a line
#: (sd-daemon(3)): critical 2, error 3, warning 4, info 6, debug 7.
PRIORITIES = {"critical": 2, "error": 3, "warning": 4, "info": 6, "debug": 7}
#: Values logwatch logs of its own (where it listens), never masked: masking them hid
#: what a trader needs to read (``metrics_listening address=****``).
OWN_FIELDS = frozenset({"address"})

#: Events of one name and level let through per THROTTLE_WINDOW_S; the rest are counted.
THROTTLE_BURST = 10
THROTTLE_WINDOW_S = 60.0
#: Never throttled: the console channel's lines (under pythonw, alerts themselves).
UNTHROTTLED = frozenset({"console"})


class Throttle:
    """A processor that rate-limits repeated events: at most ``burst`` of one name and
    level per ``window_s``; the rest are dropped, and the next one let through says how
    many were (``suppressed=N``)."""

    def __init__(
        self,
        clock: Clock,
        burst: int = THROTTLE_BURST,
        window_s: float = THROTTLE_WINDOW_S,
    ) -> None:
        self.clock, self.burst, self.window_s = clock, burst, window_s
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._dropped: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        key = (str(event.get("event")), method)
        if key[0] in UNTHROTTLED:
            return event
        now = self.clock.monotonic()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.burst:
                self._dropped[key] += 1
                raise structlog.DropEvent
            times.append(now)
            if self._dropped[key]:
                event["suppressed"] = self._dropped.pop(key)
        return event


#: The config's own secrets (channel tokens, passwords: ``redact.secret_forms``),
#: masked in every event besides what ``redact`` finds by their shape.
_secrets: tuple[str, ...] = ()


def mask_also(secrets: tuple[str, ...]) -> None:
    """Mask these too in every event from now on (the config's; set again on reload)."""
    global _secrets
    _secrets = secrets


def _masked(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Every text masked (API keys, passwords, tokens, IPs, the config's secrets)
    before it is written, but logwatch's own values (``OWN_FIELDS``)."""
    for key, value in event.items():
        if isinstance(value, str) and key not in OWN_FIELDS:
            event[key] = redact(value, _secrets)
    return event


def to_journal(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Whether ``stream`` is connected to the journal: systemd sets ``JOURNAL_STREAM``
    to its device and inode (``dev:inode``), compared as systemd.exec(5) says, so a
    child whose stderr was redirected elsewhere is not fooled by the inherited value."""
    wanted = env.get("JOURNAL_STREAM", "")
    dev, sep, inode = wanted.partition(":")
    if not sep:
        return False
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return f"{st.st_dev}:{st.st_ino}" == f"{dev}:{inode}"


def _journal(render: structlog.types.Processor) -> structlog.types.Processor:
    """``render``'s line after its ``<N>`` priority, for journald."""

    def rendered(logger: Any, method: str, event: MutableMapping[str, Any]) -> Any:
        level = str(event.get("level", method)).lower()
        line = render(logger, method, event)
        if not isinstance(line, str):  # the console renderer gives text
            return line
        # each line its priority: journald takes every line for an entry of its own,
        # and a traceback's lines belong with their error (`journalctl -p err`)
        prefix = f"<{PRIORITIES.get(level, 6)}>"
        return "\n".join(prefix + part for part in line.split("\n"))

    return rendered


def _shown(render: structlog.types.Processor) -> structlog.types.Processor:
    """``render`` with the escape sequences of logged text (file names, a log line in
    a self-alert) shown in its line, not obeyed by a terminal or a journal reader."""

    def rendered(logger: Any, method: str, event: MutableMapping[str, Any]) -> Any:
        line = render(logger, method, event)
        return shown(line) if isinstance(line, str) else line

    return rendered


def default_log_dir() -> Path:
    """Where the log file goes without a console: the platform's user log directory
    (``%LOCALAPPDATA%\\logwatch\\Logs`` on Windows)."""
    return platformdirs.user_log_path("logwatch", appauthor=False)


def configure(
    stream: TextIO | None = None,
    as_json: bool | None = None,
    log_dir: Path | None = None,
    clock: Clock | None = None,
    level: str = "info",
    env: Mapping[str, str] | None = None,
) -> Path | None:
    """Send structlog events (and stdlib ones, e.g. watchdog's) of ``level`` and above
    to ``stream``.

    To the journal (``JOURNAL_STREAM`` names the stream): one readable line per event
    after its ``<N>`` priority, without a time (the journal keeps its own). Else JSON
    lines when ``as_json`` (the default when the stream is not a terminal: a file or a
    log collector), else one readable line per event. With no stream and no
    ``sys.stderr`` either, JSON lines go to a rotating file in ``log_dir``; its path is
    returned.
    """
    if stream is None:
        stream = sys.stderr
    path: Path | None = None
    handler: logging.Handler
    journal = False
    if stream is None:
        path = (log_dir or default_log_dir()) / FILE_NAME
        handler = _file_handler(path)
        as_json = True
        _fill_std_fds()
        _log_uncaught()
    else:
        handler = logging.StreamHandler(stream)
        journal = as_json is None and to_journal(
            stream, os.environ if env is None else env
        )
        if as_json is None:
            as_json = not journal and not stream.isatty()
    renderer = _shown(
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        # never coloured, on a console either: on Windows colours mean colorama,
        # which wraps the process's own stdout and stderr
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    if journal:
        renderer = _journal(renderer)
    shared: list[structlog.types.Processor] = [
        _masked,  # ours and other libraries' records alike
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
    ]
    if not journal:
        shared.append(structlog.processors.TimeStamper(fmt="iso", utc=True))
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # debug events cost nothing at info
            Throttle(clock or SystemClock()),
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in root.handlers:
        if old.get_name() == HANDLER_NAME:  # ours from an earlier call: its file too
            old.close()
    handler.set_name(HANDLER_NAME)
    root.handlers[:] = [handler]
    # below info only logwatch's own events: other libraries' debug lines hold what
    # logwatch cannot mask (a webhook's path, a request's query)
    wanted = logging.getLevelName(level.upper())
    root.setLevel(max(logging.INFO, wanted))
    logging.getLogger("logwatch").setLevel(wanted)
    logging.getLogger("watchdog").setLevel(max(logging.WARNING, root.level))
    return path


def _file_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    # delay: the file is opened at the first event, so a command that logs nothing
    # leaves no handle that would stop another logwatch from rotating the file
    return logging.handlers.RotatingFileHandler(
        path,
        maxBytes=FILE_BYTES,
        backupCount=FILE_BACKUPS,
        encoding="utf-8",
        delay=True,
    )


def _fill_std_fds() -> None:
    """Put /dev/null on closed fds 0-2 (POSIX), so no file we open later takes one of
    those numbers and receives what a library writes to "stderr"."""
    if os.name != "posix":
        return
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # takes the lowest free number: fd


def _log_uncaught() -> None:
    """Without stderr, a crash would vanish: log uncaught exceptions instead."""

    def on_main(
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        log.critical("crashed", exc_info=(kind, value, tb))

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.critical(
                "thread_crashed",
                thread=args.thread.name if args.thread else "?",
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    sys.excepthook = on_main
    threading.excepthook = on_thread


class _LogLines(io.TextIOBase):
    """A text stream whose lines become ``console`` log events."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            log.info("console", text=line)
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            line, self._buffer = self._buffer, ""
            log.info("console", text=line)


def console(stream: TextIO | None) -> TextIO:
    """``stream``, or when there is none (pythonw) one that writes to the log."""
    if stream is not None:
        return stream
    return _LogLines()  # type: ignore[return-value]  # a TextIOBase is a text stream
