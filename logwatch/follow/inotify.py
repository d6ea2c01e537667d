"""Linux: one thread reads inotify for the watched directories and calls the handler.

watchdog's observer passes each event through four threads (a reader, a dispatcher,
an emitter per watch, the observer), about 300 us of CPU per event; this reader uses
watchdog's own inotify bindings and calls the handler from the thread that read the
event. It keeps the observer's interface the watcher uses (``schedule``,
``unschedule``, ``start``, ``stop``, ``is_alive``) and the handler's calls: every
event names its path (``touch``), anything but a plain write asks to list again
(``relist``), a file created or renamed to is named to ``created``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
import threading
from dataclasses import dataclass
from typing import Protocol

import structlog
from watchdog.observers.inotify_c import (
    InotifyConstants,
    WatchDescriptor,
    inotify_add_watch,
    inotify_init,
    inotify_rm_watch,
)

log = structlog.get_logger("logwatch.tailer")

_C = InotifyConstants
#: what the handler needs: writes, names coming and going, the directory itself going.
#: Not IN_OPEN or IN_CLOSE_NOWRITE: our own reads cause them and say nothing.
MASK = (
    _C.IN_MODIFY
    | _C.IN_ATTRIB
    | _C.IN_CLOSE_WRITE
    | _C.IN_MOVED_FROM
    | _C.IN_MOVED_TO
    | _C.IN_CREATE
    | _C.IN_DELETE
    | _C.IN_DELETE_SELF
    | _C.IN_MOVE_SELF
    | _C.IN_DONT_FOLLOW
    | _C.IN_ONLYDIR
)
_NEW = _C.IN_CREATE | _C.IN_MOVED_TO
_HEADER = struct.Struct("iIII")
_READ_BYTES = 64 * 1024
_WRITTEN_MAX = 4096


class Handler(Protocol):
    """What an event is told to (the watcher's handler)."""

    wake: threading.Event

    def relist(self) -> None: ...
    def touch(self, path: str) -> None: ...
    def created(self, path: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Watched:
    """A directory given to ``schedule`` (what ``unschedule`` takes back)."""

    path: str
    is_recursive: bool


@dataclass(slots=True)
class _Dir:
    path: str
    recursive: bool
    handler: Handler


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class InotifyReader:
    """One inotify instance and the thread that reads it.

    It holds its thread rather than being one: a ``threading.Thread`` subclass shares
    the thread's private names (Python 3.13's ``Thread._handle`` replaced a method of
    the same name here, and every event ended the reader).
    """

    def __init__(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="logwatch-inotify", daemon=True
        )
        self._fd = inotify_init()
        if self._fd == -1:
            raise OSError(ctypes.get_errno(), "inotify_init failed")
        self._lock = threading.Lock()
        self._dirs: dict[int, _Dir] = {}
        self._roots: dict[Watched, Handler] = {}
        #: (wd, raw name) of a write -> its path and handler: no lock, join or decode
        self._written: dict[tuple[int, bytes], tuple[str, Handler]] = {}
        self._stopped = False
        self._closed = False

    # -- the observer's interface ----------------------------------------------------

    @property
    def daemon(self) -> bool:
        """Whether its thread is a daemon thread (set before ``start``)."""
        return self._thread.daemon

    @daemon.setter
    def daemon(self, value: bool) -> None:
        self._thread.daemon = value

    def start(self) -> None:
        """Start reading events."""
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (after ``stop``)."""
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        """Whether the thread reads events."""
        return self._thread.is_alive()

    def schedule(self, handler: Handler, path: str, *, recursive: bool) -> Watched:
        """Watch ``path`` (and, if ``recursive``, every directory below it)."""
        watched = Watched(path, recursive)
        with self._lock:
            self._add(path, recursive, handler)  # the root: its failure is the caller's
            if recursive:
                self._add_below(path, handler)
            self._roots[watched] = handler
        return watched

    def unschedule(self, watched: Watched) -> None:
        """Stop watching a directory given to ``schedule``."""
        with self._lock:
            self._roots.pop(watched, None)
            for wd, known in list(self._dirs.items()):
                if not any(self._covers(r, known.path) for r in self._roots):
                    self._remove(wd)

    @property
    def watches(self) -> list[Watched]:
        """The directories given to ``schedule`` and not taken back."""
        with self._lock:
            return list(self._roots)

    def stop(self) -> None:
        """End the thread (it closes the inotify instance)."""
        with self._lock:
            if self._stopped or self._closed:
                return
            self._stopped = True
            if self.is_alive():
                # wake its blocking read: a watch removed is told (IN_IGNORED)
                wd = inotify_add_watch(self._fd, b"/", _C.IN_DELETE_SELF)
                if wd != -1:
                    inotify_rm_watch(self._fd, wd)
                    return
        self._close()

    def _run(self) -> None:
        try:
            while not self._stopped:
                # blocking: the cheapest wait (a poll beside it costs ~15 us an event)
                self._dispatch(os.read(self._fd, _READ_BYTES))
        except Exception:  # boundary: the thread ends; the watcher restarts a dead one
            if not self._stopped:
                log.exception("inotify_reader_failed")
        finally:
            with self._lock:
                self._stopped = True
            self._close()

    # -- events ----------------------------------------------------------------------

    def _dispatch(self, data: bytes) -> None:
        offset = 0
        woken: set[Handler] = set()
        written = self._written
        while offset + _HEADER.size <= len(data):
            wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
            start = offset + _HEADER.size
            offset = start + length
            if mask == _C.IN_MODIFY:  # a write, the common event: no lock, no listing
                key = (wd, data[start:offset])
                told = written.get(key)
                if told is None:
                    told = self._writes_to(wd, data[start:offset].rstrip(b"\0"))
                    if told is None:
                        continue
                    written[key] = told
                told[1].touch(told[0])
                woken.add(told[1])
                continue
            handler = self._event(wd, mask, data[start:offset].rstrip(b"\0"))
            if handler is not None:
                woken.add(handler)
        for handler in woken:
            handler.wake.set()

    def _writes_to(self, wd: int, name: bytes) -> tuple[str, Handler] | None:
        """The path and handler of a write event's file (kept in ``_written``)."""
        with self._lock:
            known = self._dirs.get(wd)
            if known is None:
                return None
            if len(self._written) >= _WRITTEN_MAX:
                self._written.clear()
            path = os.path.join(known.path, os.fsdecode(name)) if name else known.path
            return path, known.handler

    def _event(self, wd: int, mask: int, name: bytes) -> Handler | None:
        if mask & _C.IN_Q_OVERFLOW:
            return self._overflowed()
        with self._lock:
            known = self._dirs.get(wd)
            if mask & _C.IN_IGNORED:
                self._dirs.pop(wd, None)
                self._written.clear()
            if known is None:
                return None
            path = os.path.join(known.path, os.fsdecode(name)) if name else known.path
            is_dir = bool(mask & _C.IN_ISDIR)
            new_dirs: list[str] = []
            if is_dir and known.recursive and name:
                if mask & _C.IN_MOVED_FROM:
                    self._forget_below(path)
                elif mask & _NEW:
                    with contextlib.suppress(
                        OSError
                    ):  # gone already: the listing says so
                        self._add(path, True, known.handler)
                        new_dirs = self._add_below(path, known.handler)
        handler = known.handler
        try:
            handler.touch(path)
            if mask & ~_C.IN_ISDIR == _C.IN_MODIFY:
                return handler  # a write: the file is looked at, nothing listed
            handler.relist()
            if mask & _NEW and not is_dir:
                handler.created(path)
            if is_dir and known.recursive and mask & _NEW:
                self._name_files(path, new_dirs, handler)
        except Exception:  # boundary: one event; the loop still wakes and lists
            log.exception("watch_event_failed")
            handler.relist()
        return handler

    def _name_files(self, path: str, dirs: list[str], handler: Handler) -> None:
        """A directory came into a recursive watch: name its subdirectories and the
        files already in them (made before their watches were added)."""
        for folder in dirs:
            handler.touch(folder)
        for folder in (path, *dirs):
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        handler.touch(entry.path)
                        handler.created(entry.path)

    def _overflowed(self) -> Handler | None:
        """Events were lost: every handler lists again; recursive roots get watches
        on the directories made meanwhile."""
        with self._lock:
            roots = list(self._roots.items())
            for watched, handler in roots:
                if watched.is_recursive:
                    with contextlib.suppress(OSError):
                        self._add_below(watched.path, handler)
        log.warning("watch_events_lost")
        for _watched, handler in roots:
            handler.relist()
            handler.wake.set()
        return None

    # -- watches (under the lock) ----------------------------------------------------

    def _covers(self, root: Watched, path: str) -> bool:
        return path == root.path or (root.is_recursive and _under(path, root.path))

    def _add(self, path: str, recursive: bool, handler: Handler) -> int:
        wd = inotify_add_watch(self._fd, os.fsencode(path), MASK)
        if wd == -1:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)
        known = self._dirs.get(wd)
        if known is None or known.path != path:
            self._dirs[wd] = _Dir(path, recursive, handler)
        elif recursive:
            known.recursive = True
        return int(wd)

    def _add_below(self, root: str, handler: Handler) -> list[str]:
        added: list[str] = []
        for folder, subdirs, _files in os.walk(root):
            for sub in subdirs:
                full = os.path.join(folder, sub)
                if os.path.islink(full):
                    continue
                with contextlib.suppress(OSError):  # gone or unreadable: not watched
                    self._add(full, True, handler)
                    added.append(full)
        return added

    def _forget_below(self, path: str) -> None:
        """A directory moved away: its watches would report its old path."""
        for wd, known in list(self._dirs.items()):
            if _under(known.path, path):
                self._remove(wd)

    def _remove(self, wd: int) -> None:
        self._dirs.pop(wd, None)
        self._written.clear()
        # -1 when already gone with its directory
        inotify_rm_watch(self._fd, WatchDescriptor(wd))

    def _close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._dirs.clear()
        os.close(self._fd)
