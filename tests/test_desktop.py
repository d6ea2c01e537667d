"""desktop:// through a real (private) dbus-daemon and a fake notification server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from logwatch.alerts.render import Message
from logwatch.core.config import config_from_text
from logwatch.core.model import Severity
from logwatch.deliver.desktop import desktop_session
from logwatch.deliver.notifier import Notifier
from tests.conftest import wait_until

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None,
    reason="needs dbus-daemon (.ci/run installs it)",
)


@pytest.fixture(name="session", scope="module")
def _session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from tests.dbus_fake import Session

    bus = Session(tmp_path_factory.mktemp("dbus"))
    yield bus
    bus.close()


def test_a_toast_reaches_the_notification_server_with_its_urgency(
    session: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)  # type: ignore[attr-defined]
    notifier = Notifier(
        config_from_text("channels:\n  - {name: desk, url: 'desktop://'}\n", {})
    )
    message = Message(
        "КРИТИЧНО: Счёт в режиме ликвидации",
        "Что сделать: пополните маржу\nПравило binance.liquidation-mode",
    )
    assert notifier.send("desk", message, Severity.CRITICAL).status == "sent"
    server = session.server  # type: ignore[attr-defined]
    wait_until(lambda: len(server.calls) == 1, 10, "the notification")
    app, summary, body, urgency = server.calls[0]
    assert (app, summary) == ("logwatch", message.title)
    assert "пополните маржу" in body
    assert urgency == 2  # critical


def test_without_a_session_the_toast_goes_to_the_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert not desktop_session()
    notifier = Notifier(
        config_from_text("channels:\n  - {name: desk, url: 'desktop://'}\n", {})
    )
    assert notifier.send("desk", Message("T", "B"), Severity.WARNING).status == "sent"
    assert "logwatch| T\nlogwatch| B\n" in capsys.readouterr().err


@pytest.mark.timeout(300)
def test_a_bus_without_a_notification_server_is_a_failed_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from tests.dbus_fake import CONF

    (tmp_path / "c.conf").write_text(
        CONF.format(path=tmp_path / "bus"), encoding="utf-8"
    )
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--config-file",
            str(tmp_path / "c.conf"),
            "--nofork",
            "--print-address",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.stdout.readline().strip())
        notifier = Notifier(
            config_from_text("channels:\n  - {name: desk, url: 'desktop://'}\n", {})
        )
        assert (
            notifier.send("desk", Message("T", "B"), Severity.ERROR).status == "failed"
        )
    finally:
        daemon.terminate()
        daemon.wait(5)
        if daemon.stdout is not None:
            daemon.stdout.close()


@pytest.mark.parametrize(
    ("authorised", "mode", "why"),
    [
        (False, None, "does not allow notifications from logwatch"),
        (True, "PRIORITY_ONLY", "Focus Assist (Do not disturb)"),
        (True, "AlarmsOnly", "Focus Assist lets alarms only"),
    ],
)
def test_a_toast_the_system_refuses_is_a_failed_send_with_the_reason(
    session: object,
    monkeypatch: pytest.MonkeyPatch,
    authorised: bool,
    mode: str | None,
    why: str,
) -> None:
    """Windows' refusals simulated on the real D-Bus session: desktop-notifier's
    has_authorisation() is False when notifications are off for the app, and Windows
    11 reports Focus Assist as the user's notification mode. Before: both counted as
    sent, and the trader never knew the toast was not shown."""
    import desktop_notifier

    import logwatch.deliver.desktop

    async def has_authorisation(self: object) -> bool:
        return authorised

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)  # type: ignore[attr-defined]
    monkeypatch.setattr(
        desktop_notifier.DesktopNotifier, "has_authorisation", has_authorisation
    )
    monkeypatch.setattr(logwatch.deliver.desktop, "_notification_mode", lambda n: mode)
    server = session.server  # type: ignore[attr-defined]
    before = len(server.calls)
    notifier = Notifier(
        config_from_text("channels:\n  - {name: desk, url: 'desktop://'}\n", {})
    )
    result = notifier.send("desk", Message("T", "B"), Severity.CRITICAL)
    assert result.status == "failed"
    assert why in result.error
    assert len(server.calls) == before


@pytest.mark.parametrize(
    ("authorised", "mode", "refused"),
    [
        (True, None, False),
        (True, "UNRESTRICTED", False),
        (True, "Unrestricted", False),
        (False, "UNRESTRICTED", True),
        (True, "PRIORITY_ONLY", True),
        (True, "ALARMS_ONLY", True),
    ],
)
def test_toast_refusal(authorised: bool, mode: str | None, refused: bool) -> None:
    from logwatch.deliver.desktop import toast_refusal

    assert bool(toast_refusal(authorised, mode)) is refused
