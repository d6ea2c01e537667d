"""logwatch beside its anchors, in the same run, on the same files, hits counted equal.

    python bench/anchors_bench.py scan [--lines 1000000] [--error-share 0.01] [--runs 3]
    python bench/anchors_bench.py follow [--rate 1000] [--seconds 15] [--runs 3]
        [--format ninjatrader] [--console]

The anchors are what a trader or an admin would run instead:

- ``fail2ban-regex`` (scan) and ``fail2ban-server`` following the file (follow), with a
  filter equivalent to the seed's errors: Debian's package ``fail2ban``
  (``apt-get install fail2ban python3-pyinotify``; the bench starts its own server with
  a configuration of its own, never the system's service);
- SEC, the Simple Event Correlator (scan: ``sec -notail`` over the file, one ``Single``
  rule writing each matched line): Debian's package ``sec``;
- the floor: ``grep -E`` (scan; and ``rg`` when ripgrep is installed) and
  ``tail -F FILE | grep --line-buffered`` (follow).

An anchor that is not installed is skipped with a line saying how to get it.

scan: writes the 1M-line NinjaTrader-style log of ``scan_bench.py`` (``--error-share``:
the share of error lines, the seed's 8 errors), then runs ``logwatch scan --json`` and
each anchor in turn, round after round (A B C … A B C …), each a whole process timed by
the kernel (user + system CPU of the process and its children, from ``wait4``). Every
tool's hits must equal the error lines written, or the run fails (exit 1). Prints each
tool's median CPU and wall time and, per round, logwatch's CPU over the anchor's: the
median of those ratios.

follow: a writer appends NinjaTrader lines at ``--rate`` lines a second for ``--seconds``
(in a write every 10 ms), an error line every 200 ms (5 a second: within the webhook's
budget of 600 alerts a minute, so each is its own alert), each naming another symbol.
In turn, on a fresh file each: ``logwatch run`` (one ninjatrader source, a loopback
webhook; with ``--console`` also a second run whose channel is ``console://``, its
stderr a pipe the bench reads, as the anchors' actions write to a FIFO),
``fail2ban-server`` (one jail, ``maxretry = 1``, its action writes the banned
id to a FIFO the bench reads), SEC (``sec -input=FILE``, its rule writing each matched
line to a FIFO the bench reads) and the floor. For each: the CPU (process and reaped
children) from the first line written until the last alert arrived, scaled to 1M lines;
line written -> alert p50/p99; every alert must arrive, once. Before the writer starts:
each tool's RSS once ready (logwatch at READY=1, fail2ban-server once its jail started,
SEC and grep once the first error line came through).
With ``--format`` other than ``ninjatrader`` (quantower, metatrader in UTF-16, python
with each error's traceback, json, generic) logwatch follows a log of that format alone:
the anchors' filters are written for NinjaTrader's lines.
Linux only (/proc, inotify, NOTIFY_SOCKET).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))
from scan_bench import NOISE, SYMBOLS, generate

HOW = {
    "fail2ban": "apt-get install fail2ban python3-pyinotify",
    "sec": "apt-get install sec",
    "rg": "apt-get install ripgrep",
}
#: the seed's 8 error messages (``scan_bench.ERRORS``), as the generated lines carry them
ALT = (
    "Margin is insufficient|Timestamp for this request is outside of the recvWindow"
    "|Invalid API-key, IP, or permissions for action|Order's notional must be no "
    "smaller than|Too many new orders|Balance is insufficient|This listenKey does not "
    "exist|Signature for this request is not valid"
)
#: one pattern for every line-oriented tool (grep -E, rg, SEC's Perl regex)
LINE_RE = rf"\|[0-9]+\|[0-9]+\|Refuse \([^)]+\): ({ALT})"
F2B_FILTER = f"""[Definition]
failregex = ^\\|\\d+\\|\\d+\\|Refuse \\((?:<F-ID>[^)]+</F-ID>)\\): (?:{ALT})
datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S:%%f
"""
#: following: the banned id is the symbol, so every error line is its own ban
F2B_FOLLOW_FILTER = F2B_FILTER.replace(
    "\\((?:<F-ID>[^)]+</F-ID>)\\): (?:" + ALT + ")",
    "\\([^)]+\\): (?:" + ALT + ")[^(]*\\((?:<F-ID>\\w+</F-ID>)\\)",
)
SEC_RULE = """type=Single
ptype=RegExp
pattern={pattern}
desc=hit
action=write {out} $0
"""


def missing(tool: str) -> bool:
    """Whether ``tool`` is absent (then say how to get it)."""
    if shutil.which({"fail2ban": "fail2ban-server"}.get(tool, tool)):
        return False
    print(f"{tool}: not installed, skipped (Debian/Ubuntu: {HOW[tool]})")
    return True


@dataclass
class Timed:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def timed(cmd: list[str], out: Path, cwd: Path) -> tuple[float, float, float]:
    """Run ``cmd`` (stdout to ``out``): CPU s (its own and its children's), wall s and
    peak RSS MB, as the kernel accounts the finished process (stderr to ``.err``)."""
    with out.open("wb") as fh, out.with_suffix(".err").open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def f2b_matched(path: Path) -> int:
    found = re.search(
        r"Lines: \d+ lines, \d+ ignored, (\d+) matched",
        path.read_text(encoding="utf-8", errors="replace"),
    )
    return int(found.group(1)) if found else -1


def scan(args: argparse.Namespace) -> bool:
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    share = "" if args.error_share == 0.01 else f".e{args.error_share:g}"
    log = work / f"log.20260916.{args.lines:05d}{share}.txt"
    errors_file = log.with_suffix(".errors")
    if not log.exists() or not errors_file.exists():
        errors_file.write_text(
            str(generate(log, args.lines, error_share=args.error_share)),
            encoding="utf-8",
        )
    errors = int(errors_file.read_text(encoding="utf-8"))
    print(f"{log}: {args.lines} lines, {errors} error lines")
    filt = work / "seed-filter.conf"
    filt.write_text(F2B_FILTER, encoding="utf-8")
    sec_out = work / "sec.out"
    sec_conf = work / "seed.sec"
    sec_conf.write_text(SEC_RULE.format(pattern=LINE_RE, out=sec_out), "utf-8")
    #: name -> (command, how to count its hits from its stdout file)
    tools: dict[str, tuple[list[str], Callable[[Path], int]]] = {
        "logwatch": (
            [sys.executable, "-m", "logwatch", "scan", "--json", str(log)],
            count_lines,
        ),
        "grep": (["grep", "-E", LINE_RE, str(log)], count_lines),
    }
    if not missing("rg"):
        tools["rg"] = (["rg", "--no-config", "-N", LINE_RE, str(log)], count_lines)
    if not missing("sec"):
        tools["sec"] = (
            [
                *("sec", f"-conf={sec_conf}", f"-input={log}"),
                *("-notail", "-fromstart", "-debug=1", "-nointevents"),
            ],
            lambda _out: count_lines(sec_out),
        )
    if not missing("fail2ban"):
        tools["fail2ban-regex"] = (["fail2ban-regex", str(log), str(filt)], f2b_matched)
    times = {name: Timed() for name in tools}
    ok = True
    # run from a directory without a logwatch/ package; the first round warms caches
    for round_ in range(args.runs + 1):
        for name, (cmd, hits_of) in tools.items():
            sec_out.unlink(missing_ok=True)
            out = work / f"{name}.out"
            cpu, wall, rss = timed(cmd, out, cwd=Path("/"))
            hits = hits_of(out)
            if hits != errors:
                print(f"MISMATCH: {name} counted {hits} hits, {errors} error lines")
                ok = False
            if round_:
                times[name].cpu.append(cpu)
                times[name].wall.append(wall)
                times[name].rss_mb.append(rss)
    med = statistics.median
    for name, t in times.items():
        print(
            f"{name:<15} {errors} hits; CPU {med(t.cpu):.3f} s "
            f"({min(t.cpu):.3f}-{max(t.cpu):.3f}), wall {med(t.wall):.3f} s, "
            f"peak RSS {med(t.rss_mb):.1f} MB"
        )
    lw = times["logwatch"].cpu
    for name, t in times.items():
        if name != "logwatch":
            ratios = [a / b for a, b in zip(lw, t.cpu, strict=True)]
            print(
                f"logwatch CPU / {name}'s: {med(ratios):.2f} "
                f"(pairs {min(ratios):.2f}-{max(ratios):.2f}; {len(ratios)} rounds)"
            )
    return ok


# ---------------------------------------------------------------- following

#: a symbol the bench writes: digits, or (MetaTrader 5, whose keys count digits as one)
#: the same number in letters A-J
_SYMBOL = re.compile(rb"BENCH(?:\d{5}|[A-J]{5})USDT")


def proc_cpu(pid: int) -> float:
    """CPU of a live process and its reaped children (/proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1]
    ticks = [int(x) for x in fields.split()[11:15]]
    return sum(ticks) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


class Received:
    """When each symbol arrived (the first time) and how many times."""

    def __init__(self) -> None:
        self.at: dict[bytes, float] = {}
        self.count = 0
        self.cond = threading.Condition()

    def add(self, data: bytes) -> None:
        now = time.perf_counter()
        with self.cond:
            for symbol in set(_SYMBOL.findall(data)):
                self.count += 1
                self.at.setdefault(symbol, now)
            self.cond.notify_all()

    def wait(self, symbols: int, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.at) >= symbols, timeout)

    def reader(self, stream: int) -> None:
        """Read a pipe or FIFO until it closes, line by line."""
        with os.fdopen(stream, "rb", buffering=0) as fh:
            pending = b""
            while chunk := fh.read(65536):
                pending += chunk
                *whole, pending = pending.split(b"\n")
                for line in whole:
                    self.add(line)


def error_line(symbol: str) -> str:
    return (
        f"{datetime.now():%Y-%m-%d %H:%M:%S:%f}"[:-3]  # noqa: DTZ005  local, as written
        + f"|0|4|Refuse (Binance Futures): Margin is insufficient. ({symbol})\n"
    )


def _ts(fmt: str, ms: str = ".%f") -> str:
    """The local time now in ``fmt`` with milliseconds (``ms``: how they are joined)."""
    return datetime.now().strftime(fmt + ms)[:-3]  # noqa: DTZ005  local, as written


def _letters(symbol: str) -> str:
    """``BENCH00042USDT`` as ``BENCHAAAECUSDT``: another symbol once digits are masked."""
    return re.sub(r"\d", lambda m: chr(ord("A") + int(m.group())), symbol)


@dataclass(frozen=True)
class Shape:
    """One log format as the follow bench writes it: a file name and encoding, a noise
    line made of a message, an error line naming a symbol (each its own alert)."""

    name: str
    file: str
    encoding: str
    noise: Callable[[str], str]
    error: Callable[[str], str]
    symbol: Callable[[str], str] = str


_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "bot.py", line 3, in place\n'
    "binance.exceptions.BinanceAPIException: APIError(code=-2019): "
    "Margin is insufficient.\n"
)
#: what ``follow --format`` writes, per format logwatch reads (the anchors' filters are
#: for NinjaTrader's lines: with another format logwatch runs alone)
SHAPES = {
    "ninjatrader": Shape(
        "ninjatrader",
        "log.20261207.00000.txt",
        "utf-8",
        lambda m: f"{_ts('%Y-%m-%d %H:%M:%S', ':%f')}|1|16|{m}\n",
        error_line,
    ),
    "quantower": Shape(
        "quantower",
        "20261207.log",
        "utf-8",
        lambda m: f"{_ts('%Y-%m-%d %H:%M:%S')} [Info] {m}\n",
        lambda s: (
            f"{_ts('%Y-%m-%d %H:%M:%S')} [Trading] Refuse (Binance Futures): "
            f"Margin is insufficient. ({s})\n"
        ),
    ),
    "metatrader": Shape(
        "metatrader",
        "20261207.log",
        "utf-16-le",
        lambda m: f"KO\t0\t{_ts('%H:%M:%S')}\tExperts\t'5512345': {m}\r\n",
        lambda s: (
            f"CS\t2\t{_ts('%H:%M:%S')}\tTrades\t'5512345': failed market buy "
            f"0.01 {s} [Not enough money]\r\n"
        ),
        _letters,
    ),
    "python": Shape(
        "python",
        "freqtrade.log",
        "utf-8",
        lambda m: f"{_ts('%Y-%m-%d %H:%M:%S', ',%f')} - bot - INFO - {m}\n",
        lambda s: (
            f"{_ts('%Y-%m-%d %H:%M:%S', ',%f')} - bot - ERROR - order failed "
            f"({s})\n{_TRACE}"
        ),
    ),
    "json": Shape(
        "json",
        "bot.jsonl",
        "utf-8",
        lambda m: f'{{"@t":"{_iso()}","lvl":"Info","ev":"{m}"}}\n',
        lambda s: (
            f'{{"@t":"{_iso()}","lvl":"Trading","ev":"Refuse (Binance Futures): '
            f'Margin is insufficient. ({s})"}}\n'
        ),
    ),
    "generic": Shape(
        "generic",
        "bot.log",
        "utf-8",
        lambda m: f"{_ts('%Y-%m-%d %H:%M:%S')} {m}\n",
        lambda s: (
            f"{_ts('%Y-%m-%d %H:%M:%S')} Refuse (Binance Futures): Margin is "
            f"insufficient. ({s})\n"
        ),
    ),
}


def _iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class Follower:
    """One following tool: started, ready, its pids to account, stopped."""

    name = ""
    pids: list[int]
    #: its RSS is taken once the first alert arrived (no READY of its own to wait on)
    rss_after_first = False

    def rss_mb(self) -> float:
        return proc_rss_mb(self.pids[0])

    def cpu(self) -> float:
        return sum(proc_cpu(p) for p in self.pids)

    def stop(self) -> None:
        raise NotImplementedError


class Logwatch(Follower):
    name = "logwatch run"
    #: the source's format (``follow --format``)
    fmt = "ninjatrader"
    #: each alert written to stderr (``console://``, read through a pipe, as the
    #: anchors' actions write to a FIFO) instead of POSTed to the loopback webhook
    console = False

    def __init__(self, work: Path, log: Path, got: Received) -> None:
        from tests.servers import Hook

        self.hook: Hook | None = None
        self.got = got
        if self.console:
            channel = "'console://'"
        else:
            self.hook = Hook()
            channel = f"'json://127.0.0.1:{self.hook.port}/a'"
            threading.Thread(target=self._stamp, daemon=True).start()
        env = {
            **os.environ,
            "HOME": str(work),
            "NO_PROXY": "127.0.0.1",
            "NOTIFY_SOCKET": str(work / "notify"),
            "LOGWATCH_CACHE_DIR": str(work.parent / "cache"),
        }
        self.err = work / "logwatch.err"
        config = work / "config.yaml"
        config.write_text(
            f"language: en\nstate_dir: {work / 'state'}\nsources:\n"
            f"  - name: bench\n    format: {self.fmt}\n    paths: ['{log}']\n"
            f"channels:\n  - name: out\n    url: {channel}\n    max_per_minute: 600\n",
            encoding="utf-8",
        )
        # open until the end: the daemon says STOPPING=1 there too
        self.notify = notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if True:
            notify.bind(env["NOTIFY_SOCKET"])
            notify.settimeout(60)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "logwatch", "run", "--config", str(config)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE if self.console else self.err.open("wb"),
                cwd="/",
            )
            if self.proc.stderr is not None:
                reading = os.dup(self.proc.stderr.fileno())
                self.proc.stderr.close()
                threading.Thread(
                    target=self._alerts, args=(reading,), daemon=True
                ).start()
            while not notify.recv(256).startswith(b"READY=1"):
                pass
        # read on, as systemd does: a full socket blocks the daemon's next notice
        threading.Thread(target=self._drain, daemon=True).start()
        self.pids = [self.proc.pid]

    def _drain(self) -> None:
        self.notify.settimeout(None)
        try:
            while self.notify.recv(4096):
                pass
        except OSError:  # closed by stop()
            return

    def _alerts(self, stream: int) -> None:
        """The console channel's alerts on stderr: each its ``logwatch| `` lines and a
        blank one; the daemon's own log lines between them kept for a failure."""
        with os.fdopen(stream, "rb") as fh, self.err.open("wb") as err:
            alert: list[bytes] = []
            for line in fh:
                if line.startswith(b"logwatch| "):
                    alert.append(line)
                elif alert:
                    self.got.add(b"".join(alert))
                    alert = []
                else:
                    err.write(line)

    def _stamp(self) -> None:
        hook = self.hook
        assert hook is not None  # started with the hook
        seen = 0
        with hook.cond:
            while True:
                hook.cond.wait_for(lambda n=seen: len(hook.requests) > n)
                for body in hook.requests[seen:]:
                    self.got.add(f"{body['title']} {body['message']}".encode())
                seen = len(hook.requests)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            err = self.err.read_text(encoding="utf-8", errors="replace")
            print(
                f"logwatch run: still running 60 s after SIGTERM, killed; {err[-600:]}"
            )
        self.notify.shutdown(socket.SHUT_RDWR)
        self.notify.close()
        if self.hook is not None:
            self.hook.close()


class LogwatchConsole(Logwatch):
    name = "logwatch run (console)"
    console = True


class Fail2ban(Follower):
    name = "fail2ban-server"

    def __init__(self, work: Path, log: Path, got: Received) -> None:
        conf = work / "f2b"
        (conf / "filter.d").mkdir(parents=True)
        (conf / "action.d").mkdir()
        fifo = work / "bans.fifo"
        os.mkfifo(fifo)
        # read-write: the reader never sees an end while no action has it open
        threading.Thread(
            target=got.reader, args=(os.open(fifo, os.O_RDWR),), daemon=True
        ).start()
        (conf / "fail2ban.conf").write_text(
            f"[Definition]\nloglevel = INFO\nlogtarget = {work / 'f2b.log'}\n"
            f"socket = {work / 'f2b.sock'}\npidfile = {work / 'f2b.pid'}\n"
            f"dbfile = {work / 'f2b.sqlite3'}\ndbpurgeage = 1d\n",
            encoding="utf-8",
        )
        (conf / "filter.d" / "bench.conf").write_text(
            F2B_FOLLOW_FILTER, encoding="utf-8"
        )
        (conf / "action.d" / "hit.conf").write_text(
            "[Definition]\nactionstart =\nactionstop =\nactioncheck =\n"
            f"actionban = printf '%%s\\n' '<ip>' > {fifo}\nactionunban =\n",
            encoding="utf-8",
        )
        (conf / "jail.conf").write_text(
            f"[bench]\nenabled = true\nfilter = bench\nlogpath = {log}\n"
            "backend = auto\nmaxretry = 1\nfindtime = 600\nbantime = 3600\n"
            "action = hit\nusedns = no\nignoreself = false\n",
            encoding="utf-8",
        )
        self.proc = subprocess.Popen(
            ["fail2ban-server", "-f", "-x", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=work,
        )
        self.pids = [self.proc.pid]
        started = work / "f2b.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # no event to wait on: its log says it
            if started.exists() and "Jail 'bench' started" in started.read_text(
                encoding="utf-8", errors="replace"
            ):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"fail2ban-server did not start; see {started}")
        backend = re.search(
            r"Initiated '(\w+)' backend", started.read_text(encoding="utf-8")
        )
        self.name = f"fail2ban-server ({backend.group(1) if backend else '?'})"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


class Sec(Follower):
    name = "sec"
    rss_after_first = True

    def __init__(self, work: Path, log: Path, got: Received) -> None:
        fifo = work / "sec.fifo"
        os.mkfifo(fifo)
        threading.Thread(
            target=got.reader, args=(os.open(fifo, os.O_RDWR),), daemon=True
        ).start()
        conf = work / "seed.sec"
        conf.write_text(SEC_RULE.format(pattern=LINE_RE, out=fifo), encoding="utf-8")
        # -fromstart: the first error line is seen however soon it is written
        self.proc = subprocess.Popen(
            [
                *("sec", f"-conf={conf}", f"-input={log}"),
                *("-fromstart", "-debug=1", "-nointevents"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=work,
        )
        self.pids = [self.proc.pid]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


class Floor(Follower):
    name = "tail -F | grep"
    rss_after_first = True

    def __init__(self, work: Path, log: Path, got: Received) -> None:
        self.tail = subprocess.Popen(
            ["tail", "-n", "+1", "-F", str(log)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.tail.stdout is not None
        self.grep = subprocess.Popen(
            ["grep", "--line-buffered", "-E", LINE_RE],
            stdin=self.tail.stdout,
            stdout=subprocess.PIPE,
        )
        self.tail.stdout.close()
        assert self.grep.stdout is not None
        threading.Thread(
            target=got.reader, args=(os.dup(self.grep.stdout.fileno()),), daemon=True
        ).start()
        self.pids = [self.grep.pid, self.tail.pid]

    def stop(self) -> None:
        self.tail.terminate()
        self.tail.wait(10)
        self.grep.wait(10)


@dataclass
class Followed:
    cpu_per_1m: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    name: str = ""


def follow_once(
    kind: type[Follower],
    root: Path,
    rate: int,
    seconds: float,
    tag: str,
    shape: Shape = SHAPES["ninjatrader"],
) -> tuple[str, float, float, float, float, bool]:
    """One tool following a fresh file: (name, CPU per 1M lines, p50 ms, p99 ms,
    RSS MB when ready, every alert once)."""
    work = root / tag
    work.mkdir()
    log = work / shape.file
    log.write_text(shape.noise("bench start"), encoding=shape.encoding, newline="")
    got = Received()
    tool = kind(work, log, got)
    rss = tool.rss_mb()
    # a first error line, through the whole path: the tool follows the file
    with log.open("a", encoding=shape.encoding, newline="") as fh:
        fh.write(shape.error(shape.symbol("BENCH99999USDT")))
    if not got.wait(1, 60):
        tool.stop()
        raise RuntimeError(f"{tool.name}: the first alert did not arrive")
    if tool.rss_after_first:
        rss = tool.rss_mb()
    cpu0 = tool.cpu()
    per_tick = max(1, rate // 100)
    written: dict[bytes, float] = {}
    lines, n, t0 = 0, 0, time.perf_counter()
    with log.open("a", encoding=shape.encoding, newline="") as fh:
        tick = 0
        while tick * 0.01 < seconds:
            chunk = []
            for _ in range(per_tick):
                if lines % (rate // 5) == 0:
                    symbol = shape.symbol(f"BENCH{n:05d}USDT")
                    n += 1
                    chunk.append(shape.error(symbol))
                    written[symbol.encode()] = 0.0
                else:
                    chunk.append(
                        shape.noise(
                            NOISE[lines % len(NOISE)].format(
                                n=lines, sym=SYMBOLS[lines % len(SYMBOLS)], p=lines / 7
                            )
                        )
                    )
                lines += 1
            fh.write("".join(chunk))
            fh.flush()
            at = time.perf_counter()
            for line in chunk:
                found = _SYMBOL.search(line.encode())
                if found and written.get(found.group()) == 0.0:
                    written[found.group()] = at
            tick += 1
            time.sleep(max(0.0, t0 + tick * 0.01 - time.perf_counter()))
    arrived = got.wait(n + 1, 60)
    cpu = tool.cpu() - cpu0
    name = tool.name
    tool.stop()
    ms = sorted((got.at[s] - w) * 1000 for s, w in written.items() if s in got.at)
    once = arrived and got.count == n + 1
    if not once:
        print(
            f"MISMATCH: {name} had {len(got.at) - 1} of {n} alerts "
            f"({got.count - 1} deliveries)"
        )
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("nan")
    med = statistics.median(ms) if ms else float("nan")
    return name, cpu / lines * 1e6, med, p99, rss, once


def follow(args: argparse.Namespace) -> bool:
    sys.path.append(str(Path(__file__).resolve().parents[1]))  # tests/: the Hook
    shape = SHAPES[args.format]
    ours: list[type[Logwatch]] = [Logwatch, LogwatchConsole][: 1 + args.console]
    if shape.name != "ninjatrader":
        ours = [
            type(
                k.__name__,
                (k,),
                {"fmt": shape.name, "name": f"{k.name} [{shape.name}]"},
            )
            for k in ours
        ]
    kinds: list[type[Follower]] = [*ours]
    if shape.name == "ninjatrader" and not missing("fail2ban"):
        kinds.append(Fail2ban)
    if shape.name == "ninjatrader" and not missing("sec"):
        kinds.append(Sec)
    if shape.name == "ninjatrader":
        kinds.append(Floor)
    root = Path(tempfile.mkdtemp(prefix="logwatch-anchors-"))
    results: dict[type[Follower], Followed] = {k: Followed() for k in kinds}
    ok = True
    try:
        for run in range(args.runs):
            for kind in kinds:
                name, cpu, p50, p99, rss, once = follow_once(
                    kind, root, args.rate, args.seconds, f"{kind.__name__}{run}", shape
                )
                ok = ok and once
                r = results[kind]
                r.name = name
                r.cpu_per_1m.append(cpu)
                r.p50.append(p50)
                r.p99.append(p99)
                r.rss_mb.append(rss)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    med = statistics.median
    errors = int(args.seconds * 5)
    print(
        f"following at {args.rate:,} lines/s for {args.seconds:g} s "
        f"({errors} error lines, 5 a second), {args.runs} runs each, in turn:"
    )
    for r in results.values():
        print(
            f"  {r.name:<28} CPU per 1M lines {med(r.cpu_per_1m):.1f} s "
            f"({min(r.cpu_per_1m):.1f}-{max(r.cpu_per_1m):.1f}); line -> alert "
            f"p50 {med(r.p50):.1f} ms, p99 {med(r.p99):.1f} ms; RSS when ready "
            f"{med(r.rss_mb):.1f} MB"
        )
    for mine in ours:
        lw = results[mine]
        for kind, r in results.items():
            if kind not in ours:
                cpu = [a / b for a, b in zip(lw.cpu_per_1m, r.cpu_per_1m, strict=True)]
                rss = [a / b for a, b in zip(lw.rss_mb, r.rss_mb, strict=True)]
                print(
                    f"{lw.name} / {r.name}: CPU {med(cpu):.2f} (runs "
                    f"{min(cpu):.2f}-{max(cpu):.2f}), RSS when ready {med(rss):.2f}"
                )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("scan", "follow"))
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--error-share", type=float, default=0.01)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logwatch-bench"))
    parser.add_argument("--rate", type=int, default=1000, help="lines a second")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--format",
        choices=sorted(SHAPES),
        default="ninjatrader",
        help="follow: the log's format; the anchors run only beside ninjatrader",
    )
    parser.add_argument(
        "--console",
        action="store_true",
        help="follow: also logwatch with its alerts written to stderr (a pipe), "
        "as the anchors write theirs, beside the webhook run",
    )
    args = parser.parse_args()
    ok = scan(args) if args.what == "scan" else follow(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
