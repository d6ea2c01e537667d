"""What logwatch says about itself (state file trouble, silent sources, unreachable
channels, failed reloads, expired alerts): one catalogue of texts in English and
Russian, each with its severity; the daemon and delivery name a text and its values.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from logwatch.alerts.render import format_duration
from logwatch.core.model import Severity


@dataclass(frozen=True, slots=True)
class SelfText:
    """What logwatch says about itself, in both languages, and how urgently.

    Templates take ``{names}``; a name ending in ``_s`` is seconds, shown as a
    duration in the message's language."""

    severity: Severity
    en: str
    ru: str

    @property
    def params(self) -> frozenset[str]:
        """The names the English template takes (the Russian one takes the same)."""
        return _fields(self.en)


def _fields(template: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)


#: Every alert logwatch raises about itself, by name.
SELF_TEXTS: dict[str, SelfText] = {
    "state_moved_aside": SelfText(
        Severity.WARNING,
        "logwatch: its state file was unusable ({why}) and was moved to "
        "{moved}; following restarted at the ends of the files",
        "logwatch: файл состояния был повреждён ({why}) и перемещён в "
        "{moved}; чтение логов начато с их концов",
    ),
    "state_unmovable": SelfText(
        Severity.WARNING,
        "logwatch: its state file {old} is unusable ({why}) and could not be "
        "moved aside ({error}); it started afresh in {path}. "
        "Delete the old file when nothing holds it open.",
        "logwatch: файл состояния {old} повреждён ({why}) и не может быть "
        "перемещён ({error}); начат новый файл {path}. Удалите "
        "старый файл, когда его никто не держит открытым.",
    ),
    "state_deleted": SelfText(
        Severity.WARNING,
        "logwatch: its state file {path} was deleted while it ran; "
        "it was written again from memory (offsets, dedup windows, alerts "
        "waiting)",
        "logwatch: файл состояния {path} был удалён во время работы; "
        "он записан заново из памяти (позиции, окна, ожидающие оповещения)",
    ),
    "state_replaced": SelfText(
        Severity.WARNING,
        "logwatch: its state file {path} was replaced by another file while it "
        "ran; it was written again from memory (offsets, dedup windows, alerts "
        "waiting)",
        "logwatch: файл состояния {path} был подменён во время работы; "
        "он записан заново из памяти (позиции, окна, ожидающие оповещения)",
    ),
    "state_unsaved": SelfText(
        Severity.CRITICAL,
        "logwatch cannot save its state: {problem}\n"
        "It keeps running and keeps what it has read in memory; nothing more "
        "is read until the state can be saved again (free space on that disk).",
        "logwatch не может сохранить состояние: {problem}\n"
        "Он продолжает работу и держит прочитанное в памяти; дальше логи "
        "не читаются, пока состояние нельзя сохранить (освободите место).",
    ),
    "state_saved": SelfText(
        Severity.INFO,
        "logwatch can save its state again; what it held is alerted now",
        "logwatch снова может сохранять состояние; удержанное отправляется сейчас",
    ),
    "rule_disabled": SelfText(
        Severity.WARNING,
        "logwatch: rule {rule_id} was disabled: {why}",
        "logwatch: правило {rule_id} отключено: {why}",
    ),
    "channels_unreachable": SelfText(
        Severity.ERROR,
        "logwatch could not reach any channel for {minutes} min; "
        "alerts were kept and are sent now",
        "logwatch не мог связаться ни с одним каналом {minutes} мин; "
        "оповещения сохранены и отправляются сейчас",
    ),
    "channels_back": SelfText(
        Severity.ERROR,
        "logwatch reaches its channels again (unreachable for {lasted_s})",
        "logwatch снова связывается с каналами (не было связи {lasted_s})",
    ),
    "source_silent": SelfText(
        Severity.ERROR,
        "logwatch: {source} has written nothing for {minutes} min",
        "logwatch: {source} ничего не пишет уже {minutes} мин",
    ),
    "source_back": SelfText(
        Severity.ERROR,
        "logwatch: {source} writes again, after {lasted_s} of silence",
        "logwatch: {source} снова пишет, молчал {lasted_s}",
    ),
    "reload_failed": SelfText(
        Severity.ERROR,
        "logwatch: reloading the config failed; the old one stays\n{problems}",
        "logwatch: новая конфигурация не загружена, работает прежняя\n{problems}",
    ),
    "alerts_expired": SelfText(
        Severity.WARNING,
        "logwatch: {count} alerts expired undelivered on channel {channel}\n"
        "They were older than {hours:g} h. "
        "Check the channel: `logwatch test-notify`.",
        "logwatch: {count} оповещений не доставлено через канал {channel}\n"
        "Им больше {hours:g} ч. Проверьте канал: `logwatch test-notify`.",
    ),
}


@dataclass(frozen=True, slots=True)
class Notice:
    """One of ``SELF_TEXTS`` by name, with the values its templates take."""

    name: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        """How urgent the catalogue says it is."""
        return SELF_TEXTS[self.name].severity


def notice(name: str, /, **values: object) -> Notice:
    """``notice("rule_disabled", rule_id=…, why=…)``."""
    return Notice(name, values)


def render_notice(said: Notice, lang: str) -> str:
    """The text of a self-alert in ``lang`` (English for any other).

    Raises:
        ValueError: the values are not exactly the template's names.
    """
    entry = SELF_TEXTS[said.name]
    if set(said.values) != entry.params:
        raise ValueError(
            f"{said.name} takes {sorted(entry.params)}, got {sorted(said.values)}"
        )
    values = {
        key: format_duration(value, lang)
        if key.endswith("_s") and isinstance(value, int | float)
        else value
        for key, value in said.values.items()
    }
    return (entry.ru if lang == "ru" else entry.en).format(**values)
