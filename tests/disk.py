"""What a full disk does, for the tests that must survive one."""

from __future__ import annotations

from logwatch.store.state import State


def fill_up(state: State) -> None:
    """What a full disk does to SQLite: no page can be added (SQLITE_FULL)."""
    pages = state.file.conn.execute("PRAGMA page_count").fetchone()[0]
    state.file.conn.execute(f"PRAGMA max_page_count={pages}")
