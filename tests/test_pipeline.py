"""The stages from a hit to a message, built in one place, do what their list says."""

from __future__ import annotations

import importlib
from pathlib import Path

import regex

from logwatch.alerts import pipeline
from logwatch.alerts.alerting import NO_MUTES, PendingAlerts, UserMutes
from logwatch.alerts.outbox import Pacer
from logwatch.core.model import Alert, AlertKind, Severity
from tests.samples import at, hit, shipped_rules

RULES = shipped_rules()


def admitted(resolved: bool = False) -> PendingAlerts:
    alerting = pipeline.admission(
        RULES,
        60.0,
        None,
        resolved=resolved,
        route=lambda alert: ["hook", "phone"],
        source_of=lambda alert: "bot",
        on_committed=lambda: None,
    )
    alerting.admit([hit()], at(0))
    return alerting


def test_an_alert_goes_to_its_routes_when_nothing_is_muted() -> None:
    (row,) = admitted().changes(NO_MUTES).alerts
    assert row.channels == ["hook", "phone"]


def test_a_mute_from_the_phone_of_the_rule_source_or_all_sends_it_nowhere() -> None:
    for target in ("binance.margin-insufficient", "bot", "all"):
        (row,) = admitted().changes(UserMutes(frozenset({target}))).alerts
        assert row.channels == [], target
    (row,) = admitted().changes(UserMutes(frozenset({"other.rule"}))).alerts
    assert row.channels == ["hook", "phone"]


def test_logwatchs_own_alerts_are_never_muted() -> None:
    targets = pipeline.unmuted(lambda alert: ["hook"], lambda alert: "")
    own = Alert(
        id="self\x1e1",
        kind=AlertKind.SELF,
        rule_id="logwatch.self",
        severity=Severity.ERROR,
        fingerprint="f",
        created_at=at(0),
    )
    assert targets(own, UserMutes(frozenset({"all"}))) == ["hook"]


def test_each_channel_gets_its_own_budget_and_one_pacer_paces_telegram() -> None:
    budgets, pacer = pipeline.delivery_stages({"hook": 3, "phone": 10})
    assert {name: b.max_per_minute for name, b in budgets.items()} == {
        "hook": 3,
        "phone": 10,
    }
    assert isinstance(pacer, Pacer)


def test_every_stage_the_docstring_names_exists() -> None:
    """The list of stages is the map a newcomer reads: a renamed part breaks it."""
    doc = pipeline.__doc__ or ""
    named = regex.findall(r"``([a-z]+)\.([A-Za-z_]+)``", doc)
    assert len(named) >= 7
    packages = Path(pipeline.__file__).parent.parent  # logwatch/
    for module, name in named:
        (found,) = packages.glob(f"*/{module}.py")  # the one module of that name
        where = f"logwatch.{found.parent.name}.{module}"
        assert hasattr(importlib.import_module(where), name), name
    numbers = [int(n) for n in regex.findall(r"^(\d)\. ", doc, flags=regex.M)]
    assert numbers == list(range(1, len(numbers) + 1))
