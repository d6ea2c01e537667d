"""The Bot API client, one base URL for sending and polling, and loud or silent by
severity. Telegram cannot be reached from here: these run against the fake Bot API
server of tests/telegram_fake.py on 127.0.0.1."""

from __future__ import annotations

import pytest

from logwatch.alerts.render import Message
from logwatch.core.config import config_from_text
from logwatch.core.errors import InvalidConfig
from logwatch.core.model import Severity
from logwatch.deliver.notifier import Notifier, quiet_url, with_option
from logwatch.deliver.telegram import (
    BotApi,
    Chat,
    TelegramError,
    api_base,
    chat_of,
    token_and_chat,
    valid_token,
)
from tests.telegram_fake import CHANNEL, GROUP, PRIVATE, TOKEN, FakeBotApi, _api  # noqa: F401  fixtures


class TestBotApi:
    def test_a_wrong_token_is_a_401_without_the_token_in_the_text(
        self, api: FakeBotApi
    ) -> None:
        wrong = "123456:" + "x" * 35
        with pytest.raises(TelegramError) as info:
            BotApi(wrong, api.url).me()
        assert info.value.code == 401
        assert wrong not in str(info.value)
        assert BotApi(TOKEN, api.url).me()["username"] == "lw_alerts_bot"

    def test_updates_wait_for_a_message_and_name_its_chat(
        self, api: FakeBotApi
    ) -> None:
        bot = BotApi(TOKEN, api.url)
        assert bot.updates(None, 0) == []
        api.say(GROUP, "hi")
        (update,) = bot.updates(None, 1)
        assert chat_of(update) == Chat(-100777, "supergroup", "Desk alerts")
        assert bot.updates(update["update_id"] + 1, 0) == []  # confirmed: gone

    def test_a_channel_the_bot_cannot_write_to_is_a_403(self, api: FakeBotApi) -> None:
        api.add_chat(CHANNEL, writable=False)
        bot = BotApi(TOKEN, api.url)
        assert bot.chat(CHANNEL["id"]).name == "Signals"
        with pytest.raises(TelegramError) as info:
            bot.send(CHANNEL["id"], "test")
        assert info.value.code == 403
        with pytest.raises(TelegramError, match="chat not found"):
            bot.send(1, "test")

    def test_an_unreachable_server_is_an_error_naming_the_host_only(self) -> None:
        with pytest.raises(TelegramError) as info:
            BotApi(TOKEN, "http://127.0.0.1:9", timeout_s=2).me()
        assert info.value.code == 0
        assert "127.0.0.1:9" in str(info.value)
        assert TOKEN not in str(info.value)

    def test_names_of_chats(self) -> None:
        assert Chat.from_api(PRIVATE).name == "Ivan (@ivan_t)"
        assert Chat.from_api({"id": 5}).name == "5"

    @pytest.mark.parametrize(
        ("token", "ok"),
        [(TOKEN, True), ("123:abc", False), ("7712345678:" + "A" * 35, True)],
    )
    def test_token_shape(self, token: str, ok: bool) -> None:
        assert valid_token(token) is ok

    def test_urls(self) -> None:
        assert api_base(None) == "https://api.telegram.org"
        assert api_base("http://h:1/") == "http://h:1"
        assert token_and_chat(f"tgram://{TOKEN}/-100777?silent=no") == (
            TOKEN,
            "-100777",
        )
        assert token_and_chat(f"tgram://bot{TOKEN}/5") == (TOKEN, "5")
        assert token_and_chat("json://x/y") is None


def telegram_notifier(
    api: FakeBotApi, env: dict[str, str], extra: str = ""
) -> Notifier:
    text = (
        "channels:\n"
        f"  - name: phone\n    url: 'tgram://{TOKEN}/{PRIVATE['id']}'\n{extra}"
    )
    return Notifier(config_from_text(text, env, "c.yaml"), timeout_s=10)


class TestSending:
    def test_the_environment_points_sending_at_another_bot_api(
        self, api: FakeBotApi
    ) -> None:
        api.add_chat(PRIVATE)
        notifier = telegram_notifier(api, {"LOGWATCH_TELEGRAM_API": api.url})
        assert notifier.send("phone", Message("T", "B"), Severity.ERROR).ok
        (sent,) = api.wait_sent(1)
        assert sent["chat_id"] == 4242
        assert sent["text"].startswith("<b>T</b>")

    def test_the_config_key_does_the_same(self, api: FakeBotApi) -> None:
        api.add_chat(PRIVATE)
        text = (
            f"telegram_api: {api.url}\nchannels:\n"
            f"  - name: phone\n    url: 'tgram://{TOKEN}/4242'\n"
        )
        notifier = Notifier(config_from_text(text, {}, "c.yaml"), timeout_s=10)
        assert notifier.send("phone", Message("T", "B"), Severity.ERROR).ok

    def test_below_loud_from_telegram_messages_are_silent(
        self, api: FakeBotApi
    ) -> None:
        api.add_chat(PRIVATE)
        notifier = telegram_notifier(api, {"LOGWATCH_TELEGRAM_API": api.url})
        for severity in (Severity.INFO, Severity.WARNING, Severity.ERROR):
            assert notifier.send("phone", Message(str(severity), "b"), severity).ok
        sent = api.wait_sent(3)
        assert [m["disable_notification"] for m in sent] == [True, True, False]

    def test_loud_from_is_per_channel(self, api: FakeBotApi) -> None:
        api.add_chat(PRIVATE)
        notifier = telegram_notifier(
            api, {"LOGWATCH_TELEGRAM_API": api.url}, "    loud_from: critical\n"
        )
        notifier.send("phone", Message("e", "b"), Severity.ERROR)
        notifier.send("phone", Message("c", "b"), Severity.CRITICAL)
        sent = api.wait_sent(2)
        assert [m["disable_notification"] for m in sent] == [True, False]

    def test_a_chat_the_bot_cannot_write_to_fails_with_the_reason(
        self, api: FakeBotApi
    ) -> None:
        api.add_chat({**PRIVATE, "type": "channel"}, writable=False)
        notifier = telegram_notifier(api, {"LOGWATCH_TELEGRAM_API": api.url})
        result = notifier.send("phone", Message("T", "B"), Severity.ERROR)
        assert result.status == "failed"
        assert TOKEN not in result.error

    def test_a_bad_base_url_is_a_config_error(self) -> None:
        with pytest.raises(InvalidConfig, match=r"c\.yaml:1:"):
            config_from_text("telegram_api: ftp://x\n", {}, "c.yaml")

    def test_commands_only_on_telegram_channels(self) -> None:
        text = "channels:\n  - name: hook\n    url: json://h/x\n    commands: true\n"
        with pytest.raises(InvalidConfig, match=r"c\.yaml:4: .*Telegram"):
            config_from_text(text, {}, "c.yaml")


@pytest.mark.parametrize(
    ("url", "quiet"),
    [
        ("tgram://t/1", "tgram://t/1?silent=yes"),
        ("tgram://t/1?silent=no&x=1", "tgram://t/1?x=1&silent=yes"),
        ("ntfys://ntfy.sh/topic", "ntfys://ntfy.sh/topic?priority=low"),
        ("gotify://h/tok?priority=high", "gotify://h/tok?priority=low"),
        ("pover://u@t", "pover://u@t?priority=low"),
        ("json://h/x", None),
        ("mailto://u:p@h", None),
    ],
)
def test_quiet_variants(url: str, quiet: str | None) -> None:
    assert quiet_url(url) == quiet


def test_with_option_replaces_case_insensitively() -> None:
    assert with_option("a://b?Silent=no", "silent", "yes") == "a://b?silent=yes"


def test_pushover_critical_repeats_until_acknowledged_and_warnings_are_low() -> None:
    text = "channels:\n  - name: po\n    url: 'pover://ukey123456@atoken12345'\n"
    notifier = Notifier(config_from_text(text, {}, "c.yaml"))
    assert notifier.tag_for("po", Severity.CRITICAL) == "ch-po-urgent"
    assert notifier.tag_for("po", Severity.ERROR) == "ch-po"
    assert notifier.tag_for("po", Severity.WARNING) == "ch-po-quiet"
    hook = Notifier(config_from_text("channels:\n  - {name: h, url: 'json://h/x'}\n"))
    assert hook.tag_for("h", Severity.CRITICAL) == hook.tag_for("h", Severity.INFO)
