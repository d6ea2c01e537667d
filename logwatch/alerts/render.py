"""Alert -> a title and a plain-text body, in the trader's language, within a budget.

The body says what happened and when, where (platform, connection, symbol), what to do
(the rule's remedy), shows the masked line, and ends with the rule id and codes so a
person can search for them. Text is plain: each channel escapes it for itself (Telegram
HTML is escaped by the notifier's ``body_format=TEXT``).
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from logwatch.core.flood import DEFAULT_MAX_PER_MINUTE, GroupLine
from logwatch.core.logtime import format_log_time, parse_timestamp
from logwatch.core.model import Alert, AlertKind, ChannelKind, Record
from logwatch.rulebook.rules import Rule

#: Visible characters per channel kind; past it the body is cut with a marker.
BUDGETS: dict[str, int] = {
    ChannelKind.TELEGRAM: 3500,
    ChannelKind.DESKTOP: 600,
    ChannelKind.EMAIL: 20000,
    ChannelKind.WEBHOOK: 8000,
    # a console cuts nothing: a record is already kept to redact.MAX_REDACTED_CHARS
    ChannelKind.CONSOLE: 1 << 30,
}
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
        "resolved": "Back to normal: {title}",
        "resolved_body": (
            "Not seen again for {window}. It lasted {lasted} "
            "(first {first}, last {last})."
        ),
        "still": "Still happening: {title}",
        "repeated_body": "Repeated {times} in {window} (first {first}, last {last}).",
        "folded": "Repeated {n}× across {errors} errors: {title}",
        "folded_body": (
            "{more} across {errors} of this kind (first "
            "{first}, last {last}), counted together: more errors were open at once "
            "than logwatch follows one by one."
        ),
        "still_body": "Happened {more} in the last {window}.",
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
        "group_title": "{alerts} grouped ({rules} kinds)",
        # plural forms (``plural``): one|other
        "times": "time|times",
        "more": "more time|more times",
        "errors": "distinct error|distinct errors",
        "alerts": "more alert|more alerts",
        "group_intro": (
            "Too many alerts at once to send one by one (this channel takes {limit} "
            "messages a minute); the rest, grouped:"
        ),
        "group_line": "{severity} {title} ({rule}) × {hits}",
        "group_more": "and {n} more",
        "group_span": "From {first} to {last}.",
    },
    "ru": {
        "repeated": "Повторилось {n}×: {title}",
        "resolved": "Снова в норме: {title}",
        "resolved_body": (
            "Не повторялось {window}. Длилось {lasted} "
            "(первый раз {first}, последний {last})."
        ),
        "still": "Продолжается: {title}",
        "repeated_body": (
            "Повторилось {times} за {window} (первый раз {first}, последний {last})."
        ),
        "folded": "Повторилось {n}× в {errors} разных ошибках: {title}",
        "folded_body": (
            "Ещё {more} в {errors} этого вида (первый раз {first}, "
            "последний {last}), посчитано вместе: открытых ошибок было больше, чем "
            "logwatch отслеживает по одной."
        ),
        "still_body": "Ещё {more} за последние {window}.",
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
        "group_title": "Ещё {alerts} вместе (видов: {rules})",
        # plural forms (``plural``): one|few|many
        "times": "раз|раза|раз",
        "more": "раз|раза|раз",
        "errors": "разной ошибке|разных ошибках|разных ошибках",
        "alerts": "оповещение|оповещения|оповещений",
        "group_intro": (
            "Слишком много оповещений сразу, чтобы слать по одному (канал принимает "
            "{limit} сообщений в минуту); остальные — вместе:"
        ),
        "group_line": "{severity} {title} ({rule}) × {hits}",
        "group_more": "и ещё {n}",
        "group_span": "С {first} по {last}.",
    },
}


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel shows."""

    title: str
    body: str


def plural(n: int, forms: str, lang: str) -> str:
    """``n`` and the word's form for it: ``forms`` is ``one|other`` in English,
    ``one|few|many`` in Russian (CLDR: 1, 21 раз; 2-4, 22 раза; 5-20, 11 раз).
    ``3 раза``, ``5 раз``, ``1 time``."""
    words = forms.split("|")
    if lang == "ru" and len(words) == 3:
        if n % 10 == 1 and n % 100 != 11:
            word = words[0]
        elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            word = words[1]
        else:
            word = words[2]
    else:
        word = words[0] if n == 1 else words[-1]
    return f"{n} {word}"


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
    alert: Alert,
    rule: Rule | None,
    lang: str,
    channel: str = "email",
    instance: str = "",
) -> Message:
    """The title and body of an alert for one kind of channel; ``instance`` (which
    logwatch sends it) ends the footer."""
    t = _TEXT.get(lang, _TEXT["en"])
    budget = BUDGETS.get(channel, BUDGETS[ChannelKind.WEBHOOK])
    if alert.kind is AlertKind.SELF or rule is None:
        title = alert.text.split("\n", 1)[0] or alert.rule_id
        footer = f"\n\n— {instance}" if instance else ""
        body = fit(alert.text, budget - len(footer), t["truncated"])
        return Message(title, body + footer)
    record = alert.hit.record if alert.hit else None
    lines = _kind_lines(alert, record, t, lang)
    if record is not None:
        lines += _where_lines(alert, record, t)
    lines += ["", f"{t['what']}: {rule.remedy.get(lang) or rule.remedy['en']}"]
    if record is not None:
        lines += ["", f"{t['line']}: {_line_text(record, channel)}"]
    tail = _tail(rule, t, instance)
    body = fit("\n".join(lines), budget - len(tail) - 2, t["truncated"])
    return Message(_title(alert, rule, t, lang), body + "\n\n" + tail)


def _title(alert: Alert, rule: Rule, t: Mapping[str, str], lang: str) -> str:
    """An alert's title: its rule's (or the exchange's own words), as its kind says."""
    base = rule.title.get(lang) or rule.title["en"]
    if rule.message_title and alert.hit is not None and alert.hit.message:
        base = alert.hit.message  # a code the catalogue does not know: its own words
    if alert.kind is AlertKind.RESOLVED:
        return t["resolved"].format(title=base)
    if alert.kind is AlertKind.DIGEST and alert.folded:
        return t["folded"].format(n=alert.count, errors=alert.folded, title=base)
    if alert.kind is AlertKind.DIGEST:
        return t["repeated"].format(n=alert.count, title=base)
    if alert.kind is AlertKind.REMINDER:
        return t["still"].format(title=base)
    severity = _SEVERITY.get(lang, _SEVERITY["en"])[str(alert.severity)]
    symbol = alert.hit.record.fields.get("symbol") if alert.hit else None
    return f"{severity}: {base}" + (f" ({symbol})" if symbol else "")


def _kind_lines(
    alert: Alert, record: Record | None, t: Mapping[str, str], lang: str
) -> list[str]:
    """What a digest, a reminder or a resolved alert says first (nothing, for the
    first alert of an error)."""
    window = format_duration(alert.window_s, lang)
    if alert.kind is AlertKind.DIGEST:
        # one kind of time per message: the log's own when its lines have one
        logged = record is not None and parse_timestamp(record) is not None
        first, last = alert.first_log, alert.last_log
        if not (logged and first and last):
            first, last = _clock(alert.first_at), _clock(alert.last_at)
        return [
            t["folded_body" if alert.folded else "repeated_body"].format(
                times=plural(alert.count, t["times"], lang),
                more=plural(alert.count, t["more"], lang),
                errors=plural(alert.folded, t["errors"], lang),
                window=window,
                first=first,
                last=last,
            )
        ]
    if alert.kind is AlertKind.REMINDER:
        more = plural(alert.count, t["more"], lang)
        return [t["still_body"].format(more=more, window=window)]
    if alert.kind is AlertKind.RESOLVED:
        began = alert.started_at or alert.created_at
        ended = alert.last_at or began
        lasted = format_duration((ended - began).total_seconds(), lang)
        return [
            t["resolved_body"].format(
                window=window, lasted=lasted, first=_clock(began), last=_clock(ended)
            )
        ]
    return []


def _where_lines(alert: Alert, record: Record, t: Mapping[str, str]) -> list[str]:
    """When the error was logged and where: platform, connection, symbol, file."""
    when = parse_timestamp(record)  # the log's own time, else when logwatch saw it
    shown = (
        format_log_time(when)
        if when is not None
        else f"{alert.created_at.astimezone():%Y-%m-%d %H:%M:%S}"
    )
    where = [
        f"{t[name]} {record.fields[name]}"
        for name in ("platform", "connection", "symbol")
        if record.fields.get(name)
    ]
    line = alert.hit.line if alert.hit else record.first_line
    where.append(f"{t['file']} {record.path}:{line}")
    return [f"{t['when']}: {shown}", f"{t['where']}: " + ", ".join(where)]


def _line_text(record: Record, channel: str) -> str:
    """The record's own line, cut at LINE_CHARS but on the console."""
    if len(record.raw) <= LINE_CHARS or channel == ChannelKind.CONSOLE:
        return record.raw
    return record.raw[:LINE_CHARS] + "…"


def _tail(rule: Rule, t: Mapping[str, str], instance: str) -> str:
    """The footer: the rule, its codes, which logwatch sent it."""
    tail = f"{t['rule']} {rule.id}" + (
        f" · {t['codes']} {', '.join(str(c) for c in rule.codes)}" if rule.codes else ""
    )
    return tail + (f" · {instance}" if instance else "")


def render_group(
    lines: Sequence[GroupLine],
    rules: Mapping[str, Rule],
    lang: str,
    channel: str = "email",
    limit: int = DEFAULT_MAX_PER_MINUTE,
) -> Message:
    """One message for many alerts (a flood): rule × hits × symbols, per rule."""
    t = _TEXT.get(lang, _TEXT["en"])
    severities = _SEVERITY.get(lang, _SEVERITY["en"])
    alerts = sum(g.alerts for g in lines)
    title = t["group_title"].format(
        alerts=plural(alerts, t["alerts"], lang), rules=len(lines)
    )
    body = [t["group_intro"].format(limit=limit), ""]
    for g in lines:
        rule = rules.get(g.rule_id)
        name = (rule.title.get(lang) or rule.title["en"]) if rule else g.text
        name = name.split("\n", 1)[0]
        scopes = ", ".join(g.scopes)
        if g.more_scopes:
            scopes += " " + t["group_more"].format(n=g.more_scopes)
        line = t["group_line"].format(
            severity=severities[str(g.severity)],
            title=name,
            rule=g.rule_id,
            hits=g.hits,
        )
        body.append(f"- {line}" + (f": {scopes}" if scopes and rule else ""))
    first = min(g.first_at for g in lines)
    last = max(g.last_at for g in lines)
    body += ["", t["group_span"].format(first=_clock(first), last=_clock(last))]
    budget = BUDGETS.get(channel, BUDGETS[ChannelKind.WEBHOOK])
    return Message(title, fit("\n".join(body), budget, t["truncated"]))


def default_language(env: dict[str, str] | None = None) -> str:
    """``ru`` when the system locale is Russian, else ``en``."""
    env = dict(os.environ) if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        if env.get(var):
            return "ru" if env[var].lower().startswith("ru") else "en"
    name = locale.getlocale()[0] or ""
    return "ru" if name.lower().startswith(("ru", "russian")) else "en"
