"""The shipped service definitions, and what a value put into one may hold."""

from __future__ import annotations

import pytest

from logwatch.app.servicefiles import refuse_control, template
from logwatch.core.errors import ConfigError


def test_each_shipped_definition_is_found_by_name() -> None:
    assert "__LOGWATCHW__" in template("logwatch-task.xml")
    assert "ExecStart=" in template("logwatch-user.service")
    assert "DynamicUser=yes" in template("logwatch.service")
    with pytest.raises(FileNotFoundError, match=r"nothing\.service"):
        template("nothing.service")


def test_plain_text_passes_and_a_control_character_is_named() -> None:
    assert refuse_control("C:/Трейдер/config.yaml", "--config") == (
        "C:/Трейдер/config.yaml"
    )
    with pytest.raises(ConfigError) as caught:
        refuse_control("a\nExecStartPre=/bin/evil", "--config")
    assert caught.value.source == "--config"
    assert "U+000A" in caught.value.format_message()


def test_bytes_that_are_not_text_are_refused() -> None:
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        refuse_control("a\udcffb", "--config")
