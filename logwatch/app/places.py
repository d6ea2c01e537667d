"""Where the supported platforms keep their logs on this PC (the zero-config sources).

The user's folders come from the shell's Known Folders on Windows (through
platformdirs), so OneDrive folder backup and a moved or localized Documents folder are
found; drive letters are the fixed local disks, listed once per start or reload. The
patterns themselves are made by a pure function of those folders.
"""

from __future__ import annotations

import glob
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from logwatch.core.config import SourceSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Folders:
    """This user's folders, as the platform reports them."""

    home: str
    documents: str
    desktop: str
    downloads: str
    appdata: str
    local_appdata: str
    #: letters of the fixed local drives (Windows), where Quantower may be unpacked
    drives: tuple[str, ...] = ()


def known_folders(env: Mapping[str, str]) -> Folders:
    """The folders of the user running logwatch (the shell's, on Windows)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_folders(env)
    home = env.get("HOME", "~")
    return Folders(
        home=home,
        documents=f"{home}/Documents",
        desktop=f"{home}/Desktop",
        downloads=f"{home}/Downloads",
        appdata=f"{home}/.config",
        local_appdata=f"{home}/.local/share",
    )


def _windows_folders(env: Mapping[str, str]) -> Folders:  # pragma: no cover
    import platformdirs

    from logwatch.follow.drives import drive_type, fixed_drives, logical_drives

    home = env.get("USERPROFILE", "~")

    def shell(get: Callable[[], str], fallback: str) -> str:
        try:
            return get()  # SHGetKnownFolderPath: follows OneDrive, moves, renames
        except Exception:  # noqa: BLE001  boundary: a shell error keeps the usual place
            return fallback

    return Folders(
        home=home,
        documents=shell(platformdirs.user_documents_dir, f"{home}/Documents"),
        desktop=shell(platformdirs.user_desktop_dir, f"{home}/Desktop"),
        downloads=shell(platformdirs.user_downloads_dir, f"{home}/Downloads"),
        appdata=env.get("APPDATA", f"{home}/AppData/Roaming"),
        local_appdata=env.get("LOCALAPPDATA", f"{home}/AppData/Local"),
        drives=tuple(
            shell(lambda: "".join(fixed_drives(logical_drives(), drive_type)), "C")
        ),
    )


def _under(folders: Iterable[str], *rest: str) -> list[str]:
    """``folder/rest…`` for each distinct folder, the folder glob-escaped (a user name
    like ``Ivan [2]`` is a name, not a character class)."""
    seen: dict[str, None] = {}
    for folder in folders:
        seen.setdefault(glob.escape(folder.rstrip("/\\")), None)
    return ["/".join((folder, *rest)) for folder in seen]


def default_sources(folders: Folders, platform: str) -> list[SourceSpec]:
    """The log folders of supported platforms, where they usually are (zero config).

    A folder that does not exist costs nothing: it is picked up when it appears.
    """
    f = folders
    sources: list[tuple[str, list[str]]] = []
    if platform == "win32":
        # Quantower is unpacked anywhere: drive roots, Desktop, Downloads, Documents
        roots = [f"{d}:/" for d in f.drives] + [
            f.desktop,
            f.downloads,
            f.documents,
            f.home,
            f"{f.home}/OneDrive/Desktop",
        ]
        quantower = [
            pattern
            for logs in ("Logs", "Settings/Logs")
            for ext in ("slog", "log")
            for pattern in _under(roots, "Quantower", logs, "**", f"*.{ext}")
        ] + _under(roots, "Quantower/Settings/Scripts/ScriptsData/*/logs/*.slog")
        sources.append(("quantower", quantower))
        terminal = _under([f.appdata], "MetaQuotes/Terminal/*")[0]
        sources.append(
            (
                "metatrader",
                [
                    f"{terminal}/Logs/*.log",
                    f"{terminal}/MQL5/Logs/*.log",
                    f"{terminal}/MQL4/Logs/*.log",
                ],
            )
        )
        sources.append(
            (
                "ninjatrader",
                _under(
                    [
                        f.documents,
                        f"{f.home}/Documents",
                        f"{f.home}/OneDrive/Documents",
                    ],
                    "NinjaTrader 8/log/*.txt",
                ),
            )
        )
        sources.append(
            (
                "hummingbot",
                _under([f.local_appdata], "hummingbot.io/Hummingbot/logs/*.log"),
            )
        )
    else:
        home = glob.escape(f.home)
        wine = f"{home}/.wine/drive_c"
        sources.append(
            (
                "freqtrade",
                [
                    f"{home}/freqtrade/user_data/logs/*.log*",
                    f"{home}/ft_userdata/user_data/logs/*.log*",
                ],
            )
        )
        sources.append(
            (
                "hummingbot",
                [
                    f"{home}/hummingbot/logs/*.log",
                    f"{home}/hummingbot_files/hummingbot_logs/*.log",
                    f"{home}/Library/Application Support/Hummingbot/Logs/*.log",
                ],
            )
        )
        terminal = f"{wine}/users/*/AppData/Roaming/MetaQuotes/Terminal/*"
        sources.append(
            (
                "metatrader",
                [
                    f"{terminal}/Logs/*.log",
                    f"{terminal}/MQL5/Logs/*.log",
                    f"{wine}/Program Files/MetaTrader 5/Logs/*.log",
                ],
            )
        )
        sources.append(("quantower", [f"{wine}/Quantower/Logs/**/*.slog"]))
    return [SourceSpec(name=name, paths=paths) for name, paths in sources]
