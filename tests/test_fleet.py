"""Fleets with the real engines: Debian's ``prometheus`` and ``prometheus-alertmanager``
started on free loopback ports with their data in tmp_path, two real ``logwatch run``
processes, and the recipes shipped in deploy/ checked by ``promtool`` and ``amtool``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, wait_until
from tests.daemon_run import MARGIN, Run, logwatch
from tests.follow_harness import write
from tests.servers import Hook, free_port

PROMETHEUS = REPO / "deploy" / "prometheus"
ALERTMANAGER = REPO / "deploy" / "alertmanager"

pytestmark = pytest.mark.timeout(300)
#: Debian's prometheus packages: the engines of a fleet's Linux server, not of Windows
needs_prometheus = pytest.mark.skipif(
    sys.platform == "win32",
    reason="Debian's prometheus and alertmanager (a fleet's Linux server)",
)


def tool(name: str) -> str:
    """A binary of Debian's prometheus packages (.ci/run installs them)."""
    path = shutil.which(name)
    assert path, (
        f"{name} is not installed (apt-get install prometheus prometheus-alertmanager)"
    )
    return path


def get(url: str) -> Any:
    """GET a JSON API; None while the server does not answer yet."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310  loopback
            return json.loads(resp.read())
    except (urllib.error.URLError, ConnectionError, ValueError):
        return None


class Server:
    """A real server process, stopped (and waited for) at the end of the test."""

    def __init__(self, args: list[str], ready_url: str, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)

        def ready() -> bool:
            assert self.proc.poll() is None, log.read_text(encoding="utf-8")[-2000:]
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as resp:  # noqa: S310
                    return bool(resp.status == 200)
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_until(ready, 30, f"{args[0]} to be ready")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(name="receiver")
def _receiver() -> Iterator[Hook]:
    """Where Alertmanager sends its notifications (its webhook receiver)."""
    server = Hook()
    yield server
    server.close()


@pytest.fixture(name="alertmanager")
def _alertmanager(tmp_path: Path, receiver: Hook) -> Iterator[str]:
    """The shipped route (grouping by instance and alertname), with its Telegram
    receiver swapped for a loopback webhook and short waits; its API base URL."""
    config = yaml.safe_load(
        (ALERTMANAGER / "alertmanager.yml").read_text(encoding="utf-8")
    )
    route = config["route"]
    route.update(group_wait="1s", group_interval="1s", repeat_interval="1h")
    route.pop("routes", None)
    config["receivers"] = [
        {
            "name": route["receiver"],
            "webhook_configs": [
                {
                    "url": f"http://127.0.0.1:{receiver.port}/am",
                    "send_resolved": True,
                }
            ],
        }
    ]
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(
        [
            tool("prometheus-alertmanager"),
            f"--config.file={path}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip port: one Alertmanager, loopback only
        ],
        f"{base}/-/ready",
        tmp_path / "alertmanager.log",
    )
    yield base
    server.close()


def logwatch_config(home: Path, instance: str, extra: str) -> str:
    (home / "logs").mkdir(parents=True)
    return (
        f"language: en\ninstance: {instance}\nstate_dir: {home / 'state'}\n"
        f"sources:\n  - name: bot\n    paths: ['{home / 'logs'}/*.log']\n"
        f"dedup:\n  window: 2s\n" + extra
    )


@needs_prometheus
def test_two_logwatch_send_to_one_alertmanager_grouped_then_resolved(
    tmp_path: Path, alertmanager: str, receiver: Hook
) -> None:
    port = alertmanager.rsplit(":", 1)[1]
    channel = f"channels:\n  - name: am\n    url: 'alertmanager://127.0.0.1:{port}'\n"
    runs: list[Run] = []
    for name in ("pc-a", "pc-b"):
        home = tmp_path / name
        home.mkdir()
        runs.append(Run(home, logwatch_config(home, name, channel)))
    try:
        for name in ("pc-a", "pc-b"):
            write(tmp_path / name / "logs" / "bot.log", MARGIN)

        def firing() -> list[dict[str, Any]]:
            return get(f"{alertmanager}/api/v2/alerts?active=true") or []

        wait_until(
            lambda: {a["labels"]["instance"] for a in firing()} == {"pc-a", "pc-b"},
            20,
            lambda: f"both instances in Alertmanager, got {firing()}",
        )
        for alert in firing():
            assert alert["labels"]["alertname"] == "binance.margin-insufficient"
            assert alert["labels"]["source"] == "bot"
            assert alert["labels"]["symbol"] == "BTCUSDT"
            assert alert["annotations"]["line"] == MARGIN.decode().strip()
        groups = get(f"{alertmanager}/api/v2/alerts/groups") or []
        assert sorted(g["labels"]["instance"] for g in groups) == ["pc-a", "pc-b"]
        assert all(
            set(g["labels"]) == {"instance", "alertname"} and len(g["alerts"]) == 1
            for g in groups
        )
        # no repeat within the window: Alertmanager resolves both by itself
        wait_until(lambda: firing() == [], 20, "the alerts to resolve")

        def resolved() -> set[str]:
            return {
                a["labels"]["instance"]
                for note in receiver.requests
                for a in note["alerts"]
                if a["status"] == "resolved"
            }

        wait_until(lambda: resolved() == {"pc-a", "pc-b"}, 20, "resolved notices")
    finally:
        for run in runs:
            assert run.stop() == 0


@needs_prometheus
def test_an_alertmanager_that_is_down_gets_the_alert_when_it_is_back(
    tmp_path: Path, receiver: Hook
) -> None:
    """Alerts wait in the outbox like any channel's, then reach the real API."""
    port = free_port()
    home = tmp_path / "pc"
    home.mkdir()
    channel = f"channels:\n  - name: am\n    url: 'alertmanager://127.0.0.1:{port}'\n"
    run = Run(home, logwatch_config(home, "pc", channel).replace("2s", "10m"))
    try:
        write(home / "logs" / "bot.log", MARGIN)
        state = str(home / "config.yaml")

        def waiting() -> dict[str, int]:
            out = logwatch("status", "--json", "--config", state, check=True).stdout
            return dict(json.loads(out)["waiting"])

        wait_until(lambda: waiting() == {"am": 1}, 15, "the alert to wait")
        config = tmp_path / "am.yml"
        config.write_text(
            "route: {receiver: hook}\nreceivers:\n  - name: hook\n    webhook_configs:\n"
            f"      - url: 'http://127.0.0.1:{receiver.port}/am'\n",
            encoding="utf-8",
        )
        server = Server(
            [
                tool("prometheus-alertmanager"),
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            f"http://127.0.0.1:{port}/-/ready",
            tmp_path / "alertmanager.log",
        )
        try:
            wait_until(
                lambda: bool(get(f"http://127.0.0.1:{port}/api/v2/alerts")),
                30,
                "the retried alert in Alertmanager",
            )
        finally:
            server.close()
    finally:
        assert run.stop() == 0


@needs_prometheus
def test_prometheus_scrapes_both_and_its_rule_fires_for_the_one_killed(
    tmp_path: Path,
) -> None:
    ports = {"pc-a": free_port(), "pc-b": free_port()}
    runs = {}
    for name, port in ports.items():
        home = tmp_path / name
        home.mkdir()
        extra = (
            "channels:\n  - {name: c, url: 'console://'}\n"
            f"metrics:\n  listen: '127.0.0.1:{port}'\n"
        )
        runs[name] = Run(home, logwatch_config(home, name, extra))
    # the shipped rules, with their `for:` waits cut to nothing for the test
    rules = yaml.safe_load(
        (PROMETHEUS / "logwatch-rules.yml").read_text(encoding="utf-8")
    )
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(tmp_path / "rules.yml")]
    config.pop("alerting")
    config["scrape_configs"][0]["static_configs"] = [
        {"targets": [f"127.0.0.1:{port}" for port in ports.values()]}
    ]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    prom_port = free_port()
    base = f"http://127.0.0.1:{prom_port}"
    server = Server(
        [
            tool("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        f"{base}/-/ready",
        tmp_path / "prometheus.log",
    )
    try:

        def query(expr: str) -> list[dict[str, Any]]:
            answer = get(f"{base}/api/v1/query?query={urllib.parse.quote(expr)}")
            return answer["data"]["result"] if answer else []

        wait_until(
            lambda: (
                {r["metric"]["logwatch_instance"] for r in query("logwatch_build_info")}
                == {"pc-a", "pc-b"}
            ),
            30,
            "both logwatch scraped",
        )
        assert runs.pop("pc-b").kill() != 0
        dead = f"127.0.0.1:{ports['pc-b']}"

        def firing() -> list[dict[str, Any]]:
            answer = get(f"{base}/api/v1/alerts") or {"data": {"alerts": []}}
            return [
                a
                for a in answer["data"]["alerts"]
                if a["labels"]["alertname"] == "LogwatchDown" and a["state"] == "firing"
            ]

        wait_until(
            lambda: [a["labels"]["instance"] for a in firing()] == [dead],
            30,
            lambda: f"LogwatchDown for {dead}, got {firing()}",
        )
    finally:
        server.close()
        for run in runs.values():
            assert run.stop() == 0


# -- the recipes ----------------------------------------------------------------------


@needs_prometheus
def test_the_prometheus_recipe_passes_promtool() -> None:
    for args in (
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "logwatch-rules.yml"],
        ["test", "rules", "logwatch-rules.test.yml"],
    ):
        result = subprocess.run(
            [tool("promtool"), *args],
            cwd=PROMETHEUS,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@needs_prometheus
def test_the_alertmanager_recipe_passes_amtool_and_routes_by_instance() -> None:
    result = subprocess.run(
        [tool("amtool"), "check-config", str(ALERTMANAGER / "alertmanager.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(
        (ALERTMANAGER / "alertmanager.yml").read_text(encoding="utf-8")
    )
    assert config["route"]["group_by"] == ["instance", "alertname"]
    (receiver,) = config["receivers"]
    assert receiver["telegram_configs"][0]["send_resolved"] is True


def test_the_rules_cover_what_the_issue_names() -> None:
    rules = yaml.safe_load(
        (PROMETHEUS / "logwatch-rules.yml").read_text(encoding="utf-8")
    )
    exprs = " ".join(r["expr"] for g in rules["groups"] for r in g["rules"])
    for part in (
        "up{",
        "absent(",
        "logwatch_heartbeat_last_success_timestamp_seconds",
        "logwatch_alerts_pending",
        'outcome="expired"',
    ):
        assert part in exprs
