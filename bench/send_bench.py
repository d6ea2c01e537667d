"""The CPU one alert's send costs logwatch, to a loopback webhook in another process.

    python bench/send_bench.py [--sends 300]

Sends the same message ``--sends`` times (after one not counted) to an HTTP server on
127.0.0.1 run in a child process (its CPU is not this process's), each way in turn:

- ``Notifier.send``: what the daemon does (Apprise's ``notify`` with the channel's time
  limit: a worker thread per send, the result and its log collected);
- the Apprise plugin's own ``send`` (the same request, no dispatch around it);
- ``requests.post`` (what the plugin does: a new session and connection each time);
- ``requests.Session.post`` (one kept-alive connection: what a sender of our own
  could do).

Prints CPU (process time, every thread) and wall time per send, and each as a ratio to
the bare ``requests.post`` measured in the same process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # tests/: the Hook

SERVER = (
    "import sys, threading\n"
    f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
    "from tests.servers import Hook\n"
    "hook = Hook()\n"
    "print(hook.port, flush=True)\n"
    "sys.stdin.read()\n"
)


def timed(send: Callable[[], object], sends: int) -> tuple[float, float]:
    """CPU and wall seconds per call of ``send`` (one call first, not counted)."""
    send()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(sends):
        send()
    return (
        (time.process_time() - cpu) / sends,
        (time.perf_counter() - wall) / sends,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=300)
    args = parser.parse_args()

    import requests

    from logwatch.alerts.render import Message
    from logwatch.core.config import config_from_text
    from logwatch.core.model import Severity
    from logwatch.deliver.notifier import Notifier

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/a"
        loaded = config_from_text(
            f"channels:\n  - {{name: hook, url: 'json://127.0.0.1:{port}/a'}}\n",
            {},
            "bench.yaml",
        )
        notifier = Notifier(loaded)
        message = Message(title="logwatch: margin", body="b" * 200)
        import apprise

        plugin = apprise.Apprise.instantiate(f"json://127.0.0.1:{port}/a")

        session = requests.Session()
        body = {"title": message.title, "message": message.body}
        ways: list[tuple[str, Callable[[], object]]] = [
            ("requests.post", lambda: requests.post(url, json=body, timeout=10)),
            (
                "Notifier.send",
                lambda: notifier.send("hook", message, Severity.ERROR),
            ),
            (
                "the plugin's send",
                lambda: plugin.send(
                    body=message.body,
                    title=message.title,
                    notify_type=apprise.NotifyType.FAILURE,
                ),
            ),
            ("Session.post", lambda: session.post(url, json=body, timeout=10)),
        ]
        results = {name: timed(send, args.sends) for name, send in ways}
    finally:
        server.communicate("")
    cpu0, wall0 = results["requests.post"]
    print(f"{args.sends} sends each to a loopback webhook in another process:")
    for name, (cpu, wall) in results.items():
        print(
            f"  {name:<18} CPU {cpu * 1000:.2f} ms ({cpu / cpu0:.2f}x requests.post), "
            f"wall {wall * 1000:.2f} ms ({wall / wall0:.2f}x)"
        )


if __name__ == "__main__":
    main()
