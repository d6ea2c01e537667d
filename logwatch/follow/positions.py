"""Where lines are in a file read from the middle: the number of the line at an
offset, and where to start after its last whole line."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from logwatch.follow.encoding import Encoding

#: ``read(offset, size)``: up to ``size`` bytes at ``offset`` (b"" past the end)
Reader = Callable[[int, int], bytes]
#: Bytes counted in one read by ``count_lines``.
COUNT_BYTES = 1024 * 1024


def _by_bom(head: bytes) -> Encoding:
    """The encoding a file's first two bytes declare by a UTF-16 BOM (else UTF-8)."""
    if head == codecs.BOM_UTF16_LE:
        return Encoding.UTF16LE
    if head == codecs.BOM_UTF16_BE:
        return Encoding.UTF16BE
    return Encoding.UTF8


def _by_first_unit(head: bytes) -> Encoding:
    """As ``_by_bom``, or UTF-16 told by the zero byte of one ASCII-first unit."""
    if len(head) == 2 and head[0] and not head[1]:
        return Encoding.UTF16LE
    if len(head) == 2 and head[1] and not head[0]:
        return Encoding.UTF16BE
    return _by_bom(head)


def count_lines(read: Reader, offset: int) -> int:
    """How many lines end before ``offset`` (UTF-16 newlines by the file's BOM)."""
    newline = _by_bom(read(0, 2)).newline
    count, pos = 0, 0
    while pos < offset:
        chunk = read(pos, min(COUNT_BYTES, offset - pos))
        if not chunk:
            break
        count += chunk.count(newline)
        pos += len(chunk)
    return count


def end_of_last_line(read: Reader, size: int) -> int:
    """Where to start a file of ``size`` bytes from its end: after its last whole line.

    In UTF-16 (by its byte-order mark, or the zero bytes of ASCII text) only a newline
    code unit at an even offset counts: the start is never inside a character.
    """
    encoding = _by_first_unit(read(0, 2))
    newline = encoding.newline
    unit = 1 if encoding is Encoding.UTF8 else 2
    start = max(0, size - 64 * 1024)
    start -= start % unit
    tail = read(start, size - start)
    end = len(tail)
    while (nl := tail.rfind(newline, 0, end)) != -1:
        if nl % unit == 0:
            return start + nl + len(newline)
        end = nl + len(newline) - 1  # a newline byte inside another character
    return 0 if start == 0 else size - size % unit
