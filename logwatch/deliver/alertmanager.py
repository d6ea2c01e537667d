"""The ``alertmanager://`` channel: alerts posted to Alertmanager's v2 API.

Alertmanager groups, silences and routes alerts across machines. Each logwatch alert is
one Alertmanager alert whose ``endsAt`` lies a dedup window ahead: a repeat (a digest or
reminder) moves it on, a window without one lets it resolve, a "resolved" message ends
it at once. A plugin of the same kind as ``console://`` and ``desktop://``, so Apprise
stays the one way out: the message body is the JSON the API takes (``payload``).
"""

from __future__ import annotations

import base64
import json
import logging
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from logwatch.alerts.render import LINE_CHARS, Message
from logwatch.core.model import Alert, AlertKind
from logwatch.rulebook.rules import Rule

#: How long past its window an alert stays firing, so the digest that keeps it alive
#: arrives before Alertmanager resolves it (capped by the window itself).
GRACE_S = 60.0
#: Seconds to wait for Alertmanager when the URL sets no ``rto``.
TIMEOUT_S = 10.0
#: Label values are kept short: Alertmanager shows them in every grouping.
LABEL_CHARS = 120
#: How long a lasting condition about logwatch itself stays firing unless resolved.
LASTING_S = 24 * 3600.0
#: Separates a self-alert's fingerprint from the condition it is about.
SEP = "\x1f"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ends_at(alert: Alert, window_s: float) -> datetime:
    """When Alertmanager should resolve an alert nobody renews."""
    if alert.kind is AlertKind.RESOLVED:
        return alert.created_at
    if alert.kind is AlertKind.SELF and SEP in alert.fingerprint:
        # a lasting condition (a silent source): it ends when logwatch says so
        return alert.created_at + timedelta(seconds=LASTING_S)
    grace = min(GRACE_S, window_s)
    return alert.created_at + timedelta(seconds=window_s + grace)


def payload(
    alert: Alert,
    rule: Rule | None,
    *,
    instance: str,
    source: str,
    lang: str,
    window_s: float,
) -> list[dict[str, Any]]:
    """The body of ``POST /api/v2/alerts`` for one alert (a list of one)."""
    starts = alert.started_at or alert.first_at or alert.created_at
    return [
        {
            "labels": _labels(alert, rule, instance=instance, source=source),
            "annotations": _annotations(alert, rule, lang),
            "startsAt": _stamp(starts),
            "endsAt": _stamp(ends_at(alert, window_s)),
        }
    ]


def _labels(
    alert: Alert, rule: Rule | None, *, instance: str, source: str
) -> dict[str, str]:
    """What Alertmanager groups and routes by: the rule, severity and where; the
    line's exchange (connection, symbol); what a self-alert is ``about``."""
    labels = {
        "alertname": alert.rule_id,
        "severity": str(alert.severity),
        "instance": instance,
        "source": source,
    }
    record = alert.hit.record if alert.hit is not None else None
    # a digest of folded errors (dedup's overflow window) is about many of them: the
    # last one's connection and symbol would make it look like that one error
    names = ("exchange",) if alert.folded else ("exchange", "connection", "symbol")
    for name in names:
        value = record.fields.get(name) if record is not None else None
        if value:
            labels[name] = value[:LABEL_CHARS]
    if alert.kind is AlertKind.SELF or rule is None:
        first = alert.text.split("\n", 1)[0]
        # one self-alert is not another: the condition (or first line) tells them apart
        about = alert.fingerprint.partition(SEP)[2] or first
        labels["about"] = about[:LABEL_CHARS]
    return labels


def _annotations(alert: Alert, rule: Rule | None, lang: str) -> dict[str, str]:
    """What Alertmanager shows: the rule's title and remedy in ``lang`` (a
    self-alert's own text), the folded count, the line and the codes."""
    if alert.kind is AlertKind.SELF or rule is None:
        summary, description = alert.text.split("\n", 1)[0], alert.text
    else:
        summary = rule.title.get(lang) or rule.title["en"]
        description = rule.remedy.get(lang) or rule.remedy["en"]
    annotations = {"summary": summary, "description": description}
    if alert.folded:
        annotations["folded"] = f"{alert.count} repeats of {alert.folded} errors"
    if alert.hit is not None:
        annotations["line"] = alert.hit.record.raw[:LINE_CHARS]
    if rule is not None and rule.codes:
        annotations["codes"] = ", ".join(str(c) for c in rule.codes)
    elif alert.hit is not None and alert.hit.codes:
        annotations["codes"] = ", ".join(str(c) for c in alert.hit.codes)
    return annotations


def message(alerts: list[dict[str, Any]]) -> Message:
    """A Message whose body the plugin posts as it is."""
    return Message(alerts[0]["annotations"]["summary"], json.dumps(alerts))


def plain(title: str, body: str) -> list[dict[str, Any]]:
    """A message that is not one of our alerts (a test message) as an alert; without
    times, Alertmanager starts it now and resolves it after its resolve_timeout."""
    return [
        {
            "labels": {"alertname": "logwatch.message", "severity": "info"},
            "annotations": {"summary": title or "logwatch", "description": body},
        }
    ]


def api_url(meta: Mapping[str, Any]) -> str:
    """``alertmanager[s]://[user:pass@]host[:port][/prefix]`` -> the v2 alerts URL."""
    scheme = "https" if meta["schema"] == "alertmanagers" else "http"
    host = str(meta["host"])
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{meta['port']}" if meta.get("port") else ""
    prefix = str(meta.get("fullpath") or "").rstrip("/")
    return f"{scheme}://{host}{port}{prefix}/api/v2/alerts"


def _body(text: str) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, list) and all(isinstance(a, dict) for a in data):
        return data
    return None


def post(
    body: str, title: str, notify_type: str, meta: Mapping[str, Any], **kwargs: Any
) -> bool:
    """Apprise's send for ``alertmanager://``: POST the alerts; True on a 2xx."""
    import urllib.error  # http.client, email: only for this channel
    import urllib.request

    alerts = _body(body) or plain(title, body)
    headers = {"Content-Type": "application/json", "User-Agent": "logwatch"}
    if meta.get("user"):
        user = unquote(str(meta["user"]))
        password = unquote(str(meta.get("password") or ""))
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    qsd = meta.get("qsd") or {}
    try:
        timeout = float(qsd.get("rto", TIMEOUT_S))
    except ValueError:
        timeout = TIMEOUT_S
    context = None
    if meta["schema"] == "alertmanagers" and meta.get("verify") is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(  # noqa: S310  the scheme is ours: http(s)
        api_url(meta), json.dumps(alerts).encode(), headers, method="POST"
    )
    log = logging.getLogger("apprise")  # where Apprise collects a send's reasons
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as resp:  # noqa: S310
            return 200 <= int(resp.status) < 300
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        log.warning("alertmanager: HTTP %s %s", exc.code, detail)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        log.warning("alertmanager: not reached: %s", reason)
    return False
