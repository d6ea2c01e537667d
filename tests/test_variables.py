"""The env file (issue 18, item 14): ``NAME=value`` lines for the config's ``${VAR}``."""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version
from io import StringIO
from pathlib import Path

import pytest
from dotenv import dotenv_values
from packaging.requirements import Requirement
from packaging.version import Version

from logwatch.core.config import load_config
from logwatch.core.variables import parse_env_file

#: a ``secrets.env`` line as people write it -> the value they mean
ENV_LINES = [
    ("TOKEN=123:abc # my bot", "123:abc"),
    ("TOKEN=123:abc   ", "123:abc"),
    ("TOKEN=123:abc\t# tab, then a comment", "123:abc"),
    ('TOKEN="a # b"', "a # b"),
    ("TOKEN='a # b'  # why", "a # b"),
    ('TOKEN="say \\"hi\\""', 'say "hi"'),
    ("TOKEN='it\\'s'", "it's"),
    ('TOKEN="two\\nlines"', "two\nlines"),
    ("TOKEN='two\\nlines'", "two\\nlines"),
    ('TOKEN="real\nnewline"', "real\nnewline"),
    ("TOKEN='  padded  '", "  padded  "),
    ("TOKEN=a=b=c", "a=b=c"),
    ("TOKEN=пароль-ключ", "пароль-ключ"),
    ("export TOKEN=x1", "x1"),
    ("TOKEN=#no-space-so-not-a-comment", "#no-space-so-not-a-comment"),
    ("TOKEN='$HOME ${HOME}'", "$HOME ${HOME}"),
    ("TOKEN=", ""),
]


def _env_config(tmp_path: Path, env_text: str) -> Path:
    (tmp_path / "secrets.env").write_bytes(env_text.encode("utf-8"))
    (tmp_path / "secrets.env").chmod(0o600)
    config = tmp_path / "c.yaml"
    config.write_text(
        "env_file: secrets.env\nchannels:\n  - {name: a, url: 'json://h/?k=${TOKEN}'}\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize(("line", "value"), ENV_LINES)
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_an_env_file_line_means_what_it_says(
    tmp_path: Path, line: str, value: str, ending: str
) -> None:
    """Before: parsed by hand, ``TOKEN=123:abc # my bot`` kept the comment in the
    token, and quotes, escapes and ``#`` inside quotes came out wrong."""
    text = f"# secrets\nOTHER=1{ending}{line.replace(chr(10), ending)}{ending}"
    if "\n" in line:  # a line break inside quotes is kept as the file has it
        value = value.replace("\n", ending)
    loaded = load_config(_env_config(tmp_path, text), {})
    assert loaded.config.channels[0].url.get_secret_value() == f"json://h/?k={value}"
    assert loaded.warnings == []


def test_a_line_that_is_not_a_setting_is_reported_at_its_line_without_its_text(
    tmp_path: Path,
) -> None:
    """Before: skipped without a word, so a token on such a line was just "not set"."""
    text = (
        "# secrets\n\nTOKEN=ok\n"
        "Sm7p-Pa55 w0rd without a name\n"
        "\n"
        "LONELY_Sm7p\n"
        "BAD='Sm7p-unclosed\n"
    )
    loaded = load_config(_env_config(tmp_path, text), {})
    env = tmp_path / "secrets.env"
    assert loaded.warnings == [
        f"{env}:4: not a NAME=value line (ignored)",
        f"{env}:6: not a NAME=value line (ignored)",
        f"{env}:7: not a NAME=value line (ignored)",
    ]
    assert "Sm7p" not in "".join(loaded.warnings)
    assert loaded.config.channels[0].url.get_secret_value() == "json://h/?k=ok"


@pytest.mark.parametrize(("line", "value"), ENV_LINES)
def test_the_env_file_is_read_as_the_formats_own_reader_reads_it(
    line: str, value: str
) -> None:
    """The values are the library's own (``dotenv_values``, without expansion)."""
    reference = dotenv_values(stream=StringIO(line), interpolate=False)
    assert parse_env_file(line, "secrets.env") == (reference, [])
    assert reference == {"TOKEN": value}


def test_the_env_file_readers_inner_parts_keep_the_shape_parse_env_file_uses() -> None:
    """``parse_env_file`` reads each line through the library's parser module, which
    it does not promise to keep: its reader and the fields of what it yields must be
    the ones read there, or a line is misread or ignored without a word."""
    from dotenv import parser

    assert list(inspect.signature(parser.parse_stream).parameters) == ["stream"]
    assert parser.Binding._fields == ("key", "value", "original", "error")
    assert parser.Original._fields == ("string", "line")
    got = list(parser.parse_stream(StringIO("\nA=1\nno name\n")))
    assert got == [
        parser.Binding("A", "1", parser.Original("\nA=1\n", 1), False),
        parser.Binding(None, None, parser.Original("no name\n", 3), True),
    ]


def test_the_env_file_reader_is_pinned_to_the_minor_release_checked_above() -> None:
    """A new minor release may change those inner parts: pyproject allows only the
    installed one's fixes (before: anything below the next major release)."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    needs = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    (pin,) = [
        Requirement(r) for r in needs["dependencies"] if r.startswith("python-dotenv")
    ]
    installed = Version(version("python-dotenv"))
    assert installed in pin.specifier
    major, minor = installed.release[:2]
    later = [f"{major}.{minor + 1}.0", f"{major}.{minor + 1}.0rc1", f"{major + 1}.0.0"]
    assert [v for v in later if pin.specifier.contains(v, prereleases=True)] == []
