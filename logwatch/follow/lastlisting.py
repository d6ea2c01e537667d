"""The listing last looked at whole: its files by path, for the paths events name, and
in slices, one looked at per listing, as a backstop for the events."""

from __future__ import annotations

import os

#: With events covering every source, each file is looked at once in this many listings
#: even if no event named it (a lost event, a write through a link elsewhere).
BACKSTOP_LISTINGS = 30


def backstop_listings(platform: str) -> int:
    """In how many listings every file is looked at once when events cover the sources.

    On Windows one (every listing, as without events): NTFS may report the growth of a
    file its writer holds open only once the writer flushes or closes it.
    """
    return 1 if platform == "win32" else BACKSTOP_LISTINGS


def _path_key(path: str) -> str:
    """A path as events and listings both spell it."""
    return os.path.normcase(os.path.normpath(path))
