"""Following files through rotation, truncation, deletion, restarts, odd encodings and
bad bytes: every fault a log file meets on a trader's PC.

Real files in tmp_path, real renames, truncations and deletions; the follower is driven
step by step, so nothing sleeps.
"""

from __future__ import annotations

import codecs
import gzip
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from logwatch.app.follower_events import FollowEvent, Matched
from logwatch.follow import handles, newfiles
from logwatch.follow.listing import watch_root
from logwatch.follow.tailer import Opened, Read, Source, Tailer, windows_error
from logwatch.store.schema import SCHEMA_VERSION
from logwatch.store.state import State
from tests import processes
from tests.conftest import wait_until
from tests.fakes import FakeClock
from tests.follow_harness import Harness, line, write


@pytest.fixture(name="h")
def _harness(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    harness.step()  # the first look: the directory is empty, so later files start at 0
    yield harness
    harness.close()


def lines(a: int, b: int) -> bytes:
    return b"".join(line(n) for n in range(a, b))


def _followed_open_files(files: Any, pattern: str) -> Any:
    """``OpenFiles`` of one source whose pattern was followed before (its files are read
    from their start), with no events and no warnings."""
    import threading

    from logwatch.follow.reading import OpenFiles

    return OpenFiles(
        files,
        [Source("s", (pattern,))],
        FakeClock(),
        threading.Event(),
        lambda *a, **k: None,
        followed={pattern},
    )


# -- rotation ---------------------------------------------------------------------------


def test_rename_rotation_drains_the_old_file_then_the_new(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 10))
    h.step()
    # the writer keeps its handle across the rotation
    with processes.append_shared(log) as writer:
        writer.write(lines(10, 12))
        log.rename(tmp_path / "app.log.1")
        write(log, lines(20, 25))
        writer.write(lines(12, 15))  # still finishing the old file
    h.settle()
    h.once([*range(15), *range(20, 25)])


def test_several_rotations_between_two_polls(h: Harness, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.step()
    for gen in range(3):  # app.log -> .1 -> .2 -> .3, each generation written once
        for k in range(3, 0, -1):
            older = tmp_path / f"app.log.{k}"
            if older.exists():
                older.rename(tmp_path / f"app.log.{k + 1}")
        log.rename(tmp_path / "app.log.1")
        write(log, lines(100 * (gen + 1), 100 * (gen + 1) + 5))
    h.settle()
    h.once([*range(5), *range(100, 105), *range(200, 205), *range(300, 305)])


def test_copytruncate_with_a_stale_writer_leaves_nul_bytes_that_are_skipped(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.step()
    write(log, lines(5, 8))  # not read yet: recovered from the copy
    shutil.copyfile(log, tmp_path / "app.log.1")
    with log.open("r+b") as fh:
        fh.truncate(0)
    with log.open("r+b") as fh:  # a writer without O_APPEND writes at its old offset
        fh.seek(200)
        fh.write(lines(8, 10))
    h.settle()
    h.once(range(10))


def test_copytruncate_while_stopped_reads_the_new_content_from_zero(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path)
    h.step()
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.settle()
    h.restart()
    h.close()
    log.write_bytes(lines(5, 7))  # truncated and rewritten while logwatch was down
    h.follower = h._new()
    h.settle()
    h.once(range(7))
    h.close()


def test_truncate_in_place_then_regrow_past_the_offset(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.step()
    log.write_bytes(lines(10, 20))  # cut, then longer than before, between two looks
    h.settle()
    h.once([*range(5), *range(10, 20)])


def test_delete_and_recreate_is_new_content(h: Harness, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 3))
    h.step()
    log.unlink()
    write(log, lines(3, 6))  # the freed inode may well be reused
    h.settle()
    h.once(range(6))


def test_a_renamed_directory_is_found_again(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    h = Harness(tmp_path, patterns=("logs/*.log",))
    h.step()
    write(logs / "a.log", lines(0, 3))
    h.step()
    logs.rename(tmp_path / "logs.old")
    logs.mkdir()
    write(logs / "a.log", lines(3, 6))
    h.settle()
    h.once(range(6))
    h.close()


def test_a_new_daily_file_is_read_from_its_start(h: Harness, tmp_path: Path) -> None:
    h2 = Harness(tmp_path, patterns=("20*.log",), state=False)
    write(tmp_path / "20261123.log", lines(0, 3))
    h2.step()  # first start: existing files from their end
    write(tmp_path / "20261124.log", lines(3, 6))
    h2.settle()
    h2.once(range(3, 6))
    h2.close()


def test_an_unreadable_file_is_read_once_it_becomes_readable(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, who can read any file, so the denial is injected at open."""
    log = tmp_path / "app.log"
    write(log, lines(0, 3))
    real = handles.open_shared

    def deny(path: str):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(newfiles, "open_shared", deny)
    with capture_logs() as logged:
        h.step(3)
    assert h.seen == {}
    assert [e["event"] for e in logged] == ["file_unreadable"]  # once, not per look
    assert logged[0]["path"] == str(log)
    monkeypatch.setattr(newfiles, "open_shared", real)
    h.settle()
    h.once(range(3))


def test_a_missing_file_is_followed_when_it_appears(tmp_path: Path) -> None:
    h = Harness(tmp_path, patterns=("later/app.log",))
    h.step(2)
    (tmp_path / "later").mkdir()
    write(tmp_path / "later" / "app.log", lines(0, 2))
    h.settle()
    h.once(range(2))
    h.close()


@processes.needs_symlinks
def test_a_symlink_whose_target_rotates(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    h = Harness(tmp_path, patterns=("current.log",))
    h.step()
    write(real / "one.log", lines(0, 3))
    (tmp_path / "current.log").symlink_to(real / "one.log")
    h.step()
    write(real / "one.log", lines(3, 4))
    write(real / "two.log", lines(4, 6))
    (tmp_path / "current.log").unlink()
    (tmp_path / "current.log").symlink_to(real / "two.log")
    h.settle()
    h.once(range(6))
    h.close()


@processes.needs_symlinks
def test_a_fixed_symlink_whose_target_file_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    write(real / "one.log", b"")
    (tmp_path / "current.log").symlink_to(real / "one.log")
    h = Harness(tmp_path, patterns=("current.log",))
    h.step()
    write(real / "one.log", lines(0, 2))
    h.settle()
    (real / "one.log").rename(real / "one.log.1")  # the link now points at a new file
    write(real / "one.log", lines(2, 4))
    h.settle()
    h.once(range(4))
    h.close()


# -- partial and long lines ---------------------------------------------------------------


def test_a_partial_line_completed_across_a_restart_is_reported_once(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, line(0) + b"LINE 000001 hal")
    h.settle()
    h.restart()
    write(log, b"f done\n")
    h.settle()
    h.once(range(2))


def test_an_unterminated_last_line_is_flushed_after_the_quiet_period_once(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, line(0) + b"LINE 000001 the writer died here")
    h.settle()
    assert h.seen[1] == 0
    h.clock.advance(31)
    h.step(3)
    h.restart()
    h.settle()
    h.once(range(2))


def test_a_line_over_the_cap_is_cut_and_following_goes_on(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, b"LINE 000000 " + b"x" * 200_000 + b"\n" + line(1))
    h.settle()
    h.once(range(2))


def test_a_huge_line_in_small_writes_keeps_memory_bounded(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    for _ in range(40):
        write(log, b"y" * 50_000)
        h.step()
        (stream,) = (f.stream for f in h.follower._followed.values())
        assert stream.decoder.held_bytes <= 64 * 1024
    write(log, b"\n" + line(0))
    h.settle()
    h.once([0])


def test_the_offset_after_a_cut_line_survives_a_restart(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, b"z" * 300_000 + b"\n" + line(0))
    h.settle()
    h.restart()
    write(log, line(1))
    h.settle()
    h.once(range(2))


# -- encodings and odd bytes ----------------------------------------------------------------


def test_invalid_utf8_still_matches(h: Harness, tmp_path: Path) -> None:
    write(tmp_path / "app.log", b"LINE 000000 \xff\xfe bad bytes\n" + line(1))
    h.settle()
    h.once(range(2))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_resumes_mid_file_with_its_encoding(
    tmp_path: Path, encoding: str
) -> None:
    h = Harness(tmp_path)
    h.step()
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    log = tmp_path / "app.log"
    write(log, bom + "LINE 000000 журнал\n".encode(encoding))
    h.settle()
    h.restart()
    write(log, "LINE 000001 ещё\r\n".encode(encoding))
    h.settle()
    h.once(range(2))
    h.close()


def test_surrogate_pairs_split_across_writes(h: Harness, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    data = codecs.BOM_UTF16_LE + "LINE 000000 😀😀\nLINE 000001 ok\n".encode(
        "utf-16-le"
    )
    for i in range(0, len(data), 3):
        write(log, data[i : i + 3])
        h.step()
    h.settle()
    h.once(range(2))


def test_newlines_split_across_writes(h: Harness, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    for piece in (b"LINE 000000 a\r", b"\nLINE 000001 b\r", b"\n"):
        write(log, piece)
        h.step()
    h.settle()
    h.once(range(2))


def test_crlf_lines_match(h: Harness, tmp_path: Path) -> None:
    write(tmp_path / "app.log", b"LINE 000000 a\r\nLINE 000001 b\r\n")
    h.settle()
    h.once(range(2))


def test_empty_lines_are_quietly_passed_over(h: Harness, tmp_path: Path) -> None:
    write(tmp_path / "app.log", b"\n\r\n\n" + line(0) + b"\n\n")
    h.settle()
    h.once([0])


def test_binary_garbage_and_nul_runs_do_not_stop_following(
    h: Harness, tmp_path: Path
) -> None:
    write(
        tmp_path / "app.log",
        os.urandom(4096).replace(b"\n", b"") + b"\n" + b"\x00" * 5000 + b"\n" + line(0),
    )
    h.settle()
    h.once([0])


# -- which files -----------------------------------------------------------------------------


def test_compressed_rotations_are_never_read(h: Harness, tmp_path: Path) -> None:
    with gzip.open(tmp_path / "app.log.2.gz", "wb") as fh:
        fh.write(lines(50, 60))
    (tmp_path / "app.log.3.zip").write_bytes(lines(60, 70))
    write(tmp_path / "app.log", lines(0, 2))
    h.settle()
    h.once(range(2))


def test_excluded_files_are_not_read(tmp_path: Path) -> None:
    h = Harness(tmp_path, patterns=("*.log",), exclude=("debug-*",))
    h.step()
    write(tmp_path / "debug-1.log", lines(50, 52))
    write(tmp_path / "app.log", lines(0, 2))
    h.settle()
    h.once(range(2))
    h.close()


def test_a_path_that_is_a_directory_is_warned_about_once(tmp_path: Path) -> None:
    (tmp_path / "app.log.d").mkdir()
    h = Harness(tmp_path)
    with capture_logs() as logged:
        h.step(3)
    assert [(e["event"], Path(e["path"]).name) for e in logged] == [
        ("not_a_file", "app.log.d")
    ]
    h.close()


def test_a_tiny_file_is_followed_as_it_grows(h: Harness, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    write(log, b"LINE 0")
    h.step()
    write(log, b"00000\n")
    h.step()
    write(log, line(1))
    h.settle()
    h.once(range(2))


def test_a_hard_link_is_followed_once(h: Harness, tmp_path: Path) -> None:
    write(tmp_path / "app.log", lines(0, 3))
    os.link(tmp_path / "app.log", tmp_path / "app.log.link")
    h.settle()
    h.once(range(3))


def test_thousands_of_files_cost_one_listing_and_few_handles(tmp_path: Path) -> None:
    for i in range(2000):
        (tmp_path / f"app.log.{i}").write_bytes(line(i))
    h = Harness(tmp_path, state=False)
    h.follower.tailer.max_open = 64
    h.settle()
    assert h.follower.open_files <= 64
    write(tmp_path / "app.log.1999", line(5000))
    h.settle()
    assert h.seen[5000] == 1
    h.close()


# -- state ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "it is empty"),
        (b"\x00" * 8192, "file is not a database"),
        (b"SQLite format 3\x00" + os.urandom(4000), ""),
    ],
)
def test_an_unusable_state_db_is_moved_aside_and_following_starts_at_the_end(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    (tmp_path / "state.db").write_bytes(content)
    write(tmp_path / "app.log", lines(0, 3))
    h = Harness(tmp_path)
    state = h.follower.state
    assert state is not None
    assert state.fresh
    assert state.moved_aside is not None
    assert reason in state.moved_aside[1]
    assert state.moved_aside[0].exists()
    h.step()
    write(tmp_path / "app.log", lines(3, 4))
    h.settle()
    h.once([3])
    h.close()


def test_a_state_db_from_a_newer_logwatch_is_moved_aside(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "state.db")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    state = State(tmp_path / "state.db", FakeClock())
    assert state.moved_aside is not None
    assert "newer logwatch" in state.moved_aside[1]
    state.close()


def test_a_version_1_state_db_is_migrated_and_kept(tmp_path: Path) -> None:
    from logwatch.store.schema import MIGRATIONS

    db = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO files VALUES ('f1', x'00', 1, '/x.log', 42, x'01', 0.0)")
    db.close()
    state = State(tmp_path / "state.db", FakeClock())
    assert not state.fresh
    assert state.moved_aside is None
    (saved,) = state.offsets.files()
    assert (saved.id, saved.offset, saved.line) == ("f1", 42, 1)
    state.close()


def test_state_expires_files_gone_for_a_week(tmp_path: Path) -> None:
    clock = FakeClock()
    h = Harness(tmp_path, clock=clock)
    h.step()
    write(tmp_path / "app.log", lines(0, 1))
    h.settle()
    state = h.follower.state
    assert state is not None
    (saved,) = state.offsets.files()
    clock.advance(8 * 24 * 3600)
    assert state.expire() == [saved.id]
    assert state.offsets.files() == []
    h.close()


def test_quiet_files_still_followed_are_not_expired(tmp_path: Path) -> None:
    clock = FakeClock()
    h = Harness(tmp_path, clock=clock)
    h.step()
    write(tmp_path / "app.log", lines(0, 1))
    h.settle()
    clock.advance(8 * 24 * 3600)  # a week and a day without a new line
    h.step()
    h.restart()  # a dropped entry would make the restart read app.log again from 0
    write(tmp_path / "app.log", lines(1, 2))
    h.settle()
    state = h.follower.state
    assert state is not None
    assert len(state.offsets.files()) == 1
    h.once(range(2))
    h.close()


def test_wall_clock_jumps_neither_skip_nor_repeat_lines(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 3))
    h.step()
    h.clock._now = h.clock._now.replace(year=2020)  # the PC clock jumps back years
    write(log, lines(3, 6))
    h.settle()
    h.clock._now = h.clock._now.replace(year=2030)
    write(log, lines(6, 9))
    h.settle()
    h.once(range(9))


# -- restarts ---------------------------------------------------------------------------------


def test_restart_resumes_finds_rotated_files_and_reads_new_ones_from_zero(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.settle()
    h.close()
    write(log, lines(5, 8))  # written while stopped
    log.rename(tmp_path / "app.log.1")  # rotated while stopped
    write(log, lines(8, 10))  # appeared while stopped
    h.follower = h._new()
    h.settle()
    h.once(range(10))


def test_a_file_the_killed_first_run_never_saved_is_read_from_its_start(
    h: Harness, tmp_path: Path
) -> None:
    """Killed before its first save: the state file exists but names no file. That
    restart is not a first start, so its files are read whole, not from their ends."""
    log = tmp_path / "app.log"
    h.step()  # the first run: the state file is made; no log exists yet
    write(log, lines(0, 4))
    h.crash()  # killed before it read (or saved) anything of app.log
    assert h.follower.state is not None
    assert h.follower.state.offsets.files() == []
    write(log, lines(4, 6))  # written just after the restart
    h.settle()
    h.once(range(6))
    h.close()


def test_first_start_without_state_begins_at_the_ends_and_backfill_rereads_recent_lines(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(
        b"2020-01-01 10:00:00,000 - bot - ERROR - LINE 000000 long ago\n"
        b"2026-11-24 11:55:00,000 - bot - ERROR - LINE 000001 five minutes ago\n"
    )
    plain = Harness(tmp_path, state=False)
    plain.settle()
    assert plain.seen == {}
    plain.close()
    clock = FakeClock()  # 2026-11-24 12:00 UTC; the log's times are local
    local = clock.now().astimezone().replace(tzinfo=None)
    log.write_bytes(
        f"{local.replace(year=2020):%Y-%m-%d %H:%M:%S},000 - bot - ERROR - LINE 000000 old\n"
        f"{local:%Y-%m-%d %H:%M:%S},000 - bot - ERROR - LINE 000001 now\n".encode()
    )
    back = Harness(tmp_path, state=False, clock=clock, backfill_s=900)
    back.settle()
    back.clock.advance(1)
    back.step()
    back.once([1])
    back.close()


def test_a_copytruncate_between_reading_and_saving_keeps_the_copy_known_after_a_kill(
    h: Harness, tmp_path: Path
) -> None:
    """Issue 18: the file was copied and cut while its lines were being matched, so
    the save hashed the new bytes before its offset; killed then, the restarted
    follower did not know the copy, which holds the lines read, and read it again
    from its start."""
    log = tmp_path / "app.log"
    write(log, lines(0, 5))
    h.settle()
    write(log, lines(5, 10))
    report = h.follower.events

    def rotate_while_matching(event: FollowEvent) -> None:
        report(event)
        if (
            isinstance(event, Matched)
            and h.seen[9]
            and not (tmp_path / "app.log.1").exists()
        ):
            shutil.copyfile(log, tmp_path / "app.log.1")
            os.truncate(log, 0)
            write(log, lines(10, 13))

    h.follower.events = rotate_while_matching
    h.step()  # reads 5..9, the file is rotated, then the step saves
    h.crash()
    h.settle()
    h.once(range(13))


def test_a_partial_line_flushed_at_a_cut_keeps_the_copy_known_after_a_kill(
    h: Harness, tmp_path: Path
) -> None:
    """Issue 18: cut with a partial last line, a file is closed and its partial line
    flushed, so its offset moves after its handle is gone; the marker of the older
    offset was saved with the new one, and after a kill the copy that came in later
    was read again from its start."""
    log, aside = tmp_path / "app.log", tmp_path / "copy.tmp"
    write(log, lines(0, 5) + line(5)[:-1])  # line 5 without its newline
    h.settle()
    shutil.copyfile(log, aside)  # copied under a name no pattern matches yet
    os.truncate(log, 0)
    write(log, lines(6, 8))
    h.settle()
    h.crash()
    aside.rename(tmp_path / "app.log.1")
    h.settle()
    h.once(range(8))


def test_a_file_that_differs_before_its_offset_is_read_whole_with_a_warning(
    h: Harness, tmp_path: Path
) -> None:
    """Recreated while stopped with the same first KiB (a header) and other lines:
    the offset saved for the old file says nothing of this one. It is read from its
    start, and the warning says lines may come again."""
    log = tmp_path / "app.log"
    header = b"# platform log, version 1.0 " + b"." * 1100 + b"\n"
    write(log, header + lines(0, 5))
    h.settle()
    h.close()
    log.unlink()
    write(log, header + lines(100, 110))
    with capture_logs() as logs:
        h.follower = h._new()
        h.settle()
    h.once([*range(5), *range(100, 110)])
    untrusted = [e for e in logs if e["event"] == "offset_untrusted"]
    assert [(e["path"], e["read_to"], e["reading_from"]) for e in untrusted] == [
        (str(log), str(len(header + lines(0, 5))), "0")
    ]


def test_crash_before_commit_reports_again_but_skips_nothing(
    h: Harness, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    write(log, lines(0, 3))
    h.settle()
    h.follower.commit = lambda: True  # type: ignore[method-assign]
    write(log, lines(3, 6))
    h.step()
    h.crash()
    h.settle()
    assert [n for n in range(6) if h.seen[n] == 0] == []
    assert all(h.seen[n] == 1 for n in range(3))


# -- a pattern followed for the first time (issue 18, item 5) ---------------------------


@pytest.mark.parametrize(
    "patterns",
    [
        ("a/*.log", "b/*.log"),
        ("b/*.log", "a/*.log"),
        # a file an old pattern matches too was followed before, whatever matched first
        ("a/new*.log", "b/*.log", "a/*.log"),
    ],
)
def test_a_pattern_added_to_a_state_starts_at_the_ends_of_the_files_it_finds(
    tmp_path: Path, patterns: tuple[str, ...]
) -> None:
    """A pattern not followed before is a first start for the files it finds: they
    start at their ends (their old errors are not alerted, issue 18); a file new in a
    pattern followed before, and one that appears later, are read from their start."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    write(tmp_path / "b" / "old.log", lines(0, 3))
    first = Harness(tmp_path, ("a/*.log",))
    first.settle()
    first.close()
    write(tmp_path / "a" / "new.log", lines(10, 12))  # a daily file, while it was down
    write(tmp_path / "b" / "old.log", lines(3, 5))
    h = Harness(tmp_path, patterns)
    h.settle()
    write(tmp_path / "b" / "old.log", lines(20, 22))
    write(tmp_path / "b" / "later.log", lines(30, 32))
    h.settle()
    h.once([10, 11, 20, 21, 30, 31])
    h.close()


def test_a_state_from_before_patterns_were_saved_counts_those_of_its_files(
    tmp_path: Path,
) -> None:
    """A state of schema 5 names files, not patterns: a pattern that matches a saved
    file's path was followed; the others are new."""
    from logwatch.store.schema import MIGRATIONS

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    db = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    for migrate in MIGRATIONS[:5]:
        migrate(db)
    db.execute("PRAGMA user_version=5")
    db.execute(
        "INSERT INTO files VALUES ('f1', x'00', 1, ?, 42, x'01', ?, 1)",
        (str(tmp_path / "a" / "app.log"), FakeClock().now().timestamp()),
    )
    db.close()
    write(tmp_path / "a" / "new.log", lines(0, 2))  # written while it was down
    write(tmp_path / "b" / "old.log", lines(10, 12))
    h = Harness(tmp_path, ("a/*.log", "b/*.log"))
    h.settle()
    h.once([0, 1])
    state = h.follower.state
    assert state is not None
    assert state.offsets.followed() == {
        str(tmp_path / p) for p in ("a/*.log", "b/*.log")
    }
    h.close()


def stamped(when: datetime, n: int) -> bytes:
    """Line ``n`` as a Python logger writes it at local time ``when``."""
    return f"{when:%Y-%m-%d %H:%M:%S},000 - bot - ERROR - LINE {n:06d}\n".encode()


#: how long ago each line was written, in hours; lines past max_age (24 h) are dropped
AGES_H = [30 * 24, 48, 24.5, 23.5, 1, 0, -1]


def test_max_age_holds_by_the_lines_own_time(h: Harness, tmp_path: Path) -> None:
    """A file read from its start (new in a followed source) alerted errors of any age;
    a hit whose line was written longer than ``max_age`` ago is not reported now."""
    h.follower.settings = replace(h.follower.settings, max_age_s=24 * 3600)
    local_now = h.clock.now().astimezone().replace(tzinfo=None)
    data = b"".join(
        stamped(local_now - timedelta(hours=age), n) for n, age in enumerate(AGES_H)
    )
    with capture_logs() as logs:
        write(tmp_path / "app.log.2", data)
        write(tmp_path / "app.log.3", b"no time here: LINE 000100\n")
        h.settle()
    h.once([n for n, age in enumerate(AGES_H) if age <= 24] + [100])
    said = [e for e in logs if e["event"] == "old_lines_not_alerted"]
    assert [(e["path"], e["max_age_s"]) for e in said] == [
        (str(tmp_path / "app.log.2"), 24 * 3600)
    ]


def tzset() -> None:
    """Apply ``$TZ`` now (POSIX only: its test is skipped on Windows)."""
    if sys.platform != "win32":
        time.tzset()


@pytest.mark.skipif(sys.platform == "win32", reason="time.tzset is POSIX only")
@pytest.mark.parametrize("zone", ["XXX-14", "XXX+5", "UTC0"])  # UTC+14, UTC-5, UTC
def test_a_naive_time_in_utc_or_local_time_is_read_as_written(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """A bot in a container logs UTC without saying so: on a host 14 hours ahead, its
    lines read as local time look 14 hours old, and past a short ``max_age`` none
    would be alerted; lines of either kind two hours old are past it."""
    monkeypatch.setenv("TZ", zone)
    tzset()
    try:
        h.follower.settings = replace(h.follower.settings, max_age_s=3600)
        now = h.clock.now()
        local = now.astimezone().replace(tzinfo=None)
        utc = now.replace(tzinfo=None)
        write(
            tmp_path / "app.log.2",
            stamped(utc, 0)
            + stamped(local, 1)
            + stamped(local - timedelta(hours=2), 2)
            + stamped(utc - timedelta(hours=2), 3),
        )
        h.settle()
        h.once([0, 1])
    finally:
        monkeypatch.undo()
        tzset()


@pytest.mark.skipif(sys.platform == "win32", reason="time.tzset is POSIX only")
@pytest.mark.parametrize("zone", ["XXX-14", "XXX+5", "UTC0"])  # UTC+14, UTC-5, UTC
def test_a_backfill_reads_a_naive_time_in_utc_or_local_time_as_max_age_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """The backfill read a naive time as local time only: on a host 14 hours ahead,
    a bot logging UTC had its lines of a minute ago skipped as 14 hours old, where
    ``max_age`` keeps them. Both read it by ``written_at`` now."""
    monkeypatch.setenv("TZ", zone)
    tzset()
    try:
        clock = FakeClock()
        now = clock.now()
        local = now.astimezone().replace(tzinfo=None)
        utc = now.replace(tzinfo=None)
        ago = timedelta(minutes=1)
        (tmp_path / "app.log").write_bytes(
            stamped(utc - ago, 0)
            + stamped(local - ago, 1)
            + stamped(local - timedelta(hours=2), 2)
            + stamped(utc - timedelta(hours=2), 3)
        )
        back = Harness(tmp_path, state=False, clock=clock, backfill_s=900)
        try:
            back.settle()
            back.once([0, 1])
        finally:
            back.close()
    finally:
        monkeypatch.undo()
        tzset()


# -- pure parts and small functions ------------------------------------------------------------


def test_watch_roots() -> None:
    assert watch_root("D:/Quantower/Logs/Serilog/*.slog") == (
        str(Path("D:/Quantower/Logs/Serilog")),
        False,
    )
    assert watch_root("logs/**/*.log") == ("logs", True)
    assert watch_root("app.log") == (".", False)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (2, FileNotFoundError),
        (3, FileNotFoundError),
        (5, PermissionError),
        (32, PermissionError),
        (87, OSError),
    ],
)
def test_windows_open_errors_map_to_python_exceptions(
    code: int, kind: type[OSError]
) -> None:
    err = windows_error(code, "C:/Logs/x.log")
    assert type(err) is kind
    assert err.filename == "C:/Logs/x.log"
    assert str(code) in str(err)


def test_events_wake_the_loop_and_the_observer_is_stopped(tmp_path: Path) -> None:
    tailer = Tailer([Source("s", (str(tmp_path / "*.log"),))], FakeClock())
    tailer.start()
    try:
        tailer.step()
        write(tmp_path / "a.log", line(0))
        assert tailer.wake.wait(5), "no file event within 5 s"
        assert tailer.rediscover
    finally:
        tailer.close()


def test_the_supervisor_restarts_a_dead_observer_and_rewatches_a_directory_that_came_back(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    tailer = Tailer([Source("s", (str(logs / "*.log"),))], FakeClock(), poll_interval=0)
    tailer.start()
    try:
        tailer.step()
        first: Any = tailer._watcher.observer
        first.stop()  # a watchdog thread died
        first.join(5)
        tailer.step()
        now: Any = tailer._watcher.observer
        assert now is not first
        assert now.is_alive()
        logs.rename(tmp_path / "old")
        logs.mkdir()  # the folder comes back with a new inode
        tailer.step()
        tailer.wake.clear()
        write(logs / "a.log", line(0))
        assert tailer.wake.wait(5), "no event from the directory that came back"
    finally:
        tailer.close()


# -- events name what changed; a backstop looks at the rest -------------------------------


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="events name no file on Windows: every listing looks at every file "
    "(test_every_listing_looks_at_every_file_on_windows)",
)
def test_a_parked_file_an_event_names_is_read_at_once_not_at_the_next_listing(
    tmp_path: Path,
) -> None:
    """Above max_open, a file closed to stay under it (parked) used to be looked at
    only at the next listing. Its writer appends without closing (no "closed" event
    that would ask for a listing) and the clock stands still: the event's path alone
    must bring its line in."""
    logs = tmp_path / "logs"
    logs.mkdir()
    write(logs / "old.log", line(0))
    write(logs / "new.log", line(1))
    os.utime(logs / "old.log", ns=(10**18, 10**18))  # the oldest change: parked first
    os.utime(logs / "new.log", ns=(2 * 10**18, 2 * 10**18))
    tailer = Tailer(
        [Source("s", (str(logs / "*.log"),))],
        FakeClock(),
        poll_interval=3600,
        max_open=1,
    )
    tailer.start()
    fd = os.open(logs / "old.log", os.O_WRONLY | os.O_APPEND)
    try:
        opened = {e.path: e.id for e in tailer.step() if isinstance(e, Opened)}
        assert tailer.open_files == 1
        tailer.wake.clear()
        os.write(fd, line(2))
        assert tailer.wake.wait(5), "no event for the write"
        read = [e for e in tailer.step() if isinstance(e, Read)]
        assert [(e.id, e.data) for e in read] == [
            (opened[str(logs / "old.log")], line(2))
        ]
    finally:
        os.close(fd)
        tailer.close()


def test_a_write_no_event_reports_is_read_within_the_backstops_listings(
    tmp_path: Path,
) -> None:
    """A write through a hard link in a directory nobody watches makes no event for the
    followed name (as a lost event): the backstop still looks at every file once in
    ``backstop`` listings, a slice at each."""
    logs, elsewhere = tmp_path / "logs", tmp_path / "elsewhere"
    logs.mkdir()
    elsewhere.mkdir()
    for n in range(7):
        write(logs / f"f{n}.log", line(n))
    os.link(logs / "f3.log", elsewhere / "link.log")
    clock = FakeClock()
    tailer = Tailer(
        [Source("s", (str(logs / "*.log"),))], clock, poll_interval=1, backstop=3
    )
    tailer.start()
    try:
        opened = {e.path: e.id for e in tailer.step() if isinstance(e, Opened)}
        assert len(opened) == 7
        write(elsewhere / "link.log", line(9))
        reads = []
        for _ in range(3):
            clock.advance(1)
            reads += [(e.id, e.data) for e in tailer.step() if isinstance(e, Read)]
        assert reads == [(opened[str(logs / "f3.log")], line(9))]
    finally:
        tailer.close()


@pytest.mark.parametrize("copied", [True, False], ids=["copytruncate", "cut"])
def test_a_file_found_cut_by_its_poll_is_read_in_that_step_not_at_the_backstop(
    tmp_path: Path, copied: bool
) -> None:
    """A rotation storm (issue 18): the writer copies and truncates its log, appends
    to it, then moves on to a new file. The step that found the file cut (by polling
    its handle) opened it afresh but did not read it, and no later event named it (it
    no longer grew): its lines waited for the backstop, 30 listings, or were never
    printed. Every event of the writes is delivered before that step, as in the storm."""
    logs = tmp_path / "logs"
    logs.mkdir()
    live, sentinel = logs / "bot.log", logs / "sentinel"
    write(live, lines(0, 10))
    tailer = Tailer(
        [Source("s", (str(logs / "*.log*"),))],
        FakeClock(),
        followed={str(logs / "*.log*")},  # followed before: read from the start
        poll_interval=3600,
        backstop=30,
    )
    tailer.start()
    got: dict[str, bytes] = {}

    def step() -> None:
        for event in tailer.step():
            if isinstance(event, Read):
                got[event.id] = got.get(event.id, b"") + event.data

    def delivered(data: bytes) -> None:
        """Every event of the writes so far has reached the tailer (they come in
        order, so the sentinel's comes last)."""
        write(sentinel, data)
        wait_until(lambda: str(sentinel) in tailer._touched, what="the sentinel")

    try:
        step()
        assert sorted(got.values()) == [lines(0, 10)]
        if copied:
            shutil.copyfile(live, logs / "bot.log.1")
        os.truncate(live, 0)
        write(live, lines(10, 15))  # then the writer moves on: no more events here
        delivered(b"x")
        tailer.wake.clear()
        step()
        assert sorted(got.values()) == [lines(0, 10), lines(10, 15)]
    finally:
        tailer.close()


def test_after_a_slow_step_a_step_reads_less_and_still_opens_new_files(
    tmp_path: Path,
) -> None:
    """A rotation storm on a busy PC (issue 18): each step read everything new (up to
    16 MiB a file) and its lines took seconds to match, so daily files created and
    deleted meanwhile were never opened, their lines lost. A step now reads what the
    last one's rate allows in PACE_S; the listing that opens new files comes soon, and
    what is left is read at the next steps."""
    from logwatch.follow.readpace import MIN_STEP_READ, PACE_S

    logs = tmp_path / "logs"
    logs.mkdir()
    busy = logs / "busy.log"
    chunk = lines(0, 80_000)  # about 1 MiB
    write(busy, chunk)
    clock = FakeClock()
    tailer = Tailer(
        [Source("s", (str(logs / "*.log"),))],
        clock,
        followed={str(logs / "*.log")},  # followed before: read from the start
        poll_interval=0,
    )

    def read(events: list[Any]) -> int:
        return sum(len(e.data) for e in events if isinstance(e, Read))

    try:
        # the first step, with no rate known, reads the least: killed while it is
        # matched, a start would lose all it read (issue 18, with kills)
        first = read(tailer.step())
        assert first == MIN_STEP_READ
        rest = read(tailer.step())  # no time passed: no pace
        assert first + rest == len(chunk)
        slow_s = 8.0
        clock.advance(slow_s)  # its lines took this long to match
        write(busy, chunk)
        write(logs / "daily-0002.log", line(1))
        events = tailer.step()
        allowed = max(MIN_STEP_READ, int(rest / slow_s * PACE_S))
        assert read(events) == allowed < len(chunk)
        opened = [e.path for e in events if isinstance(e, Opened)]
        assert opened == [str(logs / "daily-0002.log")]
        assert tailer.wake.is_set()  # more to read: at once
        total = read(events)
        for _ in range(100):
            if total == len(chunk) + len(line(1)):
                break
            clock.advance(0.01)
            total += read(tailer.step())
        assert total == len(chunk) + len(line(1))
    finally:
        tailer.close()


def test_a_copy_listed_while_it_was_written_is_known_after_its_original_is_cut(
    tmp_path: Path,
) -> None:
    """Issue 18 (twice in one of 20 storms, no kill): a copytruncate's copy was listed
    while it was being written and looked at after its original was cut. Its listed
    size, short of what had been read, had it compared with the original's new bytes:
    it was taken for a new file and its lines were all reported again."""
    from logwatch.follow.events import Moved
    from logwatch.follow.fileindex import FileIndex
    from logwatch.follow.listing import Listed, file_key

    live, copy = tmp_path / "bot.log", tmp_path / "bot.log.1"
    write(live, lines(0, 500))
    files = FileIndex()
    pattern = str(tmp_path / "bot.log*")
    open_files = _followed_open_files(files, pattern)
    events: list[Any] = []
    try:
        open_files.identify(
            file_key(live.stat(), str(live)),
            Listed(str(live), "s", 0, 0, (pattern,)),
            events,
        )
        (followed,) = files.held()
        open_files.poll(followed, events)
        assert b"".join(e.data for e in events if isinstance(e, Read)) == lines(0, 500)
        shutil.copyfile(live, copy)
        seen_then = Listed(str(copy), "s", 3000, 0, (pattern,))  # seen mid-copy
        os.truncate(live, 0)
        write(live, lines(500, 502))
        events.clear()
        inode = file_key(copy.stat(), str(copy))
        open_files.identify(inode, seen_then, events)
        assert events == []
        assert open_files.is_copy(inode)  # it waits: a copy of the followed file
        open_files.poll(
            followed, events
        )  # the cut is found: reading goes on in the copy
        assert Moved(followed.id, str(copy)) in events
        new = b"".join(e.data for e in events if isinstance(e, Read))
        assert new == lines(500, 502)
    finally:
        open_files.close()


def test_every_listing_looks_at_every_file_on_windows() -> None:
    """NTFS may report the growth of a file its writer holds open only at a flush or
    close: on Windows the backstop is every listing, as without events."""
    from logwatch.follow.lastlisting import BACKSTOP_LISTINGS, backstop_listings

    assert backstop_listings("win32") == 1
    assert backstop_listings("linux") == BACKSTOP_LISTINGS > 1


# -- Windows conditions, simulated ------------------------------------------------------


def test_a_directory_whose_watch_raises_anything_is_polled_and_the_rest_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """watchdog 7 raises queue.Empty (not OSError) from schedule() when a directory
    vanishes while it is being watched (simulated: schedule raises for one directory).
    Before: the exception escaped step() and stopped the follower."""
    import queue

    from watchdog.observers.api import BaseObserver

    observing: Any = BaseObserver
    if sys.platform.startswith("linux"):
        from logwatch.follow.inotify import InotifyReader

        observing = InotifyReader
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    real = observing.schedule

    def schedule(self: Any, handler: Any, path: str, **kw: Any) -> Any:
        if path == str(bad):
            raise queue.Empty
        return real(self, handler, path, **kw)

    monkeypatch.setattr(observing, "schedule", schedule)
    source = Source("s", (str(bad / "*.log"), str(good / "*.log")))
    tailer = Tailer([source], FakeClock(), poll_interval=0)
    try:
        with capture_logs() as logs:
            tailer.start()
            tailer.step()
            tailer.step()
        failed = [e for e in logs if e["event"] == "watch_failed"]
        assert [(e["path"], e["error"]) for e in failed] == [(str(bad), "Empty: ")]
        write(bad / "a.log", line(0))
        events = tailer.step()  # polled: still found
        assert [type(e).__name__ for e in events] == ["Opened", "Read"]
        tailer.wake.clear()
        write(good / "b.log", line(1))
        assert tailer.wake.wait(5), "no event from the directory that could be watched"
    finally:
        tailer.close()


@processes.needs_delete_semantics
def test_a_directory_deleted_and_recreated_is_watched_again(tmp_path: Path) -> None:
    """Before: the vanished directory's watch was dropped without unschedule, so
    watchdog handed back its stopped emitter and the new directory sent no events."""
    logs = tmp_path / "logs"
    logs.mkdir()
    tailer = Tailer([Source("s", (str(logs / "*.log"),))], FakeClock(), poll_interval=0)
    tailer.start()
    try:
        tailer.step()
        shutil.rmtree(logs)
        tailer.step()  # sees it gone
        logs.mkdir()
        tailer.step()  # sees it back
        tailer.wake.clear()
        write(logs / "a.log", line(0))
        assert tailer.wake.wait(5), "no event from the recreated directory"
    finally:
        tailer.close()


def test_files_with_inode_0_are_told_apart_by_path_and_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT/exFAT and some network drives report st_ino 0 on Windows (simulated by a
    stat that says 0). Before: every file there was one (device, 0) and only one of
    them was followed."""
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kw: Any) -> os.stat_result:
        st = real_stat(path, *args, **kw)
        if str(path).endswith(".log"):
            fields = tuple(st)
            return os.stat_result(
                (fields[0], 0, *fields[2:]), {"st_mtime_ns": st.st_mtime_ns}
            )
        return st

    monkeypatch.setattr(os, "stat", stat)  # the tailer lists with os.stat
    write(tmp_path / "a.log", line(0))
    write(tmp_path / "b.log", line(100))
    tailer = Tailer(
        [Source("s", (str(tmp_path / "*.log"),), force_polling=True)],
        FakeClock(),
        poll_interval=0,
    )
    try:
        opened = [e for e in tailer.step() if type(e).__name__ == "Opened"]
        assert sorted(Path(e.path).name for e in opened) == ["a.log", "b.log"]  # type: ignore[union-attr]
        write(tmp_path / "a.log", line(1))
        write(tmp_path / "b.log", line(101))
        reads = [e for e in tailer.step() if type(e).__name__ == "Read"]
        assert sorted(e.data for e in reads) == [line(1), line(101)]  # type: ignore[union-attr]
        (tmp_path / "a.log").rename(tmp_path / "a.log.1")  # rotated: same content
        write(tmp_path / "a.log", line(2))
        write(tmp_path / "a.log.1", line(3))
        seen: list[bytes] = []
        for _ in range(10):
            seen += [e.data for e in tailer.step() if type(e).__name__ == "Read"]  # type: ignore[union-attr]
        assert sorted(seen) == [line(2), line(3)]
    finally:
        tailer.close()


def test_a_star_directory_is_watched_as_the_folders_it_matches_not_recursively(
    tmp_path: Path,
) -> None:
    """MetaTrader's Terminal/<hash>/Logs: before, the whole Terminal tree (tick caches
    and all) was watched recursively."""
    from logwatch.follow.listing import watch_dirs

    terminal = tmp_path / "Terminal"
    for name in ("A1", "B2"):
        (terminal / name / "Logs").mkdir(parents=True)
    (terminal / "Common" / "Files").mkdir(parents=True)
    assert watch_dirs(str(terminal / "*" / "Logs" / "*.log")) == [
        (str(terminal), False),
        (str(terminal / "A1" / "Logs"), False),
        (str(terminal / "B2" / "Logs"), False),
    ]
    assert watch_dirs(str(tmp_path / "Q" / "Logs" / "**" / "*.slog")) == [
        (str(tmp_path / "Q" / "Logs"), True)
    ]
    tailer = Tailer(
        [Source("mt", (str(terminal / "*" / "Logs" / "*.log"),))],
        FakeClock(),
        poll_interval=0,
    )
    tailer.start()
    try:
        tailer.step()
        watched = tailer._watcher.watched()
        assert watched == [
            (str(terminal), False),
            (str(terminal / "A1" / "Logs"), False),
            (str(terminal / "B2" / "Logs"), False),
        ]
        (terminal / "C3" / "Logs").mkdir(parents=True)  # a new terminal installed
        tailer.step()
        tailer.wake.clear()
        write(terminal / "C3" / "Logs" / "20260101.log", line(0))
        assert tailer.wake.wait(5), "the new terminal's Logs folder is not watched"
    finally:
        tailer.close()


def test_a_user_name_with_a_bracket_is_a_plain_folder_of_the_watch_root() -> None:
    import glob

    home = glob.escape("/home/Ivan [desk]")
    assert watch_root(home + "/logs/*.log") == (
        str(Path("/home/Ivan [desk]/logs")),
        False,
    )
    assert watch_root("/x/[0-9]*/y/*.log") == (str(Path("/x")), True)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_ending_mid_line_is_started_at_a_whole_character(
    tmp_path: Path, encoding: str
) -> None:
    """MetaTrader writes UTF-16LE. On a first start, a file that ended mid-line was
    started one byte after "\\n" (the "\\x00" of "\\n\\x00"), an odd offset that garbled
    the first line read. Before: line 1 was never seen."""
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    log = tmp_path / "app.log"
    write(log, bom + "LINE 000000 старт\r\nLINE 000001 par".encode(encoding))
    h = Harness(tmp_path)
    try:
        h.step()
        write(log, "tial\r\nLINE 000002 ещё\r\n".encode(encoding))
        h.settle()
        h.once([1, 2])
    finally:
        h.close()


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"a\nb\npart", 4),
        (b"no newline yet", 0),
        (codecs.BOM_UTF16_LE + "a\nbc".encode("utf-16-le"), 6),
        (codecs.BOM_UTF16_LE + "a\n".encode("utf-16-le"), 6),
        (codecs.BOM_UTF16_LE + "a\nਊĀ".encode("utf-16-le"), 6),  # 0A 0A 00 01
        (codecs.BOM_UTF16_BE + "a\nbc".encode("utf-16-be"), 6),
        ("a\nbc".encode("utf-16-le"), 4),  # no BOM: told by the zero bytes
        ("a\n".encode("utf-16-be"), 4),
    ],
)
def test_the_start_after_the_last_whole_line(data: bytes, start: int) -> None:
    from logwatch.follow.positions import end_of_last_line

    def read(offset: int, size: int) -> bytes:
        return data[offset : offset + max(0, size)]

    assert end_of_last_line(read, len(data)) == start


def test_on_windows_a_vanished_file_is_let_go_at_the_first_listing_without_it(
    tmp_path: Path,
) -> None:
    """Simulated Windows: a file deleted while held stays "delete pending" (FAT, exFAT,
    SMB), listed but not stat-able, and blocks its name until our handle closes. Here
    it leaves the listing by a move (its link count stays 1, as Windows reports).
    Before: it was held for two listings, while the platform could not recreate it."""
    from logwatch.follow.tailer import Drained, missing_listings

    assert missing_listings("linux") == 2
    (tmp_path / "gone").mkdir()
    write(tmp_path / "a.log", line(0))
    tailer = Tailer(
        [Source("s", (str(tmp_path / "*.log"),), force_polling=True)],
        FakeClock(),
        poll_interval=0,
        missing_limit=missing_listings("win32"),
    )
    try:
        tailer.step()
        assert tailer.open_files == 1
        (tmp_path / "a.log").rename(tmp_path / "gone" / "a.log")
        events = tailer.step()
        assert [type(e) for e in events] == [Drained]
        assert tailer.open_files == 0
    finally:
        tailer.close()


def test_files_parked_above_max_open_keep_exact_line_numbers(tmp_path: Path) -> None:
    """Files closed to stay under max_open in the step that opened them were numbered
    from line 1 at their end offset (issue 11), and the wrong numbers were saved."""
    from logwatch.app.followed import FollowSettings
    from logwatch.app.follower import Follower
    from logwatch.match.engine import Engine
    from logwatch.rulebook.ruleload import load_rules
    from tests.fakes import each_scan

    margin = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"
    clock = FakeClock()
    hits: list[tuple[str, int]] = []

    def follower() -> Follower:
        made = Follower(
            Engine(load_rules()),
            [Source("s", (str(tmp_path / "*.log"),))],
            clock,
            state=State(tmp_path / "state.db", clock),
            events=each_scan(
                lambda scan: hits.extend(
                    (Path(h.record.path).name, h.line) for h in scan.hits
                )
            ),
            settings=FollowSettings(poll_interval=0),
        )
        made.tailer.max_open = 2
        return made

    for i in range(4):
        write(tmp_path / f"{i}.log", f"file {i}: its own first line\n".encode() * 3)
    f = follower()
    f.step()
    for _ in range(2):
        for i in range(4):
            write(tmp_path / f"{i}.log", b"ok\n" * 2 + margin)
            f.step()
            f.step()
    assert sorted(hits) == sorted((f"{i}.log", n) for i in range(4) for n in (6, 9))
    f.close()
    hits.clear()
    f = follower()
    f.step()
    for i in range(4):
        write(tmp_path / f"{i}.log", margin)
        f.step()
        f.step()
    assert sorted(hits) == [(f"{i}.log", 10) for i in range(4)]
    f.close()


def test_an_empty_file_does_not_keep_the_loop_awake(tmp_path: Path) -> None:
    """Reading a file makes inotify report an open and a close-without-write; waking on
    those made the daemon spin at most of a core while a followed file was empty."""
    (tmp_path / "bot.log").write_bytes(b"")
    tailer = Tailer([Source("s", (str(tmp_path / "*.log"),))], FakeClock())
    tailer.start()
    try:
        for _ in range(3):
            tailer.step()
        tailer.wake.clear()
        tailer.step()
        assert not tailer.wake.wait(0.5)  # a wait for something that must not come
        (tmp_path / "bot.log").write_bytes(b"a line\n")
        assert tailer.wake.wait(5)  # a real change still wakes it
    finally:
        tailer.close()


@processes.needs_delete_semantics
def test_files_held_at_start_are_read_though_gone_before_the_first_listing(
    tmp_path: Path,
) -> None:
    """Issue 18 (with kills): start-up takes seconds on a busy PC, and a generation
    deleted or rotated past the patterns meanwhile was never read. Held first thing
    on start, their handles are read by the first listing, then let go."""
    from logwatch.follow.held import hold

    logs = tmp_path / "logs"
    logs.mkdir()
    deleted, renamed, empty = logs / "app.log.1", logs / "app.log", logs / "app.log.2"
    write(deleted, lines(0, 3))
    write(renamed, lines(3, 5))
    write(empty, b"")
    source = Source("s", (str(logs / "app.log*"),))
    held = hold([source])
    assert len(held) == 3
    deleted.unlink()
    renamed.rename(tmp_path / "elsewhere.log")
    tailer = Tailer(
        [source],
        FakeClock(),
        followed=set(source.patterns),  # followed before: read from the start
        poll_interval=0,
        held=held,
    )
    try:
        events = tailer.step()
        data = b"".join(e.data for e in events if isinstance(e, Read))
        assert sorted(data.splitlines()) == sorted(lines(0, 5).splitlines())
        assert len(held) == 0  # the empty one was let go
        assert tailer.open_files == 1  # the deleted one, read to its end, let go
    finally:
        tailer.close()


def test_a_step_short_of_budget_reads_the_file_changed_longest_ago_first(
    tmp_path: Path,
) -> None:
    """Issue 18 (with kills): when matching cannot keep up, what a step leaves must
    wait in the live file, not in a generation rotated away, the next to be deleted
    (a kill then loses it: a restart no longer finds it)."""
    from logwatch.follow.readpace import MIN_STEP_READ

    logs = tmp_path / "logs"
    logs.mkdir()
    live, old = logs / "app.log", logs / "app.log.1"
    write(live, line(0))
    clock = FakeClock()
    tailer = Tailer(
        [Source("s", (str(logs / "app.log*"),))],
        clock,
        followed={str(logs / "app.log*")},
        poll_interval=0,
    )
    try:
        tailer.step()
        clock.advance(100.0)  # that step's line took long to match: a slow PC
        write(old, lines(1, 10_000))  # a generation moved in, older than the live file
        os.utime(old, (1, 1))
        write(live, lines(10_000, 20_000))
        events = tailer.step()
        reads = [e for e in events if isinstance(e, Read)]
        assert sum(len(e.data) for e in reads) == MIN_STEP_READ
        opened = {e.id: e.path for e in events if isinstance(e, Opened)}
        assert {opened.get(e.id) for e in reads} == {str(old)}
    finally:
        tailer.close()


def test_a_file_opened_by_a_step_short_of_budget_waits_for_the_older_ones_behind(
    tmp_path: Path,
) -> None:
    """Issue 18 (with kills): a file a step opens (the new live file of a rotation)
    was polled first, as if changed longest ago, since it had no poll's stamp yet; in
    a storm each step opened one and took the budget, and the generations behind
    starved until the writer deleted them, lost at the next kill."""
    from logwatch.follow.readpace import MIN_STEP_READ

    logs = tmp_path / "logs"
    logs.mkdir()
    old, live = logs / "app.log.1", logs / "app.log"
    write(old, line(0))
    clock = FakeClock()
    tailer = Tailer(
        [Source("s", (str(logs / "app.log*"),))],
        clock,
        followed={str(logs / "app.log*")},
        poll_interval=0,
    )
    try:
        (opened,) = [e for e in tailer.step() if isinstance(e, Opened)]
        clock.advance(100.0)  # that step's line took long to match: a slow PC
        write(old, lines(1, 10_000))  # behind, and changed longest ago
        os.utime(old, (1, 1))
        write(live, lines(10_000, 20_000))  # a new live file
        reads = [e for e in tailer.step() if isinstance(e, Read)]
        assert sum(len(e.data) for e in reads) == MIN_STEP_READ
        assert {e.id for e in reads} == {opened.id}
    finally:
        tailer.close()


def test_a_restart_reads_the_file_changed_longest_ago_first(tmp_path: Path) -> None:
    """Issue 18 (with kills): a start polled its files in the order State keeps
    them, not by age, so a restart's first steps could read the live file while the
    oldest generation, the next to be deleted, waited."""
    h = Harness(tmp_path)
    h.step()
    old, live = tmp_path / "app.log.1", tmp_path / "app.log"
    write(live, line(0))
    h.settle()
    write(old, line(1))
    h.settle()  # State keeps the live file first, the old one after
    h.crash()
    write(old, lines(2, 10_000))
    os.utime(old, (1, 1))
    write(live, lines(10_000, 20_000))
    h.seen.clear()
    h.step()  # the first step reads the least: from the old file only
    assert h.seen[2] == 1
    assert max(h.seen) < 10_000
    h.close()


def test_only_the_files_changed_last_are_held_at_start(tmp_path: Path) -> None:
    """A pattern matching thousands of files must not spend every handle before
    State and the lock have theirs: the ones a rotation made, changed last, are held."""
    from logwatch.follow.held import hold

    for n in range(4):
        path = tmp_path / f"app.log.{n}"
        write(path, line(n))
        os.utime(path, (1000 - n, 1000 - n))  # app.log.0 changed last
    source = Source("s", (str(tmp_path / "app.log*"),))
    held = hold([source], limit=2)
    try:
        assert len(held) == 2
        kept = held.unlisted({})
        assert sorted(Path(item.path).name for item in kept.values()) == [
            "app.log.0",
            "app.log.1",
        ]
    finally:
        held.close()


# -- a linear start (issue 23) ----------------------------------------------------------


def test_opening_many_files_looks_at_each_entry_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23: finding which followed file a new one copies compared it with every
    open file, O(n²) at start (54 % of start-up's CPU with 5,000 files). The entries
    the index is walked for, over the first step, stay a small multiple of n."""
    from logwatch.follow.fileindex import FileIndex

    n = 600
    for i in range(n):
        write(tmp_path / f"bot{i:04d}.log", f"start bot{i:04d}\n".encode())
    walked = 0
    whole = FileIndex.__iter__

    def counted(self: FileIndex) -> Iterator[Any]:
        nonlocal walked
        entries = list(whole(self))
        walked += len(entries)
        return iter(entries)

    monkeypatch.setattr(FileIndex, "__iter__", counted)
    tailer = Tailer([Source("s", (str(tmp_path / "*.log"),))], FakeClock())
    try:
        events = tailer.step()
        assert len([e for e in events if isinstance(e, Opened)]) == n
        assert walked <= 4 * n
    finally:
        tailer.close()


def test_a_copy_is_told_from_files_that_start_alike_after_its_original_grew(
    tmp_path: Path,
) -> None:
    """The index by first bytes: the followed file began shorter than a fingerprint
    and grew past it (put again), others start with the same header; a copy of it
    is its copy, not theirs, and is followed on from where its original was cut."""
    from logwatch.follow.events import Moved
    from logwatch.follow.fileindex import FP_MAX, FileIndex
    from logwatch.follow.listing import Listed, file_key

    header = b"bot started\n"
    pattern = str(tmp_path / "*.log*")
    files = FileIndex()
    open_files = _followed_open_files(files, pattern)
    events: list[Any] = []

    def identify(path: Path) -> None:
        open_files.identify(
            file_key(path.stat(), str(path)),
            Listed(str(path), "s", path.stat().st_size, 0, (pattern,)),
            events,
        )

    try:
        live = tmp_path / "live.log"
        write(live, header)
        identify(live)
        (followed,) = files.held()
        for i in range(5):
            other = tmp_path / f"other{i}.log"
            write(other, header + f"other {i}\n".encode() * 200)
            identify(other)
        write(live, lines(0, 100))  # grows past its first fingerprint
        open_files.poll(followed, events)
        assert followed.fp_n == FP_MAX
        copy = tmp_path / "live.log.1"
        shutil.copyfile(live, copy)
        inode = file_key(copy.stat(), str(copy))
        identify(copy)
        assert open_files.is_copy(inode)
        os.truncate(live, 0)
        write(live, lines(100, 101))
        events.clear()
        open_files.poll(followed, events)
        assert Moved(followed.id, str(copy)) in events
        new = b"".join(e.data for e in events if isinstance(e, Read))
        assert new == lines(100, 101)
    finally:
        open_files.close()


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="events name no file on Windows: every listing looks at every file "
    "(test_every_listing_looks_at_every_file_on_windows)",
)
def test_a_possible_copy_an_event_names_is_read_once_it_outgrows_its_original(
    tmp_path: Path,
) -> None:
    """Issue 23: a new file that starts like a followed one waits as its possible copy,
    counting whole listings; one that then grew past that file (no copy can) was read
    only after five listings, the event of its write ignored. It is read on the event
    now, with no listing in between."""
    write(tmp_path / "a.log", b"bot started\n")
    clock = FakeClock()
    tailer = Tailer(
        [Source("s", (str(tmp_path / "*.log"),))], clock, poll_interval=3600
    )
    tailer.start()
    try:
        tailer.step()  # the first listing: a.log, from its end
        write(tmp_path / "b.log", b"bot started\n")  # new, starts alike: waits

        def waiting() -> bool:
            tailer.step()
            return tailer._open_files.copying()

        wait_until(waiting, 30, "b.log listed as a possible copy")
        read = b""
        write(tmp_path / "b.log", line(1))

        def b_read() -> bool:
            nonlocal read
            read += b"".join(e.data for e in tailer.step() if isinstance(e, Read))
            return line(1) in read

        wait_until(b_read, 30, lambda: f"b.log read: {read!r}")
        assert read == b"bot started\n" + line(1)  # a new file: from its start
    finally:
        tailer.close()


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="created files are not held at once on Windows (held.holds_created)",
)
def test_a_file_created_and_deleted_between_two_listings_is_read(
    tmp_path: Path,
) -> None:
    """A rotation storm on a busy PC (issue 18): a new file (a daily file, a copy) is
    written and deleted before the next listing, and its lines were never read. The
    event that says it was created holds it open at once, in the observer's thread;
    the next step reads it from that handle."""
    logs = tmp_path / "logs"
    logs.mkdir()
    tailer = Tailer([Source("s", (str(logs / "*.log"),))], FakeClock(), poll_interval=0)
    tailer.start()
    try:
        tailer.step()  # the first listing: nothing there yet
        write(logs / "daily-1.log", lines(0, 5))
        wait_until(lambda: bool(tailer._early), what="the new file held open")
        (logs / "daily-1.log").unlink()
        data = b"".join(e.data for e in tailer.step() if isinstance(e, Read))
        assert data == lines(0, 5)
    finally:
        tailer.close()


@pytest.mark.parametrize(
    "name", ["notes.txt", "bot.log.gz", "skip.log"], ids=["other", "gz", "excluded"]
)
def test_a_created_file_no_pattern_names_is_not_held(tmp_path: Path, name: str) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    source = Source("s", (str(logs / "*.log*"),), exclude=("skip.*",))
    tailer = Tailer([source], FakeClock(), poll_interval=0)
    tailer.start()
    try:
        tailer.step()
        tailer.wake.clear()
        write(logs / name, line(0))
        assert tailer.wake.wait(5), "no event for the new file"
        assert not tailer._early
        assert not [e for e in tailer.step() if isinstance(e, Read)]
    finally:
        tailer.close()


def _alike(a: int, b: int) -> bytes:
    """Lines that differ only in their first bytes: the last hundred of each are the
    same, as in a bot's log that repeats one error with a new id."""
    return b"".join(b"id=%06d " % n + b"x" * 100 + b"\n" for n in range(a, b))


def test_a_copy_is_known_when_its_original_was_cut_and_written_past_where_it_was_read(
    tmp_path: Path,
) -> None:
    """A rotation storm (issue 18): copytruncate, then the writer wrote more to the cut
    file than had been read from it (less than the copy holds), all before the next
    step. The bytes just before
    where it was read were alike in the new lines, so the cut file was taken for the
    original still holding what was read, and the copy, longer, for a new file: read
    again from its start. The original's first bytes tell it was cut."""
    logs = tmp_path / "logs"
    logs.mkdir()
    live = logs / "bot.log"
    write(live, _alike(0, 40))
    tailer = Tailer(
        [Source("s", (str(logs / "*.log*"),))],
        FakeClock(),
        followed={str(logs / "*.log*")},
        poll_interval=0,
    )
    read = b"".join(e.data for e in tailer.step() if isinstance(e, Read))
    write(live, _alike(40, 60))  # not read yet
    shutil.copyfile(live, logs / "bot.log.1")
    os.truncate(live, 0)
    # more than was read, less than the copy holds, alike where it was read to
    write(live, _alike(100, 150))
    for _ in range(3):
        read += b"".join(e.data for e in tailer.step() if isinstance(e, Read))
    tailer.close()
    assert sorted(read.splitlines()) == sorted(
        (_alike(0, 60) + _alike(100, 150)).splitlines()
    )


def test_a_new_file_held_as_a_possible_copy_is_not_taken_for_the_cut_original(
    tmp_path: Path,
) -> None:
    """A rotation storm (issue 18, 1,100 lines never printed): a new daily file, caught
    with only its first bytes (a line's date, written in two pieces), agreed with a
    followed file's start and waited as its possible copy. That file was then cut
    before the next listing: reading went on in the new file at the offset read in the
    old one, and the new file's first lines were skipped. A copy goes on the reading
    only if it holds what was read, where it was read."""
    from logwatch.follow.events import Moved
    from logwatch.follow.fileindex import FileIndex
    from logwatch.follow.listing import Listed, file_key

    live, daily = tmp_path / "bot.log", tmp_path / "daily-1.log"
    write(live, _alike(0, 40))
    files = FileIndex()
    pattern = str(tmp_path / "*.log*")
    open_files = _followed_open_files(files, pattern)
    events: list[Any] = []
    try:
        open_files.identify(
            file_key(live.stat(), str(live)),
            Listed(str(live), "s", 0, 0, (pattern,)),
            events,
        )
        open_files.listed_once = True
        (followed,) = files.held()
        open_files.poll(followed, events)
        write(daily, b"id=0")  # the first piece of its first line
        inode = file_key(daily.stat(), str(daily))
        open_files.identify(inode, Listed(str(daily), "s", 4, 0, (pattern,)), events)
        assert open_files.is_copy(inode)  # it may yet be the followed file's copy
        write(daily, _alike(500, 600)[4:])
        os.truncate(live, 0)  # cut, with no copy made
        write(live, _alike(100, 101))
        events.clear()
        open_files.poll(followed, events)
        assert Moved(followed.id, str(daily)) not in events
        for entry in files.held():
            open_files.poll(entry, events)
        read = b"".join(e.data for e in events if isinstance(e, Read))
        assert b"id=000100" in read
        assert b"id=000500" not in read  # still waiting: the next listing looks
        events.clear()
        open_files.identify(inode, Listed(str(daily), "s", 0, 0, (pattern,)), events)
        for entry in files.held():
            open_files.poll(entry, events)
        daily_id = files.at(inode)
        assert daily_id is not None
        got = b"".join(
            e.data for e in events if isinstance(e, Read) and e.id == daily_id
        )
        assert got == _alike(500, 600)
    finally:
        open_files.close()


def test_a_file_cut_after_a_rename_is_read_again_under_its_new_name(
    tmp_path: Path,
) -> None:
    """The cut file's new content was reported under the name its handle was opened
    with, not the one the listing had followed it to."""
    logs = tmp_path / "logs"
    logs.mkdir()
    write(logs / "a.log", lines(0, 5))
    tailer = Tailer(
        [Source("s", (str(logs / "*.log"),))],
        FakeClock(),
        followed={str(logs / "*.log")},
        poll_interval=0,
    )
    try:
        tailer.step()
        (logs / "a.log").rename(logs / "b.log")
        tailer.step()
        os.truncate(logs / "b.log", 0)
        write(logs / "b.log", line(7))
        opened = [e.path for e in tailer.step() if isinstance(e, Opened)]
        assert opened == [str(logs / "b.log")]
    finally:
        tailer.close()


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="created files are not held at once on Windows (held.holds_created)",
)
def test_a_created_file_still_empty_at_the_next_step_stays_held(tmp_path: Path) -> None:
    """The created event wakes the loop before the writer's first write: the next
    step's listing found the held file empty and closed it, and a file then written
    and deleted before another listing was lost again (review of issue 18's fix)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    tailer = Tailer([Source("s", (str(logs / "*.log"),))], FakeClock(), poll_interval=0)
    tailer.start()
    try:
        tailer.step()
        (logs / "daily-1.log").touch()
        wait_until(lambda: bool(tailer._early), what="the new file held open")
        assert not [e for e in tailer.step() if isinstance(e, Read)]  # still empty
        write(logs / "daily-1.log", lines(0, 3))
        (logs / "daily-1.log").unlink()
        data = b"".join(e.data for e in tailer.step() if isinstance(e, Read))
        assert data == lines(0, 3)
    finally:
        tailer.close()


@pytest.mark.parametrize(
    ("pattern", "name"),
    [("*.log", ".hidden.log"), ("**/*.log", ".cache/a.log")],
    ids=["dotfile", "dot-folder"],
)
def test_a_created_file_the_listing_would_not_show_is_not_held(
    tmp_path: Path, pattern: str, name: str
) -> None:
    """The listing's glob passes over names that start with a dot; holding them at
    their creation followed files no listing shows (a folder source's ``.venv``)."""
    from logwatch.follow.listing import listed_as

    source = Source("s", (str(tmp_path / pattern),))
    assert listed_as(str(tmp_path / name), [source]) is None
    assert listed_as(str(tmp_path / "shown.log"), [source]) is not None
    dotted = Source("d", (str(tmp_path / ".*.log"),))
    assert listed_as(str(tmp_path / ".hidden.log"), [dotted]) is not None


def test_created_files_are_not_held_at_once_on_windows() -> None:
    from logwatch.follow.held import holds_created

    assert holds_created("linux")
    assert not holds_created("win32")


def test_a_file_opened_for_a_created_event_after_close_is_closed(
    tmp_path: Path,
) -> None:
    """The observer's join may time out while an event's file is being opened: that
    handle must not be kept once the tailer is closed."""
    write(tmp_path / "a.log", line(0))
    tailer = Tailer([Source("s", (str(tmp_path / "*.log"),))], FakeClock())
    tailer.close()
    tailer._created(str(tmp_path / "a.log"))
    assert tailer._early == {}


def test_an_event_s_loop_wake_survives_a_failure_to_hold_its_file() -> None:
    import threading

    from watchdog.events import FileCreatedEvent

    from logwatch.follow.watching import _Wake

    wake, relisted = threading.Event(), []

    def fails(path: str) -> None:
        raise OSError("boom")

    handler = _Wake(wake, lambda: relisted.append(1), lambda path: None, fails)
    handler.dispatch(FileCreatedEvent("/x/a.log"))
    assert wake.is_set()
    assert relisted == [1]
