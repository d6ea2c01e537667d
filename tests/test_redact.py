from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.redact import MASK, redact

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("request ip: 178.151.198.159", "178.151.198.159"),
        ("from fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
        (f"X-MBX-APIKEY: {KEY}", KEY),
        (f"key {KEY} used", KEY),
        (
            "GET /api/v3/order?timestamp=1&signature=81784b67aa12&recvWindow=5000",
            "81784b67aa12",
        ),
        (
            '{"listenKey":"WsCMN0a4KHUPTQuX6IUnqEZfB1inxmv1"}',
            "WsCMN0a4KHUPTQuX6IUnqEZfB1inxmv1",
        ),
        (
            "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/42",
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ),
        ("mailtos://alerts:s3cr3t!@smtp.example.com", "s3cr3t!"),
        ("password=hunter22 ok", "hunter22"),
    ],
)
def test_known_secrets_are_masked(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-09-16 10:54:08:591|0|4|Margin is insufficient. (BTCUSDT)",
        "12:30:45 build v1.142.20 order 4000090541",
        'binanceusdm {"code":-2019,"msg":"Margin is insufficient."}',
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text


def test_configured_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("token abcdef in text", secrets=["abcdef"]) == "token **** in text"


@given(
    st.text(max_size=40),
    st.from_regex(r"[A-Za-z0-9]{64}", fullmatch=True),
    st.text(max_size=40),
    st.sampled_from(["apiKey=", "X-MBX-APIKEY: ", "signature=", 'listenKey":"', " "]),
)
def test_masked_text_never_contains_the_secret(
    before: str, secret: str, after: str, joint: str
) -> None:
    text = f"{before}{joint}{secret} {after}"
    assert secret not in redact(text)


@given(st.text(max_size=30), st.ip_addresses(v=4), st.text(max_size=30))
def test_masked_text_never_contains_an_ip(before: str, ip: object, after: str) -> None:
    assert f"ip: {ip} " not in redact(f"{before} ip: {ip} {after}")
