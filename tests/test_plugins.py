"""Apprise's plugins: only those of the configured schemes are imported at first."""

from __future__ import annotations

import pytest

from tests.daemon_run import fresh_python

#: Run in a fresh interpreter: the test process has loaded every plugin already.
_ONLY_USED_PLUGINS = """
import sys
from logwatch.core.config import config_from_text
from logwatch.core.errors import InvalidConfig
from logwatch.deliver.notifier import Notifier

def plugins():
    return {m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("apprise.plugins.")}

def config(*urls):
    channels = "".join(f"  - name: c{i}\\n    url: {u}\\n" for i, u in enumerate(urls))
    return config_from_text("channels:\\n" + channels)

Notifier(config("json://127.0.0.1:9/", "console://"))
first = plugins()
print("custom_json" in first, "discord" in first, len(first) < 20)
later = Notifier(config("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js"))
print(sorted(later.channels) == ["c0"], "discord" in plugins())
try:
    Notifier(config("json://127.0.0.1:9/", "nosuch://x"))
except InvalidConfig as exc:
    print(str(exc).count("not a valid notification URL"))
"""


@pytest.mark.timeout(300)
def test_only_the_plugins_of_the_configured_schemes_are_imported_at_first() -> None:
    # Apprise imports ~180 plugin modules on its first look-up; a daemon that sends to
    # a webhook needs one. A scheme outside them still loads them all, and a scheme
    # that no plugin serves is still refused at its line.
    assert fresh_python(_ONLY_USED_PLUGINS).split("\n")[:3] == [
        "True False True",
        "True True",
        "1",
    ]
