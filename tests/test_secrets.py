"""Secrets in log lines reach no notification, no ``scan --json`` line, no state DB.

Every leak of issue 11 is written into a followed log by a real ``logwatch run``; what
the loopback webhook received, what the daemon logged and every byte of its state DB
are then searched for each secret.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from logwatch.app.cli import cli
from tests.conftest import wait_until
from tests.daemon_run import Run
from tests.follow_harness import write
from tests.servers import (
    Hook,
    _hook,  # noqa: F401  fixture
)

SMTP_PASSWORD = "Sm7p-Pa55/w0rd!"
ED25519 = (
    "4xOpGDa6sOcVNS3XXp9j5lXU3aT+XWmhXMPFqPqfhD/y1ytMYRp6NoLwAUqsbEnyxQNaQnvgWDgiPuUOWJ"
    "qXAA=="
)
#: (what leaked in issue 11, the secret) -> a line that also holds a -2019 error
LEAKS = {
    "hK3vJ9qL2mN8pR4s": "binance_api_key=hK3vJ9qL2mN8pR4s binance_api_secret=Zq8Wv2Xr5Ty7",
    "Zq8Wv2Xr5Ty7": "binance_api_key=hK3vJ9qL2mN8pR4s binance_api_secret=Zq8Wv2Xr5Ty7",
    "Corr3ct-H0rse": "passphrase=Corr3ct-H0rse",
    "Bb7Sec9Ret2Val": "bybit_secret=Bb7Sec9Ret2Val",
    "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw": (
        "POST https://api.telegram.org/bot7712345678%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        "/sendMessage"
    ),
    "pa/ss@w0rd": "db postgresql://trader:pa/ss@w0rd@db.example.com:5432/bot",
    ED25519: f"signature {ED25519}",
    SMTP_PASSWORD: f"smtp login with {SMTP_PASSWORD} refused",
}


def _config(tmp_path: Path, hook: Hook) -> str:
    return (
        f"language: en\nstate_dir: {tmp_path / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{tmp_path / 'logs'}/*.log']\n"
        "channels:\n"
        f"  - name: hook\n    url: 'json://127.0.0.1:{hook.port}/alerts'\n"
        "  - name: mail\n    min_severity: critical\n"
        "    url: 'mailtos://alerts:Sm7p-Pa55%2Fw0rd%21@smtp.example.com"
        "?to=trader@example.com'\n"
        "dedup:\n  window: 1h\n"
    )


def _log(tmp_path: Path) -> tuple[Path, bytes]:
    lines = [
        f"Refuse (Binance Futures {i}): Margin is insufficient. (BTCUSDT) {text}\n"
        for i, text in enumerate(dict.fromkeys(LEAKS.values()))
    ]
    (tmp_path / "logs").mkdir(exist_ok=True)
    return tmp_path / "logs" / "bot.log", "".join(lines).encode()


@pytest.mark.timeout(300)
def test_no_secret_reaches_a_notification_the_log_or_the_state_db(
    tmp_path: Path, hook: Hook
) -> None:
    path, data = _log(tmp_path)
    path.write_bytes(b"")
    run = Run(tmp_path, _config(tmp_path, hook))
    write(path, data)
    count = data.count(b"\n")
    wait_until(lambda: len(hook.requests) >= count, 10, f"{count} alerts")
    assert run.stop() == 0
    sent = json.dumps(hook.requests, ensure_ascii=False)
    assert "Margin" in sent
    con = sqlite3.connect(tmp_path / "state" / "state.db")
    dump = "\n".join(con.iterdump())
    con.close()
    assert "Binance Futures 3" in dump
    logged = "".join(run.err)
    for secret in LEAKS:
        assert secret not in sent, f"notification holds {secret}"
        assert secret not in dump, f"state DB holds {secret}"
        assert secret not in logged, f"log holds {secret}"


def test_scan_json_shows_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "channels:\n  - name: mail\n"
        "    url: 'mailtos://alerts:Sm7p-Pa55%2Fw0rd%21@smtp.example.com"
        "?to=trader@example.com'\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LOGWATCH_CONFIG", str(config))
    path, data = _log(tmp_path)
    path.write_bytes(data)
    result = CliRunner().invoke(
        cli, ["scan", "--json", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 0
    hits = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert len(hits) == data.count(b"\n")
    for secret in LEAKS:
        assert secret not in result.output
