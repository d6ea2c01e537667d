"""Legacy code pages: the codec names ``encoding:`` accepts, the fallback, lines in it.

A Python bot on Russian Windows writes cp1251 unless told otherwise, so a line that is
not valid UTF-8 is read in a fallback code page rather than shown as U+FFFD.
"""

from __future__ import annotations

import codecs
import locale
import sys
from collections.abc import Callable
from enum import StrEnum

import regex

#: The fallback where the system names none (not Windows, or a UTF-8 code page).
DEFAULT_FALLBACK = "cp1251"

#: From a line's first byte that is not UTF-8 (a lone surrogate, decoded with
#: ``surrogateescape``) to the line's end.
_NOT_UTF8 = regex.compile("[\udc80-\udcff][^\n]*+")
_ASCII = bytes(range(128))


class Family(StrEnum):
    """How a codec's lines are framed: which decoder path reads them."""

    UTF8 = "utf-8"  # UTF-8 (a BOM or not): no fallback, invalid bytes are U+FFFD
    UTF16 = "utf-16"  # by its BOM, little-endian without one
    UTF16LE = "utf-16-le"
    UTF16BE = "utf-16-be"
    LEGACY = "legacy"  # any other codec whose lines end in the byte ``\n``


_FAMILIES = {
    "utf-8": Family.UTF8,
    "utf-8-sig": Family.UTF8,
    "utf-16": Family.UTF16,
    "utf-16-le": Family.UTF16LE,
    "utf-16-be": Family.UTF16BE,
}


def codec_name(name: str) -> str:
    """The canonical name of a text codec that logwatch can read lines in.

    Raises:
        ValueError: not a codec, not a text encoding, or lines not ended by ``\\n``.
    """
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        raise ValueError(
            f"{name!r} is not an encoding Python knows (cp1251, koi8-r, utf-16...)"
        ) from None
    if canonical in _FAMILIES:
        return canonical
    try:
        newline = "\n".encode(canonical)
    except (LookupError, UnicodeError, ValueError):
        # rot13, base64 and the like transform bytes; undefined raises
        raise ValueError(f"{name!r} is not a text encoding") from None
    if newline != b"\n":
        raise ValueError(
            f"{name!r}: its lines do not end in a newline byte (UTF-32, EBCDIC); "
            "logwatch reads UTF-8, UTF-16 and code pages such as cp1251"
        )
    try:
        bytes(range(256)).decode(canonical, "replace")
    except (UnicodeError, ValueError):  # idna, punycode: not for running text
        raise ValueError(f"{name!r} is not a text encoding") from None
    return canonical


def family(canonical: str) -> Family:
    """The family of a name ``codec_name`` returned."""
    return _FAMILIES.get(canonical, Family.LEGACY)


def fallback_name(name: str) -> str:
    """A codec for lines that are not valid UTF-8 (``utf-8``: none, shown as U+FFFD).

    Raises:
        ValueError: as ``codec_name``, or a UTF-16 codec (it frames lines otherwise).
    """
    canonical = codec_name(name)
    if family(canonical) not in (Family.UTF8, Family.LEGACY):
        raise ValueError(
            f"{name!r} cannot be a fallback: a line that is not UTF-8 is read in a "
            "code page such as cp1251 or cp1252"
        )
    return canonical


def default_fallback(
    platform: str = sys.platform, ansi: Callable[[], str] = locale.getencoding
) -> str:
    """The fallback: on Windows the ANSI code page, elsewhere ``DEFAULT_FALLBACK``.

    ``locale.getencoding`` is the ANSI code page on Windows whatever Python's UTF-8
    mode says; a code page that is UTF-8 itself (or unknown) gives the default.
    """
    if platform == "win32":
        try:
            name = fallback_name(ansi())
        except ValueError:
            return DEFAULT_FALLBACK
        if family(name) is Family.LEGACY:
            return name
    return DEFAULT_FALLBACK


def decode_line(raw: bytes, codec: str) -> str:
    """A line's bytes in ``codec``; never raises (a codec that still fails on some
    bytes, whatever its error handler, gives UTF-8 with U+FFFD)."""
    try:
        return raw.decode(codec, "replace")
    except (UnicodeError, ValueError, LookupError):
        return raw.decode("utf-8", "replace")


def reads_ascii(codec: str) -> bool:
    """Whether ``codec`` reads ASCII bytes as ASCII (code pages do; UTF-7 does not)."""
    return decode_line(_ASCII, codec) == _ASCII.decode()


def fallback_text(data: bytes, fallback: str, ascii_fallback: bool) -> str:
    """Lines (``data``, ``\\n``-separated) as text: UTF-8, each line that is not
    valid UTF-8 in ``fallback`` (``ascii_fallback``: it ``reads_ascii``).

    A newline a codec makes of another byte is a space in a line read alone; read
    whole, the caller sees the lines' count change.
    """
    text = data.decode("utf-8", "surrogateescape")  # bad bytes: lone surrogates
    if ascii_fallback and _only_bad_beyond_ascii(text):
        # every line beyond ASCII is a bad one (a file all cp1251): in one call
        return decode_line(data, fallback)
    lines = text.split("\n")
    index = last = 0
    for m in _NOT_UTF8.finditer(text):
        index += text.count("\n", last, m.start())
        last = m.start()
        raw = lines[index].encode("utf-8", "surrogateescape")
        lines[index] = decode_line(raw, fallback).replace("\n", " ")
    return "\n".join(lines)


def _only_bad_beyond_ascii(text: str) -> bool:
    """Whether every character of ``text`` beyond ASCII is a byte that was not UTF-8
    (escaped as a lone surrogate): then no line of it is valid UTF-8 beyond ASCII."""
    try:
        text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True
