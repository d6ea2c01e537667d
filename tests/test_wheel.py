"""The wheel carries the built-in rules (an editable install reads the repo's rules/)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

#: runs real logwatch processes: slow on a busy machine
pytestmark = pytest.mark.timeout(300)


def test_wheel_ships_the_rule_packs(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("trading_logwatch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "logwatch/rules/binance.yaml" in names
    assert "logwatch/rules/quantower.yaml" in names
    for part in ("catalogue.yaml", "binance.codes.csv", "mt5.codes.csv"):
        assert f"logwatch/rules/{part}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    for shipped in ("logwatch-task.xml", "logwatch.service", "logwatch-user.service"):
        assert f"logwatch/deploy/{shipped}" in names  # `logwatch service install`
    metadata = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        .decode("utf-8")
    )
    # the declared licence travels with its text; the versions tested are declared
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
    assert (
        "Project-URL: Homepage, https://pypi.org/project/trading-logwatch/" in metadata
    )
