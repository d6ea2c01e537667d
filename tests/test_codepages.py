"""Legacy code pages (issue 19, item 5): ``encoding:``, the fallback, ``--encoding``.

The cases are generated from the codecs Python ships: every code page logwatch
accepts, with Cyrillic, Latin and mixed lines, through the decoder, the follower
and ``scan``; offsets are the file's bytes whatever the text became.
"""

from __future__ import annotations

import codecs
import encodings
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from logwatch.app.cli import cli
from logwatch.app.followed import FollowSettings
from logwatch.app.follower import Follower
from logwatch.core import codepages
from logwatch.core.codepages import (
    DEFAULT_FALLBACK,
    Family,
    codec_name,
    decode_line,
    default_fallback,
    fallback_name,
    family,
)
from logwatch.core.model import Line
from logwatch.follow.encoding import Encoding, framing, resumed
from logwatch.follow.lines import LineDecoder
from logwatch.follow.tailer import Source
from logwatch.match.engine import Scan
from logwatch.store.state import State
from tests import processes
from tests.conftest import wait_until
from tests.fakes import FakeClock, each_scan
from tests.follow_harness import EVERY_LINE, EVERY_LINE_RULE, FollowProcess
from tests.strategies import chunkings


def _known_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(encodings.__path__))


def _accepted(name: str) -> str | None:
    try:
        return codec_name(name)
    except ValueError:
        return None


#: Every code page ``encoding:`` takes (neither UTF-8 nor UTF-16): the fallbacks.
LEGACY = sorted(
    {
        canonical
        for name in _known_names()
        if (canonical := _accepted(name)) and family(canonical) is Family.LEGACY
    }
)

TEXTS = {
    "cyrillic": "Ошибка: недостаточно средств на счёте",
    "latin": "Order rejected: insufficient margin",
    "mixed": "binance: Недостаточно маржи (code -2019), ордер 42",
}
#: A UTF-8 line with Cyrillic, beside the code-page lines of a file.
UTF8_TEXT = "журнал в UTF-8: ордер принят"


def _line(n: int, text: str) -> str:
    return f"LINE {n:06d} {text}"


def _cases() -> Iterator[tuple[str, str, bytes]]:
    """(codec, kind, the line in it) for every line the codec can hold."""
    for codec in LEGACY:
        for kind, text in TEXTS.items():
            line = _line(1, text)
            try:
                raw = line.encode(codec)
            except UnicodeEncodeError:
                continue
            if raw.decode(codec) == line and b"\n" not in raw:
                yield codec, kind, raw


CASES = list(_cases())


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_all(pieces: list[bytes], **kwargs: Any) -> list[Line]:
    decoder = LineDecoder(**kwargs)
    lines: list[Line] = []
    for piece in pieces:
        for block in decoder.decode(piece):
            lines.extend(block.lines())
    for block in decoder.flush():
        lines.extend(block.lines())
    return lines


def _spans(raw: bytes) -> list[tuple[int, int]]:
    """The file offsets of each line of ``raw`` (the last one perhaps unterminated)."""
    out, start = [], 0
    while start < len(raw):
        nl = raw.find(b"\n", start)
        end = len(raw) if nl == -1 else nl + 1
        out.append((start, end))
        start = end
    return out


def _pieces(raw: bytes) -> list[list[bytes]]:
    return [[raw], [raw[i : i + 1] for i in range(len(raw))], _every(raw, 7)]


def _every(raw: bytes, n: int) -> list[bytes]:
    return [raw[i : i + n] for i in range(0, len(raw), n)]


class TestCodecNames:
    def test_the_generated_cases_cover_the_code_pages_of_russian_windows(self) -> None:
        assert {"cp1251", "cp866", "koi8-r", "iso8859-5", "cp1252"} <= set(LEGACY)
        kinds = {(codec, kind) for codec, kind, _ in CASES}
        assert {("cp1251", "cyrillic"), ("cp1251", "mixed"), ("cp1252", "latin")} <= (
            kinds
        )
        assert len(LEGACY) > 80

    @pytest.mark.parametrize("name", _known_names())
    def test_every_codec_python_ships_is_accepted_or_refused_with_a_reason(
        self, name: str
    ) -> None:
        try:
            canonical = codec_name(name)
        except ValueError as exc:
            assert name in str(exc)  # noqa: PT017  the reason names what was given
            return
        if family(canonical) is Family.LEGACY:
            assert "\n".encode(canonical) == b"\n"
            assert decode_line(bytes(range(256)), canonical)

    @pytest.mark.parametrize(
        ("name", "canonical"),
        [
            ("CP1251", "cp1251"),
            ("windows-1251", "cp1251"),
            (" koi8_r ", "koi8-r"),
            ("latin1", "iso8859-1"),
            ("UTF8", "utf-8"),
            ("utf-8-sig", "utf-8-sig"),
            ("UTF-16LE", "utf-16-le"),
            ("utf_16", "utf-16"),
        ],
    )
    def test_names_are_made_canonical(self, name: str, canonical: str) -> None:
        assert codec_name(name) == canonical

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("klingon", "not an encoding Python knows"),
            ("", "not an encoding Python knows"),
            ("rot13", "not a text encoding"),
            ("base64", "not a text encoding"),
            ("idna", "not a text encoding"),
            ("undefined", "not a text encoding"),
            ("utf-32", "do not end in a newline byte"),
            ("cp037", "do not end in a newline byte"),
            ("unicode_escape", "do not end in a newline byte"),
        ],
    )
    def test_what_cannot_be_read_is_refused(self, name: str, reason: str) -> None:
        with pytest.raises(ValueError, match=reason):
            codec_name(name)

    @pytest.mark.parametrize("name", ["utf-16", "utf-16-le", "UTF-16BE"])
    def test_utf16_is_no_fallback(self, name: str) -> None:
        with pytest.raises(ValueError, match="cannot be a fallback"):
            fallback_name(name)
        assert fallback_name("utf-8") == "utf-8"
        assert fallback_name("cp1252") == "cp1252"


class TestDefaultFallback:
    @pytest.mark.parametrize(
        ("platform", "ansi", "expected"),
        [
            ("win32", "cp1251", "cp1251"),
            ("win32", "cp1252", "cp1252"),
            ("win32", "cp1250", "cp1250"),
            ("win32", "cp932", "cp932"),
            ("win32", "utf-8", DEFAULT_FALLBACK),  # the "use UTF-8" system setting
            ("win32", "cp65001", DEFAULT_FALLBACK),
            ("win32", "nonsense", DEFAULT_FALLBACK),
            ("linux", "cp1252", DEFAULT_FALLBACK),
            ("darwin", "utf-8", DEFAULT_FALLBACK),
        ],
    )
    def test_windows_reads_its_ansi_code_page_elsewhere_cp1251(
        self, platform: str, ansi: str, expected: str
    ) -> None:
        assert default_fallback(platform, lambda: ansi) == expected
        assert DEFAULT_FALLBACK == "cp1251"

    def test_the_machines_own(self) -> None:
        assert family(default_fallback()) is Family.LEGACY


class TestDecoder:
    @pytest.mark.parametrize(
        ("codec", "kind", "raw"), CASES, ids=[f"{c}-{k}" for c, k, _ in CASES]
    )
    def test_fallback_reads_each_line_that_is_not_utf8_and_offsets_are_exact(
        self, codec: str, kind: str, raw: bytes
    ) -> None:
        utf8 = _line(0, UTF8_TEXT).encode()
        data = utf8 + b"\n" + raw + b"\r\n" + utf8 + b"\n" + raw  # the last unended
        # a line valid in UTF-8 is UTF-8 (what a code page makes of ASCII, mostly)
        legacy = _utf8(raw) or raw.decode(codec)
        expected = [_line(0, UTF8_TEXT), legacy, _line(0, UTF8_TEXT), legacy]
        for pieces in _pieces(data):
            lines = decode_all(pieces, fallback=codec)
            assert [x.text for x in lines] == expected
            assert [(x.offset, x.end) for x in lines] == _spans(data)
            assert [x.number for x in lines] == [1, 2, 3, 4]

    @pytest.mark.parametrize(
        ("codec", "kind", "raw"), CASES, ids=[f"{c}-{k}" for c, k, _ in CASES]
    )
    def test_declared_encoding_reads_every_line_in_it(
        self, codec: str, kind: str, raw: bytes
    ) -> None:
        data = raw + b"\n" + raw + b"\r\n" + raw
        for pieces in _pieces(data):
            lines = decode_all(pieces, codec=codec, fallback="cp1251")
            assert [x.text for x in lines] == [raw.decode(codec)] * 3
            assert [(x.offset, x.end) for x in lines] == _spans(data)

    def test_one_bad_line_leaves_the_rest_of_a_utf8_file_utf8(self) -> None:
        data = "Привет\n".encode() + "Ошибка\n".encode("cp1251") + "Ещё\n".encode()
        lines = decode_all([data], fallback="cp1251")
        assert [x.text for x in lines] == ["Привет", "Ошибка", "Ещё"]

    def test_without_a_fallback_bad_bytes_are_still_shown_as_replacement(
        self,
    ) -> None:
        data = "Ошибка\n".encode("cp1251")
        assert decode_all([data])[0].text == "\ufffd" * 6
        assert decode_all([data], codec="utf-8", fallback="cp1251")[0].text == (
            "\ufffd" * 6
        )

    @pytest.mark.parametrize("declared", [None, "cp1251", "koi8-r"])
    @pytest.mark.parametrize("bom", ["utf-16-le", "utf-16-be", "utf-8-sig"])
    def test_a_bom_wins_over_the_declaration(
        self, declared: str | None, bom: str
    ) -> None:
        """MetaTrader's UTF-16 journals keep working in a folder declared cp1251."""
        text = "LG\t0\t01:29:08.243\tTrades\tНедостаточно денег\n" * 3
        data = text.encode(bom if bom != "utf-8-sig" else "utf-8")
        data = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
            bom, codecs.BOM_UTF8
        ) + data
        for pieces in _pieces(data):
            lines = decode_all(pieces, codec=declared, fallback="cp1251")
            assert [x.text for x in lines] == [text.rstrip("\n").split("\n")[0]] * 3
            assert lines[-1].end == len(data)

    @pytest.mark.parametrize(
        ("codec", "encoding"),
        [("utf-16", Encoding.UTF16LE), ("utf-16-be", Encoding.UTF16BE)],
    )
    def test_declared_utf16_without_a_bom(self, codec: str, encoding: str) -> None:
        text = "Недостаточно денег\n"
        data = text.encode(encoding) * 2
        lines = decode_all(_every(data, 3), codec=codec)
        assert [x.text for x in lines] == ["Недостаточно денег"] * 2
        assert framing(b"", codec) == (encoding, 0, None)

    def test_a_long_line_in_a_code_page_is_capped_on_its_bytes(self) -> None:
        long = ("Ошибка " * 40).encode("cp1251")  # 280 bytes, 520 in UTF-8
        data = long + b"\nLINE 2\n"
        for codec, fallback in ((None, "cp1251"), ("cp1251", None)):
            for pieces in _pieces(data):
                lines = decode_all(
                    pieces, max_line_bytes=64, codec=codec, fallback=fallback
                )
                assert lines[0].truncated
                assert lines[0].text.startswith("Ошибка Ошибка")
                assert len(lines[0].text.encode()) <= 64
                assert [(x.offset, x.end) for x in lines] == _spans(data)
                assert lines[1].text == "LINE 2"

    def test_nul_padding_is_skipped_in_a_code_page_too(self) -> None:
        data = b"\x00" * 10 + "Ошибка\n".encode("cp1251")
        data += b"\x00\x00" + "Ещё\n".encode("cp1251")
        lines = decode_all(_every(data, 5), fallback="cp1251")
        assert [x.text for x in lines] == ["Ошибка", "Ещё"]
        assert lines[-1].end == len(data)

    @pytest.mark.parametrize("bad", [1, 2, 40])
    def test_few_or_most_lines_in_the_fallback_read_the_same(self, bad: int) -> None:
        """A block whose every line beyond ASCII is bad is read in one call, others
        line by line: the same lines either way."""
        lines = [_line(n, "Ошибка ордера") for n in range(40)]
        raw = b"".join(
            x.encode("cp1251" if n < bad else "utf-8") + b"\n"
            for n, x in enumerate(lines)
        )
        decoder = LineDecoder(fallback="cp1251")
        read = [x.text for b in decoder.decode(raw) for x in b.lines()]
        assert read == lines
        assert decoder.read_fallback

    def test_a_codec_that_decodes_another_byte_as_a_newline_keeps_the_lines(
        self,
    ) -> None:
        """Such a codec (none ships with Python) would add lines: it is read line by
        line instead, its newline a space."""
        table = "".join(chr(i) for i in range(256)).replace("\x0b", "\n")
        encoding_table = codecs.charmap_build(table)

        def search(name: str) -> codecs.CodecInfo | None:
            if name != "test_vt_newline":
                return None
            return codecs.CodecInfo(
                lambda text, errors="strict": codecs.charmap_encode(
                    text, errors, encoding_table
                ),
                lambda data, errors="strict": codecs.charmap_decode(
                    data, errors, table
                ),
                name="test-vt-newline",
            )

        codecs.register(search)
        try:
            data = b"one\x0btwo\xe9\nthree\n"
            for codec, fallback in (
                ("test_vt_newline", None),
                (None, "test_vt_newline"),
            ):
                lines = decode_all([data], codec=codec, fallback=fallback)
                assert [x.text for x in lines] == ["one twoé", "three"]
                assert [(x.offset, x.end) for x in lines] == _spans(data)
        finally:
            codecs.unregister(search)

    @pytest.mark.parametrize(
        ("head", "declared", "expected"),
        [
            (b"LINE 1\n", None, (Encoding.UTF8, None)),
            (b"LINE 1\n", "cp1251", (Encoding.UTF8, "cp1251")),
            (b"LINE 1\n", "utf-8", (Encoding.UTF8, "utf-8")),
            (
                codecs.BOM_UTF16_LE + "LINE 1\n".encode("utf-16-le"),
                "cp1251",
                (
                    Encoding.UTF16LE,
                    None,
                ),
            ),
            (
                b"L\x00I\x00N\x00E\x00 \x001\x00\n\x00",
                "utf-16",
                (
                    Encoding.UTF16LE,
                    None,
                ),
            ),
        ],
    )
    def test_a_file_resumed_mid_way_is_read_as_from_its_start(
        self, head: bytes, declared: str | None, expected: tuple[Encoding, str | None]
    ) -> None:
        assert resumed(head, declared) == expected


@given(
    st.lists(
        st.tuples(st.sampled_from([*TEXTS.values(), UTF8_TEXT]), st.booleans()),
        max_size=10,
    ),
    st.sampled_from(["cp1251", "cp866", "koi8-r", "iso8859-5", "mac-cyrillic"]),
    st.data(),
)
def test_any_chunking_of_mixed_encodings_gives_the_same_lines(
    lines: list[tuple[str, bool]], codec: str, data: st.DataObject
) -> None:
    raw = b"\n".join(t.encode(codec if legacy else "utf-8") for t, legacy in lines)
    whole = decode_all([raw], max_line_bytes=32, fallback=codec)
    assert decode_all(data.draw(chunkings(raw)), max_line_bytes=32, fallback=codec) == (
        whole
    )
    if raw:
        assert whole[-1].end == len(raw)


# -- the follow path: a Follower on real files, restarted mid-file --------------------


def _follow_lines(codec: str, declared: bool) -> tuple[list[bytes], list[str]]:
    """Numbered lines for one codec: each kind it holds, and UTF-8 ones between them
    when the codec is a fallback; their bytes and the texts expected."""
    raws: list[bytes] = []
    texts: list[str] = []
    n = 0
    for case_codec, _kind, raw in CASES:
        if case_codec != codec:
            continue
        for _ in range(2):
            line = raw.decode(codec).replace(_line(1, ""), _line(n, ""), 1)
            encoded = line.encode(codec)
            raws.append(encoded)
            texts.append(line if declared else (_utf8(encoded) or line))
            n += 1
            if not declared:
                utf8 = _line(n, UTF8_TEXT)
                raws.append(utf8.encode())
                texts.append(utf8)
                n += 1
    return raws, texts


@pytest.mark.parametrize("declared", [False, True], ids=["fallback", "declared"])
@pytest.mark.parametrize("codec", LEGACY)
def test_follow_reads_code_pages_and_resumes_at_exact_offsets(
    tmp_path: Path, codec: str, declared: bool
) -> None:
    raws, texts = _follow_lines(codec, declared)
    if not raws:
        pytest.skip(f"{codec} holds none of the lines")
    log = tmp_path / "bot.log"
    log.write_bytes(b"")
    source = Source(
        "bot",
        (str(tmp_path / "*.log"),),
        encoding=codec if declared else None,
        fallback="cp1251" if declared else codec,
    )
    clock = FakeClock()
    seen: list[tuple[int, str, int, int]] = []

    def on_scan(scan: Scan) -> None:
        seen.extend(
            (int(h.captures["n"]), h.record.text, h.record.offset, h.record.end)
            for h in scan.hits
        )

    def follower() -> Follower:
        state = State(tmp_path / "state.db", clock)
        return Follower(
            EVERY_LINE,
            [source],
            clock,
            state=state,
            events=each_scan(on_scan),
            settings=FollowSettings(poll_interval=0),
        )

    def steps(run: Follower, count: int) -> None:
        for _ in range(20):
            if len(seen) >= count:
                return
            run.step()
        raise AssertionError(f"{len(seen)} lines reported, not {count}")

    half = len(raws) // 2
    data = b"".join(r + b"\n" for r in raws)
    first = follower()
    first.step()  # the file is listed (empty): followed from its start
    with log.open("ab") as fh:
        fh.write(b"".join(r + b"\n" for r in raws[:half]))
    steps(first, half)
    first.close()
    with log.open("ab") as fh:
        fh.write(b"".join(r + b"\n" for r in raws[half:]))
    second = follower()
    steps(second, len(raws))
    second.close()
    spans = _spans(data)
    assert seen == [(n, texts[n], spans[n][0], spans[n][1]) for n in range(len(raws))]


# -- the scan path: ``logwatch scan --json`` ------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def every_line_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rules = tmp_path_factory.mktemp("rules")
    (rules / "line.yaml").write_text(EVERY_LINE_RULE, encoding="utf-8")
    return rules


def _scan_hits(result: Result) -> list[tuple[int, str, int]]:
    return [
        (h["line"], h["text"], h["offset"])
        for h in map(json.loads, result.stdout.splitlines())
        if h["rule"] == "test.line"  # a shipped rule may know a line too
    ]


@pytest.mark.parametrize("declared", [False, True], ids=["fallback", "declared"])
@pytest.mark.parametrize("codec", LEGACY)
def test_scan_reads_code_pages(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    every_line_rules: Path,
    codec: str,
    declared: bool,
) -> None:
    """The fallback scan takes is the machine's (``default_fallback``, tested above):
    set here to each code page in turn."""
    raws, texts = _follow_lines(codec, declared)
    if not raws:
        pytest.skip(f"{codec} holds none of the lines")
    log = tmp_path / "bot.log"
    data = b"\n".join(raws)  # the last line unended: read at the end of the scan
    log.write_bytes(data)
    monkeypatch.setattr(codepages, "default_fallback", lambda: codec)
    args = ["--encoding", codec] if declared else []
    result = invoke("scan", "--json", "--rules", str(every_line_rules), *args, str(log))
    assert result.exit_code == 0, result.output
    spans = _spans(data)
    assert _scan_hits(result) == [
        (n + 1, texts[n], spans[n][0]) for n in range(len(raws))
    ]


RUSSIAN_ERROR = (
    "2026-12-07 10:00:01,512 - bot.exchange - ERROR - Не удалось закрыть позицию: "
    "Запрос выполнен частично (XRPUSDT)"
)


def _bot_log(path: Path) -> bytes:
    """A Python bot's log on Russian Windows: cp1251, CRLF line ends."""
    data = (
        "2026-12-07 10:00:00,001 - bot - INFO - Запуск бота, биржа Binance Futures\r\n"
        f"{RUSSIAN_ERROR}\r\n"
        "2026-12-07 10:00:02,000 - bot - INFO - Ожидание сигнала\r\n"
    ).encode("cp1251")
    path.write_bytes(data)
    return data


class TestScanCli:
    def test_a_cp1251_log_is_read_and_its_russian_error_recognised(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # the fallback of a Russian Windows (and of POSIX); a cp1252 Windows reads the
        # log as cp1252 without --encoding, as it should (test_windows runs both)
        monkeypatch.setattr(codepages, "default_fallback", lambda: "cp1251")
        log = tmp_path / "bot.log"
        data = _bot_log(log)
        result = invoke("scan", "--json", str(log))
        assert result.exit_code == 0, result.output
        (hit,) = map(json.loads, result.stdout.splitlines())
        assert hit["rule"] == "quantower.close-position-partial"
        assert hit["text"] == RUSSIAN_ERROR
        assert "\ufffd" not in result.output
        assert hit["offset"] == data.index(RUSSIAN_ERROR.encode("cp1251"))
        assert "those lines are read as cp1251" in result.stderr

    @pytest.mark.parametrize("encoding", ["cp1251", "windows-1251", "CP1251"])
    def test_encoding_option_reads_it_too_without_a_note(
        self, tmp_path: Path, encoding: str
    ) -> None:
        log = tmp_path / "bot.log"
        _bot_log(log)
        result = invoke("scan", "--json", "--encoding", encoding, str(log))
        (hit,) = map(json.loads, result.stdout.splitlines())
        assert hit["text"] == RUSSIAN_ERROR
        assert "read as" not in result.stderr

    def test_a_wrong_encoding_option_shows_what_it_read(self, tmp_path: Path) -> None:
        log = tmp_path / "bot.log"
        _bot_log(log)
        result = invoke("scan", "--json", "--encoding", "koi8-r", str(log))
        assert result.exit_code == 1  # read as koi8-r, the Russian words are lost
        assert "Lines: 3, matched 0" in result.stderr

    @pytest.mark.parametrize(
        ("name", "reason"),
        [("klingon", "not an encoding Python knows"), ("rot13", "not a text encoding")],
    )
    def test_an_unknown_encoding_option_is_a_usage_error(
        self, tmp_path: Path, name: str, reason: str
    ) -> None:
        log = tmp_path / "bot.log"
        _bot_log(log)
        result = invoke("scan", "--encoding", name, str(log))
        assert result.exit_code == 2
        assert f"Invalid value for '--encoding': '{name}' is {reason}" in result.stderr
        assert "Traceback" not in result.output


# -- the config: ``encoding:`` and ``fallback_encoding:`` -----------------------------


class TestConfig:
    def test_an_encoding_that_is_no_codec_is_an_error_at_its_line(
        self, tmp_path: Path
    ) -> None:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"state_dir: {tmp_path / 'state'}\n"
            "sources:\n"
            "  - name: bot\n"
            f"    paths: ['{tmp_path}/*.log']\n"
            "    encoding: cp1251\n"
            "  - name: other\n"
            f"    paths: ['{tmp_path}/*.txt']\n"
            "    encoding: klingon\n"
            "  - name: third\n"
            f"    paths: ['{tmp_path}/*.out']\n"
            "    encoding: utf-32\n"
            "fallback_encoding: utf-16\n",
            encoding="utf-8",
        )
        result = invoke("check", "--config", str(config))
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            f"{config}:8: sources[1].encoding: 'klingon' is not an encoding Python "
            "knows (cp1251, koi8-r, utf-16...)",
            f"{config}:11: sources[2].encoding: 'utf-32': its lines do not end in a "
            "newline byte (UTF-32, EBCDIC); logwatch reads UTF-8, UTF-16 and code "
            "pages such as cp1251",
            f"{config}:12: fallback_encoding: 'utf-16' cannot be a fallback: a line "
            "that is not UTF-8 is read in a code page such as cp1251 or cp1252",
        ]
        assert "Traceback" not in result.output

    def test_a_good_encoding_passes_check_and_reaches_the_source(
        self, tmp_path: Path
    ) -> None:
        from logwatch.app.configured import build_setup

        text = (
            f"state_dir: {tmp_path / 'state'}\n"
            "sources:\n"
            "  - name: bot\n"
            f"    paths: ['{tmp_path}/*.log']\n"
            "    encoding: Windows-1251\n"
            "  - name: mt5\n"
            f"    paths: ['{tmp_path}/*.txt']\n"
            "fallback_encoding: cp1252\n"
        )
        config = tmp_path / "config.yaml"
        config.write_text(text, encoding="utf-8")
        assert invoke("check", "--config", str(config)).exit_code == 0
        setup = build_setup(config, env={})
        assert [(s.encoding, s.fallback) for s in setup.sources] == [
            ("cp1251", "cp1252"),
            (None, "cp1252"),
        ]


# -- a real ``scan --follow --state``, stopped mid-file and started again ------------


@processes.needs_console_events
@pytest.mark.timeout(300)
def test_follow_state_restart_mid_file_resumes_at_the_exact_byte(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    log.write_bytes(b"")
    hits: list[dict[str, Any]] = []
    texts = [
        _line(n, "Ошибка ордера" if n % 2 else "order rejected") for n in range(10)
    ]
    raws = [
        t.encode("cp1251" if n % 3 else "utf-8") + b"\r\n" for n, t in enumerate(texts)
    ]
    state = ("--state", str(tmp_path / "state.db"))
    proc = FollowProcess(tmp_path, [str(tmp_path / "*.log")], hits.append, *state)
    with log.open("ab") as fh:
        fh.write(b"".join(raws[:5]))
    wait_until(lambda: len(hits) == 5, 30, "the first five lines")
    assert proc.stop(timeout=10) == 0
    with log.open("ab") as fh:
        fh.write(b"".join(raws[5:]))
    proc = FollowProcess(tmp_path, [str(tmp_path / "*.log")], hits.append, *state)
    wait_until(lambda: len(hits) >= 10, 30, "the other five")
    assert proc.stop(timeout=10) == 0
    offsets = [sum(len(r) for r in raws[:n]) for n in range(10)]
    assert [(h["line"], h["offset"], h["text"]) for h in hits] == [
        (n + 1, offsets[n], texts[n]) for n in range(10)
    ]
