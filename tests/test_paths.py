"""Whether there is a config beyond the defaults, asked before the config is imported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logwatch.core.paths import config_given, default_config_path
from tests.daemon_run import fresh_python


@pytest.fixture(name="home")
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's config directory, empty, under tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # POSIX
    # Windows: the Known Folder (platformdirs reads this override before the shell)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", str(tmp_path / "config"))
    return tmp_path / "config"


def test_the_default_file_is_in_the_platforms_config_directory(home: Path) -> None:
    assert default_config_path({}) == home / "logwatch" / "config.yaml"
    chosen = home / "elsewhere.yaml"
    assert default_config_path({"LOGWATCH_CONFIG": str(chosen)}) == chosen


@pytest.mark.parametrize(
    ("env", "given"),
    [
        ({}, False),
        ({"LOGWATCH_CACHE_DIR": "/c", "LOGWATCH_STATE_DIR": "/s"}, False),
        ({"LOGWATCH_CACHE_KEY": "/k"}, False),
        ({"LOGWATCH_CONFIG": "/no/such/file.yaml"}, False),
        ({"LOGWATCH_LANGUAGE": "ru"}, True),
        ({"LOGWATCH_CHANNELS": '[{"name": "t", "url": "tgram://x/1"}]'}, True),
        ({"PATH": "/bin"}, False),
    ],
)
def test_a_setting_in_the_environment_is_a_config(
    home: Path, env: dict[str, str], given: bool
) -> None:
    assert config_given(env) is given


def test_the_default_file_is_a_config(home: Path) -> None:
    assert not config_given({})
    (home / "logwatch").mkdir(parents=True)
    (home / "logwatch" / "config.yaml").write_text("language: en\n", encoding="utf-8")
    assert config_given({})


_SCAN_IMPORTS = """
import sys
from click.testing import CliRunner
from logwatch.app.cli import cli

result = CliRunner().invoke(cli, ["scan", sys.argv[1]], catch_exceptions=False)
print(result.exit_code, "logwatch.core.config" in sys.modules)
"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("with_file", [False, True])
def test_scan_imports_the_config_only_when_there_is_one(
    home: Path, tmp_path: Path, with_file: bool
) -> None:
    # the config's models are a third of a short scan's start-up; the defaults hold
    # no secret for scan to mask
    if with_file:
        (home / "logwatch").mkdir(parents=True)
        (home / "logwatch" / "config.yaml").write_text(
            "language: en\n", encoding="utf-8"
        )
    log = tmp_path / "q.log"
    log.write_text(
        "Refuse (Binance Futures): Margin is insufficient.\n", encoding="utf-8"
    )
    # the first may fill the rules cache (its schema needs the config's types)
    outs = [fresh_python(_SCAN_IMPORTS, str(log)) for _ in range(2)]
    assert outs[1] == f"0 {with_file}\n"


def test_logwatch_variables_are_read_in_paths_alone() -> None:
    """Issue 22: ``LOGWATCH_*`` was read in four modules. Every name of one (a string
    that is one, or the prefix) is now written in paths.py alone; the others call its
    functions. Messages may still name a variable for the reader."""
    import ast

    import logwatch

    variable = re.compile(r"LOGWATCH_[A-Z_]*")
    found = []
    for path in sorted(Path(logwatch.__file__).parent.glob("*.py")):
        if path.name == "paths.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if variable.fullmatch(node.value):
                    found.append(f"{path.name}:{node.lineno} {node.value}")
            elif isinstance(node, ast.Name | ast.alias) and "ENV_PREFIX" in (
                getattr(node, "id", None),
                getattr(node, "name", None),
            ):
                found.append(f"{path.name}:{getattr(node, 'lineno', 0)} ENV_PREFIX")
    assert found == []
