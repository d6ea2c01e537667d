"""``init``'s Telegram questions, in-process against the fake Bot API on 127.0.0.1
(Telegram cannot be reached from here); the terminal tests of test_wizard drive
them through a real ``logwatch init`` too."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwatch.app.wizard_config import TOKEN_VAR, Answers
from logwatch.app.wizard_telegram import TelegramQuestions
from logwatch.app.wizard_ui import Options, Ui, WizardError
from tests.fakes import FakeClock
from tests.telegram_fake import CHANNEL, TOKEN, FakeBotApi, _api  # noqa: F401  fixtures


def questions(
    tmp_path: Path, api: FakeBotApi, said: list[str], **flags: object
) -> TelegramQuestions:
    """The questions unattended (``--yes``): the flags answer them."""
    options = Options(config=tmp_path / "c.yaml", yes=True, **flags)  # type: ignore[arg-type]
    return TelegramQuestions(options, Ui(True, said.append), FakeClock(), api.url, "en")


def test_a_named_chat_is_greeted_and_becomes_the_channel_with_the_token_apart(
    tmp_path: Path, api: FakeBotApi
) -> None:
    api.add_chat(CHANNEL)
    said: list[str] = []
    answers = Answers()
    chat = str(CHANNEL["id"])
    questions(tmp_path, api, said, telegram_token=TOKEN, telegram_chat=chat).ask(
        answers
    )
    assert answers.channels == [
        {
            "name": "telegram",
            "url": f"tgram://${{{TOKEN_VAR}}}/{CHANNEL['id']}",
            "commands": True,
        }
    ]
    assert answers.secrets == {TOKEN_VAR: TOKEN}
    assert [m["chat_id"] for m in api.sent] == [CHANNEL["id"]]
    assert any("@lw_alerts_bot" in line for line in said)


def test_a_wrong_token_is_refused_and_not_repeated(
    tmp_path: Path, api: FakeBotApi
) -> None:
    wrong = "1234567:" + "y" * 35
    answers = Answers()
    with pytest.raises(WizardError, match="401") as info:
        questions(tmp_path, api, [], telegram_token=wrong).ask(answers)
    assert "y" * 35 not in info.value.format_message()
    assert answers.channels == []
    assert answers.secrets == {}


def test_a_chat_the_bot_cannot_write_to_stops_unattended_init(
    tmp_path: Path, api: FakeBotApi
) -> None:
    api.add_chat(CHANNEL, writable=False)
    chat = str(CHANNEL["id"])
    with pytest.raises(WizardError, match="cannot write to Signals"):
        questions(tmp_path, api, [], telegram_token=TOKEN, telegram_chat=chat).ask(
            Answers()
        )
