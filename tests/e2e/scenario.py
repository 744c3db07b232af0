"""A scripted focal-person conversation whose every step is known in advance.

Buttons are pressed by their callback data, computed from ids in the database (a fresh database
gives the same ids every run), so the script can go on after the bot was killed and restarted
even when the message carrying a button never arrived.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.demo import wait_settled
from bot.telegram.render import messages
from handlers.types import Outgoing
from tests.e2e.conftest import E2E, FOCAL

Step = tuple[str, Any]  # ("text", "..."), ("button", "..."), ("submit", None)


async def ids(world: E2E) -> dict[str, int]:
    rows = await world.rows(
        "SELECT s.id FROM assignments s JOIN plans p ON p.id = s.plan_id"
        " JOIN agencies a ON a.id = p.agency_id JOIN items i ON i.id = s.item_id"
        " WHERE a.code = 'SNV' ORDER BY i.position"
    )
    agencies = dict(await world.rows("SELECT code, id FROM agencies"))
    return {"a1": rows[0][0], "a2": rows[1][0], "snv": agencies["SNV"], "stc": agencies["STC"]}


def steps(code: str, i: dict[str, int]) -> list[Step]:
    a1, a2, snv, stc = i["a1"], i["a2"], i["snv"], i["stc"]
    return [
        ("text", f"/start {code}"),
        ("text", "/kehoach"),
        ("button", f"a:{a1}"),
        ("button", f"obj:{a1}"),
        ("text", "Bộ máy hai cấp vận hành thông suốt"),
        ("button", f"add:{a1}"),
        ("text", "Ban hành quy chế phân cấp, phân quyền"),
        ("button", f"ld:1:{snv}"),
        ("button", f"pt:1:{stc}"),
        ("button", "ptd:1"),
        ("text", "quý II/2026"),
        ("text", "Quyết định của UBND tỉnh"),
        ("button", f"add:{a1}"),
        ("text", "Tập huấn cán bộ cấp xã"),
        ("text", "UBND các xã, phường"),  # not an agency: asked, then kept
        ("button", "kp:2"),
        ("button", "ptn:2"),
        ("text", "thường xuyên"),
        ("button", "sk:2"),
        ("button", f"obj:{a2}"),
        ("text", "Đủ cán bộ cấp xã theo định biên"),
        ("button", f"add:{a2}"),
        ("text", "Tuyển dụng bổ sung công chức"),
        ("button", f"ld:3:{snv}"),
        ("button", "ptn:3"),
        ("text", "6 tháng đầu năm 2026"),
        ("button", "sk:3"),
        ("text", "/nop"),
        ("submit", None),
        ("button", f"m:{1}"),
        ("button", "mf:1:t"),
        ("text", "tháng 9/2026"),
        ("text", "/nop"),
        ("submit", None),
    ]


async def run(
    world: E2E,
    code: str,
    kill_at: set[int] = frozenset(),
    rng: random.Random | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Drive the script; at each step in ``kill_at`` SIGKILL the bot just after the update."""
    rng = rng or random.Random(0)
    script = steps(code, await ids(world))
    for k, (kind, value) in enumerate(script):
        if kind == "text":
            update_id = world.standin.push_text(FOCAL, value)
        else:
            if kind == "submit":
                ((plan_id, revision),) = await world.rows(
                    "SELECT id, revision FROM plans WHERE id = "
                    "(SELECT plan_id FROM assignments WHERE id = ?)",
                    (await ids(world))["a1"],
                )
                value = f"suby:{plan_id}:{revision}"
            update_id = world.standin.push_button(FOCAL, value)
        if k in kill_at:
            await asyncio.sleep(rng.uniform(0.0, 0.12))
            await world.bot.kill()
            if log:
                log(f"killed at step {k} ({kind} {value})")
            await world.bot.start()
        await until_confirmed(world, update_id, f"step {k}")


async def until_confirmed(world: E2E, update_id: int, what: str) -> None:
    """Wait for the update to be confirmed; a bot that killed itself (an injected crash point)
    is started again, without the crash point, as a supervisor would."""
    deadline = asyncio.get_running_loop().time() + 60
    while not world.standin.confirmed(update_id):
        if world.bot.exited:
            world.bot.env.pop("KEHOACH_CRASH_AT", None)
            await world.bot.start()
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


async def settle(world: E2E) -> None:
    """Everything committed has been delivered (restarting a bot that crashed meanwhile)."""
    for _attempt in range(3):
        if world.bot.exited:
            world.bot.env.pop("KEHOACH_CRASH_AT", None)
            await world.bot.start()
        if await wait_settled(world.db_path, 20):
            return
    raise TimeoutError("the bot did not deliver what it committed")


async def deliveries(world: E2E) -> tuple[Counter[str], Counter[str]]:
    """What the person should have seen (each committed message's chunks, once) and what they
    saw (every message sent or edited to them)."""
    expected: Counter[str] = Counter()
    for payload, sent_at, failed_at in await world.rows(
        "SELECT payload, sent_at, failed_at FROM outbox WHERE recipient = ? ORDER BY id",
        str(FOCAL),
    ):
        assert sent_at is not None and failed_at is None, payload[:80]
        for chunk in messages(Outgoing.from_json(payload).text):
            expected[chunk] += 1
    got = Counter(text for _m, chat, text in world.standin.delivered if chat == FOCAL)
    return expected, got


async def snapshot(world: E2E) -> dict[str, Any]:
    """The plan as stored: what must be equal with and without crashes."""
    return {
        "objectives": await world.rows(
            "SELECT i.key, s.objective FROM assignments s JOIN items i ON i.id = s.item_id"
            " WHERE s.objective IS NOT NULL ORDER BY i.key"
        ),
        "measures": await world.rows(
            "SELECT i.key, m.position, m.content, m.lead_unit, m.partners, m.timeline,"
            " m.due_date, m.recurring, m.output FROM measures m"
            " JOIN assignments s ON s.id = m.assignment_id JOIN items i ON i.id = s.item_id"
            " ORDER BY i.key, m.position"
        ),
        "submissions": await world.rows(
            "SELECT version, revision, measures, late_days FROM submissions ORDER BY version"
        ),
        "plan": await world.rows(
            "SELECT revision, submitted_revision FROM plans WHERE revision > 0"
        ),
        "handled": await world.rows("SELECT count(*) FROM processed_updates"),
    }


def check_deliveries(expected: Counter[str], got: Counter[str]) -> None:
    """Every committed reply seen once or (a kill between send and record) twice; nothing that
    was never committed."""
    uncommitted = set(got) - set(expected)
    assert not uncommitted, f"sent but never committed: {uncommitted}"
    for text, n in expected.items():
        assert n <= got[text] <= 2 * n, (text[:60], n, got[text])
