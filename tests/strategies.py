"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import base64
import random

from hypothesis import strategies as st

#: Text lines as platforms write them: ASCII, Cyrillic, emoji, CR, tabs, NUL.
line_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.sampled_from("абвгдЖЭЮЯ€✓😀\t\r\x00"),
    ),
    max_size=80,
)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """``data`` cut into pieces at arbitrary places."""
    cuts = sorted(draw(st.sets(st.integers(0, len(data)), max_size=12)))
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    return pieces


#: Names under which platforms log secrets: Hummingbot's ``binance_api_secret``,
#: ccxt's ``apiKey``, Bybit's ``bybit_secret``, OKX's ``passphrase``...
secret_names = st.builds(
    lambda prefix, word, suffix, upper: (
        (prefix + word + suffix).upper() if upper else prefix + word + suffix
    ),
    st.sampled_from(["", "binance_", "bybit_", "okx_", "X-MBX-", "client_", "my."]),
    st.sampled_from(
        ["api_key", "apiKey", "secret", "passphrase", "password", "token", "ApiSecret"]
    ),
    st.sampled_from(["", "_1", "Key", "_value"]),
    st.booleans(),
)

#: Secret values: no white space or quotes (those end an unquoted value), 8+ chars.
secret_values = st.text(
    alphabet=st.characters(
        min_codepoint=33, max_codepoint=126, exclude_characters="\"'&}])>\\"
    ),
    min_size=8,
    max_size=40,
)


def _random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


#: Key material as it is logged: keys and signatures from random bytes, in hex,
#: base64 (Ed25519 signatures: 64 bytes) or base64url.
key_material = st.builds(
    lambda seed, size, encoding: encoding(_random_bytes(seed, size)),
    st.integers(0, 2**32),
    st.sampled_from([32, 48, 64]),
    st.sampled_from(
        [
            lambda b: b.hex(),
            lambda b: base64.b64encode(b).decode(),
            lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="),
        ]
    ),
)
