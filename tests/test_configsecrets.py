"""The secrets a config holds, each in every form it may take in a log line."""

from __future__ import annotations

from logwatch.core.config import config_from_text
from logwatch.core.configsecrets import config_secrets


def test_the_config_names_its_smtp_password_in_every_form() -> None:
    loaded = config_from_text(
        "channels:\n  - name: mail\n    url: 'mailtos://a:Sm7p-Pa55%2Fw0rd%21@h?to=x@y'\n"
        "  - name: tg\n    url: 'tgram://7712345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/42'\n",
        {},
    )
    found = config_secrets(loaded.config)
    assert "Sm7p-Pa55%2Fw0rd%21" in found
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" in found
