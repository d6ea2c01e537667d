"""The listing last looked at whole: the files events name, by path, and the
backstop's slices, each file once in as many listings (pure)."""

from __future__ import annotations

from pathlib import Path

from logwatch.follow.fileindex import Inode
from logwatch.follow.lastlisting import LastListing
from logwatch.follow.listing import Listed

BASE = Path("/logs")


def listing(n: int) -> dict[Inode, Listed]:
    return {(1, i): Listed(str(BASE / f"bot{i}.log"), "s", 0, 0) for i in range(n)}


def test_an_event_names_a_listed_file_by_its_path() -> None:
    last = LastListing()
    last.saw(listing(3), 30)
    named, unknown = last.named({str(BASE / "bot1.log")})
    assert named == {(1, 1)}
    assert not unknown


def test_a_new_file_in_a_listed_folder_is_not_unknown_one_elsewhere_is() -> None:
    last = LastListing()
    last.saw(listing(3), 30)
    assert last.named({str(BASE)}) == (set(), False)
    assert last.named({str(Path("/elsewhere/x.log"))}) == (set(), True)


def test_the_backstop_looks_at_every_file_once_in_as_many_listings() -> None:
    last = LastListing()
    files = listing(7)
    last.saw(files, 3)
    slices = [last.next_slice() for _ in range(3)]
    assert sorted(i for s in slices for i in s) == sorted(files)
    assert last.next_slice() == slices[0]  # and again from the first


def test_without_events_nothing_is_indexed() -> None:
    last = LastListing()
    last.saw(listing(3), 30)
    last.saw(None, 30)
    assert last.files is None
    assert last.named({str(BASE / "bot1.log")}) == (set(), True)
