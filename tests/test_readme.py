"""The README's front page: its title, what logwatch is, then the two commands CI reads."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    return README.read_text(encoding="utf-8").split("\n## ")


def test_readme_opens_with_its_title_and_a_summary() -> None:
    first = _blocks()[0].strip().splitlines()
    assert first[0] == "# logwatch"
    summary = " ".join(line for line in first[1:] if line.strip())
    assert "logwatch" in summary
    assert len(summary) > 80


def test_quick_start_comes_next_with_exactly_two_command_lines() -> None:
    quick = _blocks()[1]
    assert quick.startswith("Quick start\n")
    fence = quick.split("```")[1]
    commands = [line for line in fence.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    assert "logwatch run" in commands[0]
    assert "pytest" in commands[1]
