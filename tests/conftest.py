"""Fixtures every test gets: no leaked threads, no LOGWATCH_* from the environment, a fresh
structlog, and a deterministic Hypothesis profile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog

pytest.register_assert_rewrite("tests.follow_harness")
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# A suite started in the background by a shell without job control (``cmd &`` in a
# script, as a CI runner may) inherits SIGINT ignored, and an ignored signal stays
# ignored across exec: the processes the tests start in a terminal would never see
# the Ctrl-C they are sent. Python's own handler here is reset to the default at exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def wait_until(
    predicate: Callable[[], bool],
    timeout: float = 5.0,
    what: str | Callable[[], str] = "condition",
) -> None:
    """Block until ``predicate()`` is true; fail the test at the deadline."""
    event = threading.Event()
    deadline = timeout
    step = 0.005
    waited = 0.0
    while not predicate():
        if waited >= deadline:
            said = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout} s waiting for {said}")
        event.wait(step)
        waited += step
        step = min(step * 2, 0.1)


def _threads() -> int:
    # Apprise sends through a process-wide ThreadPoolExecutor whose idle workers live on
    # by design; they are not leaks of a test (logwatch itself uses no pool).
    return sum(
        1 for t in threading.enumerate() if not t.name.startswith("ThreadPoolExecutor-")
    )


@pytest.fixture(autouse=True)
def _no_thread_leaks() -> Iterator[None]:
    before = _threads()
    yield
    wait_until(lambda: _threads() <= before, 5, "threads started by the test to end")


#: Processes a test started (``Run`` in test_daemon.py) and the threads reading them.
STARTED: list[tuple[subprocess.Popen[str], threading.Thread]] = []


@pytest.fixture(autouse=True)
def _no_process_left(_no_thread_leaks: None) -> Iterator[None]:
    """A test that fails before it stops its daemon would leave it running, and the
    thread reading it: kill what still runs (before the thread check, hence its use)."""
    yield
    left, STARTED[:] = list(STARTED), []
    for proc, reader in left:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        reader.join(5)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="session", name="rules_cache")
def _rules_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rules cache for the whole run: never the user's own cache directory."""
    return tmp_path_factory.mktemp("rules-cache")


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, rules_cache: Path) -> None:
    for name in list(os.environ):
        if name.startswith("LOGWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LOGWATCH_CACHE_DIR", str(rules_cache))
    # the key that signs it: never the user's own either
    monkeypatch.setenv("LOGWATCH_CACHE_KEY", str(rules_cache.with_name("cache.key")))


#: Known Folders a test's own profile has on Windows: (platformdirs' CSIDL name, the
#: variable that names it too, the folder under the profile).
KNOWN_FOLDERS = (
    ("LOCAL_APPDATA", "LOCALAPPDATA", "AppData/Local"),
    ("APPDATA", "APPDATA", "AppData/Roaming"),
    ("PERSONAL", "", "Documents"),
    ("DESKTOPDIRECTORY", "", "Desktop"),
    ("DOWNLOADS", "", "Downloads"),
)


@pytest.fixture(autouse=True)
def _own_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On Windows the user's folders come from the shell (Known Folders), not from
    HOME or XDG_*: each test gets its own profile, so no test reads or writes the
    real %LOCALAPPDATA%\\logwatch (a state, a lock or a config of another test's)."""
    if sys.platform != "win32":
        return
    profile = tmp_path_factory.mktemp("profile")
    monkeypatch.setenv("USERPROFILE", str(profile))
    for csidl, variable, under in KNOWN_FOLDERS:
        folder = profile / under
        folder.mkdir(parents=True)
        monkeypatch.setenv(f"WIN_PD_OVERRIDE_{csidl}", str(folder))
        if variable:
            monkeypatch.setenv(variable, str(folder))


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


@pytest.fixture(name="fake_channels")
def _fake_channels() -> Iterator[None]:
    """The recording fake:// channels (tests/fakes.py), emptied before and after."""
    from tests import fakes

    fakes.SENT.clear()
    fakes.DOWN.clear()
    yield
    fakes.SENT.clear()
    fakes.DOWN.clear()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk only to servers on 127.0.0.1: never through a proxy from the
    environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


#: ``LOGWATCH_TEST_SAMPLE=N`` (the Windows lane, where each test costs more under
#: emulation): of the tests generated from the catalogue's data, one in N is run,
#: the same ones on every xdist worker; every test function keeps at least its first.
SAMPLE_ENV = "LOGWATCH_TEST_SAMPLE"
#: the modules whose tests are one per catalogue entry (thousands)
SAMPLED_MODULES = ("tests/test_catalogue.py",)


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    every = int(os.environ.get(SAMPLE_ENV, "0") or 0)
    if every <= 1:
        return
    seen: dict[str, int] = {}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        module = item.nodeid.split("::", 1)[0].replace("\\", "/")
        if module not in SAMPLED_MODULES:
            kept.append(item)
            continue
        function = item.nodeid.split("[", 1)[0]
        n = seen.get(function, 0)
        seen[function] = n + 1
        (kept if n % every == 0 else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
