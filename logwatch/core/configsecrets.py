"""The secrets a config holds (its secret fields, and the credentials inside URLs), for
masking wherever they turn up."""

from __future__ import annotations

import regex
from pydantic import BaseModel, SecretStr


def _url_secrets(url: str) -> list[str]:
    """The parts of a URL that must never be shown: the password of its user info,
    a Telegram bot token (whole and its secret half), secret-like query values."""
    out = []
    scheme, _, rest = url.partition("://")
    base = rest.split("?", 1)[0]
    userinfo = base.rsplit("@", 1)[0] if "@" in base else ""
    authority = base.rsplit("@", 1)[-1].split("/", 1)[0]
    if ":" in userinfo:
        out.append(userinfo.split(":", 1)[1])
    elif len(userinfo) >= 16:
        out.append(userinfo)  # a token given as the user (https://TOKEN@host)
    if scheme.lower() in ("tgram", "telegram"):
        token = authority.removeprefix("bot")
        out += [token, token.partition(":")[2]]
    for part in _URL_SECRET_PARAM.findall(url):
        out.append(part)
    return out


_URL_SECRET_PARAM = regex.compile(
    r"(?i)(?:pass|password|pwd|token|key|secret|apikey|passphrase)=([^&#]+)"
)


def config_secrets(config: BaseModel) -> list[str]:
    """Every secret the config holds (the secret values of its fields, and the
    credentials inside them), for redaction wherever they turn up in a log line."""
    out: list[str] = []
    for name in type(config).model_fields:
        value = getattr(config, name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, SecretStr):
                secret = item.get_secret_value()
                out.append(secret)
                if "://" in secret:
                    out += _url_secrets(secret)
            elif isinstance(item, BaseModel):
                out += config_secrets(item)
    return [s for s in dict.fromkeys(out) if len(s) >= 4]
