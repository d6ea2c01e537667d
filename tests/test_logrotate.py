"""Rotations done by Debian's real logrotate, followed with no line lost or repeated."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.follow_harness import Harness, line, write

LOGROTATE = shutil.which("logrotate") or "/usr/sbin/logrotate"
pytestmark = [
    # real logwatch processes: slow on a busy machine (this mark used to be assigned,
    # then replaced by the skipif below)
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not Path(LOGROTATE).exists(),
        reason="logrotate is not installed (.ci/run installs it)",
    ),
    # under Wine, PATH also holds the Linux folders: the Linux logrotate is found there
    pytest.mark.skipif(sys.platform == "win32", reason="logrotate is a Linux tool"),
]


@pytest.fixture(name="h")
def _harness(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path, patterns=("app.log*",))
    harness.step()
    yield harness
    harness.close()


def rotate(tmp_path: Path, options: str) -> None:
    """Run logrotate once, forced, on app.log with these options."""
    conf = tmp_path / "logrotate.conf"
    conf.write_text(
        f"{tmp_path / 'app.log'} {{\n  rotate 9\n  missingok\n  {options}\n}}\n",
        encoding="utf-8",
    )
    subprocess.run(
        [LOGROTATE, "--force", "--state", str(tmp_path / "logrotate.state"), str(conf)],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize(
    "options",
    [
        "create",
        "copytruncate",
        "create\n  dateext\n  dateformat -%Y%m%d-%s",
        "create\n  compress",
        "create\n  compress\n  delaycompress",
        "copytruncate\n  compress\n  delaycompress",
    ],
    ids=[
        "create",
        "copytruncate",
        "dateext",
        "compress",
        "delaycompress",
        "copytruncate-delaycompress",
    ],
)
def test_logrotate_loses_and_repeats_nothing(
    h: Harness, tmp_path: Path, options: str
) -> None:
    log = tmp_path / "app.log"
    number = 0
    # dateext names a rotation by the second: a second one in the same second would clash
    rounds = 1 if "dateext" in options else 3
    for _round in range(rounds):
        for _ in range(5):
            write(log, line(number))
            number += 1
        if "copytruncate" not in options:
            h.step()  # logrotate's create mode may compress the file it just moved
        rotate(tmp_path, options)
        if not log.exists():
            log.touch()
        write(log, line(number))
        number += 1
        h.settle()
    h.once(range(number))
    assert any(p.name != "app.log" for p in tmp_path.glob("app.log*"))
