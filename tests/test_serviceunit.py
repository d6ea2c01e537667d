"""The systemd units: the executable's word, the manager's commands and presence."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.app.serviceunit import systemctl, systemd_executable, systemd_running
from logwatch.core.errors import ConfigError


def test_systemctl_speaks_to_the_users_manager_unless_system() -> None:
    assert systemctl(False, "daemon-reload") == ("systemctl", "--user", "daemon-reload")
    assert systemctl(True, "daemon-reload") == ("systemctl", "daemon-reload")


def test_the_executable_has_specifiers_escaped_but_not_variables() -> None:
    assert systemd_executable("/opt/50%/logwatch") == '"/opt/50%%/logwatch"'
    assert systemd_executable("/opt/$x/logwatch") == '"/opt/$x/logwatch"'
    assert systemd_executable("/usr/bin/logwatch") == "/usr/bin/logwatch"


def test_a_quote_in_the_executables_path_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="quote or a backslash"):
        systemd_executable("/opt/o'x/logwatch")


def test_a_user_manager_is_there_when_its_private_socket_is(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert not systemd_running(False, env)
    (tmp_path / "systemd").mkdir()
    (tmp_path / "systemd" / "private").write_text("", encoding="utf-8")
    assert systemd_running(False, env)
    assert not systemd_running(False, {})
