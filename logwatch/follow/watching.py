"""Watches the directories of the sources' patterns: an event wakes the loop.

The tailer's own poll and listing decide what happened; a watchdog event says when to
look, at which path (``touch``), and, unless it is a plain modification, to list the
files again (``relist``); a file created or renamed is named to ``created`` at once,
for the tailer to hold open before it can be deleted. ``covering()`` says whether
events cover every source: only then may the tailer leave a file no event named for
its slower backstop look. On Linux one thread of ours reads inotify (``inotify``);
elsewhere watchdog's observer delivers the events (``new_observer`` chooses).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import structlog
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from logwatch.follow.listing import Source, watch_dirs

log = structlog.get_logger("logwatch.tailer")

#: Events that reading a file causes (inotify's IN_OPEN, IN_CLOSE_NOWRITE): no change.
_OWN_READS = frozenset({"opened", "closed_no_write"})


#: Events that give a file a name: it is held open at once (``created``).
_NAMED = frozenset({"created", "moved"})


class _Wake(FileSystemEventHandler):
    """watchdog handler: any event names its paths and wakes the loop; a non-modify
    one asks to re-glob; a file created or renamed is handed to ``created`` first."""

    def __init__(
        self,
        wake: threading.Event,
        relist: Callable[[], None],
        touch: Callable[[str], None],
        created: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.wake = wake
        self.relist = relist
        self.touch = touch
        self.created = created

    def dispatch(self, event: FileSystemEvent) -> None:
        kind = getattr(event, "event_type", "")
        if kind in _OWN_READS:
            return  # our own opens and reads: waking on them spins on an empty file
        try:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    self.touch(os.fsdecode(path))
            if kind != "modified":
                self.relist()
            if kind in _NAMED and not event.is_directory:
                named = getattr(event, "dest_path", "") or event.src_path
                self.created(os.fsdecode(named))
        except Exception:
            log.exception("watch_event_failed")
        finally:
            self.wake.set()


class Observing(Protocol):
    """What the watcher uses of an observer: watchdog's, or the inotify reader."""

    daemon: bool

    def schedule(self, handler: _Wake, path: str, /, *, recursive: bool) -> Any: ...
    def unschedule(self, watch: Any, /) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...
    def is_alive(self) -> bool: ...


def new_observer(platform: str = sys.platform) -> Observing:
    """Linux: one thread reading inotify (watchdog's observer costs ~3x the CPU per
    event in its four threads); elsewhere watchdog's observer."""
    if platform.startswith("linux"):
        from logwatch.follow.inotify import InotifyReader

        return InotifyReader()
    from watchdog.observers import Observer

    observer: Observing = Observer()
    return observer


class Watcher:
    """One observer, and a watch on each directory the patterns need, kept current."""

    def __init__(
        self,
        sources: Iterable[Source],
        wake: threading.Event,
        relist: Callable[[], None],
        warn: Callable[..., None],
        touch: Callable[[str], None] = lambda path: None,
        created: Callable[[str], None] = lambda path: None,
    ) -> None:
        self.sources = tuple(sources)
        self._wake = wake
        self._relist = relist
        self._touch = touch
        self._created = created
        self._warn = warn
        self.observer: Observing | None = None
        self._watches: dict[str, tuple[Any, int, bool]] = {}
        #: every directory the patterns need had a watch at the last ``schedule``
        self._complete = False

    def covering(self) -> bool:
        """Whether events cover every source now: a live observer, no source that
        polls, and a watch on every directory the patterns needed at the last look."""
        observer = self.observer
        return self._complete and observer is not None and observer.is_alive()

    def start(self) -> None:
        """Start watching directories for events (sources that poll are not watched)."""
        if self.observer is None and any(not s.force_polling for s in self.sources):
            observer = new_observer()
            observer.daemon = True
            observer.start()
            self.observer = observer
        self.schedule()

    def close(self) -> None:
        """Stop watching."""
        self._complete = False
        if self.observer is not None:
            observer, self.observer = self.observer, None
            observer.stop()
            observer.join(timeout=2)

    def schedule(self) -> None:
        """Watch the directories the patterns need now; restart a dead observer."""
        observer = self.observer
        if observer is None:
            return
        if not observer.is_alive():
            log.warning("observer_restarted")
            self.observer = None
            self._watches.clear()
            self.start()
            return
        wanted: dict[str, bool] = {}
        complete = True
        for source in self.sources:
            if source.force_polling:
                complete = False
                continue
            for pattern in source.patterns:
                for root, recursive in watch_dirs(os.path.expanduser(pattern)):
                    wanted[root] = wanted.get(root, False) or recursive
        for root in [r for r in self._watches if r not in wanted]:
            self._unschedule(observer, root)
        for root, recursive in wanted.items():
            try:
                ino = os.stat(root).st_ino
            except OSError:
                # gone: drop its watch now, or watchdog would hand its stopped
                # emitter back when the directory is recreated and watched again
                self._unschedule(observer, root)
                complete = False
                continue
            known = self._watches.get(root)
            if known is not None and known[1] == ino:
                continue
            if known is not None:
                self._unschedule(observer, root)
            try:
                handler = _Wake(self._wake, self._relist, self._touch, self._created)
                watch = observer.schedule(handler, root, recursive=recursive)
            except Exception as exc:  # noqa: BLE001  boundary: watchdog 7 raises queue.Empty, not OSError, for a directory that vanishes; the poll still covers it
                self._warn(root, "watch_failed", error=f"{type(exc).__name__}: {exc}")
                complete = False
                continue
            self._watches[root] = (watch, ino, recursive)
        self._complete = complete

    def watched(self) -> list[tuple[str, bool]]:
        """The directories watched now and whether each is watched recursively."""
        return sorted((root, known[2]) for root, known in self._watches.items())

    def _unschedule(self, observer: Observing, root: str) -> None:
        known = self._watches.pop(root, None)
        if known is not None:
            with contextlib.suppress(Exception):  # already gone with its directory
                observer.unschedule(known[0])
