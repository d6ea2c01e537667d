"""``logwatch`` as real processes, for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from tests import processes
from tests.conftest import STARTED, wait_until

MARGIN = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"


def logwatch(
    *args: str,
    check: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """One ``logwatch`` command as a real process, its output captured (``env``: its
    whole environment; else this process's)."""
    return subprocess.run(
        [sys.executable, "-m", "logwatch", *args],
        capture_output=True,
        # stdout and stderr are UTF-8 on every platform (cli.safe_output)
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=check,
        env=env,
    )


def fresh_python(script: str, *args: str) -> str:
    """What ``script`` prints in a fresh interpreter (nothing imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


class Run:
    """A ``logwatch run`` process; ``err`` collects its stderr lines (``umask``: the
    process's, POSIX; -1 keeps this one's)."""

    def __init__(
        self,
        tmp_path: Path,
        config: str | None,
        env: dict[str, str] | None = None,
        umask: int = -1,
    ) -> None:
        if config is not None:
            (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        self.err: list[str] = []
        full = {
            **os.environ,
            "HOME": str(tmp_path),
            "NO_PROXY": "127.0.0.1",
            **(env or {}),
        }
        full.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.env = full
        #: the arguments that choose its config, for ``logwatch stop`` (Windows)
        self.config_args = (
            ["--config", str(tmp_path / "config.yaml")] if config is not None else []
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "logwatch", "run", *self.config_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",  # cli.safe_output: UTF-8 on every platform
            env=full,
            umask=umask,
            **processes.NEW_GROUP,
        )
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        STARTED.append((self.proc, self.thread))  # killed if the test fails first
        wait_until(
            lambda: any("following" in line for line in self.err),
            60,  # ~2 s alone; many times that beside other suites or busy loops
            "logwatch run to start",
        )

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)

    def stop(self) -> int:
        """Stop it cleanly (``processes.stop``); its exit status."""
        processes.stop(self.proc, self.config_args, self.env)
        return self._ended(2)  # the bound: state saved, exit within 2 s

    def interrupt(self) -> int:
        """Ctrl-C (Ctrl-Break on Windows); its exit status."""
        processes.interrupt(self.proc)
        return self._ended(2)

    def kill(self) -> int:
        """End it at once, nothing saved (``processes.kill``); its exit status."""
        processes.kill(self.proc)
        return self._ended(10)

    def _ended(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self.thread.join(5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return code
