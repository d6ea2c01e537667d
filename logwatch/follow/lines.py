"""Bytes -> lines, incrementally: encoding sniffing, ``\\n`` splits, a cap, offsets.

The decoder emits Blocks of complete lines re-encoded as UTF-8. For UTF-8 input a block
is the file's bytes verbatim (so the prefilter can search it without decoding); UTF-16
lines, lines in a legacy code page (declared, or the fallback for a line that is not
UTF-8) and lines cut at the cap carry explicit file offsets instead.
"""

from __future__ import annotations

import codecs
import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate

from logwatch.core.codepages import (
    Family,
    decode_line,
    fallback_text,
    family,
    reads_ascii,
)
from logwatch.core.model import Line

DEFAULT_MAX_LINE_BYTES = 64 * 1024
#: The encoding is decided on this many leading bytes (or the first line, if shorter).
SNIFF_BYTES = 256
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


@dataclass(frozen=True, slots=True)
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
            data,
            first_line,
            offset,
            offset + len(data),
            data.count(b"\n"),
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
                data[start:stop],
                self.first_line + before,
                self.offset + start,
                self.offset + stop,
                count,
                max_line_bytes=cap,
            )
        spans = self.spans[before : before + count]
        return Block(
            data[start:stop],
            self.first_line + before,
            spans[0][0] if spans else self.end,
            spans[-1][1] if spans else self.end,
            count,
            spans,
            frozenset(
                i - before for i in self.truncated if before <= i < before + count
            ),
            cap,
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
                self.data + other.data,
                self.first_line,
                self.offset,
                other.end,
                count,
                max_line_bytes=self.max_line_bytes,
            )
        spans_a, spans_b = self._spans(), other._spans()
        n = len(spans_a)
        truncated = self.truncated | {i + n for i in other.truncated}
        return Block(
            self.data + other.data,
            self.first_line,
            self.offset,
            other.end,
            count,
            spans_a + spans_b,
            frozenset(truncated),
            self.max_line_bytes,
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
        return not _valid_utf8(self.data)


class LineDecoder:
    """Turns the bytes of one file, fed in any chunking, into Blocks of complete lines.

    Splits on ``\\n`` only (a trailing ``\\r`` is dropped from the text), replaces
    invalid bytes instead of dropping them, and keeps only the first ``max_line_bytes``
    of a longer line, so memory stays bounded whatever the input.

    ``codec`` (a ``codepages.codec_name``) is the encoding the file is declared in: a
    BOM still wins. Without one, a line that is not valid UTF-8 is read in ``fallback``
    (a legacy code page; None: its bad bytes are U+FFFD), line by line, so one bad
    line leaves the rest UTF-8. Offsets stay the file's own bytes throughout.
    """

    def __init__(
        self,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        encoding: Encoding | None = None,
        offset: int = 0,
        first_line: int = 1,
        codec: str | None = None,
        fallback: str | None = None,
    ) -> None:
        if max_line_bytes < 16:
            raise ValueError("max_line_bytes must be at least 16")
        self.max_line_bytes = max_line_bytes
        self.encoding = encoding
        declared = family(codec) if codec is not None else None
        if declared is Family.UTF8:  # UTF-8 said outright: bad bytes stay U+FFFD
            codec, fallback = None, None
        elif encoding not in (None, Encoding.UTF8):
            codec = None  # framed as UTF-16: its lines are that
        #: the code page every line is in (None: UTF-8, or decided by the first bytes)
        self.codec = codec
        if fallback is not None and family(fallback) is not Family.LEGACY:
            fallback = None
        #: the code page of a line that is not valid UTF-8 (None: shown as U+FFFD)
        self.fallback = None if codec is not None else fallback
        #: whether a line was read in the fallback
        self.read_fallback = False
        #: whether the fallback reads ASCII as ASCII (not UTF-7)
        self._ascii_fallback = self.fallback is not None and reads_ascii(self.fallback)
        self._buf = b""
        self._buf_offset = offset  # file offset of _buf[0]
        self._line = first_line
        self._long: tuple[bytes, int] | None = (
            None  # head and start of a line over the cap
        )
        #: NUL bytes dropped from the partial line held in ``_buf`` (UTF-8)
        self._nuls = 0
        #: NUL bytes skipped as padding so far (a hole, preallocated space)
        self.nul_bytes = 0

    @property
    def offset(self) -> int:
        """File offset after the last complete line emitted: where a restart resumes."""
        return self._long[1] if self._long is not None else self._buf_offset

    @property
    def held_bytes(self) -> int:
        """Bytes held while waiting for a newline (bounded by the cap)."""
        return len(self._buf) + (len(self._long[0]) if self._long else 0)

    @property
    def next_line(self) -> int:
        """Number of the next line to be emitted."""
        return self._line

    @property
    def transcodes(self) -> bool:
        """Whether lines may be read in a code page: every block is then valid UTF-8."""
        return self.codec is not None or self.fallback is not None

    def decode(self, data: bytes) -> list[Block]:
        """Blocks of the lines that ``data`` completes."""
        if self.encoding is None:
            self._buf += data
            if not self._sniffed(final=False):
                return []
            data, self._buf = self._buf, b""
        if self.encoding is Encoding.UTF8:
            return self._legacy(self._utf8(data))
        return self._utf16(data)

    def flush(self) -> list[Block]:
        """Blocks with whatever is left, the unterminated last line included."""
        if self.encoding is None:
            self._sniffed(final=True)
            data, self._buf = self._buf, b""
            blocks = self.decode(data)
        else:
            blocks = []
        done = len(blocks)  # blocks already read in their code page
        if self._long is not None:
            head, start = self._long
            end = self._buf_offset + len(self._buf)
            self._long, self._buf = None, b""
            blocks.append(self._single(head, start, end, truncated=True))
        elif self._buf:
            raw, start = self._buf, self._buf_offset
            end = start + len(raw) + self._nuls
            self._buf, self._nuls = b"", 0
            if self.encoding is Encoding.UTF8:
                blocks.append(self._single(raw, start, end, truncated=False))
            else:
                text, cut = self._utf16_text(raw)
                blocks.append(self._single(text.encode(), start, end, truncated=cut))
        else:  # nothing, or only padding: no line, but the offset moves past it
            self._buf_offset += self._nuls
            self._nuls = 0
        self._buf_offset = blocks[-1].end if blocks else self._buf_offset
        if self.encoding is Encoding.UTF8 and len(blocks) > done:
            blocks[done:] = self._legacy(blocks[done:])
        return blocks

    def _sniffed(self, final: bool) -> bool:
        # Decided on the bytes up to the first newline at index 3 or later (so a BOM or
        # one UTF-16 unit is in view), or on SNIFF_BYTES: a function of the content
        # alone, so any chunking decides the same way.
        buf = self._buf
        lead = len(buf) - len(buf.lstrip(b"\x00"))
        lead -= lead % 2  # whole units: UTF-16 text after the run stays aligned
        if lead:  # a leading NUL run is padding (a hole after copytruncate)
            buf = self._buf = buf[lead:]
            self._buf_offset += lead
            self.nul_bytes += lead
        nl = buf.find(b"\n", 3)
        if nl == -1 and len(buf) < SNIFF_BYTES and not final:
            return False
        prefix = buf[:SNIFF_BYTES] if nl == -1 else buf[: min(SNIFF_BYTES, nl + 1)]
        boms = self._buf_offset == 0
        if self.codec is not None:
            encoding, bom, self.codec = framing(prefix, self.codec, boms)
        else:
            encoding, bom = sniff(prefix, boms)
        self.encoding = encoding
        self._buf = buf[bom:]
        self._buf_offset += bom
        return True

    def _legacy(self, blocks: list[Block]) -> list[Block]:
        """UTF-8-framed blocks with their lines in the declared code page, or in the
        fallback where they are not valid UTF-8 (as they are, when neither applies)."""
        if self.codec is None and self.fallback is None:
            return blocks
        return [self._transcoded(block) for block in blocks]

    def _transcoded(self, block: Block) -> Block:
        data, codec, count = block.data, self.codec, block.line_count
        if codec is None and _valid_utf8(data):
            return block  # the usual case: one check for the whole block
        if codec is not None:
            text = decode_line(data, codec)
        else:
            self.read_fallback = True
            text = fallback_text(data, self.fallback or "utf-8", self._ascii_fallback)
        lines = text.split("\n")
        if len(lines) != count + 1:  # a codec made a newline of another byte
            return self._by_line(block)
        cap = self.max_line_bytes
        truncated = set(block.truncated)
        if max(map(len, lines)) * 4 > cap:  # a line may be longer in UTF-8
            for i, line in enumerate(lines):
                out = line.encode("utf-8", "replace")
                if len(out) > cap:
                    lines[i] = cap_utf8(out, cap).decode("utf-8")
                    truncated.add(i)
            text = "\n".join(lines)
        return Block(
            text.encode("utf-8", "replace"),
            block.first_line,
            block.offset,
            block.end,
            count,
            block._spans(),
            frozenset(truncated),
            cap,
        )

    def _by_line(self, block: Block) -> Block:
        """``_transcoded`` one line at a time, for a codec that decodes some byte
        other than ``\\n`` as a newline (it is read as a space)."""
        codec, cap = self.codec, self.max_line_bytes
        truncated = set(block.truncated)
        texts: list[bytes] = []
        for index, raw in enumerate(block.data.split(b"\n")[: block.line_count]):
            if codec is None and _valid_utf8(raw):
                texts.append(raw)
                continue
            text = decode_line(raw, codec or self.fallback or "utf-8")
            out = text.replace("\n", " ").encode("utf-8", "replace")
            if len(out) > cap:
                out = cap_utf8(out, cap)
                truncated.add(index)
            texts.append(out)
        return Block(
            b"\n".join(texts) + b"\n",
            block.first_line,
            block.offset,
            block.end,
            block.line_count,
            block._spans(),
            frozenset(truncated),
            cap,
        )

    def _single(self, raw: bytes, start: int, end: int, truncated: bool) -> Block:
        self._line += 1
        return Block(
            raw + b"\n",
            self._line - 1,
            start,
            end,
            1,
            ((start, end),),
            frozenset({0}) if truncated else frozenset(),
            self.max_line_bytes,
        )

    def _spanned(
        self, texts: list[bytes], spans: list[tuple[int, int]], truncated: set[int]
    ) -> list[Block]:
        """A block of re-encoded lines and their file spans (none for no lines)."""
        if not texts:
            return []
        block = Block(
            b"\n".join(texts) + b"\n",
            self._line,
            spans[0][0],
            spans[-1][1],
            len(texts),
            tuple(spans),
            frozenset(truncated),
            self.max_line_bytes,
        )
        self._line += len(texts)
        return [block]

    def _end_long(
        self, long: tuple[bytes, int], data: bytes, blocks: list[Block]
    ) -> bytes | None:
        """Inside a line over the cap (its head, its start): skip to its end and emit
        its head. The bytes after it, or None when the line goes on past ``data``."""
        nl = data.find(b"\n")
        if nl == -1:
            self._buf_offset += len(data)
            return None
        head, start = long
        self._long = None
        end = self._buf_offset + nl + 1
        blocks.append(self._single(head, start, end, truncated=True))
        self._buf_offset = end
        return data[nl + 1 :]

    def _utf8(self, data: bytes) -> list[Block]:
        if self._nuls or b"\x00" in data:
            return self._utf8_padded(data)
        blocks: list[Block] = []
        cap = self.max_line_bytes
        if self._long is not None:
            rest = self._end_long(self._long, data, blocks)
            if rest is None:
                return blocks
            data = rest
        last = data.rfind(b"\n")
        if last == -1:
            buf = self._buf + data
        else:
            # one copy of the chunk: the held bytes and the chunk's whole lines joined
            whole = (
                b"".join((self._buf, memoryview(data)[: last + 1]))
                if self._buf
                else data[: last + 1]  # no copy when the chunk ends a line
            )
            start = self._buf_offset
            block = Block.verbatim(whole, self._line, start, cap)
            blocks.append(block)
            self._line += block.line_count
            self._buf_offset += len(whole)
            buf = data[last + 1 :]
        self._buf = buf
        if len(buf) > cap:
            self._long = (cap_utf8(buf, cap), self._buf_offset)
            self._buf_offset += len(buf)
            self._buf = b""
        return blocks

    def _utf8_padded(self, data: bytes) -> list[Block]:
        """``_utf8`` for bytes with NULs: they are skipped, so a run of them (a hole,
        preallocated space) neither hides the line after it nor counts toward the cap.
        Lines keep their true file offsets in spans."""
        blocks: list[Block] = []
        cap = self.max_line_bytes
        self.nul_bytes += data.count(b"\x00")
        if self._long is not None:
            rest = self._end_long(self._long, data, blocks)
            if rest is None:
                return blocks
            data = rest
        pos = self._buf_offset + len(self._buf) + self._nuls  # file offset of data[0]
        texts: list[bytes] = []
        spans: list[tuple[int, int]] = []
        truncated: set[int] = set()
        pieces = data.split(b"\n")
        for piece in pieces[:-1]:
            raw = self._buf + piece.replace(b"\x00", b"")
            pos += len(piece) + 1
            if len(raw) > cap:
                raw = cap_utf8(raw, cap)
                truncated.add(len(texts))
            texts.append(raw)
            spans.append((self._buf_offset, pos))
            self._buf, self._nuls, self._buf_offset = b"", 0, pos
        blocks += self._spanned(texts, spans, truncated)
        rest = pieces[-1]
        clean = rest.replace(b"\x00", b"")
        self._buf += clean
        self._nuls += len(rest) - len(clean)
        if len(self._buf) > cap:
            end = self._buf_offset + len(self._buf) + self._nuls
            self._long = (cap_utf8(self._buf, cap), self._buf_offset)
            self._buf, self._nuls, self._buf_offset = b"", 0, end
        return blocks

    def _utf16_text(self, raw: bytes) -> tuple[str, bool]:
        cap = self.max_line_bytes - self.max_line_bytes % 2
        truncated = len(raw) > cap
        if truncated:
            raw = raw[:cap]
        text = raw.decode(str(self.encoding), "replace").removesuffix("\r")
        return text.replace("\x00", ""), truncated  # NUL units are padding too

    def _utf16(self, data: bytes) -> list[Block]:
        nl_unit = self.encoding.newline if self.encoding else b"\n"
        blocks: list[Block] = []
        buf = self._buf + data
        base = self._buf_offset
        pos = 0
        texts: list[bytes] = []
        spans: list[tuple[int, int]] = []
        truncated: set[int] = set()
        search = 0
        while True:
            nl = buf.find(nl_unit, search)
            if nl == -1:
                break
            if (base + nl) % 2:  # inside a code unit: not a newline
                search = nl + 1
                continue
            end = nl + 2
            if self._long is not None:
                head, start = self._long
                self._long = None
                text = head.decode("utf-8")
                cut = True
            else:
                start = base + pos
                text, cut = self._utf16_text(buf[pos:nl])
            if cut:
                truncated.add(len(texts))
            texts.append(text.encode("utf-8", "replace"))
            spans.append((start, base + end))
            pos = search = end
        blocks += self._spanned(texts, spans, truncated)
        rest = buf[pos:]
        if self._long is not None:
            # inside a long line: skip whole code units, keep a possible half newline
            keep = 1 if (base + len(buf)) % 2 else 0
            self._buf, self._buf_offset = buf[len(buf) - keep :], base + len(buf) - keep
            return blocks
        self._buf, self._buf_offset = rest, base + pos
        # a last odd byte is half of a code unit (maybe of the newline): not the line's
        if len(rest) - (base + len(buf)) % 2 > self.max_line_bytes:
            text, _ = self._utf16_text(rest)
            self._long = (text.encode("utf-8", "replace"), self._buf_offset)
            keep = len(rest) % 2
            self._buf = rest[len(rest) - keep :]
            self._buf_offset += len(rest) - keep
        return blocks


def _valid_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
