"""``/metrics``: served by prometheus_client on a free loopback port, read back with its
own parser; a port in use is a config error at its line, as a real ``logwatch run``."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from logwatch.app.metrics import Metrics, is_loopback
from tests.daemon_run import logwatch


@pytest.fixture(name="served")
def _served() -> Iterator[tuple[Metrics, int]]:
    metrics = Metrics("desk-7", heartbeat=True)
    port = metrics.serve("127.0.0.1:0")
    yield metrics, port
    metrics.close()


def scrape(port: int) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Sample name -> (labels, value) as Prometheus would read them."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


#: The names the issue fixes (a contract), as they appear in the exposition.
CONTRACT = (
    "logwatch_lines_total",
    "logwatch_hits_total",
    "logwatch_alerts_total",
    "logwatch_alerts_pending",
    "logwatch_source_last_line_timestamp_seconds",
    "logwatch_files_followed",
    "logwatch_heartbeat_last_success_timestamp_seconds",
    "logwatch_build_info",
    "logwatch_delivery_failures_total",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
)


def test_every_metric_of_the_contract_is_served_with_its_labels(
    served: tuple[Metrics, int],
) -> None:
    metrics, port = served
    metrics.observe(
        {"bot": 120}, {"bot": 2}, {"bot": 1_700_000_000.5}, {"tg": 3}, ["tg", "mail"]
    )
    metrics.observe(
        {"bot": 150}, {"bot": 1}, {"bot": 1_700_000_001.0}, {}, ["tg", "mail"]
    )
    metrics.hit("binance.margin-insufficient", "error")
    metrics.outcome("tg", "delivered")
    metrics.outcome("tg", "failed", 2)
    metrics.outcome("mail", "expired", 4)
    metrics.heartbeat.set(1_700_000_002.0)
    got = scrape(port)
    missing = [name for name in CONTRACT if name not in got]
    assert missing == []
    assert got["logwatch_lines_total"] == [({"source": "bot"}, 150.0)]
    assert got["logwatch_files_followed"] == [({"source": "bot"}, 1.0)]
    assert got["logwatch_hits_total"] == [
        ({"rule": "binance.margin-insufficient", "severity": "error"}, 1.0)
    ]
    assert sorted(
        (s["channel"], s["outcome"], v) for s, v in got["logwatch_alerts_total"]
    ) == [("mail", "expired", 4.0), ("tg", "delivered", 1.0)]
    # a failed send is one failure, not as many alerts as it carried
    assert got["logwatch_delivery_failures_total"] == [({"channel": "tg"}, 1.0)]
    assert sorted(got["logwatch_alerts_pending"], key=str) == [
        ({"channel": "mail"}, 0.0),
        ({"channel": "tg"}, 0.0),
    ]
    assert got["logwatch_source_last_line_timestamp_seconds"] == [
        ({"source": "bot"}, 1_700_000_001.0)
    ]
    assert got["logwatch_heartbeat_last_success_timestamp_seconds"] == [
        ({}, 1_700_000_002.0)
    ]
    ((labels, value),) = got["logwatch_build_info"]
    # not `instance`: Prometheus owns that label (it would become exported_instance)
    assert labels == {"logwatch_instance": "desk-7", "version": labels["version"]}
    assert labels["version"]
    assert value == 1.0


def test_without_a_heartbeat_its_metric_is_absent_not_zero() -> None:
    metrics = Metrics("x")
    port = metrics.serve("127.0.0.1:0")
    try:
        assert "logwatch_heartbeat_last_success_timestamp_seconds" not in scrape(port)
    finally:
        metrics.close()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False)],  # noqa: S104
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.timeout(300)
def test_a_metrics_port_in_use_is_a_config_error_at_its_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "config.yaml"
        config.write_text(
            f"language: en\nstate_dir: {tmp_path / 'state'}\n"
            f"sources:\n  - name: bot\n    paths: ['{tmp_path / '*.log'}']\n"
            "channels:\n  - {name: c, url: 'console://'}\n"
            f"metrics:\n  listen: '127.0.0.1:{port}'\n",
            encoding="utf-8",
        )
        result = logwatch("run", "--config", str(config))
    assert result.returncode == 2
    assert f"{config}:9: metrics.listen 127.0.0.1:{port}: cannot listen:" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("listen", "problem"),
    [
        ("9464", "'9464' is not host:port"),
        ("127.0.0.1:99999", "'127.0.0.1:99999' is not host:port"),
        ("127.0.0.1", "'127.0.0.1' is not host:port"),
    ],
)
def test_a_bad_listen_address_is_rejected_at_its_line(
    tmp_path: Path, listen: str, problem: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: en\nmetrics:\n  listen: '{listen}'\n", encoding="utf-8"
    )
    result = logwatch("check", "--config", str(config))
    assert result.returncode == 2
    assert f"{config}:3: metrics.listen: {problem}" in result.stderr


def test_counters_have_no_created_series(served: tuple[Metrics, int]) -> None:
    metrics, port = served
    metrics.hit("binance.margin-insufficient", "error")
    metrics.outcome("tg", "delivered")
    metrics.outcome("tg", "failed")
    created = [name for name in scrape(port) if name.endswith("_created")]
    assert created == []
