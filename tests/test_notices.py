"""The self-alert catalogue, tested from itself: both languages, every parameter."""

from __future__ import annotations

import pytest

from logwatch.alerts.notices import SELF_TEXTS, Notice, notice, render_notice


def _sample_values(name: str) -> dict[str, object]:
    """Distinct values for an entry's parameters: numbers fit every template field."""
    return {p: 7 + 60 * i for i, p in enumerate(sorted(SELF_TEXTS[name].params))}


class TestSelfTexts:
    """Generated from SELF_TEXTS: every self-alert exists in both languages."""

    @pytest.mark.parametrize("name", sorted(SELF_TEXTS))
    def test_both_languages_take_the_same_parameters(self, name: str) -> None:
        entry = SELF_TEXTS[name]
        assert entry.en.strip()
        assert entry.ru.strip()
        assert entry.en != entry.ru
        assert Notice(name, {}).severity is entry.severity
        ru = render_notice(Notice(name, _sample_values(name)), "ru")
        assert ru.startswith("logwatch")
        en = render_notice(Notice(name, _sample_values(name)), "en")
        assert en.startswith("logwatch")
        assert "{" not in en + ru

    @pytest.mark.parametrize(
        ("name", "lang"),
        [(n, lang) for n in sorted(SELF_TEXTS) for lang in ("en", "ru")],
    )
    def test_every_parameter_shows_in_the_text(self, name: str, lang: str) -> None:
        values = _sample_values(name)
        shown = render_notice(Notice(name, values), lang)
        for param in values:
            other = values | {param: 100_003}
            assert render_notice(Notice(name, other), lang) != shown, param

    @pytest.mark.parametrize("name", sorted(SELF_TEXTS))
    def test_missing_or_unknown_values_are_refused(self, name: str) -> None:
        values = _sample_values(name)
        with pytest.raises(ValueError, match=name):
            render_notice(Notice(name, values | {"unknown": 1}), "en")
        for param in values:
            fewer = {k: v for k, v in values.items() if k != param}
            with pytest.raises(ValueError, match=name):
                render_notice(Notice(name, fewer), "en")


def test_durations_are_shown_in_the_messages_language() -> None:
    said = notice("source_back", source="bot", lasted_s=90)
    assert (
        render_notice(said, "en")
        == "logwatch: bot writes again, after 1 min 30 s of silence"
    )
    assert render_notice(said, "ru") == "logwatch: bot снова пишет, молчал 1 мин 30 с"


def test_an_unknown_language_gets_english() -> None:
    said = notice("state_saved")
    assert render_notice(said, "de") == render_notice(said, "en")
