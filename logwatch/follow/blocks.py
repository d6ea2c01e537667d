"""Blocks: complete lines as UTF-8 bytes and where they are in their file, decoded
into Lines only when asked."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from itertools import accumulate

from logwatch.core.model import Line

DEFAULT_MAX_LINE_BYTES = 64 * 1024


def cap_utf8(raw: bytes, max_bytes: int) -> bytes:
    """The first ``max_bytes`` of a line, without a UTF-8 sequence cut in half."""
    head = raw[:max_bytes]
    for back in range(1, min(4, len(head)) + 1):
        byte = head[-back]
        if byte < 0x80:
            break
        if byte >= 0xC0:  # a lead byte: is its sequence complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if back < need:
                head = head[:-back]
            break
    return head


def text_of(raw: bytes, max_bytes: int) -> tuple[str, bool]:
    """A UTF-8 line's text (one trailing CR dropped) and whether it was cut."""
    truncated = len(raw) > max_bytes
    if truncated:
        raw = cap_utf8(raw, max_bytes)
    text = raw.decode("utf-8", "replace")
    return text.removesuffix("\r"), truncated


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """Complete lines as UTF-8 bytes, each ending in ``\\n``, and where they are.

    With ``spans`` None, ``data`` is a verbatim copy of the file from ``offset`` to
    ``end``; otherwise ``spans[i]`` gives the file offsets of line i. ``truncated``
    holds the indexes of lines whose data was already cut at the cap.
    """

    data: bytes
    first_line: int
    offset: int
    end: int
    line_count: int
    spans: tuple[tuple[int, int], ...] | None = None
    truncated: frozenset[int] = frozenset()
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES

    @classmethod
    def verbatim(
        cls, data: bytes, first_line: int, offset: int, max_line_bytes: int
    ) -> Block:
        """A block that is a verbatim copy of the file from ``offset``."""
        return cls(
            data=data,
            first_line=first_line,
            offset=offset,
            end=offset + len(data),
            line_count=data.count(b"\n"),
            max_line_bytes=max_line_bytes,
        )

    def line(self, start: int, index: int) -> Line:
        """The line that starts at ``data[start]`` and is the block's ``index``-th."""
        stop = self.data.index(b"\n", start)
        text, cut = text_of(self.data[start:stop], self.max_line_bytes)
        if self.spans is None:
            offset, end = self.offset + start, self.offset + stop + 1
        else:
            offset, end = self.spans[index]
        return Line(
            text, self.first_line + index, offset, end, cut or index in self.truncated
        )

    def lines(self) -> list[Line]:
        """Every line, decoded (the slow path: one Python object per line)."""
        out = []
        start = 0
        for index in range(self.line_count):
            out.append(self.line(start, index))
            start = self.data.index(b"\n", start) + 1
        return out

    def slice(self, start: int, stop: int) -> Block:
        """The lines in ``data[start:stop]``; both are line starts (or the end)."""
        data = self.data
        if start <= len(data) // 2:
            before = data.count(b"\n", 0, start)
        else:
            before = self.line_count - data.count(b"\n", start)
        count = data.count(b"\n", start, stop)
        cap = self.max_line_bytes
        if self.spans is None:
            return Block(
                data=data[start:stop],
                first_line=self.first_line + before,
                offset=self.offset + start,
                end=self.offset + stop,
                line_count=count,
                max_line_bytes=cap,
            )
        spans = self.spans[before : before + count]
        return Block(
            data=data[start:stop],
            first_line=self.first_line + before,
            offset=spans[0][0] if spans else self.end,
            end=spans[-1][1] if spans else self.end,
            line_count=count,
            spans=spans,
            truncated=frozenset(
                i - before for i in self.truncated if before <= i < before + count
            ),
            max_line_bytes=cap,
        )

    def join(self, other: Block) -> Block:
        """This block followed by ``other``."""
        if not self.data:
            return other
        if not other.data:
            return self
        count = self.line_count + other.line_count
        if self.spans is None and other.spans is None and self.end == other.offset:
            return Block(
                data=self.data + other.data,
                first_line=self.first_line,
                offset=self.offset,
                end=other.end,
                line_count=count,
                max_line_bytes=self.max_line_bytes,
            )
        spans_a, spans_b = self._spans(), other._spans()
        n = len(spans_a)
        truncated = self.truncated | {i + n for i in other.truncated}
        return Block(
            data=self.data + other.data,
            first_line=self.first_line,
            offset=self.offset,
            end=other.end,
            line_count=count,
            spans=spans_a + spans_b,
            truncated=frozenset(truncated),
            max_line_bytes=self.max_line_bytes,
        )

    def _spans(self) -> tuple[tuple[int, int], ...]:
        """The file offsets of each line (computed for a verbatim block)."""
        if self.spans is not None:
            return self.spans
        count, offset = self.line_count, self.offset
        # each end: the lengths so far plus one newline per line (in C, not per line)
        lengths = accumulate(map(len, self.data.split(b"\n", count)[:count]))
        ends = list(map(operator.add, lengths, range(offset + 1, offset + count + 1)))
        return tuple(zip([offset, *ends[:-1]], ends, strict=True))

    def long_lines(self) -> int:
        """How many lines are over the cap (only their start is read)."""
        if self.spans is not None:
            return len(self.truncated)
        data, cap, count, pos = self.data, self.max_line_bytes, 0, 0
        if len(data) <= cap:
            return 0
        while pos < len(data):  # one step per window of ``cap`` bytes, not per line
            nl = data.rfind(b"\n", pos, pos + cap + 1)
            if nl == -1:
                count += 1
                nl = data.find(b"\n", pos)
            pos = nl + 1
        return count

    def invalid_utf8(self) -> bool:
        """Whether any byte of the block is not valid UTF-8 (it is shown as U+FFFD)."""
        return not valid_utf8(self.data)


def valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (ASCII told at C speed)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
