"""What ``logwatch init`` says, in Russian and English (data, one key per message)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "logwatch setup: a few questions, then a config you can read.",
        "existing": "A config exists at {path}; its settings are the defaults below.",
        "found": "Logs found on this PC:",
        "found_none": "No logs of Quantower, MetaTrader, NinjaTrader, freqtrade or "
        "Hummingbot were found in their usual folders (they are picked up when "
        "they appear).",
        "found_item": "  {name}: {count} file(s), e.g. {example}",
        "use_found": "Watch the logs found?",
        "kept_sources": "Watched now: {names}",
        "keep_sources": "Keep watching them?",
        "add_source": "Another log folder or file pattern to watch (empty: done)",
        "no_such_folder": "  {path} does not exist (yet)",
        "matched": "  {path}: {files} there now",
        "none_matched": "  {path}: no log files there (.log, .txt, .slog at any depth)",
        "add_anyway": "Watch it anyway, for logs that appear later?",
        "files": "log file|log files",
        "kept_channels": "Channels set up now: {names}",
        "keep_channels": "Keep them?",
        "telegram": "Alerts to Telegram?",
        "telegram_howto": "In Telegram, open @BotFather, send /newbot, follow its two "
        "questions and paste the token it gives you (123456:ABC...).",
        "token": "Bot token",
        "token_shape": "That is not a bot token (digits, a colon, then 35 characters).",
        "token_401": "Telegram rejected this token (401 Unauthorized): copy it again "
        "from @BotFather (/mybots, API Token).",
        "no_api": "Cannot reach the Telegram Bot API: {error}",
        "bot_ok": "Bot @{username} ({name}) found.",
        # a bot in a group sees only commands (privacy mode), and a channel's posts
        # only as an administrator
        "send_now": "Now send any message to @{username} (in a group: add the bot and "
        "send /start@{username} there; in a channel: make the bot an administrator "
        "and post). Waiting up to {seconds} s...",
        "no_message": "No message reached @{username} within {seconds} s. Send one and "
        "run `logwatch init` again, or give the chat with --telegram-chat ID.",
        "got_chat": "Message from {chat} ({type}, chat id {id}).",
        "use_chat": "Send alerts to this chat?",
        "chat_unwritable": "The bot cannot write to {chat}: {error}. In a channel, "
        "make the bot an administrator allowed to post; in a group, add it first.",
        "try_another": "Wait for a message in another chat?",
        "connected": "✅ logwatch is connected: alerts from this PC will come here.",
        "commands": "Answer /status, /mute, /ack from this chat?",
        "email": "Alerts by e-mail?",
        "smtp_host": "SMTP server (e.g. smtp.gmail.com)",
        "smtp_port": "SMTP port (587: STARTTLS, 465: SSL)",
        "smtp_user": "SMTP login (your address)",
        "smtp_password": "SMTP password (an app password for Gmail)",
        "mail_to": "Send alerts to",
        "desktop": "Notifications on this PC's desktop?",
        "no_desktop": "No desktop here (no graphical session), so desktop "
        "notifications are not offered: use Telegram, e-mail or ntfy.",
        "desktop_elsewhere": "  No desktop here (no graphical session): desktop "
        "notifications will show only where logwatch runs in one; here they go to "
        "its console.",
        "ntfy": "ntfy topic or URL for phone push (empty: none)",
        "apprise": "Any other Apprise URL (empty: done)",
        "bad_url": "Not a notification URL logwatch can use: {url}",
        "bad_url_again": "Check it (the Apprise wiki lists every service's form, "
        "e.g. discord://webhook_id/webhook_token) and type it again, or leave it "
        "empty.",
        "alert_language": "Language of the alerts",
        "quiet": "Quiet hours, when only critical alerts are sent at once "
        "(e.g. 23:00-07:00; '-' for none)",
        "bad_quiet": "Give two times like 23:00-07:00, or '-'.",
        "secrets": "Keep tokens and passwords in a separate file only you can read?",
        "write": "Write {path}? (the current one is kept as {backup})",
        "not_written": "Nothing written.",
        "written": "Wrote {path}",
        "written_env": "Secrets in {path} (readable only by you)",
        "backup": "The previous config is kept as {path}",
        "checking": "Checking the config and sending a test alert to each channel:",
        "service": "Start logwatch in the background at every logon?",
        "reloaded": "The running logwatch took the new config.",
        "other_config": "A logwatch runs already (pid {pid}) with another config, "
        "{running}, so it does not use {path} and was not told to reload. To use "
        "{path}: stop it and run `logwatch service install --config {path}` (or "
        "`logwatch run --config {path}`); to change what it watches instead, run "
        "`logwatch init --config {running}`.",
        "not_reloaded": "The running logwatch did not take the new config; restart it "
        "(`logwatch service uninstall` and `install`, or stop and start it).",
        "done": "Done. `logwatch status` shows what is watched; run `logwatch init` "
        "again to change anything.",
        "missing": "{what} is needed: give {flag}",
        "yes_no": "Answer y (yes) or n (no).",
        "one_of": "Answer one of: {choices}.",
        "number": "Give a number.",
        "stopped": "Setup stopped; nothing was written. Run `logwatch init` again "
        "to start over.",
        "stopped_written": "Setup stopped; {path} is written. Run `logwatch init` "
        "again to change it.",
        "chat_private": "private",
        "chat_group": "group",
        "chat_supergroup": "supergroup",
        "chat_channel": "channel",
        "unparseable": "{path} cannot be read as a config; fix it (or move it away) "
        "and run `logwatch init` again:",
    },
    "ru": {
        "welcome": "Настройка logwatch: несколько вопросов, затем понятный файл "
        "настроек.",
        "existing": "Настройки уже есть в {path}; их значения предложены по умолчанию.",
        "found": "Найдены логи на этом ПК:",
        "found_none": "Логов Quantower, MetaTrader, NinjaTrader, freqtrade и "
        "Hummingbot в обычных папках нет (они будут подхвачены, когда появятся).",
        "found_item": "  {name}: файлов: {count}, например {example}",
        "use_found": "Следить за найденными логами?",
        "kept_sources": "Сейчас отслеживаются: {names}",
        "keep_sources": "Продолжать следить за ними?",
        "add_source": "Ещё папка с логами или шаблон файлов (пусто: готово)",
        "no_such_folder": "  {path} (пока) не существует",
        "matched": "  {path}: сейчас там {files}",
        "none_matched": "  {path}: там нет файлов логов (.log, .txt, .slog на любой "
        "глубине)",
        "add_anyway": "Всё равно следить (за логами, которые появятся позже)?",
        "files": "файл логов|файла логов|файлов логов",
        "kept_channels": "Уже настроены каналы: {names}",
        "keep_channels": "Оставить их?",
        "telegram": "Оповещения в Telegram?",
        "telegram_howto": "В Telegram откройте @BotFather, отправьте /newbot, ответьте "
        "на два вопроса и вставьте сюда токен, который он даст (123456:ABC...).",
        "token": "Токен бота",
        "token_shape": "Это не токен бота (цифры, двоеточие и 35 символов).",
        "token_401": "Telegram не принял токен (401 Unauthorized): скопируйте его ещё "
        "раз у @BotFather (/mybots, API Token).",
        "no_api": "Нет связи с Telegram Bot API: {error}",
        "bot_ok": "Бот @{username} ({name}) найден.",
        "send_now": "Теперь отправьте любое сообщение боту @{username} (в группе: "
        "добавьте бота и отправьте там /start@{username}; в канале: сделайте бота "
        "администратором и опубликуйте пост). Жду до {seconds} с...",
        "no_message": "За {seconds} с боту @{username} ничего не пришло. Отправьте "
        "сообщение и запустите `logwatch init` снова или укажите чат: "
        "--telegram-chat ID.",
        "got_chat": "Сообщение из {chat} ({type}, id {id}).",
        "use_chat": "Присылать оповещения в этот чат?",
        "chat_unwritable": "Бот не может писать в {chat}: {error}. В канале сделайте "
        "бота администратором с правом публикации; в группу сначала добавьте его.",
        "try_another": "Подождать сообщения в другом чате?",
        "connected": "✅ logwatch подключён: оповещения с этого ПК будут приходить "
        "сюда.",
        "commands": "Отвечать на /status, /mute, /ack из этого чата?",
        "email": "Оповещения по электронной почте?",
        "smtp_host": "SMTP-сервер (например smtp.yandex.ru)",
        "smtp_port": "Порт SMTP (587: STARTTLS, 465: SSL)",
        "smtp_user": "Логин SMTP (ваш адрес)",
        "smtp_password": "Пароль SMTP (пароль приложения)",
        "mail_to": "Куда присылать",
        "desktop": "Уведомления на рабочем столе этого ПК?",
        "no_desktop": "Рабочего стола здесь нет (нет графического сеанса), поэтому "
        "уведомления на рабочем столе не предлагаются: используйте Telegram, почту "
        "или ntfy.",
        "desktop_elsewhere": "  Рабочего стола здесь нет (нет графического сеанса): "
        "уведомления будут видны, только когда logwatch работает в нём; здесь они "
        "идут в его консоль.",
        "ntfy": "Тема или URL ntfy для push на телефон (пусто: нет)",
        "apprise": "Другой URL Apprise (пусто: готово)",
        "bad_url": "Этот адрес уведомлений не подходит: {url}",
        "bad_url_again": "Проверьте его (вики Apprise описывает адрес каждого "
        "сервиса, например discord://webhook_id/webhook_token) и введите снова или "
        "оставьте пустым.",
        "alert_language": "Язык оповещений",
        "quiet": "Тихие часы, когда сразу отправляются только критичные оповещения "
        "(например 23:00-07:00; '-' если не нужны)",
        "bad_quiet": "Укажите два времени, например 23:00-07:00, или '-'.",
        "secrets": "Хранить токены и пароли в отдельном файле, доступном только вам?",
        "write": "Записать {path}? (прежний сохранится как {backup})",
        "not_written": "Ничего не записано.",
        "written": "Записан {path}",
        "written_env": "Секреты в {path} (доступен только вам)",
        "backup": "Прежние настройки сохранены в {path}",
        "checking": "Проверка настроек и тестовое оповещение в каждый канал:",
        "service": "Запускать logwatch в фоне при каждом входе в систему?",
        "reloaded": "Работающий logwatch принял новые настройки.",
        "other_config": "Уже работает logwatch (pid {pid}) с другими настройками, "
        "{running}: он не использует {path}, и перечитывать их его не просили. Чтобы "
        "работать с {path}, остановите его и выполните `logwatch service install "
        "--config {path}` (или `logwatch run --config {path}`); чтобы изменить то, с "
        "чем он работает, запустите `logwatch init --config {running}`.",
        "not_reloaded": "Работающий logwatch не принял новые настройки; перезапустите "
        "его (`logwatch service uninstall` и `install` или остановите и запустите).",
        "done": "Готово. `logwatch status` покажет, за чем идёт слежение; чтобы что-то "
        "изменить, запустите `logwatch init` снова.",
        "missing": "Нужно указать: {what} ({flag})",
        "yes_no": "Ответьте да или нет (д/н; y/n тоже подходят).",
        "one_of": "Ответьте одним из: {choices}.",
        "number": "Укажите число.",
        "stopped": "Настройка прервана; ничего не записано. Чтобы начать заново, "
        "запустите `logwatch init`.",
        "stopped_written": "Настройка прервана; {path} уже записан. Чтобы изменить "
        "его, запустите `logwatch init` снова.",
        "chat_private": "личный чат",
        "chat_group": "группа",
        "chat_supergroup": "супергруппа",
        "chat_channel": "канал",
        "unparseable": "{path} не читается как файл настроек; исправьте его (или "
        "уберите) и запустите `logwatch init` снова:",
    },
}

#: Comments of the written config, per language.
COMMENTS: dict[str, dict[str, str]] = {
    "en": {
        "header": "logwatch config, written by `logwatch init` (run it again to "
        "change it).\nEvery key is explained in the README, 'Configuration'.",
        "language": "Language of alerts: ru or en.",
        "sources": "Log files to follow (globs; ** is any depth).",
        "no_sources": "No sources: the usual folders of Quantower, MetaTrader, "
        "NinjaTrader, freqtrade and Hummingbot are searched.",
        "channels": "Where alerts go (Apprise URLs). loud_from: below it, messages "
        "arrive without a sound. commands: answer /status, /mute... in Telegram.",
        "quiet_hours": "Local hours when only critical alerts are sent at once; the "
        "rest wait until the end.",
        "env_file": "Tokens and passwords: ${NAME} above is read from this file.",
        "kept": "Kept from the previous config:",
    },
    "ru": {
        "header": "Настройки logwatch, записаны `logwatch init` (запустите его снова, "
        "чтобы изменить).\nКаждый ключ описан в README, раздел 'Configuration'.",
        "language": "Язык оповещений: ru или en.",
        "sources": "Какие логи читать (шаблоны; ** — любая глубина).",
        "no_sources": "Источники не заданы: ищутся обычные папки Quantower, "
        "MetaTrader, NinjaTrader, freqtrade и Hummingbot.",
        "channels": "Куда слать оповещения (URL Apprise). loud_from: ниже этого "
        "уровня сообщения приходят без звука. commands: ответы на /status, /mute... "
        "в Telegram.",
        "quiet_hours": "Часы, когда сразу отправляются только критичные оповещения; "
        "остальные ждут их конца.",
        "env_file": "Токены и пароли: ${ИМЯ} выше берётся из этого файла.",
        "kept": "Сохранено из прежних настроек:",
    },
}
