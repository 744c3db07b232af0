"""The report worker's build process on the real bot process: killed (as an OOM kill would), it is
replaced and the next document still arrives (18.7); the bot SIGKILLed, it does not live on as
an orphan (18.10)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from domain.model import Role
from tests.e2e.conftest import CONSOLIDATOR, E2E


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc), children's children included."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _document(e2e: E2E, label: str) -> str:
    before = [m for m in e2e.standin.sent_to(CONSOLIDATOR) if m.document]
    await e2e.send(CONSOLIDATOR, "/tonghop")
    await e2e.press_label(CONSOLIDATOR, label)
    await e2e.standin.wait_for(
        lambda: len([m for m in e2e.standin.sent_to(CONSOLIDATOR) if m.document]) > len(before),
        90,
        f"the {label} document",
    )
    (doc,) = [m for m in e2e.standin.sent_to(CONSOLIDATOR) if m.document][len(before) :]
    assert doc.document is not None
    return doc.document[0]


async def test_a_killed_build_process_is_replaced(e2e: E2E) -> None:
    code = await e2e.invite("STC", Role.CONSOLIDATOR)
    await e2e.bot.start()
    await e2e.send(CONSOLIDATOR, f"/start {code}")
    assert (await _document(e2e, "Word")).endswith(".docx")
    assert e2e.bot.proc is not None
    workers = [
        pid
        for pid in descendants(e2e.bot.proc.pid)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert len(workers) == 1, "no build process"
    os.kill(workers[0], signal.SIGKILL)  # the biggest process: what an OOM kill picks
    await asyncio.sleep(0.5)
    assert (await _document(e2e, "Excel")).endswith(".xlsx")
    assert not e2e.bot.exited
    assert "Chưa tạo được" not in "".join(m.text for m in e2e.standin.sent_to(CONSOLIDATOR))
    assert "the build process died during report 2 (1 in a row)" in e2e.log.read_text()


async def test_no_orphan_outlives_a_sigkilled_bot(e2e: E2E) -> None:
    code = await e2e.invite("STC", Role.CONSOLIDATOR)
    await e2e.bot.start()
    await e2e.send(CONSOLIDATOR, f"/start {code}")
    await _document(e2e, "Word")  # the build process is up now
    assert e2e.bot.proc is not None
    children = descendants(e2e.bot.proc.pid)
    assert children
    await e2e.bot.kill()
    try:
        await e2e.standin.wait_for(lambda: not any(alive(pid) for pid in children), 15)
    except TimeoutError:
        pass
    assert not [pid for pid in children if alive(pid)], "orphans left after SIGKILL"
