"""The zero-config log folders, from injected folders (Windows simulated on Linux)."""

from __future__ import annotations

import glob
import sys
from pathlib import Path

import pytest

from logwatch.app.places import Folders, default_sources, known_folders
from logwatch.follow.listing import watch_dirs


def windows(home: str, **kw: str | tuple[str, ...]) -> Folders:
    folders = {
        "documents": f"{home}/Documents",
        "desktop": f"{home}/Desktop",
        "downloads": f"{home}/Downloads",
        "appdata": f"{home}/AppData/Roaming",
        "local_appdata": f"{home}/AppData/Local",
        "drives": ("C",),
        **kw,
    }
    return Folders(home=home, **folders)  # type: ignore[arg-type]


def patterns(folders: Folders, source: str, platform: str = "win32") -> list[str]:
    (found,) = [s for s in default_sources(folders, platform) if s.name == source]
    return found.paths


def test_ninjatrader_is_found_in_onedrive_documents_with_a_localized_name() -> None:
    """OneDrive's Known Folder Move and a renamed Documents: before, only
    %USERPROFILE%/Documents and %USERPROFILE%/OneDrive/Documents were tried."""
    documents = "C:/Users/Трейдер/OneDrive/Документы"
    found = patterns(windows("C:/Users/Трейдер", documents=documents), "ninjatrader")
    assert found[0] == f"{documents}/NinjaTrader 8/log/*.txt"


def test_a_user_name_with_a_bracket_still_matches_its_files(tmp_path: Path) -> None:
    """Before: ``[2]`` in ``Ivan [2]`` was a glob character class and matched nothing.
    A real glob over real folders."""
    home = tmp_path / "Ivan [2]"
    log = home / "Documents" / "NinjaTrader 8" / "log" / "log.20261130.00001.txt"
    log.parent.mkdir(parents=True)
    log.write_text("x\n", encoding="utf-8")
    found = patterns(windows(str(home)), "ninjatrader")
    assert glob.glob(found[0]) == [str(log)]  # noqa: PTH207  as the tailer globs


def test_quantower_is_looked_for_on_fixed_drives_only_and_in_settings_logs() -> None:
    """Before: C: to F: were globbed every second, a dead mapped drive stalling each
    look; the drives now come from GetDriveTypeW once per start (see test_drives)."""
    found = patterns(windows("C:/Users/t", drives=("C", "D")), "quantower")
    roots = {p.split("/Quantower/")[0] for p in found}
    assert {"C:", "D:"} <= roots
    assert not {"E:", "F:"} & roots
    assert "C:/Users/t/Downloads" in roots
    assert "D:/Quantower/Settings/Logs/**/*.slog" in found
    assert "D:/Quantower/Logs/**/*.slog" in found


def test_metatrader_folders_are_watched_without_their_tick_caches(
    tmp_path: Path,
) -> None:
    """Before: %APPDATA%/MetaQuotes/Terminal was watched recursively."""
    appdata = tmp_path / "Roaming"
    terminal = appdata / "MetaQuotes" / "Terminal"
    (terminal / "D0E8209F77C8CF37AD8BF550E51FF075" / "MQL5" / "Logs").mkdir(
        parents=True
    )
    (terminal / "D0E8209F77C8CF37AD8BF550E51FF075" / "bases" / "ticks").mkdir(
        parents=True
    )
    found = patterns(windows("C:/Users/t", appdata=str(appdata)), "metatrader")
    watched = [w for p in found for w in watch_dirs(p)]
    assert all(not recursive for _, recursive in watched)
    assert (
        str(terminal / "D0E8209F77C8CF37AD8BF550E51FF075" / "MQL5" / "Logs"),
        False,
    ) in watched


@pytest.mark.parametrize("platform", ["win32", "linux"])
def test_every_default_pattern_is_one_the_tailer_can_watch(platform: str) -> None:
    for source in default_sources(windows("/home/t"), platform):
        assert source.paths
        for pattern in source.paths:
            assert watch_dirs(pattern)


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux branch of known_folders")
def test_on_linux_the_folders_are_under_home() -> None:
    folders = known_folders({"HOME": "/home/t"})
    assert folders.home == "/home/t"
    assert folders.drives == ()
    found = patterns(folders, "freqtrade", "linux")
    assert found[0] == "/home/t/freqtrade/user_data/logs/*.log*"
