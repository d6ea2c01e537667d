"""What ``status`` prints for a person, and ``status --json``: the typed ``Status``
(``store.statusinfo``) in, lines out; what a state holds is ``shown``: no escape
sequence of a path or an error reaches the terminal.
"""

from __future__ import annotations

import json

from logwatch.core.terminal import shown
from logwatch.store.statusinfo import DaemonRow, FileRow, HeldRow, Status


def _file_line(f: FileRow) -> str:
    return (
        f"  {f.path}: {f.lines_read} lines read ({f.offset} bytes), "
        f"last written {f.last_line_at or 'never (the file is gone)'}"
    )


def _held(held: HeldRow | None) -> str:
    """Why alerts wait that were never tried: held back until the quiet hours end."""
    if not held:
        return ""
    return f" ({held.count} held for the quiet hours, until {held.until})"


def status_json(status: Status) -> str:
    """``status --json``: the one object, as ``read_status`` and the lock made it."""
    return shown(json.dumps(status.as_json(), ensure_ascii=False, indent=2))


def status_text(status: Status, heartbeat: str | None) -> list[str]:
    """``status`` for a person: the lines of ``status`` (``status --json``'s object);
    ``heartbeat`` is the heartbeat's own line, when one is configured."""
    daemon = status.daemon or DaemonRow(running=False, pid=None)
    out = [f"state: {status.state}", _daemon_line(daemon, status.lock)]
    out += _files_lines(status, daemon.running)
    out += _windows_lines(status, daemon.running)
    out.append(f"active mutes: {len(status.mutes)}")
    out += [f"  {m.rule} [{m.connection or '-'}] until {m.until}" for m in status.mutes]
    out += _deliveries_lines(status)
    out.append(f"muted from the phone: {len(status.user_mutes)}")
    out += [f"  {m.target} until {m.until} (by {m.by})" for m in status.user_mutes]
    if status.unacknowledged:
        out.append(f"critical alerts not acknowledged: {status.unacknowledged}")
    if heartbeat is not None:
        out.append(heartbeat)
    return [shown(line, keep="\t") for line in out]


def _daemon_line(daemon: DaemonRow, lock: str | None) -> str:
    if not daemon.running:
        return "daemon: not running (nothing holds the state's lock)"
    who = f"pid {daemon.pid}" if daemon.pid else "pid unknown"
    return f"daemon: running, {who} (holds {lock})"


def _files_lines(status: Status, running: bool) -> list[str]:
    """The files followed, then those of an earlier config (if any)."""
    by = "" if running else " (by the last run)"
    out = [f"files followed{by}: {len(status.followed)}"]
    out += [_file_line(f) for f in status.followed]
    if earlier := status.earlier:
        out.append(
            f"files of an earlier config, no longer followed (their positions are kept "
            f"a while in case they come back): {len(earlier)}"
        )
        out += [_file_line(f) for f in earlier]
    return out


def _windows_lines(status: Status, running: bool) -> list[str]:
    """The open dedup windows and when their digests go (or went: overdue)."""
    out = [f"open dedup windows: {len(status.windows)}"]
    for w in status.windows:
        key = ", ".join(w.key) or "-"
        due = f"for the digest at {w.closes_at}"
        if w.overdue:
            due = (
                f"for the digest due {w.closes_at}, sent when logwatch runs again"
                if not running
                else f"for the digest due {w.closes_at}, being sent"
            )
        out.append(f"  {w.rule} [{key}]: {w.pending} repeats {due}")
    return out


def _deliveries_lines(status: Status) -> list[str]:
    """What waits per channel, how each channel last went, the pending errors."""
    waiting = ", ".join(f"{c} {n}" + _held(h) for c, n, h in status.waiting_held())
    out = [f"alerts waiting: {waiting or 'none'}"]
    for name, c in status.channels.items():
        ok = c.last_ok or "never"
        error = f"; last error {c.last_error_at}: {c.last_error}"
        out.append(f"  {name}: last delivered {ok}{error if c.last_error else ''}")
    out += [f"  {e.at} {e.channel}: {e.error}" for e in status.errors]
    return out
