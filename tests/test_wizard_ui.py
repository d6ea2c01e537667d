"""How ``init`` asks: with --yes the defaults or an error naming the flag; in a
terminal, yes/no in the chosen language, asked again until understood."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from logwatch.app.wizard_ui import Stopped, Ui, WizardError


def test_with_yes_a_required_answer_is_an_error_naming_its_flag() -> None:
    ui = Ui(yes=True)
    assert ui.ask("Token", "t0", "--telegram-token") == "t0"
    assert ui.confirm("Desktop?", False) is False
    assert ui.choose("Language", ["en", "ru"], "ru") == "ru"
    with pytest.raises(WizardError, match="Token: give --telegram-token") as info:
        ui.ask("Token", None, "--telegram-token")
    assert info.value.exit_code == 2
    with pytest.raises(WizardError, match="Port: give --port"):
        ui.number("Port", "x", "--port")


def test_russian_yes_no_is_understood_and_anything_else_asked_again() -> None:
    said: list[str] = []
    ui = Ui(yes=False, echo=said.append)
    ui.lang = "ru"
    with CliRunner().isolation(input="может\nда\n\nн\n"):
        assert ui.confirm("Писать?", False) is True
        assert ui.confirm("Писать?", True) is True  # an empty answer: the default
        assert ui.confirm("Писать?", True) is False
    assert len(said) == 1  # "может" was not understood: said how to answer, once


def test_a_closed_input_is_a_goodbye_not_aborted() -> None:
    ui = Ui(yes=False)
    ui.stopped = "Bye"
    with CliRunner().isolation(input=""), pytest.raises(Stopped) as info:
        ui.ask("Token", None, "--telegram-token")
    assert info.value.format_message() == "\nBye"
