"""Deadline-eve rush: N focal persons complete their plans at once through the whole stack.

    python bench/rush.py                      # 3,800 agencies, 20 persons at work at a time
    python bench/rush.py --users 300 --seconds 20 --complete

Each simulated focal person presses the buttons the bot actually showed and types answers: about
50 updates for 2 shortcomings × 3 measures and a submission, each sent once the answer to the
last has come. After a warm-up, phase 1 offers a fixed load (default 100 updates/s) and measures
reply latency (the measure steps apart); phase 2 the same while a reminder (/nhacnho) goes to
every agency; phase 3 keeps --concurrency updates in flight (saturation) and measures throughput
and CPU. Phases 1 and 3 run against a bare PTB echo bot too (bench/echo_bot.py): CPU per update
is reported as a ratio to that floor, at the same offered rate and at saturation. The minute tick
is pinned: no scheduled reminder, summary or nudge. In the last run the bot runs under strace
(when it can) to count its fsyncs, and then a fourth phase starts it again with the nudges on
and measures the fixed load while the minute tick goes over every agency.

The bot runs as its own process against the Bot API stand-in with Telegram's limits off
(RATE_LIMIT_OVERALL=0): this measures our capacity, not Telegram's 30 messages/s. The driver and
the stand-in run in this process; the cores they use are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import statistics
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Process, bot_env, machine, pct, prepare, strace_works, user_id
from bot.telegram.standin import Sent, StandIn

Step = tuple[str, str, int]  # (kind, text or button prefix, which matching button)


def script() -> list[Step]:
    steps: list[Step] = [("text", "/kehoach", 0)]
    for item in (1, 2):
        steps += [
            ("press", "a:", item - 1),
            ("press", "obj:", 0),
            ("text", f"Mục tiêu khắc phục nội dung {item}: hoàn thành đúng tiến độ", 0),
        ]
        for j in (1, 2, 3):
            steps += [
                ("press", "add:", 0),
                ("text", f"Nhiệm vụ, giải pháp {item}.{j}: rà soát, ban hành văn bản hướng dẫn", 0),
                ("press", "ld:", 0),
                ("press", "ptn:", 0),
                ("text", "quý II/2026 và thường xuyên", 0),
                ("press", "sk:", 0),
                ("press", "a:", 0),
            ]
        steps.append(("text", "/kehoach", 0))
    steps += [("text", "/nop", 0), ("press", "suby:", 0)]
    return steps


SCRIPT = script()
# The measure wizard's steps (➕, content, lead, partners, timeline, output, back to the item):
# what a focal person does most on the deadline eve, reported apart.
MEASURE_STEPS = frozenset(
    k
    for k, (_kind, value, _n) in enumerate(SCRIPT)
    if value in ("add:", "ld:", "ptn:", "sk:")
    or (k > 0 and SCRIPT[k - 1][1] in ("add:", "ptn:") and SCRIPT[k][0] == "text")
)


@dataclass
class User:
    uid: int
    step: int = 0
    update_id: int = 0
    pushed: float = 0.0
    replied: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.step >= len(SCRIPT)


class Driver:
    """Focal persons working through their plans: ``active`` of them at a time, each sending
    its next step once the answer to the last one has come (so they reach the measure steps and
    finish whole plans); one who has submitted leaves and the next person begins."""

    def __init__(
        self, standin: StandIn, users: int, *, echo: bool, active: int = 20, first: int = 1
    ) -> None:
        self.standin = standin
        self.echo = echo
        self.users = {user_id(n): User(user_id(n)) for n in range(first, users + 1)}
        everyone = deque(self.users.values())
        self.ready: deque[User] = deque(everyone.popleft() for _ in range(min(active, users)))
        self.later = everyone
        self.busy: dict[int, User] = {}
        self.latencies: list[float] = []
        self.measure_latencies: list[float] = []
        self.completed = 0
        self.reminders = 0
        self.shown: dict[int, Sent] = {}  # each person's last message with buttons (not reminders)
        standin.on_send = self._on_send

    def _on_send(self, sent: Sent) -> None:
        if sent.text.startswith("⏰"):  # a reminder of the broadcast, not a reply
            self.reminders += 1
            return
        if sent.chat_id not in self.users:  # a nudge to someone of an earlier run
            return
        if sent.buttons:
            self.shown[sent.chat_id] = sent
        user = self.busy.get(sent.chat_id)
        if user and not user.replied:
            user.replied = sent.at
            self.latencies.append(sent.at - user.pushed)
            if user.step in MEASURE_STEPS:
                self.measure_latencies.append(sent.at - user.pushed)

    def activate(self, active: int) -> None:
        """At least ``active`` persons at work (those waiting begin)."""
        while len(self.ready) + len(self.busy) < active and self.later:
            self.ready.append(self.later.popleft())

    def push(self) -> bool:
        while self.ready and self.ready[0].done:
            self.ready.popleft()
        if not self.ready:
            return False
        user = self.ready.popleft()
        kind, value, index = SCRIPT[user.step]
        if kind == "text":
            user.update_id = self.standin.push_text(user.uid, value)
        else:
            data, message_id = value + "1", None
            shown = self.shown.get(user.uid)
            if shown and not self.echo:
                matching = [d for _label, d in shown.flat_buttons if d.startswith(value)]
                if matching:
                    data, message_id = matching[min(index, len(matching) - 1)], shown.message_id
            user.update_id = self.standin.push_button(user.uid, data, message_id)
        user.pushed, user.replied = time.monotonic(), 0.0
        self.busy[user.uid] = user
        return True

    def harvest(self) -> None:
        for uid, user in list(self.busy.items()):
            if self.echo:
                finished = bool(user.replied)
            else:  # stored, and its question (a message with buttons) has arrived
                shown = self.shown.get(uid)
                finished = self.standin.confirmed(user.update_id) and bool(
                    user.replied and shown and shown.at >= user.pushed
                )
            if finished:
                del self.busy[uid]
                user.step += 1
                self.completed += 1
                if not user.done:
                    self.ready.append(user)
                elif self.later:  # submitted: the next person begins
                    self.ready.append(self.later.popleft())

    async def fixed(self, rate: float, seconds: float) -> tuple[int, list[float]]:
        start, sent = time.monotonic(), 0
        self.latencies, self.measure_latencies = [], []
        while (now := time.monotonic()) - start < seconds:
            due = int((now - start) * rate)
            while sent < due and self.push():
                sent += 1
            self.harvest()
            await asyncio.sleep(0.002)
        await self.drain()
        return sent, self.latencies

    async def saturate(self, concurrency: int, seconds: float) -> tuple[int, float, list[float]]:
        self.activate(concurrency)
        start = time.monotonic()
        before = self.completed
        self.latencies, self.measure_latencies = [], []
        while time.monotonic() - start < seconds:
            self.harvest()
            while len(self.busy) < concurrency and self.push():
                pass
            if not self.busy and not self.ready:
                break
            await asyncio.sleep(0.002)
        await self.drain()
        return self.completed - before, time.monotonic() - start, self.latencies

    async def drain(self) -> None:
        deadline = time.monotonic() + 120
        while self.busy and time.monotonic() < deadline:
            self.harvest()
            await asyncio.sleep(0.005)


# The minute tick pinned: no scheduled reminder, summary or nudge in the measured phases.
PINNED = {"REMINDER_DAYS_BEFORE": "", "SUMMARY_DAYS": "", "NUDGE_DAYS": ""}
# The nudge scan on: every minute of every day (no quiet hours), each tick goes over every agency.
NUDGING = {"NUDGE_DAYS": "0,1,2,3,4,5,6", "REMINDER_TIME": "00:00", "QUIET_START": "00:00",
           "QUIET_END": "00:00"}  # fmt: skip


class Harness:
    """The CPU the driver and the stand-in (this process) use, and the fsyncs the bot makes."""

    def __init__(self, proc: Process) -> None:
        self.proc = proc
        self.cpu0, self.wall0, self.time0 = 0.0, 0.0, 0.0

    def begin(self) -> None:
        self.cpu0, self.wall0, self.time0 = time.process_time(), time.monotonic(), time.time()

    def cores(self) -> float:
        return (time.process_time() - self.cpu0) / max(time.monotonic() - self.wall0, 1e-9)

    def fsyncs(self) -> float:
        return float(self.proc.fsyncs(self.time0, time.time())) if self.proc.trace else math.nan


async def measure(
    kind: str,
    folder: Path,
    users: int,
    rate: float,
    seconds: float,
    concurrency: int,
    complete: bool,
    active: int = 20,
    warmup: float = 3.0,
    last: bool = False,
    nudges: bool = True,
) -> dict[str, float]:
    """One run. ``last`` (ours only): the bot under strace counting fsyncs, and after it (with
    ``nudges``) the nudge phase."""
    standin = StandIn(limits=False)
    await standin.start()
    # Conditions pinned, whatever the day and hour: the deadline a month away, no scheduled
    # reminder, summary or nudge; the broadcast is the one asked for (/nhacnho) in its own phase.
    due = dt.date.today() + dt.timedelta(days=30)
    db_path, campaign_file, _ = await prepare(folder, users, due=due, consolidator=True)
    env = bot_env(standin, db_path, campaign_file, RATE_LIMIT_OVERALL="0", **PINNED)
    argv = (
        [sys.executable, "-m", "bot", "run"]
        if kind == "ours"
        else [sys.executable, str(Path(__file__).with_name("echo_bot.py"))]
    )
    trace = folder / "fsync.trace" if last and kind == "ours" and strace_works() else None
    proc = Process(argv, env, folder / f"{kind}.log", trace)
    harness = Harness(proc)
    out: dict[str, float] = {}
    try:
        out["startup_s"] = await proc.start(standin)
        driver = Driver(standin, users, echo=kind == "echo", active=active)
        await driver.fixed(rate, warmup)  # into the wizard, caches warm: not measured
        cpu0 = proc.cpu_seconds()
        harness.begin()
        offered, fixed_lat = await driver.fixed(rate, seconds)
        out["fixed_cpu_per_1000"] = (proc.cpu_seconds() - cpu0) / max(offered, 1) * 1000
        out["fixed_harness_cores"] = harness.cores()
        out["fixed_fsyncs"] = harness.fsyncs() / max(offered, 1)
        out["fixed_offered"] = offered
        out["measure_p50"] = pct(driver.measure_latencies, 50)
        out["measure_p99"] = pct(driver.measure_latencies, 99)
        out["measure_replies"] = len(driver.measure_latencies)
        out["fixed_p50"], out["fixed_p95"], out["fixed_p99"] = (
            pct(fixed_lat, 50),
            pct(fixed_lat, 95),
            pct(fixed_lat, 99),
        )
        if kind == "ours":  # the same load while a reminder to every agency goes out
            standin.push_text(user_id(0), "/nhacnho")
            offered, cast_lat = await driver.fixed(rate, seconds)
            out["cast_p50"], out["cast_p95"], out["cast_p99"] = (
                pct(cast_lat, 50),
                pct(cast_lat, 95),
                pct(cast_lat, 99),
            )
            out["cast_reminders"] = driver.reminders
            out["cast_measure_p99"] = pct(driver.measure_latencies, 99)
        cpu0 = proc.cpu_seconds()
        harness.begin()
        handled, elapsed, sat_lat = await driver.saturate(concurrency, seconds)
        cpu = proc.cpu_seconds() - cpu0
        out["sat_harness_cores"] = harness.cores()
        out["sat_fsyncs"] = harness.fsyncs() / max(handled, 1)
        out["sat_updates"], out["sat_rate"] = handled, handled / elapsed
        out["sat_p50"], out["sat_p95"], out["sat_p99"] = (
            pct(sat_lat, 50),
            pct(sat_lat, 95),
            pct(sat_lat, 99),
        )
        out["cpu_per_1000"] = cpu / max(handled, 1) * 1000
        if complete and kind == "ours":
            await driver.saturate(concurrency, 24 * 3600)
        out["completed_plans"] = sum(1 for u in driver.users.values() if u.done)
        out["rss_mib"] = proc.peak_rss_mib()
        out["db_mib"] = sum(p.stat().st_size for p in folder.glob("bench.sqlite3*")) / 2**20
    finally:
        await proc.stop()
    try:
        if last and nudges and kind == "ours":
            first = sum(1 for u in driver.users.values() if u.step) + 1
            out.update(await nudging(standin, env, folder, users, rate, seconds, active, first))
    finally:
        await standin.stop()
    return out


async def nudging(
    standin: StandIn,
    env: dict[str, str],
    folder: Path,
    users: int,
    rate: float,
    seconds: float,
    active: int,
    first: int,
) -> dict[str, float]:
    """The same fixed load while the minute tick goes over every agency for nudges: the bot
    again on the same database with the nudges on, persons who have not begun yet; the phase is
    placed so that the tick falls 2 s into it (after a warm-up of at least 3 s)."""
    proc = Process([sys.executable, "-m", "bot", "run"], {**env, **NUDGING}, folder / "nudge.log")
    try:
        await proc.start(standin)  # its first tick goes over every agency at once
        driver = Driver(standin, users, echo=False, active=active, first=first)
        ahead = 60 - time.time() % 60  # the scheduler ticks half a second after each minute
        while ahead < 3 + 1.5:
            ahead += 60
        await driver.fixed(rate, ahead - 1.5)  # warm-up, not measured
        _offered, lat = await driver.fixed(rate, seconds)
        return {
            "nudge_p50": pct(lat, 50),
            "nudge_p95": pct(lat, 95),
            "nudge_p99": pct(lat, 99),
            "nudge_measure_p99": pct(driver.measure_latencies, 99),
        }
    finally:
        await proc.stop()


def _ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")  # a run too short to measure the floor


def med(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


async def main(args: argparse.Namespace) -> dict[str, float]:
    print(f"Rush benchmark — {machine()}")
    print(
        f"{args.users} focal persons, {len(SCRIPT)} updates each; fixed load {args.rate:g}/s for "
        f"{args.seconds:g} s, then {args.concurrency} in flight for {args.seconds:g} s; "
        f"medians of {args.repeat} runs, ours and the echo floor alternating"
    )
    ours_runs, echo_runs = [], []
    with tempfile.TemporaryDirectory(prefix="kehoach-rush-") as tmp:
        for r in range(args.repeat):
            complete = args.complete and r == args.repeat - 1
            ours_runs.append(
                await measure(
                    "ours",
                    Path(tmp) / f"ours{r}",
                    args.users,
                    args.rate,
                    args.seconds,
                    args.concurrency,
                    complete,
                    args.active,
                    args.warmup,
                    last=r == args.repeat - 1,
                    nudges=args.nudges,
                )
            )
            echo_runs.append(
                await measure(
                    "echo",
                    Path(tmp) / f"echo{r}",
                    args.users,
                    args.rate,
                    args.seconds,
                    args.concurrency,
                    False,
                    args.active,
                    args.warmup,
                )
            )
    pairs = list(zip(ours_runs, echo_runs, strict=True))
    ratios = [_ratio(o["cpu_per_1000"], e["cpu_per_1000"]) for o, e in pairs]
    fixed_ratios = [_ratio(o["fixed_cpu_per_1000"], e["fixed_cpu_per_1000"]) for o, e in pairs]
    o = {k: med(ours_runs, k) for k in ours_runs[0]}
    e = {k: med(echo_runs, k) for k in echo_runs[0]}
    o["ratio"] = statistics.median(ratios)
    o["fixed_ratio"] = statistics.median(fixed_ratios)
    # of the last run only: the fsyncs (counted under strace) and the nudge phase
    for key, value in ours_runs[-1].items():
        if key not in ours_runs[0] or "fsyncs" in key or key == "completed_plans":
            o[key] = value
    for key in ("nudge_p50", "nudge_p95", "nudge_p99"):
        o.setdefault(key, math.nan)
    rows = [
        ("start-up to first getUpdates", f"{o['startup_s']:.2f} s", f"{e['startup_s']:.2f} s"),
        (
            f"reply latency at {args.rate:g} updates/s (p50/p95/p99)",
            f"{o['fixed_p50'] * 1e3:.0f} / {o['fixed_p95'] * 1e3:.0f} / {o['fixed_p99'] * 1e3:.0f} ms",
            f"{e['fixed_p50'] * 1e3:.0f} / {e['fixed_p95'] * 1e3:.0f} / {e['fixed_p99'] * 1e3:.0f} ms",
        ),
        (
            f"… of the measure steps ({o['measure_replies']:.0f} replies; p50/p99)",
            f"{o['measure_p50'] * 1e3:.0f} / {o['measure_p99'] * 1e3:.0f} ms",
            f"{e['measure_p50'] * 1e3:.0f} / {e['measure_p99'] * 1e3:.0f} ms",
        ),
        (
            f"CPU per update at {args.rate:g}/s, ratio to the echo floor",
            f"{o['fixed_ratio']:.2f}×",
            "1.00×",
        ),
        (
            f"… while a reminder goes to every agency ({o['cast_reminders']:.0f} sent meanwhile)",
            f"{o['cast_p50'] * 1e3:.0f} / {o['cast_p95'] * 1e3:.0f} / {o['cast_p99'] * 1e3:.0f} ms",
            "—",
        ),
        (
            "… while the minute tick goes over every agency for nudges (last run)",
            f"{o['nudge_p50'] * 1e3:.0f} / {o['nudge_p95'] * 1e3:.0f} / {o['nudge_p99'] * 1e3:.0f} ms",
            "—",
        ),
        ("updates/s sustained (saturation)", f"{o['sat_rate']:.0f}", f"{e['sat_rate']:.0f}"),
        (
            "reply latency at saturation (p50/p95/p99)",
            f"{o['sat_p50'] * 1e3:.0f} / {o['sat_p95'] * 1e3:.0f} / {o['sat_p99'] * 1e3:.0f} ms",
            f"{e['sat_p50'] * 1e3:.0f} / {e['sat_p95'] * 1e3:.0f} / {e['sat_p99'] * 1e3:.0f} ms",
        ),
        ("CPU seconds per 1,000 updates", f"{o['cpu_per_1000']:.2f}", f"{e['cpu_per_1000']:.2f}"),
        ("CPU per update at saturation, ratio to the echo floor", f"{o['ratio']:.2f}×", "1.00×"),
        (
            f"fsyncs per update at {args.rate:g}/s / at saturation (last run, strace)",
            f"{o['fixed_fsyncs']:.2f} / {o['sat_fsyncs']:.2f}",
            "—",
        ),
        (
            f"cores used by the driver and stand-in at {args.rate:g}/s / at saturation",
            f"{o['fixed_harness_cores']:.2f} / {o['sat_harness_cores']:.2f}",
            f"{e['fixed_harness_cores']:.2f} / {e['sat_harness_cores']:.2f}",
        ),
        ("peak RSS of the bot", f"{o['rss_mib']:.0f} MiB", f"{e['rss_mib']:.0f} MiB"),
        ("database size", f"{o['db_mib']:.1f} MiB", "—"),
        (
            "plans completed and submitted (last run)",
            f"{o['completed_plans']:.0f} (of {args.users} persons, {args.active} at a time)",
            "—",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'kehoach-bot':>22}  {'PTB echo bot':>16}")
    for name, a, b in rows:
        print(f"{name:{width}}  {a:>22}  {b:>16}")
    return o


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3800)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--active", type=int, default=20, help="persons at work at a time")
    parser.add_argument("--warmup", type=float, default=3, help="seconds not measured")
    parser.add_argument(
        "--nudges",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the phase with the nudge scan (waits for the minute tick: up to a minute)",
    )
    parser.add_argument(
        "--complete",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="go on until every plan is submitted (long: off by default)",
    )
    asyncio.run(main(parser.parse_args()))
