"""Alert -> a title and a plain-text body, in the trader's language, within a budget.

The body says what happened and when, where (platform, connection, symbol), what to do
(the rule's remedy), shows the masked line, and ends with the rule id and codes so a
person can search for them. Text is plain: each channel escapes it for itself (Telegram
HTML is escaped by the notifier's ``body_format=TEXT``).
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass
from datetime import datetime

from logwatch.dedup import Alert, AlertKind
from logwatch.formats import parse_timestamp
from logwatch.rules import Rule

#: Visible characters per channel kind; past it the body is cut with a marker.
BUDGETS = {"telegram": 3500, "desktop": 600, "email": 20000, "webhook": 8000}
LINE_CHARS = 500

_SEVERITY = {
    "en": {
        "info": "INFO",
        "warning": "WARNING",
        "error": "ERROR",
        "critical": "CRITICAL",
    },
    "ru": {
        "info": "ИНФО",
        "warning": "ВНИМАНИЕ",
        "error": "ОШИБКА",
        "critical": "КРИТИЧНО",
    },
}
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "repeated": "Repeated {n}×: {title}",
        "still": "Still happening: {title}",
        "repeated_body": "Repeated {n} times in {window} (first {first}, last {last}).",
        "still_body": "Happened {n} more times in the last {window}.",
        "when": "When",
        "where": "Where",
        "what": "What to do",
        "line": "Line",
        "rule": "Rule",
        "codes": "codes",
        "truncated": "… (truncated)",
        "platform": "platform",
        "connection": "connection",
        "symbol": "symbol",
        "file": "file",
    },
    "ru": {
        "repeated": "Повторилось {n}×: {title}",
        "still": "Продолжается: {title}",
        "repeated_body": (
            "Повторилось {n} раз за {window} (первый раз {first}, последний {last})."
        ),
        "still_body": "Ещё {n} раз за последние {window}.",
        "when": "Когда",
        "where": "Где",
        "what": "Что сделать",
        "line": "Строка",
        "rule": "Правило",
        "codes": "коды",
        "truncated": "… (сообщение обрезано)",
        "platform": "платформа",
        "connection": "подключение",
        "symbol": "символ",
        "file": "файл",
    },
}


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel shows."""

    title: str
    body: str


def format_duration(seconds: float, lang: str) -> str:
    """``90`` -> ``1 min 30 s`` (``1 мин 30 с``)."""
    units = (("h", "ч", 3600), ("min", "мин", 60), ("s", "с", 1))
    parts, rest = [], round(seconds)
    for en, ru, size in units:
        if rest >= size:
            parts.append(f"{rest // size} {en if lang == 'en' else ru}")
            rest %= size
    return " ".join(parts) or ("0 s" if lang == "en" else "0 с")


def _clock(at: datetime | None) -> str:
    return at.astimezone().strftime("%H:%M:%S") if at else "?"


def fit(text: str, budget: int, marker: str) -> str:
    """``text`` cut to ``budget`` characters, ending with ``marker`` when cut."""
    if len(text) <= budget:
        return text
    return text[: max(0, budget - len(marker) - 1)].rstrip() + "\n" + marker


def render(
    alert: Alert, rule: Rule | None, lang: str, channel: str = "email"
) -> Message:
    """The title and body of an alert for one kind of channel."""
    t = _TEXT.get(lang, _TEXT["en"])
    budget = BUDGETS.get(channel, BUDGETS["webhook"])
    if alert.kind is AlertKind.SELF or rule is None:
        title = alert.text.split("\n", 1)[0] or alert.rule_id
        return Message(title, fit(alert.text, budget, t["truncated"]))
    base = rule.title.get(lang) or rule.title["en"]
    if rule.message_title and alert.hit is not None and alert.hit.message:
        base = alert.hit.message  # a code the catalogue does not know: its own words
    severity = _SEVERITY.get(lang, _SEVERITY["en"])[str(alert.severity)]
    record = alert.hit.record if alert.hit else None
    symbol = record.fields.get("symbol") if record else None
    if alert.kind is AlertKind.DIGEST:
        title = t["repeated"].format(n=alert.count, title=base)
    elif alert.kind is AlertKind.REMINDER:
        title = t["still"].format(title=base)
    else:
        title = f"{severity}: {base}" + (f" ({symbol})" if symbol else "")
    lines: list[str] = []
    window = format_duration(alert.window_s, lang)
    if alert.kind is AlertKind.DIGEST:
        lines.append(
            t["repeated_body"].format(
                n=alert.count,
                window=window,
                first=_clock(alert.first_at),
                last=_clock(alert.last_at),
            )
        )
    elif alert.kind is AlertKind.REMINDER:
        lines.append(t["still_body"].format(n=alert.count, window=window))
    if record is not None:
        when = parse_timestamp(record)  # the log's own time, else when logwatch saw it
        if when is None:
            when = alert.created_at.astimezone()
        elif when.tzinfo is not None:
            when = when.astimezone()
        lines.append(f"{t['when']}: {when:%Y-%m-%d %H:%M:%S}")
        where = [
            f"{t[name]} {record.fields[name]}"
            for name in ("platform", "connection", "symbol")
            if record.fields.get(name)
        ]
        line = alert.hit.line if alert.hit else record.first_line
        where.append(f"{t['file']} {record.path}:{line}")
        lines.append(f"{t['where']}: " + ", ".join(where))
    lines += ["", f"{t['what']}: {rule.remedy.get(lang) or rule.remedy['en']}"]
    tail = f"{t['rule']} {rule.id}" + (
        f" · {t['codes']} {', '.join(str(c) for c in rule.codes)}" if rule.codes else ""
    )
    if record is not None:
        text = (
            record.raw
            if len(record.raw) <= LINE_CHARS
            else record.raw[:LINE_CHARS] + "…"
        )
        lines += ["", f"{t['line']}: {text}"]
    body = "\n".join(lines)
    body = fit(body, budget - len(tail) - 2, t["truncated"])
    return Message(title, body + "\n\n" + tail)


def default_language(env: dict[str, str] | None = None) -> str:
    """``ru`` when the system locale is Russian, else ``en``."""
    env = dict(os.environ) if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        if env.get(var):
            return "ru" if env[var].lower().startswith("ru") else "en"
    name = locale.getlocale()[0] or ""
    return "ru" if name.lower().startswith(("ru", "russian")) else "en"
