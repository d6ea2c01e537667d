"""One file's bytes, in any chunking, to Hits: decoder, format, records, engine.

Blocks are cut at record boundaries, so a traceback is never matched in two halves, and
``offset`` is always the start of a record still being assembled. The last record of
what was read can be ``release``d at once (a logging record and its traceback come in
one write); continuation lines that arrive later still join it, and only rules that
had not matched it yet are reported for the longer record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwatch.core import formats
from logwatch.core.formats import Format
from logwatch.core.model import Severity
from logwatch.follow.blocks import DEFAULT_MAX_LINE_BYTES, Block
from logwatch.follow.encoding import Encoding
from logwatch.follow.lines import LineDecoder
from logwatch.match.engine import Engine, Scan

#: A record with more continuation lines than this is cut, to bound what is held.
MAX_RECORD_LINES = 200
_DETECT_BYTES = 64 * 1024


@dataclass(slots=True)
class Quality:
    """What was wrong with a file's bytes; each is reported once per file."""

    invalid_utf8: bool = False
    nul_bytes: bool = False
    truncated_lines: int = 0
    problems: list[str] = field(default_factory=list)


class Stream:
    """Feeds one file's bytes through the pipeline and returns what matched."""

    def __init__(
        self,
        engine: Engine,
        path: str,
        fmt: Format | None = None,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        encoding: Encoding | None = None,
        offset: int = 0,
        first_line: int = 1,
        unmatched: Severity | None = None,
        codec: str | None = None,
        fallback: str | None = None,
    ) -> None:
        """``codec`` and ``fallback``: the declared encoding and the code page of a
        line that is not UTF-8, as ``LineDecoder`` takes them."""
        self.engine = engine
        #: the catch-all's level for this file (None: off)
        self.unmatched = unmatched
        self.path = path
        self.format = fmt
        self.decoder = LineDecoder(
            max_line_bytes, encoding, offset, first_line, codec, fallback
        )
        self.lines = 0
        self.quality = Quality()
        self._carry: Block | None = None
        #: rules already reported for the record being carried (it was released)
        self._reported: frozenset[str] = frozenset()
        #: the record released last and the rules reported for it, until ``settle``
        self._joinable: tuple[Block, frozenset[str]] | None = None

    @property
    def offset(self) -> int:
        """Where every record before has been scanned: a safe point to resume from."""
        if self._carry is not None:
            return self._carry.offset
        return self.decoder.offset

    @property
    def line(self) -> int:
        """Number of the line at ``offset``."""
        if self._carry is not None:
            return self._carry.first_line
        return self.decoder.next_line

    @property
    def holds_record(self) -> bool:
        """Whether a complete record is held back, waiting for continuation lines."""
        return self._carry is not None

    def release(self) -> Scan:
        """Scan the record held back for continuation lines, as it is now; lines that
        continue it later still join it (until ``settle``)."""
        if self._carry is None or self.format is None:
            return Scan()
        carry, self._carry = self._carry, None
        reported = self._reported
        scan = self._scan_carried(carry, self.format)
        self._joinable = (carry, reported | {h.rule_id for h in scan.hits})
        return scan

    def settle(self) -> None:
        """The record released last is complete: later lines no longer join it."""
        self._joinable = None

    def feed(self, data: bytes, release: bool = False) -> Scan:
        """Scan the records that ``data`` completes; with ``release``, its last record
        too, in the same pass, as ``release`` would (later lines still join it)."""
        result = Scan()
        blocks = self.decoder.decode(data)
        last = len(blocks) - 1 if release else -1
        for i, block in enumerate(blocks):
            self._inspect(block)
            self._scan(block, result, final=False, release=i == last)
        return result

    def flush(self) -> Scan:
        """Scan everything left, the last unterminated line included."""
        result = Scan()
        for block in self.decoder.flush():
            self._inspect(block)
            self._scan(block, result, final=False)
        if self._carry is not None and self.format is not None:
            carry, self._carry = self._carry, None
            result.extend(self._scan_carried(carry, self.format))
        return result

    def _scan_carried(self, piece: Block, fmt: Format) -> Scan:
        """Scan a held record; rules reported when it was released stay quiet."""
        self.lines += piece.line_count
        scan = self.engine.scan(piece, fmt, self.path, unmatched=self.unmatched)
        if self._reported:
            scan.hits = [h for h in scan.hits if h.rule_id not in self._reported]
            self._reported = frozenset()
        return scan

    def _scan(
        self, block: Block, result: Scan, final: bool, release: bool = False
    ) -> None:
        fmt = self.format
        if fmt is None:
            first = block.data[:_DETECT_BYTES]
            first = first[: first.rfind(b"\n") + 1]
            sample = first.decode("utf-8", "replace").split("\n")
            fmt = self.format = formats.detect(self.path, sample)
        if self._joinable is not None:
            released, reported = self._joinable
            self._joinable = None
            if self._carry is None and fmt.next_record(block.data) > 0:
                # continuation lines of the record released last: it goes on
                self._carry, self._reported = released, reported
                self.lines -= released.line_count
        if fmt.head is None or final:
            self.lines += block.line_count
            result.extend(
                self.engine.scan(block, fmt, self.path, unmatched=self.unmatched)
            )
            return
        start = 0
        outside = 0  # lines of this block scanned or held elsewhere
        if self._carry is not None:
            # continuation lines at the head of this block end the record carried over
            start = fmt.next_record(block.data)
            head = block.slice(0, start)
            outside = head.line_count
            piece = self._carry.join(head)
            self._carry = None
            if start >= len(block.data) and piece.line_count <= MAX_RECORD_LINES:
                self._carry = piece
                return
            result.extend(self._scan_carried(piece, fmt))
        # hold the last record back until its end is seen, unless no head is in sight
        stop = max(fmt.record_start(block.data, len(block.data) - 1), start)
        if stop == start and block.line_count <= MAX_RECORD_LINES:
            stop = start
        elif stop == start:
            stop = len(block.data)
        if stop < len(block.data) and release:
            # the last record scanned with the rest, then joinable as ``release``
            # leaves it: one pass of the engine, not two
            last = block.slice(stop, len(block.data))
            self.lines += block.line_count - outside
            scan = self.engine.scan(block, fmt, self.path, start, None, self.unmatched)
            mine = frozenset(h.rule_id for h in scan.hits if h.line >= last.first_line)
            self._joinable = (last, mine)
            result.extend(scan)
            return
        if stop < len(block.data):
            self._carry = block.slice(stop, len(block.data))
            outside += self._carry.line_count
        if stop > start:
            self.lines += block.line_count - outside
            result.extend(
                self.engine.scan(block, fmt, self.path, start, stop, self.unmatched)
            )

    def _inspect(self, block: Block) -> None:
        quality = self.quality
        if not quality.nul_bytes and self.decoder.nul_bytes:
            quality.nul_bytes = True
            quality.problems.append(
                "holds NUL bytes (binary data or a hole); they are skipped"
            )
        decoder = self.decoder
        if quality.invalid_utf8:
            pass
        elif decoder.read_fallback:
            quality.invalid_utf8 = True
            quality.problems.append(
                "holds bytes that are not valid text in UTF-8; those lines are read "
                f"as {decoder.fallback} (a source's encoding: or scan --encoding "
                "says otherwise)"
            )
        elif not decoder.transcodes and block.invalid_utf8():
            # read in a code page, every block is valid UTF-8: not checked twice
            quality.invalid_utf8 = True
            quality.problems.append(
                "holds bytes that are not valid text; shown as \ufffd"
            )
        long_lines = block.long_lines()
        if long_lines:
            if not quality.truncated_lines:
                quality.problems.append(
                    f"has lines over {block.max_line_bytes} bytes; "
                    "only their start is matched"
                )
            quality.truncated_lines += long_lines
