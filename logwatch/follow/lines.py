"""Bytes -> lines, incrementally: encoding sniffing, ``\\n`` splits, a cap, offsets.

The decoder emits Blocks of complete lines re-encoded as UTF-8. For UTF-8 input a block
is the file's bytes verbatim (so the prefilter can search it without decoding); UTF-16
lines, lines in a legacy code page (declared, or the fallback for a line that is not
UTF-8) and lines cut at the cap carry explicit file offsets instead.
"""

from __future__ import annotations

from logwatch.core.codepages import (
    Family,
    decode_line,
    fallback_text,
    family,
    reads_ascii,
)
from logwatch.follow.blocks import DEFAULT_MAX_LINE_BYTES, Block, cap_utf8, valid_utf8
from logwatch.follow.encoding import Encoding, framing, sniff

#: The encoding is decided on this many leading bytes (or the first line, if shorter).
SNIFF_BYTES = 256


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
        if codec is None and valid_utf8(data):
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
            data=text.encode("utf-8", "replace"),
            first_line=block.first_line,
            offset=block.offset,
            end=block.end,
            line_count=count,
            spans=block._spans(),
            truncated=frozenset(truncated),
            max_line_bytes=cap,
        )

    def _by_line(self, block: Block) -> Block:
        """``_transcoded`` one line at a time, for a codec that decodes some byte
        other than ``\\n`` as a newline (it is read as a space)."""
        codec, cap = self.codec, self.max_line_bytes
        truncated = set(block.truncated)
        texts: list[bytes] = []
        for index, raw in enumerate(block.data.split(b"\n")[: block.line_count]):
            if codec is None and valid_utf8(raw):
                texts.append(raw)
                continue
            text = decode_line(raw, codec or self.fallback or "utf-8")
            out = text.replace("\n", " ").encode("utf-8", "replace")
            if len(out) > cap:
                out = cap_utf8(out, cap)
                truncated.add(index)
            texts.append(out)
        return Block(
            data=b"\n".join(texts) + b"\n",
            first_line=block.first_line,
            offset=block.offset,
            end=block.end,
            line_count=block.line_count,
            spans=block._spans(),
            truncated=frozenset(truncated),
            max_line_bytes=cap,
        )

    def _single(self, raw: bytes, start: int, end: int, truncated: bool) -> Block:
        self._line += 1
        return Block(
            data=raw + b"\n",
            first_line=self._line - 1,
            offset=start,
            end=end,
            line_count=1,
            spans=((start, end),),
            truncated=frozenset({0}) if truncated else frozenset(),
            max_line_bytes=self.max_line_bytes,
        )

    def _spanned(
        self, texts: list[bytes], spans: list[tuple[int, int]], truncated: set[int]
    ) -> list[Block]:
        """A block of re-encoded lines and their file spans (none for no lines)."""
        if not texts:
            return []
        block = Block(
            data=b"\n".join(texts) + b"\n",
            first_line=self._line,
            offset=spans[0][0],
            end=spans[-1][1],
            line_count=len(texts),
            spans=tuple(spans),
            truncated=frozenset(truncated),
            max_line_bytes=self.max_line_bytes,
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
