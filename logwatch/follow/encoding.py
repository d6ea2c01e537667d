"""Which encoding a file is in: a byte-order mark, UTF-16's zero bytes, or the
declared code page."""

from __future__ import annotations

import codecs
from enum import StrEnum

from logwatch.core.codepages import Family, family

#: UTF-16 without a BOM is recognised on at least this many two-byte units of text.
MIN_UTF16_UNITS = 8

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Encoding(StrEnum):
    """The encodings logwatch reads; others are decoded as UTF-8 with replacement."""

    UTF8 = "utf-8"
    UTF16LE = "utf-16-le"
    UTF16BE = "utf-16-be"

    @property
    def newline(self) -> bytes:
        """The encoded ``\\n``."""
        return {"utf-8": b"\n", "utf-16-le": b"\n\x00", "utf-16-be": b"\x00\n"}[self]


def sniff(prefix: bytes, boms: bool = True) -> tuple[Encoding, int]:
    """The encoding of a file that starts with ``prefix``, and the length of its BOM.

    Without a BOM, UTF-16 is recognised by its pattern: a zero byte in one position of
    most two-byte units of text, over at least ``MIN_UTF16_UNITS`` of them; units that
    are both zero are padding and count for nothing, so zeros alone never make UTF-16.
    A UTF-16 BOM followed by plain UTF-8 text is not trusted (and skipped). With
    ``boms`` False (the prefix is not the file's start) no BOM is looked for.
    """
    for bom, name in _BOMS if boms else ():
        if prefix.startswith(bom):
            if name != "utf-8" and _plain_utf8(prefix[len(bom) :]):
                return Encoding.UTF8, len(bom)
            return Encoding(name), len(bom)
    low = high = units = 0
    for i in range(0, len(prefix) - 1, 2):
        first, second = prefix[i], prefix[i + 1]
        if first == 0 and second == 0:
            continue
        units += 1
        if second == 0:
            low += 1
        elif first == 0:
            high += 1
    if units >= MIN_UTF16_UNITS:
        if low >= units * 0.3 and high <= units * 0.05:
            return Encoding.UTF16LE, 0
        if high >= units * 0.3 and low <= units * 0.05:
            return Encoding.UTF16BE, 0
    return Encoding.UTF8, 0


def framing(
    prefix: bytes, codec: str, boms: bool = True
) -> tuple[Encoding, int, str | None]:
    """For a file declared to be in ``codec`` (a ``codec_name``) that starts with
    ``prefix``: its framing, the length of its BOM, and the codec its lines are in
    (None: UTF-8). A BOM wins over the declaration (MetaTrader's UTF-16 journals in a
    folder declared cp1251); ``boms`` as for ``sniff``."""
    if boms and prefix.startswith(tuple(bom for bom, _ in _BOMS)):
        encoding, bom = sniff(prefix)
        return encoding, bom, None
    kind = family(codec)
    if kind is Family.LEGACY:
        return Encoding.UTF8, 0, codec
    if kind is Family.UTF8:
        return Encoding.UTF8, 0, None
    return (Encoding.UTF16BE if kind is Family.UTF16BE else Encoding.UTF16LE), 0, None


def resumed(head: bytes, codec: str | None) -> tuple[Encoding, str | None]:
    """The framing and line codec of a file read from the middle, by its first bytes
    (``codec``: the declared one, or None for UTF-8 and UTF-16 by BOM or pattern)."""
    if codec is None:
        return sniff(head)[0], None
    encoding, _, lines_codec = framing(head, codec)
    # UTF-8 declared stays said: the decoder then reads no line in the fallback
    return encoding, codec if family(codec) is Family.UTF8 else lines_codec


def _plain_utf8(data: bytes) -> bool:
    """Whether bytes are UTF-8 text (no NUL, no control but tab and line ends): what
    follows a UTF-16 BOM never is, as its text always holds a zero or control byte."""
    if len(data) < 4 or b"\x00" in data:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data)
    except UnicodeDecodeError:
        return False
    return not any(c < " " and c not in "\t\r\n" for c in text)
