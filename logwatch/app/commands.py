"""Commands from the phone (/status, /mute, /unmute, /ack, /help): parsing, answers and
the pace of answers. Pure: the Telegram side is ``remote``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from logwatch.alerts.alerting import MUTE_ALL
from logwatch.core.durations import parse_duration
from logwatch.store.statusinfo import Status

#: Mutes are bounded: at least a minute, at most 30 days.
MUTE_MIN_S, MUTE_MAX_S = 60.0, 30 * 86400.0
ALL = MUTE_ALL

HELP = {
    "en": (
        "logwatch commands:\n"
        "/status — what is watched, waiting alerts, mutes\n"
        "/mute RULE|SOURCE|all DURATION — e.g. /mute binance.margin-insufficient 1h\n"
        "/unmute [RULE|SOURCE|all] — lift one mute, or all\n"
        "/ack — stop the reminders of critical alerts\n"
        "/help — this text"
    ),
    "ru": (
        "Команды logwatch:\n"
        "/status — что отслеживается, ожидающие оповещения, заглушки\n"
        "/mute ПРАВИЛО|ИСТОЧНИК|all СРОК — например "
        "/mute binance.margin-insufficient 1h\n"
        "/unmute [ПРАВИЛО|ИСТОЧНИК|all] — снять одну заглушку или все\n"
        "/ack — прекратить напоминания о критичных оповещениях\n"
        "/help — эта справка"
    ),
}
_SAY = {
    "en": {
        "muted": "Muted {target} until {until}.",
        "unmuted": "Unmuted: {what}.",
        "none_muted": "Nothing was muted.",
        "acked": "Acknowledged: {what}. No more reminders.",
        "none_acked": "No alert waits for an acknowledgement.",
        "usage_mute": "Usage: /mute RULE|SOURCE|all DURATION (1m to 30d), e.g. "
        "/mute binance.margin-insufficient 1h. {why}",
        "unknown": "{what} is neither a rule nor a source.",
        "bad_duration": "{what} is not a duration from 1m to 30d.",
        "unknown_command": "Unknown command {what}.",
        "slow_down": "Too many commands: from now on one answer every {every} s.",
        "reminder": "🔁 Not acknowledged yet: {title}\n/ack stops these reminders.",
    },
    "ru": {
        "muted": "{target} заглушено до {until}.",
        "unmuted": "Заглушки сняты: {what}.",
        "none_muted": "Ничего не было заглушено.",
        "acked": "Подтверждено: {what}. Напоминаний больше не будет.",
        "none_acked": "Нет оповещений, ждущих подтверждения.",
        "usage_mute": "Формат: /mute ПРАВИЛО|ИСТОЧНИК|all СРОК (от 1m до 30d), "
        "например /mute binance.margin-insufficient 1h. {why}",
        "unknown": "{what} — не правило и не источник.",
        "bad_duration": "{what} — не срок от 1m до 30d.",
        "unknown_command": "Неизвестная команда {what}.",
        "slow_down": "Слишком много команд: дальше отвечаю раз в {every} с.",
        "reminder": "🔁 Ещё не подтверждено: {title}\n/ack прекращает напоминания.",
    },
}


def say(lang: str, key: str, **fields: object) -> str:
    """One answer in a language."""
    return _SAY[lang][key].format(**fields)


@dataclass(frozen=True, slots=True)
class Command:
    """A command as typed: ``/mute@bot a 1h`` -> ("mute", ("a", "1h"))."""

    name: str
    args: tuple[str, ...]


def parse_command(text: str, bot_username: str = "") -> Command | None:
    """The command in a message; None when it is not one, or is addressed to a bot
    (``/mute@name``) other than ``bot_username``: to any bot while that is unknown."""
    words = text.strip().split()
    if not words or not words[0].startswith("/"):
        return None
    name, _, addressee = words[0][1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return Command(name.lower(), tuple(words[1:]))


@dataclass(frozen=True, slots=True)
class MuteRequest:
    """A valid ``/mute``: what, and for how long."""

    target: str
    seconds: float


def parse_mute(
    args: Iterable[str], rules: Iterable[str], sources: Iterable[str], lang: str
) -> MuteRequest | str:
    """A mute, or the usage text saying what is wrong."""
    words = list(args)
    if len(words) != 2:
        return say(lang, "usage_mute", why="")
    target, duration = words
    if target != ALL and target not in set(rules) | set(sources):
        return say(lang, "usage_mute", why=say(lang, "unknown", what=target))
    try:
        seconds = parse_duration(duration)
    except ValueError:
        seconds = -1.0
    if not MUTE_MIN_S <= seconds <= MUTE_MAX_S:
        return say(lang, "usage_mute", why=say(lang, "bad_duration", what=duration))
    return MuteRequest(target, seconds)


class Limiter:
    """At most ``burst`` answers per chat, refilled at one per ``every_s``; a chat that
    runs out is told so once, then ignored until it has a token again."""

    def __init__(self, burst: int = 5, every_s: float = 12.0) -> None:
        self.burst, self.every_s = burst, every_s
        self._tokens: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()

    def take(self, chat: int, now: float) -> str:
        """``answer``, ``warn`` (say slow down, once) or ``drop``."""
        tokens, at = self._tokens.get(chat, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) / self.every_s)
        if tokens >= 1:
            self._tokens[chat] = (tokens - 1, now)
            self._warned.discard(chat)
            return "answer"
        self._tokens[chat] = (tokens, now)
        if chat in self._warned:
            return "drop"
        self._warned.add(chat)
        return "warn"


def local_time(ts: float) -> str:
    """A time for a person, in the PC's zone."""
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def status_text(status: Status, lang: str, instance: str = "") -> str:
    """The essence of ``logwatch status`` for a phone; ``instance`` names the PC."""
    ru = lang == "ru"
    head = "📋 Состояние logwatch" if ru else "📋 logwatch status"
    lines = [f"{head} ({instance})" if instance else head]
    lines += _files_lines(status, ru)
    lines.append(_waiting_line(status, ru))
    lines += _windows_lines(status, ru)
    mutes = [f"{m.target} → {m.until}" for m in status.user_mutes]
    mutes += [f"{m.rule} ({m.connection or '-'}) → {m.until}" for m in status.mutes]
    none = "нет" if ru else "none"
    lines.append(f"{'Заглушено' if ru else 'Muted'}: {', '.join(mutes) or none}")
    if status.unacknowledged:
        lines.append(
            f"{'Не подтверждено (/ack)' if ru else 'Not acked (/ack)'}: "
            f"{status.unacknowledged}"
        )
    return "\n".join(lines)


def _files_lines(status: Status, ru: bool) -> list[str]:
    """The files followed (the first ten) and when each last got a line."""
    files = status.followed
    lines = [f"{'Файлов' if ru else 'Files'}: {len(files)}"]
    for f in files[:10]:
        last = f.last_line_at or ("нет" if ru else "gone")
        lines.append(f"• {f.path} — {'посл. строка' if ru else 'last line'} {last}")
    if len(files) > 10:
        lines.append(f"… +{len(files) - 10}")
    return lines


def _waiting_line(status: Status, ru: bool) -> str:
    """What waits per channel, and how many of them for the quiet hours."""
    until = "тихие часы до" if ru else "quiet hours until"
    wait_text = ", ".join(
        f"{c} {n}" + (f" ({h.count}: {until} {h.until})" if h else "")
        for c, n, h in status.waiting_held()
    )
    none = "нет" if ru else "none"
    return f"{'Ждут отправки' if ru else 'Waiting'}: {wait_text or none}"


def _windows_lines(status: Status, ru: bool) -> list[str]:
    """The open dedup windows (the first five), overdue ones said so."""
    windows = status.windows
    lines = [f"{'Открытых окон' if ru else 'Open windows'}: {len(windows)}"]
    for w in windows[:5]:
        late = (" (просрочено)" if ru else " (overdue)") if w.overdue else ""
        lines.append(f"• {w.rule} +{w.pending} → {w.closes_at}{late}")
    return lines
