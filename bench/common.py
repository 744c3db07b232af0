"""What the benchmarks share: the machine, generated campaigns and users, the bot process."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import BUNDLED_CAMPAIGN
from bot.telegram.standin import StandIn
from db.connection import Database
from domain.campaign import Campaign, parse_campaign
from domain.model import Role

BASE_USER = 10_000_000


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{dt.date.today():%d/%m/%Y} · {os.cpu_count()} cores · {cpu}{mem} · "
        f"Python {platform.python_version()} · {platform.system()} {platform.machine()}"
    )


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"p50 {pct(ms, 50):.1f} ms · p95 {pct(ms, 95):.1f} ms · p99 {pct(ms, 99):.1f} ms"
        f" (n={len(ms)}, median of run)"
        if ms
        else "no samples"
    )


def campaign_text(
    agencies: int, items_each: int = 2, due: dt.date | None = None, extra: str = ""
) -> str:
    """A campaign of ``agencies`` agencies (plus the consolidator), ``items_each`` items each."""
    base = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    head = base[: base.index("[[agencies]]")]
    head = head.replace('code = "bac-ninh-2025"', 'code = "bench"')
    if due:
        head = head.replace("plans_due = 2026-01-21", f"plans_due = {due.isoformat()}")
        head = head.replace(
            "consolidation_due = 2026-01-22",
            f"consolidation_due = {(due + dt.timedelta(days=1)).isoformat()}",
        )
    parts = [head, '[[agencies]]\ncode = "STC"\nname = "Sở Tài chính"\n']
    for n in range(1, agencies + 1):
        parts.append(f'[[agencies]]\ncode = "A{n:05d}"\nname = "Đơn vị số {n}"\n')
    for n in range(1, agencies + 1):
        for k in range(1, items_each + 1):
            parts.append(
                f'[[items]]\ngroup = {n}\nagencies = ["A{n:05d}"]\n'
                f'text = "Hạn chế, khuyết điểm {k} của đơn vị số {n}: công tác còn chậm."\n'
            )
    parts.append(extra)
    return "".join(parts)


def user_id(n: int) -> int:
    return BASE_USER + n


async def prepare(
    folder: Path,
    agencies: int,
    *,
    due: dt.date | None = None,
    consolidator: bool = False,
    extra: str = "",
) -> tuple[Path, Path, Campaign]:
    """A database with the campaign loaded and one focal person linked per agency."""
    folder.mkdir(parents=True, exist_ok=True)
    campaign_file = folder / "campaign.toml"
    campaign_file.write_text(campaign_text(agencies, due=due, extra=extra), encoding="utf-8")
    campaign = parse_campaign(campaign_file.read_text(encoding="utf-8"))
    db_path = folder / "bench.sqlite3"
    db = await Database.open(db_path)
    now = dt.datetime.now(dt.UTC)
    try:
        async with db.transaction() as tx:
            await tx.campaigns.load(campaign, now)
            # as after the bot's first start with this file: a restart does not parse it again
            source = hashlib.sha256(campaign_file.read_bytes()).hexdigest()
            await tx.campaigns.set_source_digest(campaign.code, source)
            for n in range(1, agencies + 1):
                user = await tx.users.ensure("telegram", str(user_id(n)), f"Đầu mối {n}", now)
                agency = await tx.campaigns.agency_by_code(f"A{n:05d}")
                assert agency is not None
                await tx.users.grant(user.id, agency.id, Role.FOCAL, now)
            if consolidator:
                user = await tx.users.ensure("telegram", str(user_id(0)), "Tổng hợp", now)
                stc = await tx.campaigns.agency_by_code("STC")
                assert stc is not None
                await tx.users.grant(user.id, stc.id, Role.CONSOLIDATOR, now)
    finally:
        await db.close()
    return db_path, campaign_file, campaign


_SYNC = re.compile(r"^\d+\s+(\d+\.\d+)\s+f(?:data)?sync\(", re.MULTILINE)


def strace_works() -> bool:
    """Whether fsyncs can be counted here: strace installed and allowed to trace."""
    if shutil.which("strace") is None:
        return False
    done = subprocess.run(
        ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=fsync", "-o", os.devnull, "true"],
        capture_output=True,
    )
    return done.returncode == 0


class Process:
    """A bot (ours or the echo floor) as its own process, with its CPU time and peak memory.

    With ``trace``, the bot runs under ``strace --seccomp-bpf`` stopping only at fsync and
    fdatasync (every thread and child): :meth:`fsyncs` counts them between two wall-clock times.
    """

    def __init__(
        self, argv: list[str], env: dict[str, str], log: Path, trace: Path | None = None
    ) -> None:
        self.trace = trace
        if trace is not None:
            argv = [
                "strace", "-f", "-qq", "--seccomp-bpf", "-ttt", "-e", "trace=fsync,fdatasync",
                "-e", "signal=none", "-o", str(trace), "--", *argv,
            ]  # fmt: skip
        self.argv, self.env, self.log = argv, env, log
        self.proc: asyncio.subprocess.Process | None = None
        self.pid = 0  # the bot's (under strace, strace's child)
        self.started = 0.0

    async def start(self, standin: StandIn) -> float:
        """Start, and return the seconds to its first getUpdates."""
        standin.first_get_updates = None
        self.started = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=str(ROOT), stdout=out, stderr=out
            )
        self.pid = self.proc.pid
        await standin.wait_for(
            lambda: standin.first_get_updates is not None, 60, "first getUpdates"
        )
        assert standin.first_get_updates is not None
        if self.trace is not None:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            self.pid = int(children[0])
        return standin.first_get_updates - self.started

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def fsyncs(self, start: float, end: float) -> int:
        """fsync and fdatasync calls between two ``time.time()`` values (traced runs only)."""
        assert self.trace is not None
        text = self.trace.read_text(errors="replace")
        return sum(1 for m in _SYNC.finditer(text) if start <= float(m.group(1)) < end)

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self.proc.kill()
                await self.proc.wait()


def bot_env(standin: StandIn, db_path: Path, campaign_file: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=standin.token,
        BOT_API_URL=standin.base_url,
        DATABASE_PATH=str(db_path),
        CAMPAIGN_FILE=str(campaign_file),
        **extra,
    )
    return env


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(value: Any, unit: str = "") -> str:
    return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def median_child(script: str, what: str, db_path: Path, runs: int = 3) -> dict[str, float]:
    """Run ``script --child WHAT --db DB`` ``runs`` times, each a fresh process (so that its peak
    memory is its own), and return the run of median duration (its JSON's "seconds")."""
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, script, "--child", what, "--db", str(db_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    results.sort(key=lambda r: r["seconds"])
    return results[len(results) // 2]


async def broadcast_run(
    db_path: Path, campaign_file: Path, marker: str, expected: int, **env: str
) -> dict[str, float]:
    """Start the real bot against a stand-in that enforces Telegram's limits, with ``env``
    pinning the schedule so that its first tick broadcasts; count the messages containing
    ``marker`` until ``expected`` arrived (or a timeout). Duration first to last, rate, 429s."""
    from bot.telegram.standin import Sent

    standin = StandIn(limits=True)
    await standin.start()
    times: list[float] = []

    def on_send(sent: Sent) -> None:
        if marker in sent.text:
            times.append(sent.at)

    standin.on_send = on_send
    proc = Process(
        [sys.executable, "-m", "bot", "run"],
        bot_env(standin, db_path, campaign_file, **env),
        db_path.with_name("bot.log"),
    )
    try:
        await proc.start(standin)
        try:
            await standin.wait_for(lambda: len(times) >= expected, expected / 10 + 120, marker)
        except TimeoutError:
            pass
    finally:
        await proc.stop()
        await standin.stop()
    duration = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / duration if len(times) > 1 else float("nan")
    return {
        "sent": float(len(times)),
        "duration": duration,
        "rate": rate,
        "too_many": float(standin.too_many),
    }
