"""The typed ``Status``: what both renderers (terminal and phone) take from it."""

from __future__ import annotations

from logwatch.store.statusinfo import FileRow, HeldRow, Status


def _file(path: str, followed: bool) -> FileRow:
    return FileRow(
        path=path,
        offset=1,
        line=1,
        lines_read=1,
        last_seen=None,
        last_line_at=None,
        followed=followed,
    )


def test_files_are_told_apart_by_whether_the_last_run_followed_them() -> None:
    status = Status(
        state="/s/state.db",
        files=[_file("/a.log", True), _file("/old.log", False), _file("/b.log", True)],
    )
    assert [f.path for f in status.followed] == ["/a.log", "/b.log"]
    assert [f.path for f in status.earlier] == ["/old.log"]


def test_waiting_says_per_channel_how_many_are_held_for_the_quiet_hours() -> None:
    held = HeldRow(count=2, until="07:00")
    status = Status(
        state="/s/state.db", waiting={"phone": 3, "mail": 1}, held={"phone": held}
    )
    assert status.waiting_held() == [("phone", 3, held), ("mail", 1, None)]


def test_the_json_object_has_no_derived_fields() -> None:
    status = Status(state="/s/state.db", files=[_file("/a.log", True)])
    assert set(status.as_json()) == {
        "state", "files", "windows", "mutes", "waiting", "held", "patterns",
        "channels", "errors", "user_mutes", "unacknowledged",
    }  # fmt: skip
