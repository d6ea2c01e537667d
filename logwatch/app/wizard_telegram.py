"""How ``logwatch init`` sets up Telegram: the bot's token checked with the Bot API,
the chat found from a message sent to the bot (or named by a flag) and written to."""

from __future__ import annotations

from typing import Any

from logwatch.app.wizard_config import TOKEN_VAR, Answers
from logwatch.app.wizard_text import TEXT
from logwatch.app.wizard_ui import Options, Ui, WizardError
from logwatch.core.clock import Clock
from logwatch.deliver.telegram import BotApi, Chat, TelegramError, chat_of, valid_token

#: how long one getUpdates call waits (Telegram allows up to 50 s)
POLL_S = 20.0


class TelegramQuestions:
    """The questions about Telegram, asked with the Bot API at ``api`` (``ask``)."""

    def __init__(
        self, options: Options, ui: Ui, clock: Clock, api: str, lang: str
    ) -> None:
        self.o, self.ui, self.clock, self.api, self.lang = options, ui, clock, api, lang
        #: the bot's @name, once the Bot API has said it
        self.username = ""

    def t(self, key: str, **fields: object) -> str:
        """A message in the chosen language."""
        return TEXT[self.lang][key].format(**fields)

    def ask(self, answers: Answers) -> None:
        """The token, the chat and whether to take commands: the channel and its
        secret put in ``answers``."""
        token = self.o.telegram_token
        while True:
            if token is None:
                self.ui.echo(self.t("telegram_howto"))
                token = self.ui.ask(self.t("token"), None, "--telegram-token", True)
            token = token.strip()
            bot = BotApi(token, self.api)
            problem = self._check_bot(token, bot)
            if not problem:
                break
            if self.o.telegram_token is not None or self.o.yes:
                raise WizardError(problem)
            self.ui.echo(problem)
            token = None
        chat = self._chat(bot)
        commands = self.o.telegram_commands
        if commands is None:
            commands = self.ui.confirm(self.t("commands"), True)
        answers.secrets[TOKEN_VAR] = token
        channel: dict[str, Any] = {
            "name": "telegram",
            "url": f"tgram://${{{TOKEN_VAR}}}/{chat.id}",
        }
        if commands:
            channel["commands"] = True
        answers.put_channel(channel)

    def _check_bot(self, token: str, bot: BotApi) -> str:
        if not valid_token(token):
            return self.t("token_shape")
        try:
            me = bot.me()
        except TelegramError as exc:
            if exc.code == 401:
                return self.t("token_401")
            return self.t("no_api", error=exc)
        self.username = str(me.get("username", ""))
        self.ui.echo(
            self.t("bot_ok", username=self.username, name=me.get("first_name"))
        )
        return ""

    def _chat(self, bot: BotApi) -> Chat:
        while True:
            if self.o.telegram_chat is not None:
                try:
                    chat = bot.chat(self.o.telegram_chat)
                except TelegramError as exc:
                    raise WizardError(
                        self.t("chat_unwritable", chat=self.o.telegram_chat, error=exc)
                    ) from None
            else:
                chat = self._wait_for_chat(bot)
                if not self.ui.confirm(self.t("use_chat"), True):
                    continue
            try:
                bot.send(chat.id, self.t("connected"))
                return chat
            except TelegramError as exc:
                problem = self.t("chat_unwritable", chat=chat.name, error=exc)
                if self.o.telegram_chat is not None or self.o.yes:
                    raise WizardError(problem) from None
                self.ui.echo(problem)
                if not self.ui.confirm(self.t("try_another"), True):
                    raise WizardError(problem) from None

    def _wait_for_chat(self, bot: BotApi) -> Chat:
        try:
            old = bot.updates(None, 0)
        except TelegramError as exc:
            raise WizardError(self.t("no_api", error=exc)) from None
        offset = old[-1]["update_id"] + 1 if old else None
        seconds = self.o.telegram_wait_s
        self.ui.echo(self.t("send_now", username=self.username, seconds=f"{seconds:g}"))
        deadline = self.clock.monotonic() + seconds
        while (left := deadline - self.clock.monotonic()) > 0:
            try:
                updates = bot.updates(offset, min(POLL_S, max(1.0, left)))
            except TelegramError as exc:
                raise WizardError(self.t("no_api", error=exc)) from None
            for update in updates:
                offset = update["update_id"] + 1
                chat = chat_of(update)
                if chat is not None:
                    bot.updates(offset, 0)  # confirm it, so it is not taken again
                    kind = TEXT[self.lang].get(f"chat_{chat.type}", chat.type)
                    self.ui.echo(
                        self.t("got_chat", chat=chat.name, type=kind, id=chat.id)
                    )
                    return chat
        raise WizardError(
            self.t("no_message", username=self.username, seconds=f"{seconds:g}")
        )
