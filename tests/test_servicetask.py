"""The Windows logon task: its XML filled in, its quoting and schtasks' commands."""

from __future__ import annotations

import pytest

from logwatch.app.servicefiles import template
from logwatch.app.servicetask import (
    TASK_TEMPLATE,
    schtasks_query,
    task_xml,
    windows_quote,
    windows_user,
)
from logwatch.core.errors import ConfigError


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("plain", '"plain"'),
        ("a b", '"a b"'),
        ('a"b', '"a\\"b"'),
        ("C:\\dir\\", '"C:\\dir\\\\"'),  # the closing quote is not escaped
        ('x\\"y', '"x\\\\\\"y"'),
    ],
)
def test_an_argument_is_quoted_for_the_c_runtime(arg: str, quoted: str) -> None:
    assert windows_quote(arg) == quoted


def test_the_user_is_domain_backslash_name_when_there_is_a_domain() -> None:
    assert windows_user({"USERDOMAIN": "PC", "USERNAME": "me"}) == "PC\\me"
    assert windows_user({"USERNAME": "me"}) == "me"


def test_the_filled_task_says_it_is_utf16_and_escapes_its_values() -> None:
    xml = task_xml(template(TASK_TEMPLATE), "PC\\a&b", "C:/lw/logwatchw.exe", "C:/w")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    assert "PC\\a&amp;b" in xml


def test_a_template_without_its_arguments_is_refused() -> None:
    with pytest.raises(ValueError, match="Arguments"):
        task_xml("<Task/>", "me", "C:/lw/logwatchw.exe", "C:/w")


def test_a_variable_task_scheduler_would_expand_is_refused_in_the_command() -> None:
    with pytest.raises(ConfigError, match="%USERPROFILE%"):
        task_xml(template(TASK_TEMPLATE), "me", "%USERPROFILE%/logwatchw.exe", "C:/w")


def test_the_status_query_names_the_task() -> None:
    assert schtasks_query() == (
        "schtasks",
        "/Query",
        "/TN",
        "logwatch",
        "/V",
        "/FO",
        "LIST",
    )
