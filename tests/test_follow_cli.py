"""``logwatch scan --follow`` as a real process: signals, kill -9 and restarts."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import wait_until
from tests.follow_harness import FollowProcess, line, write


def follow(tmp_path: Path, seen: list[int], *extra: str) -> FollowProcess:
    """``logwatch scan --follow`` on ``app.log*``; the numbers of the lines it prints
    go to ``seen``."""
    return FollowProcess(
        tmp_path,
        [str(tmp_path / "app.log*")],
        lambda hit: seen.append(int(hit["captures"]["n"])),
        *extra,
    )


def test_sigterm_commits_and_exits_0_within_2_s(tmp_path: Path) -> None:
    seen: list[int] = []
    proc = follow(tmp_path, seen, "--state", str(tmp_path / "state.db"))
    write(tmp_path / "app.log", line(0) + line(1))
    wait_until(lambda: len(seen) == 2, 10, "both lines to be reported")
    assert proc.stop() == 0
    assert seen == [0, 1]
    stderr = []
    while not proc.stderr.empty():
        stderr.append(proc.stderr.get())
    assert any("stopped; 2 hits" in x for x in stderr)


def test_kill_9_while_a_writer_rotates_skips_nothing(tmp_path: Path) -> None:
    """kill -9 mid-stream, twice, while the writer renames its file: every line is
    printed at least once (a line printed just before a kill may come again)."""
    seen: list[int] = []
    before_kills: set[int] = set()
    state = ("--state", str(tmp_path / "state.db"))
    log = tmp_path / "app.log"
    number = 0

    generation = 0

    def burst(count: int, rotate_every: int) -> None:
        nonlocal number, generation
        for _ in range(count):
            write(
                log,
                line(number, "журнал")
                if number % 3
                else line(number).replace(b"\n", b"\r\n"),
            )
            number += 1
            if number % rotate_every == 0:
                # every generation keeps its own name: nothing is ever destroyed, so a
                # missing line can only be one logwatch skipped
                generation += 1
                log.rename(tmp_path / f"app.log.{generation:04d}")

    proc = follow(tmp_path, seen, *state)
    for _ in range(2):
        burst(300, 70)
        wait_until(lambda: len(seen) >= number - 100, 20, "logwatch to catch up partly")
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        before_kills.update(seen)
        burst(150, 40)  # written while logwatch is dead, rotations included
        proc = follow(tmp_path, seen, *state)
    burst(200, 50)
    wait_until(
        lambda: set(range(number)) <= set(seen),
        60,
        lambda: f"every line (missing: {sorted(set(range(number)) - set(seen))[:20]})",
    )
    assert proc.stop() == 0
    assert set(seen) == set(range(number))
    repeated = {n for n in seen if seen.count(n) > 1}
    assert (
        repeated <= before_kills
    )  # only what a killed process had printed comes again


def test_without_state_following_starts_at_the_end(tmp_path: Path) -> None:
    write(tmp_path / "app.log", line(0))
    seen: list[int] = []
    proc = follow(tmp_path, seen)
    write(tmp_path / "app.log", line(1))
    wait_until(lambda: seen == [1], 10, "the new line")
    assert proc.stop(signal.SIGINT) == 0
    assert (tmp_path / "app.log").exists()
