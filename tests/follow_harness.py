"""A Follower driven step by step on real files, counting every numbered line it
reports; and ``logwatch scan --follow`` as a real process (also the follow bench's)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.app.follower_events import fan_out, log_event
from logwatch.follow.tailer import Source
from logwatch.match.engine import Engine, Scan
from logwatch.rulebook.rulecompile import rules_from_text
from logwatch.store.state import State
from tests import processes
from tests.fakes import FakeClock, each_scan

#: One rule that matches every test line, so each line read is one hit.
EVERY_LINE_RULE = r"""
rules:
  - id: test.line
    severity: info
    title: {en: "line", ru: "строка"}
    remedy: {en: "none", ru: "нет"}
    patterns: ['LINE (?P<n>\d+)']
    samples: ['LINE 1']
    near_misses: ['LINE x', 'a line']
"""
EVERY_LINE = Engine(rules_from_text(EVERY_LINE_RULE))


def line(n: int, extra: str = "") -> bytes:
    """The n-th test line."""
    return f"LINE {n:06d} {extra}\n".encode()


class Harness:
    """Follows ``patterns`` under ``root``; ``seen`` counts how often each line was reported."""

    def __init__(
        self,
        root: Path,
        patterns: tuple[str, ...] = ("app.log*",),
        state: bool = True,
        clock: FakeClock | None = None,
        **source: object,
    ) -> None:
        self.root = root
        self.clock = clock or FakeClock()
        self.patterns = tuple(str(root / p) for p in patterns)
        self.source = Source("test", self.patterns, **source)  # type: ignore[arg-type]
        self.state_path = root / "state.db" if state else None
        self.seen: Counter[int] = Counter()
        self.paths: dict[int, str] = {}
        self.follower = self._new()

    def _new(self) -> Follower:
        state = State(self.state_path, self.clock) if self.state_path else None
        return Follower(
            EVERY_LINE,
            [self.source],
            self.clock,
            state=state,
            events=fan_out(log_event, each_scan(self._on_scan)),
            settings=FollowSettings(poll_interval=0),
        )

    def _on_scan(self, scan: Scan) -> None:
        for hit in scan.hits:
            n = int(hit.captures["n"])
            self.seen[n] += 1
            self.paths[n] = Path(hit.record.path).name

    def step(self, times: int = 1) -> None:
        """Let the follower look at the files ``times`` times."""
        for _ in range(times):
            self.follower.step()

    def settle(self) -> None:
        """Step until nothing changes (every appended byte is read)."""
        for _ in range(20):
            self.follower.wait(0)  # forget events already seen
            if self.follower.step() == 0 and not self.follower.wait(0):
                return
        raise AssertionError("the files never settled")

    def restart(self) -> None:
        """A clean stop (progress saved) and a new follower."""
        self.follower.close()
        self.follower = self._new()

    def crash(self) -> None:
        """A kill -9: whatever was not committed is lost; the handles just go away."""
        self.follower.tailer.close()
        if self.follower.state is not None:
            self.follower.state.close()
        self.follower = self._new()

    def close(self) -> None:
        self.follower.close()

    def once(self, numbers: range | list[int]) -> None:
        """Every line in ``numbers`` reported exactly once, and nothing else."""
        assert dict(self.seen) == dict.fromkeys(numbers, 1)

    def at_least_once(self, numbers: range | list[int]) -> None:
        """Every line in ``numbers`` reported, some perhaps twice."""
        missing = [n for n in numbers if not self.seen[n]]
        assert missing == []


def write(path: Path, data: bytes, mode: str = "ab") -> None:
    """Append (or write) bytes to a file and close it."""
    with path.open(mode) as fh:
        fh.write(data)


class FollowProcess:
    """One ``logwatch scan --follow --json`` process with ``EVERY_LINE_RULE``:
    ``on_hit(hit)`` gets each test line's hit (its JSON, parsed) as it is printed."""

    def __init__(
        self,
        work: Path,
        patterns: Sequence[str],
        on_hit: Callable[[dict[str, Any]], None],
        *extra: str,
        poll_interval: str | None = "0.05",
        ready_s: float = 20,
        env: dict[str, str] | None = None,
        wait_ready: bool = True,
    ) -> None:
        rules = work / "rules"
        rules.mkdir(exist_ok=True)
        (rules / "line.yaml").write_text(EVERY_LINE_RULE, encoding="utf-8")
        self.on_hit = on_hit
        self.ready = threading.Event()
        self.stderr: queue.Queue[str] = queue.Queue()
        poll = ("--poll-interval", poll_interval) if poll_interval else ()
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
                *poll,
                *extra,
                *patterns,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # stdout and stderr are UTF-8 on every platform (cli.safe_output)
            text=True,
            encoding="utf-8",
            errors="backslashreplace",
            env=env,
            **processes.NEW_GROUP,
        )
        self._threads = [
            threading.Thread(target=self._out, daemon=True),
            threading.Thread(target=self._err, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        if wait_ready and not self.ready.wait(ready_s):
            self.proc.kill()
            raise AssertionError("logwatch did not say it is following")

    def _out(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            hit = json.loads(text)
            if hit["rule"] == "test.line":
                self.on_hit(hit)

    def _err(self) -> None:
        assert self.proc.stderr is not None
        for text in self.proc.stderr:
            self.stderr.put(text)
            if "following" in text:
                self.ready.set()

    def stop(self, timeout: float = 2) -> int:
        """Stop it cleanly (``processes.stop``) and wait for its exit (the issue's
        bound: 2 s)."""
        processes.stop(self.proc)
        return self._ended(timeout)

    def interrupt(self) -> int:
        """Ctrl-C (Ctrl-Break on Windows) and wait for its exit."""
        processes.interrupt(self.proc)
        return self._ended(2)

    def kill(self) -> int:
        """End it at once, nothing saved (``processes.kill``)."""
        processes.kill(self.proc)
        return self._ended(10)

    def _ended(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code
