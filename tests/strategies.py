"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from logwatch.alerts.window import Window
from logwatch.core.model import Alert, AlertKind, Hit, Record, Severity

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


# -- the values State keeps (tests/test_codec.py) ------------------------------------

_ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_texts = st.text(max_size=20)
_pairs = st.dictionaries(_texts, _texts, max_size=3)
#: UTC or a fixed offset, as a clock or a log's own zone gives them: whole seconds
#: (old local mean times have them; no zone has a fraction of a second)
zones = st.one_of(
    st.just(UTC),
    st.integers(min_value=-86399, max_value=86399).map(
        lambda s: timezone(timedelta(seconds=s))
    ),
)
#: times State keeps to the microsecond: from 1970 until floats run out of digits
times = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=zones
)
_maybe_times = st.none() | times

records = st.builds(
    Record,
    path=_texts,
    format=_texts,
    first_line=_ints,
    offset=_ints,
    end=_ints,
    text=st.text(),
    raw=st.text(),
    timestamp=st.none() | _texts,
    fields=_pairs,
    truncated=st.booleans(),
)
hits = st.builds(
    Hit,
    rule_id=_texts,
    severity=st.sampled_from(Severity),
    codes=st.lists(_ints, max_size=3).map(tuple),
    record=records,
    line=_ints,
    captures=_pairs,
    key=st.lists(_texts, max_size=3).map(tuple),
    exchange=_texts,
    message=_texts,
)
alerts = st.builds(
    Alert,
    id=_texts,
    kind=st.sampled_from(AlertKind),
    rule_id=_texts,
    severity=st.sampled_from(Severity),
    fingerprint=_texts,
    created_at=times,
    hit=st.none() | hits,
    count=_ints,
    first_at=_maybe_times,
    last_at=_maybe_times,
    window_s=st.floats(allow_nan=False, allow_infinity=False),
    not_before=_maybe_times,
    text=st.text(),
    first_log=_texts,
    last_log=_texts,
    started_at=_maybe_times,
)
windows = st.builds(
    Window,
    fingerprint=_texts,
    rule_id=_texts,
    severity=st.sampled_from(Severity),
    opened_at=times,
    closes_at=times,
    repeats=_ints,
    first_repeat_at=_maybe_times,
    last_repeat_at=_maybe_times,
    streak=_ints,
    since_reminder=_ints,
    last_hit=st.none() | hits,
    first_repeat_log=_texts,
    last_repeat_log=_texts,
    folded_hashes=st.binary(max_size=32),
)
