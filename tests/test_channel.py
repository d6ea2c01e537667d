"""A channel's routing filters: sources, rules and categories."""

from __future__ import annotations

import itertools

import pytest

from logwatch.core.channel import Channel

ALERT = ("binance.http-too-many-requests", "bot", ("rate-limit", "binance"))


@pytest.mark.parametrize(
    ("sources", "rules", "categories"),
    list(
        itertools.product(
            [None, ["bot"], ["mt5"]],
            [None, ["binance.*"], ["binance.http-too-many-requests"], ["okx.*"]],
            [None, ["rate_limit"], ["signature"], ["rate_limit", "signature"]],
        )
    ),
)
def test_a_channel_takes_an_alert_when_every_filter_it_has_agrees(
    sources: list[str] | None, rules: list[str] | None, categories: list[str] | None
) -> None:
    channel = Channel.model_validate(
        {
            "name": "c",
            "url": "json://127.0.0.1/",
            "sources": sources,
            "rules": rules,
            "categories": categories,
        }
    )
    rule_id, source, kinds = ALERT
    wanted = (
        (sources is None or source in sources)
        and (rules is None or rules[0] in ("binance.*", rule_id))
        and (categories is None or "rate_limit" in categories)
    )
    assert channel.routes(rule_id, source, kinds) is wanted
    assert bool(channel.routing()) is not (sources == rules == categories is None)
