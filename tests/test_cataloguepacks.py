"""The catalogue as the rules cache keeps it (cataloguepacks): each exchange's tables
packed apart, unpacked when first needed, the same as before they were packed."""

from __future__ import annotations

import pickle

from logwatch.core.model import Severity
from logwatch.rulebook.catalogue import Catalogue, Category, Entry, Exchange
from logwatch.rulebook.cataloguepacks import agreed_categories, restored
from logwatch.rulebook.cataloguetext import Title

BALANCE = Category(
    "balance",
    Severity.ERROR,
    {"en": "Not enough funds", "ru": "Недостаточно средств"},
    {"en": "Top up.", "ru": "Пополните."},
)


def entry(exchange: str, code: int | None, message: str, category: str) -> Entry:
    return Entry(
        exchange=exchange,
        code=code,
        category=category,
        rule_id=f"{exchange}.code-{code}" if code is not None else None,
        severity=Severity.ERROR,
        title=Title(BALANCE.title, exchange.title(), code, message),
        remedy=BALANCE.remedy or {},
        message=message,
        aliases=(),
        markets=(),
        source=f"{exchange}.codes.csv",
        line=2,
    )


def catalogue() -> Catalogue:
    a = entry("alpha", 2010, "Insufficient balance", "balance")
    b = entry("beta", 2010, "No funds", "balance")
    c = entry("beta", 51008, "Order failed: %s", "balance")
    return Catalogue(
        entries={("alpha", 2010): a, ("beta", 2010): b, ("beta", 51008): c},
        texts={("alpha", "insufficient balance"): a, ("beta", "no funds"): b},
        exchanges={
            ex: Exchange(
                id=ex,
                name=ex.title(),
                title={"en": "?", "ru": "?"},
                remedy={"en": "", "ru": ""},
            )
            for ex in ("alpha", "beta")
        },
        categories={"balance": BALANCE},
        templates={"beta": (("order failed: %s", c),)},
    )


def read_back(made: Catalogue) -> Catalogue:
    try:
        body = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
        back: Catalogue = pickle.loads(body)  # noqa: S301  our own bytes
        return back
    finally:
        restored()


def test_read_back_nothing_is_unpacked_until_an_exchange_is_asked_for() -> None:
    back = read_back(catalogue())
    assert back.packs is not None
    assert back.packs.opened() == []
    assert len(back) == 3
    entry = back.lookup("beta", None, "Order failed: 0.1 BTC")
    assert entry is not None
    assert entry.code == 51008
    assert back.packs.opened() == ["beta"]
    assert back.lookup("gamma", 2010, "") is None
    assert back.packs.opened() == ["beta"]


def test_read_back_the_tables_are_the_same_as_before() -> None:
    made = catalogue()
    back = read_back(made)
    assert dict(back.entries) == dict(made.entries)
    assert dict(back.texts) == dict(made.texts)
    assert dict(back.templates) == dict(made.templates)
    assert dict(back.broad) == dict(made.broad) == {}
    assert ("alpha", 2010) in back.entries
    assert ("alpha", 9) not in back.entries
    assert back.broad.get("alpha", ()) == ()
    assert sorted(back.templates) == ["beta"]
    assert len(back.texts) == 2


def test_an_unpacked_entry_refers_to_its_categorys_own_title_and_remedy() -> None:
    back = read_back(catalogue())
    entry = back.entries["alpha", 2010]
    assert entry.remedy is back.categories["balance"].remedy
    assert dict(entry.title) == dict(catalogue().entries["alpha", 2010].title)


def test_a_code_two_tables_agree_on_has_their_category_read_back_too() -> None:
    made = catalogue()
    assert agreed_categories(made.entries.values()) == {2010: "balance"}
    back = read_back(made)
    assert back.agreed_category(2010) == "balance"
    assert back.agreed_category(51008) == ""  # one table alone
    assert back.packs is not None
    assert back.packs.opened() == []  # kept at rest, not read from the tables


def test_an_unreadable_pack_leaves_its_exchange_unrecognised_said_once() -> None:
    """A pack is read when a line first needs it, in the matching thread, after the
    cache's own checks: one that cannot be read must not raise there (review of
    issue 23's packs); its exchange goes unrecognised, said once, the rest go on."""
    from structlog.testing import capture_logs

    back = read_back(catalogue())
    assert back.packs is not None
    back.packs._packed["beta"] = b"not a pack"  # what a defect would leave
    with capture_logs() as logs:
        assert back.packs.tables("beta") is None
        assert back.packs.tables("beta") is None
        assert back.lookup("alpha", 2010, "") is not None
    said = [e for e in logs if e["event"] == "rules_cache_pack_unreadable"]
    assert [e["exchange"] for e in said] == ["beta"]
    assert back.packs.opened() == ["alpha"]
