"""The Linux inotify reader calls the watcher's handler as watchdog's observer did."""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import wait_until

if TYPE_CHECKING:  # Linux's: not imported where the tests are skipped
    from logwatch.follow.inotify import InotifyReader

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="inotify is Linux's"
)


class Told:
    """A handler that records what it is told."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.touched: list[str] = []
        self.named: list[str] = []
        self.relists = 0

    def relist(self) -> None:
        with self.lock:
            self.relists += 1

    def touch(self, path: str) -> None:
        with self.lock:
            self.touched.append(path)

    def created(self, path: str) -> None:
        with self.lock:
            self.named.append(path)


@pytest.fixture
def reader() -> Iterator[InotifyReader]:
    from logwatch.follow.inotify import InotifyReader

    reading = InotifyReader()
    reading.start()
    yield reading
    reading.stop()
    reading.join(5)
    assert not reading.is_alive()


def test_a_write_names_its_file_and_lists_nothing(
    tmp_path: Path, reader: InotifyReader
) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"")
    told = Told()
    reader.schedule(told, str(tmp_path), recursive=False)
    with log.open("ab") as fh:
        fh.write(b"x\n")
        fh.flush()
        wait_until(lambda: str(log) in told.touched, 5, "the written file named")
        assert told.wake.is_set()
        assert told.relists == 0  # the file is still open: only the write was told
        assert told.named == []


def test_a_created_and_a_renamed_file_are_named_and_listed(
    tmp_path: Path, reader: InotifyReader
) -> None:
    told = Told()
    reader.schedule(told, str(tmp_path), recursive=False)
    (tmp_path / "a.log").write_bytes(b"x\n")
    (tmp_path / "a.log").rename(tmp_path / "b.log")
    wait_until(
        lambda: str(tmp_path / "b.log") in told.named, 5, "the renamed file named"
    )
    assert str(tmp_path / "a.log") in told.named
    assert str(tmp_path / "a.log") in told.touched
    assert told.relists >= 2


def test_a_folder_made_in_a_recursive_watch_is_watched_and_its_files_named(
    tmp_path: Path, reader: InotifyReader
) -> None:
    told = Told()
    reader.schedule(told, str(tmp_path), recursive=True)
    deep = tmp_path / "A1" / "Logs"
    deep.mkdir(parents=True)
    wait_until(lambda: str(deep) in told.touched, 5, "the new folder named")
    log = deep / "a.log"
    log.write_bytes(b"x\n")
    wait_until(lambda: str(log) in told.named, 5, "a file in the new folder named")


def test_a_folder_moved_within_a_recursive_watch_reports_its_new_paths(
    tmp_path: Path, reader: InotifyReader
) -> None:
    (tmp_path / "old").mkdir()
    told = Told()
    reader.schedule(told, str(tmp_path), recursive=True)
    (tmp_path / "old").rename(tmp_path / "new")
    wait_until(lambda: str(tmp_path / "new") in told.touched, 5, "the move named")
    log = tmp_path / "new" / "a.log"
    log.write_bytes(b"x\n")
    wait_until(lambda: str(log) in told.named, 5, "the file under its new path")
    assert not [p for p in told.touched if p.startswith(str(tmp_path / "old") + "/")]


def test_a_watched_folder_deleted_asks_to_list_and_unschedule_forgets_it(
    tmp_path: Path, reader: InotifyReader
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    told = Told()
    watched = reader.schedule(told, str(logs), recursive=False)
    assert reader.watches == [watched]
    logs.rmdir()
    wait_until(lambda: str(logs) in told.touched, 5, "the deleted folder named")
    assert told.relists >= 1
    reader.unschedule(watched)
    assert reader.watches == []


def test_lost_events_ask_every_handler_to_list(
    tmp_path: Path, reader: InotifyReader
) -> None:
    """The kernel's IN_Q_OVERFLOW (wd -1), fed as it is read: a queue that overflows
    on purpose needs more events than a test should make."""
    from watchdog.observers.inotify_c import InotifyConstants

    told = Told()
    reader.schedule(told, str(tmp_path), recursive=True)
    reader._dispatch(struct.pack("iIII", -1, InotifyConstants.IN_Q_OVERFLOW, 0, 0))
    assert told.relists == 1
    assert told.wake.is_set()


def test_the_watcher_reads_inotify_on_linux_and_uses_the_observer_elsewhere() -> None:
    from watchdog.observers.api import BaseObserver

    from logwatch.follow.inotify import InotifyReader
    from logwatch.follow.watching import new_observer

    linux = new_observer("linux")
    other = new_observer("darwin")
    try:
        assert isinstance(linux, InotifyReader)
        assert isinstance(other, BaseObserver)
    finally:
        linux.stop()


def test_a_reader_with_no_watch_stops_from_its_blocking_read() -> None:
    from logwatch.follow.inotify import InotifyReader

    reading = InotifyReader()
    reading.start()
    reading.stop()
    reading.join(5)
    assert not reading.is_alive()
