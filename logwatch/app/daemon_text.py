"""What ``logwatch run`` says: the start-up announcement on its output, the notices
about its state file, and the one line a supervisor shows (systemd's ``STATUS=``)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING

from logwatch.alerts.notices import Notice, notice
from logwatch.app.configured import Setup
from logwatch.core.model import Alert
from logwatch.core.paths import default_config_path

if TYPE_CHECKING:
    from logwatch.store.state import State


def announcement(
    setup: Setup,
    files: int,
    listed: Set[str],
    state: Path,
    config_path: Path | None,
    env: Mapping[str, str],
) -> str:
    """What is followed (``files`` open, ``listed``: the sources that matched) and
    where alerts go and the state is kept; what to do about a source with no files."""
    said: list[str] = []
    names = ", ".join(s.name for s in setup.sources)
    channels = ", ".join(setup.notifier.channels)
    said.append(
        f"logwatch: following {files} files from {len(setup.sources)} sources "
        f"({names}); alerts go to {channels}; state in {state}\n"
    )
    if setup.zero_config:
        where = config_path or default_config_path(env)
        said.append(
            "logwatch: no sources configured, so the usual log folders of "
            "Quantower, MetaTrader, NinjaTrader, freqtrade and Hummingbot are "
            "watched (and picked up when they appear). Add your own under "
            f"`sources:` in {where}.\n"
        )
    for source in [] if setup.zero_config else setup.sources:
        if source.name not in listed:
            said.append(
                f"logwatch: source {source.name} matches no files yet "
                f"({', '.join(source.patterns)}); "
                "they are picked up when they appear\n"
            )
    for warning in setup.loaded.warnings:
        said.append(f"logwatch: {warning}\n")
    return "".join(said)


def status_line(files: int, last: Alert | None) -> str:
    """One line for a supervisor: what is followed and the last alert."""
    said = f"following {files} files"
    if last is None:
        return f"{said}; no alert yet"
    at = last.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{said}; last alert {last.rule_id} at {at}"


def state_notices(state: State) -> list[Notice]:
    """What to tell of the state file at start: moved aside (unreadable), or an old
    one that could not be moved to its new place."""
    said: list[Notice] = []
    if state.moved_aside is not None:
        moved, why = state.moved_aside
        said.append(notice("state_moved_aside", why=why, moved=moved))
    if state.unmovable is not None:
        old, why, error = state.unmovable
        said.append(
            notice(
                "state_unmovable",
                old=old,
                why=why,
                error=error,
                path=state.path,
            )
        )
    return said
