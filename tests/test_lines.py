from __future__ import annotations

import codecs
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwatch.core.model import Line
from logwatch.follow.blocks import Block, cap_utf8, text_of
from logwatch.follow.encoding import Encoding, sniff
from logwatch.follow.lines import LineDecoder
from logwatch.follow.positions import count_lines
from tests.strategies import chunkings, line_text


def decode_all(pieces: list[bytes], **kwargs: object) -> list[Line]:
    decoder = LineDecoder(**kwargs)  # type: ignore[arg-type]
    lines: list[Line] = []
    for piece in pieces:
        for block in decoder.decode(piece):
            lines.extend(block.lines())
    for block in decoder.flush():
        lines.extend(block.lines())
    return lines


class TestSplitting:
    def test_splits_on_newline_only_and_strips_one_cr(self) -> None:
        lines = decode_all([b"a\r\nb\x0bc\x1cd\nlast"])
        assert [x.text for x in lines] == ["a", "b\x0bc\x1cd", "last"]

    def test_offsets_and_numbers_are_exact(self) -> None:
        lines = decode_all([b"one\r\ntwo\n\nfour"])
        assert [(x.number, x.offset, x.end) for x in lines] == [
            (1, 0, 5),
            (2, 5, 9),
            (3, 9, 10),
            (4, 10, 14),
        ]

    def test_partial_line_is_held_until_its_newline(self) -> None:
        first = b"2026-01-01 12:00:00 first line\n"
        decoder = LineDecoder()
        assert decoder.decode(first + b"half") != []
        assert decoder.offset == len(first)
        assert decoder.decode(b" a line") == []
        (block,) = decoder.decode(b"\n")
        assert [x.text for x in block.lines()] == ["half a line"]
        assert decoder.offset == len(first) + len(b"half a line\n")

    def test_invalid_utf8_is_replaced_not_dropped(self) -> None:
        (line,) = decode_all([b"Margin \xff\xfe is insufficient\n"])
        assert line.text == "Margin \ufffd\ufffd is insufficient"

    def test_resuming_at_an_offset_numbers_from_there(self) -> None:
        decoder = LineDecoder(offset=100, first_line=7, encoding=Encoding.UTF8)
        (block,) = decoder.decode(b"x\ny\n")
        assert [(x.number, x.offset) for x in block.lines()] == [(7, 100), (8, 102)]

    def test_small_cap_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 16"):
            LineDecoder(max_line_bytes=4)


class TestCap:
    def test_long_line_keeps_its_head_and_the_offset_advances(self) -> None:
        data = b"A" * 5000 + b" Margin is insufficient\nnext\n"
        lines = decode_all(
            [data[i : i + 100] for i in range(0, len(data), 100)], max_line_bytes=1024
        )
        assert lines[0].truncated
        assert lines[0].text == "A" * 1024
        assert lines[0].end == 5000 + 24
        assert lines[1] == Line("next", 2, 5024, 5029, False)

    def test_memory_stays_bounded_for_a_50_mb_line(self) -> None:
        decoder = LineDecoder(max_line_bytes=64 * 1024)
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            assert decoder.decode(chunk) == []
            assert decoder.held_bytes <= 64 * 1024
        blocks = decoder.decode(b"\nMargin is insufficient\n")
        first, second = [line for block in blocks for line in block.lines()]
        assert first.truncated
        assert len(first.text) == 64 * 1024
        assert second.text == "Margin is insufficient"
        assert decoder.offset == 50 * 1024 * 1024 + 24

    def test_cut_never_splits_a_character(self) -> None:
        assert cap_utf8("ж".encode() * 10, 5) == "жж".encode()
        assert cap_utf8("a😀".encode(), 3) == b"a"
        assert text_of("ж".encode() * 10, 5) == ("жж", True)


class TestEncodings:
    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            (codecs.BOM_UTF8 + b"x", (Encoding.UTF8, 3)),
            (codecs.BOM_UTF16_LE + b"x\x00", (Encoding.UTF16LE, 2)),
            (codecs.BOM_UTF16_BE + b"\x00x", (Encoding.UTF16BE, 2)),
            ("KR\t0\t16:37:02".encode("utf-16-le"), (Encoding.UTF16LE, 0)),
            ("KR\t0\t16:37:02".encode("utf-16-be"), (Encoding.UTF16BE, 0)),
            (b"\x00" * 64, (Encoding.UTF8, 0)),
            (b"plain", (Encoding.UTF8, 0)),
        ],
    )
    def test_sniff(self, prefix: bytes, expected: tuple[Encoding, int]) -> None:
        assert sniff(prefix) == expected

    def test_utf8_bom_is_skipped_and_offsets_count_it(self) -> None:
        (line,) = decode_all([codecs.BOM_UTF8 + b"hello\n"])
        assert (line.text, line.offset, line.end) == ("hello", 3, 9)

    @pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
    def test_utf16_with_bom_in_odd_pieces(self, encoding: str) -> None:
        text = "ME\t0\t20:58:02.161\tNetwork\t'2077': trading has been disabled\r\nЖурнал 😀\n"
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + text.encode(encoding)
        lines = decode_all([data[i : i + 7] for i in range(0, len(data), 7)])
        assert [x.text for x in lines] == text.rstrip("\n").replace("\r", "").split(
            "\n"
        )
        assert lines[0].offset == 2
        assert lines[1].offset == 2 + len(text.split("\n")[0].encode(encoding)) + 2
        assert lines[1].end == len(data)

    def test_utf16_newline_inside_a_code_unit_does_not_split(self) -> None:
        # U+0A0A encodes as 0A 0A in UTF-16LE: neither byte is a newline
        text = "a\u0a0ab\nc\n"
        lines = decode_all([codecs.BOM_UTF16_LE + text.encode("utf-16-le")])
        assert [x.text for x in lines] == ["a\u0a0ab", "c"]

    def test_utf16_without_bom_is_recognised(self) -> None:
        data = "GN\t0\t16:37:03.180\tExperts\texpert loaded\n".encode("utf-16-le") * 3
        lines = decode_all([data])
        assert [x.text for x in lines] == [
            "GN\t0\t16:37:03.180\tExperts\texpert loaded"
        ] * 3

    def test_utf16_long_line_is_capped(self) -> None:
        data = codecs.BOM_UTF16_LE + ("x" * 200 + "\nok\n").encode("utf-16-le")
        lines = decode_all(
            [data[i : i + 33] for i in range(0, len(data), 33)], max_line_bytes=64
        )
        assert lines[0].truncated
        assert lines[0].text == "x" * 32
        assert (lines[1].text, lines[1].end) == ("ok", len(data))


class TestBlock:
    def test_slice_and_join_round_trip(self) -> None:
        block = Block.verbatim(b"a\nbb\nccc\n", 10, 100, 1024)
        head, tail = block.slice(0, 2), block.slice(2, 9)
        assert [x.text for x in head.lines()] == ["a"]
        assert [(x.number, x.offset) for x in tail.lines()] == [(11, 102), (12, 105)]
        assert head.join(tail) == block

    def test_join_of_non_adjacent_blocks_keeps_true_offsets(self) -> None:
        a = Block.verbatim(b"a\n", 1, 0, 1024)
        b = Block.verbatim(b"b\n", 2, 50, 1024)
        joined = a.join(b)
        assert [(x.number, x.offset, x.end) for x in joined.lines()] == [
            (1, 0, 2),
            (2, 50, 52),
        ]
        assert joined.slice(2, 4).lines()[0].offset == 50

    def test_invalid_utf8_is_detected(self) -> None:
        assert Block.verbatim(b"ok \xd0\xb6\n", 1, 0, 64).invalid_utf8() is False
        assert Block.verbatim(b"bad \xff\n", 1, 0, 64).invalid_utf8() is True


@given(st.lists(line_text, max_size=12), st.data())
def test_any_chunking_gives_the_same_lines(
    texts: list[str], data: st.DataObject
) -> None:
    raw = "\n".join(texts).encode("utf-8")
    whole = decode_all([raw], max_line_bytes=32)
    pieces = data.draw(chunkings(raw))
    assert decode_all(pieces, max_line_bytes=32) == whole


@given(
    st.lists(line_text, max_size=8),
    st.sampled_from(["utf-16-le", "utf-16-be"]),
    st.data(),
)
def test_any_chunking_of_utf16_gives_the_same_lines(
    texts: list[str], encoding: str, data: st.DataObject
) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    raw = bom + "\n".join(texts).encode(encoding, "surrogatepass")
    whole = decode_all([raw], max_line_bytes=32)
    assert decode_all(data.draw(chunkings(raw)), max_line_bytes=32) == whole


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_line_of_the_cap_whose_newline_is_split_between_reads_is_whole(
    encoding: str,
) -> None:
    """A line of exactly the cap's bytes is not cut: not when its two-byte newline
    arrives half in one read and half in the next either."""
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    raw = bom + ("0" * 12 + "\U0001f600" * 2 + "\n").encode(encoding)
    assert len(raw) == 2 + 32 + 2
    whole = decode_all([raw], max_line_bytes=32)
    split = decode_all([raw[:-1], raw[-1:]], max_line_bytes=32)
    assert [line.truncated for line in whole] == [False]
    assert split == whole


@given(st.binary(max_size=600), st.data())
def test_any_bytes_decode_without_raising_and_offsets_tile_the_input(
    raw: bytes, data: st.DataObject
) -> None:
    lines = decode_all(data.draw(chunkings(raw)), max_line_bytes=16)
    assert all(isinstance(x.text, str) for x in lines)
    if lines:  # the bytes after the last line, if any, are NUL padding
        assert raw[lines[-1].end :].strip(b"\x00") == b""
        assert all(a.end == b.offset for a, b in itertools.pairwise(lines))


class TestPaddingAndLyingBoms:
    """Issue 11: a NUL run at the start was taken for UTF-16 (or hid the line after it)
    and ``FF FE`` followed by UTF-8 was decoded as UTF-16: the error lines were lost."""

    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            (b"\x00" * 7, (Encoding.UTF8, 0)),
            (b"\x00" * 255 + b"x", (Encoding.UTF8, 0)),
            (b"\x00" * 200 + b"2026-01-01 ERROR Margin\n", (Encoding.UTF8, 0)),
            (
                b"\x00\x00" * 40 + "KR\t0\t16:37:02".encode("utf-16-le"),
                (Encoding.UTF16LE, 0),
            ),
            (b"ab\x00", (Encoding.UTF8, 0)),  # too little text to tell
            (codecs.BOM_UTF16_LE + b"2026-01-01 ERROR x\n", (Encoding.UTF8, 2)),
            (codecs.BOM_UTF16_BE + b"2026-01-01 ERROR x\n", (Encoding.UTF8, 2)),
            (codecs.BOM_UTF16_LE + "Ошибка".encode("utf-16-le"), (Encoding.UTF16LE, 2)),
            (codecs.BOM_UTF16_LE + b"ab", (Encoding.UTF16LE, 2)),  # too short to doubt
        ],
    )
    def test_sniff_needs_the_pattern_not_just_zeros(
        self, prefix: bytes, expected: tuple[Encoding, int]
    ) -> None:
        assert sniff(prefix) == expected

    @pytest.mark.parametrize("hole", [1, 2, 255, 5000, 200_000])
    def test_a_leading_nul_run_is_skipped_and_the_lines_after_it_are_read(
        self, hole: int
    ) -> None:
        data = b"\x00" * hole + b"first ERROR line\nsecond\n"
        pieces = [data[i : i + 4096] for i in range(0, len(data), 4096)]
        lines = decode_all(pieces)
        assert [x.text for x in lines] == ["first ERROR line", "second"]
        assert lines[-1].end == len(data)
        assert not lines[0].truncated

    def test_a_nul_run_inside_the_file_is_skipped_too(self) -> None:
        data = b"one\n" + b"\x00" * 100_000 + b"two\nthree\x00\x00 x\n"
        lines = decode_all([data[i : i + 1000] for i in range(0, len(data), 1000)])
        assert [x.text for x in lines] == ["one", "two", "three x"]
        assert [x.number for x in lines] == [1, 2, 3]
        assert (lines[1].offset, lines[1].end) == (4, len(data) - 10)

    def test_bom_bytes_after_a_hole_are_no_bom(self) -> None:
        data = b"\x00" * 4 + codecs.BOM_UTF16_LE + b"\x80\xfe\n" + b"Margin\n"
        assert [x.text for x in decode_all([data])][1:] == ["Margin"]

    def test_a_bom_contradicted_by_utf8_text_is_not_trusted(self) -> None:
        data = codecs.BOM_UTF16_LE + b"2026-01-01 ERROR Margin is insufficient\nok\n"
        lines = decode_all([data])
        assert [x.text for x in lines] == [
            "2026-01-01 ERROR Margin is insufficient",
            "ok",
        ]
        assert lines[0].offset == 2


@given(
    st.integers(0, 300),
    st.lists(line_text, min_size=1, max_size=8),
    st.data(),
)
def test_any_chunking_of_a_padded_file_gives_the_same_lines_without_nuls(
    hole: int, texts: list[str], data: st.DataObject
) -> None:
    raw = b"\x00" * hole + "\n".join(texts).encode("utf-8")
    whole = decode_all([raw], max_line_bytes=32)
    assert decode_all(data.draw(chunkings(raw)), max_line_bytes=32) == whole
    assert all("\x00" not in x.text for x in whole)
    assert raw[whole[-1].end if whole else 0 :].strip(b"\x00") == b""


@pytest.mark.parametrize(
    "head",
    [b"\x00" * 70_000, b"\x00" * 4095, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE],
    ids=["hole-over-the-cap", "odd-hole", "ff-fe-then-utf8", "fe-ff-then-utf8"],
)
def test_scan_finds_the_error_lines_after_a_hole_or_a_lying_bom(
    tmp_path: Path, head: bytes
) -> None:
    """The two files of issue 11, through ``logwatch scan`` on a real file."""
    from click.testing import CliRunner

    from logwatch.app.cli import cli

    path = tmp_path / "bot.log"
    margin = b"Refuse (Binance Futures): Margin is insufficient. (BTCUSDT)\n"
    path.write_bytes(head + margin + b"2026-01-01 ok\n" + margin)
    result = CliRunner().invoke(cli, ["scan", "--json", str(path)])
    assert result.exit_code == 0, result.output
    hits = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(h)["line"] for h in hits] == [1, 3]


@pytest.mark.parametrize(
    ("data", "offset", "lines"),
    [
        (b"a\nb\nc", 5, 2),
        (b"a\nb\nc", 3, 1),
        (b"a\nb\nc", 0, 0),
        (codecs.BOM_UTF16_LE + "a\nb\n".encode("utf-16-le"), 10, 2),
        (codecs.BOM_UTF16_BE + "a\nb\n".encode("utf-16-be"), 6, 1),
        (b"\n" * 10, 100, 10),  # an offset past the end counts what is there
    ],
)
def test_count_lines_counts_the_newlines_of_the_files_encoding(
    data: bytes, offset: int, lines: int
) -> None:
    def read(start: int, size: int) -> bytes:
        return data[start : start + max(0, size)]

    assert count_lines(read, offset) == lines
