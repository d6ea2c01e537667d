"""The word classifier's categories, from tables of lines, the shipped tables' texts
and the messages the runtime itself writes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from logwatch.match.categorywords import classify_words
from tests.samples import shipped_rules


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Insufficient margin", "balance_margin"),
        ("недостаточно средств", "balance_margin"),
        ("no enough available", "balance_margin"),
        ("Too many requests", "rate_limit"),
        ("превышен лимит запросов", "rate_limit"),
        ("Invalid nonce", "nonce"),
        ("Timestamp for this request is outside of the recvWindow", "timestamp"),
        ("Signature for this request is not valid", "signature"),
        ("invalid api key", "auth_permission"),
        ("system maintenance", "maintenance"),
        ("технические работы", "maintenance"),
        ("Order value is too small", "min_notional"),
        ("less than minimal amount", "min_notional"),
        ("Invalid quantity", "order_filter"),
        ("Price less than min price", "order_filter"),
        ("ReduceOnly Order is rejected", "position"),
        ("Order does not exist", "order_not_found"),
        ("Duplicate clientOrderId", "duplicate_order"),
        ("market is closed", "market_closed"),
        ("рынок закрыт", "market_closed"),
        ("account has been frozen", "account_restricted"),
        ("Max retries exceeded with url", "connection_lost"),
        ("соединение потеряно", "connection_lost"),
        (
            "Connectivity between IB and Trader Workstation has been lost",
            "connection_lost",
        ),
        ("Connection to the server was lost", "connection_lost"),
        ("does not support market orders", "not_supported"),
        ("Failed to submit buy order to Kucoin", "order_rejected"),
        ("Invalid parameter", "request_params"),
    ],
)
def test_words_name_their_category(text: str, category: str) -> None:
    said = classify_words(text)
    assert said is not None
    assert said[0] == category


def test_words_of_no_category_name_none() -> None:
    assert classify_words("the strategy started") is None


# -- the words of identifiers, program errors as their runtime prints them ----------


def _identifier_forms(text: str) -> list[str]:
    """``Insufficient margin`` as exchanges and libraries name it: UPPER_SNAKE and
    CamelCase (``INSUFFICIENT_MARGIN``, ``InsufficientMargin``)."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return ["_".join(w.upper() for w in words), "".join(w.title() for w in words)]


def _worded_texts() -> list[tuple[str, str]]:
    """Every text of the shipped tables whose words name its own category, once per
    (category, text): the tables' data, not a list written here."""

    seen: dict[tuple[str, str], None] = {}
    for entry in shipped_rules().catalogue.entries.values():
        text = entry.message or ""
        said = classify_words(text) if 2 <= len(text.split()) <= 10 else None
        if said is not None and said[0] == entry.category:
            seen.setdefault((text, entry.category), None)
    return sorted(seen)


WORDED = _worded_texts()


def test_the_tables_hold_texts_the_words_name() -> None:
    assert len(WORDED) >= 150


@pytest.mark.parametrize(("text", "category"), WORDED)
def test_a_text_written_as_an_identifier_names_the_same_category(
    text: str, category: str
) -> None:
    """``PRICE_FILTER``, ``INSUFFICIENT_FUND``, ``ServiceUnavailable``: exchanges'
    and libraries' error names say what their words say."""
    for form in _identifier_forms(text):
        said = classify_words(f"Filter failure: {form}")
        assert said is not None, form
        assert said[0] == category, form


def _runtime_errors() -> list[BaseException]:
    """Errors CPython itself raises, each with the message it writes."""
    found: list[BaseException] = []

    def two(a: object, b: object) -> None:
        del a, b

    attempts: list[Callable[[], object]] = [
        lambda: two(1, 2, 3),  # type: ignore[call-arg]
        lambda: two(1),  # type: ignore[call-arg]
        lambda: two(1, 2, c=3),  # type: ignore[call-arg]
        lambda: object().ping,  # type: ignore[attr-defined]
        lambda: list(None),  # type: ignore[call-overload]
        lambda: two.__defaults__[0],  # type: ignore[index]
        lambda: str(two)[str(two)],  # type: ignore[index]
        lambda: int(""),
        lambda: [][1],
        lambda: 1 / 0,
    ]
    for attempt in attempts:
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - collecting what the runtime says
            found.append(exc)
    return found


RUNTIME_ERRORS = _runtime_errors()


def test_every_runtime_error_was_raised() -> None:
    assert len(RUNTIME_ERRORS) == 10


@pytest.mark.parametrize("exc", RUNTIME_ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "shape",
    ["{message}", "An error occurred: {message}", "{name}: {message}"],
)
def test_a_program_error_in_its_runtime_s_words_is_program_runtime(
    exc: BaseException, shape: str
) -> None:
    text = shape.format(message=exc, name=type(exc).__name__)
    said = classify_words(text)
    assert said is not None, text
    assert said[0] == "program_runtime", text
