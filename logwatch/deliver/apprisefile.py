"""An Apprise config file (``apprise_config:``) read as channels: one per URL, named
after its tag, every problem with it masked."""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

import regex
from pydantic import SecretStr, ValidationError

from logwatch.core.channel import Channel
from logwatch.deliver.desktop import Collect
from logwatch.match.redact import redact


def apprise_channels(
    path: Path, tags: Collection[str], taken: Collection[str]
) -> tuple[list[Channel], list[str]]:
    """The channels of an Apprise config file (YAML or TEXT, read by Apprise): one per
    URL, named after its first tag (``apprise`` without one), ``-2``, ``-3``... where a
    name is ``taken`` already; with ``tags``, only URLs that carry one of them. And
    every problem with it, masked: what Apprise refused, each URL logwatch refuses
    (a Telegram URL without its chat), or why it gave nothing."""
    import apprise

    collect = Collect()
    logger = logging.getLogger("apprise")
    logger.addHandler(collect)
    try:
        config = apprise.AppriseConfig()
        config.add(str(path))
        services = config.services()
    except Exception as exc:  # noqa: BLE001  boundary: any file must not crash us
        services, said = [], [f"{type(exc).__name__}: {exc}"]
    else:
        said = []
    finally:
        logger.removeHandler(collect)
    said += [r.getMessage() for r in collect.records]
    wanted = {t.lower() for t in tags}
    names = set(taken)
    channels = []
    for number, service in enumerate(services, 1):
        own = sorted(str(t).lower() for t in service.tags)
        if wanted and wanted.isdisjoint(own):
            continue
        name = _channel_name(own[0] if own else "apprise", names)
        try:
            url = service.url(privacy=False)  # type: ignore[no-untyped-call]
            channels.append(Channel(name=name, url=SecretStr(url)))
        except (ValidationError, TypeError, ValueError) as exc:
            why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else exc
            said.append(f"URL {number} ({service.service_name}): {why}")
            continue
        names.add(name)
    if services and not channels and not said:
        said.append(f"no URL has a tag of {', '.join(sorted(wanted))}")
    elif not services and not said:
        said.append("no notification URL in it")
    return channels, [redact(s) for s in said]


def _channel_name(tag: str, taken: Collection[str]) -> str:
    """A channel name made of an Apprise tag (which may hold what a name may not),
    unique among ``taken``."""
    base = _NOT_IN_NAME.sub("-", tag.lower()).strip("-_")[:34] or "apprise"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


#: What a channel name may not hold (an Apprise tag may)
_NOT_IN_NAME = regex.compile(r"[^a-z0-9_-]++")
