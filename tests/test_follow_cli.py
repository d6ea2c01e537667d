"""``logwatch scan --follow`` as a real process: signals, kill -9 and restarts."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import wait_until
from tests.follow_harness import EVERY_LINE_RULE, line, write


class Follow:
    """One ``logwatch scan --follow --json`` process and what it printed."""

    def __init__(self, tmp_path: Path, seen: list[int], *extra: str) -> None:
        rules = tmp_path / "rules"
        rules.mkdir(exist_ok=True)
        (rules / "line.yaml").write_text(EVERY_LINE_RULE)
        self.seen = seen
        self.ready = threading.Event()
        self.stderr: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "logwatch",
                "scan",
                "--follow",
                "--json",
                "--rules",
                str(rules),
                "--poll-interval",
                "0.05",
                *extra,
                str(tmp_path / "app.log*"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._threads = [
            threading.Thread(target=self._out, daemon=True),
            threading.Thread(target=self._err, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        wait_until(self.ready.is_set, 20, "logwatch to say it is following")

    def _out(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            hit = json.loads(text)
            if hit["rule"] == "test.line":
                self.seen.append(int(hit["captures"]["n"]))

    def _err(self) -> None:
        assert self.proc.stderr is not None
        for text in self.proc.stderr:
            self.stderr.put(text)
            if "following" in text:
                self.ready.set()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=2)  # the bound: exit within 2 s
        for thread in self._threads:
            thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code


def test_sigterm_commits_and_exits_0_within_2_s(tmp_path: Path) -> None:
    seen: list[int] = []
    proc = Follow(tmp_path, seen, "--state", str(tmp_path / "state.db"))
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

    proc = Follow(tmp_path, seen, *state)
    for _ in range(2):
        burst(300, 70)
        wait_until(lambda: len(seen) >= number - 100, 20, "logwatch to catch up partly")
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL  # type: ignore[attr-defined,unused-ignore]  # POSIX only
        before_kills.update(seen)
        burst(150, 40)  # written while logwatch is dead, rotations included
        proc = Follow(tmp_path, seen, *state)
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
    proc = Follow(tmp_path, seen)
    write(tmp_path / "app.log", line(1))
    wait_until(lambda: seen == [1], 10, "the new line")
    assert proc.stop(signal.SIGINT) == 0
    assert (tmp_path / "app.log").exists()
