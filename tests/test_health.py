"""How logwatch itself is doing: each trouble said once, and summed up as a problem.

Driven with a FakeClock over Workers that are built but not started: the checks read
them, and what they say waits in the outbox.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from logwatch.alerts.codec import ALERTS
from logwatch.app.configured import build_setup
from logwatch.app.health import CHECK_EVERY_S, Health
from logwatch.app.wiring import Workers
from logwatch.store.state import State
from tests.fakes import FakeClock


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Workers]:
    (tmp_path / "logs").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "    silence: 5m\n"
        "channels:\n  - {name: told, url: 'fake://told'}\n",
        encoding="utf-8",
    )
    clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    state = State(tmp_path / "state" / "state.db", clock)
    built = Workers(build_setup(config, {}), state, clock, None, problem=lambda: "")
    yield built
    state.close()


def said(parts: Workers) -> list[str]:
    due = parts.state.deliveries.due("told", parts.clock.now().timestamp() + 1)
    return [ALERTS.loads(p.payload).text for p in due]


@pytest.mark.usefixtures("fake_channels")
def test_a_silent_source_is_said_once_and_is_the_problem(parts: Workers) -> None:
    health = Health(parts.clock)
    health.check(parts)
    assert health.problem == ""
    parts.clock.advance(301)  # type: ignore[attr-defined]
    health.check(parts)
    health.check(parts)
    assert health.problem == "bot is silent"
    assert said(parts) == ["logwatch: bot has written nothing for 5 min"]


@pytest.mark.usefixtures("fake_channels")
def test_a_recreated_state_file_is_said_once(parts: Workers) -> None:
    health = Health(parts.clock)
    parts.state.recreated = "deleted"
    health.check(parts)
    health.check(parts)
    assert parts.state.recreated is None
    (text,) = said(parts)
    assert "deleted" in text


@pytest.mark.usefixtures("fake_channels")
def test_the_state_directory_is_looked_at_once_a_second_a_rule_at_once(
    parts: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the check runs after every step of the loop (up to 50 a second); the sources,
    # channels and state directory (a system call) are looked at once a second
    state_dir = parts.state.path.parent
    looks: list[float] = []
    writable = {"now": True}
    real_access = os.access

    def access(path: object, mode: int, **kwargs: Any) -> bool:
        if path == state_dir and mode == os.W_OK:
            looks.append(parts.clock.monotonic())
            return writable["now"]
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    health = Health(parts.clock)
    health.check(parts)
    writable["now"] = False  # e.g. the disk was remounted read-only
    for _ in range(60):  # 1.14 s of steps 19 ms apart
        health.check(parts)
        parts.clock.advance(0.019)  # type: ignore[attr-defined]
    assert len(looks) == 1 + int(60 * 0.019 / CHECK_EVERY_S)
    assert health.problem == f"state directory {state_dir} is not writable"
    writable["now"] = True
    parts.engine.disabled["seed.x"] = "too slow"
    health.check(parts)  # within the second: the rule is named at once
    assert health.problem == "rule seed.x is disabled"
    assert len(looks) == 3
