"""Render every document the consolidating agency sends on, for the people who review them.

    .venv/bin/python scripts/render_documents.py [--out rendered/]

Builds a realistic campaign through the bot's own conversation (the channel-neutral core, as a
focal person and a consolidator would drive it, with the bundled campaign and a moving clock):
seven plans, one submitted late, one edited and submitted again after submission, one left as a
draft; a 1,990-character objective and hostile text (a formula, HTML, emoji); the quý I/2026
progress reports (done, on track, late with a reason and a new date, not started, one agency not
reporting); five proposals, one in each state (waiting to be routed, routed, answer overdue,
answered resolved, answered in progress). Then writes each document under its own name — the
consolidated plan (.docx, .xlsx), the draft (.docx, .xlsx), the period's results (.docx, .xlsx),
the proposals (.xlsx) — and, when LibreOffice (``soffice``) is installed, a PDF of each and,
with ``pdftoppm`` (poppler), PNG pages. Without them it writes the documents and says what to
install (exit 0): the images are for humans; the tests check the documents' structure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.reports import build
from bot.settings import BUNDLED_CAMPAIGN
from db.connection import Database
from domain.campaign import load_campaign
from domain.model import Role
from handlers.context import Services
from handlers.input import command
from handlers.registration import issue_invite
from handlers.router import Core
from handlers.types import Event, Kind, Outgoing

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LONG = (
    "Đến hết năm 2026, khắc phục dứt điểm tình trạng chậm giải quyết hồ sơ; 100% hồ sơ được "
    "tiếp nhận và trả kết quả đúng hạn trên Hệ thống thông tin giải quyết thủ tục hành chính "
    "của tỉnh, không để tồn đọng, kéo dài. "
) * 10
LONG = LONG[:1990].rstrip() + "."
HOSTILE = '=HYPERLINK("http://x","Bấm vào đây") <b>đậm</b> & tập huấn 📑✅'
CONSOLIDATOR = 1
DOCUMENTS = (  # file name, document, format, draft
    ("ke-hoach-tong-hop.docx", "plan", "docx", False),
    ("ke-hoach-tong-hop.xlsx", "plan", "xlsx", False),
    ("ke-hoach-ban-nhap.docx", "plan", "docx", True),
    ("ke-hoach-ban-nhap.xlsx", "plan", "xlsx", True),
    ("ket-qua-quy-I-2026.docx", "progress", "docx", False),
    ("ket-qua-quy-I-2026.xlsx", "progress", "xlsx", False),
    ("kien-nghi.xlsx", "proposals", "xlsx", False),
)


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 1, 12, 9, 0, tzinfo=VN)

    def __call__(self) -> dt.datetime:
        return self.at


class Chat:
    """People talking to the core, as a channel would deliver them."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self.core = Core(db, Services(tz=VN, clock=clock))
        self.ids = itertools.count(1)
        self.seen = 0
        self.sent: list[tuple[str, Outgoing]] = []

    async def _handle(self, event: Event) -> list[Outgoing]:
        await self.core.handle(event)
        async with self.db.read() as tx:
            items = [i for i in await tx.outbox.pending(limit=100_000) if i.id > self.seen]
        self.seen = max([self.seen, *(i.id for i in items)])
        async with self.db.transaction() as tx:
            await tx.outbox.mark_sent([i.id for i in items], self.clock())
        self.sent = [(i.recipient, Outgoing.from_json(i.payload)) for i in items]
        return self.told(int(event.user_id))

    def told(self, uid: int) -> list[Outgoing]:
        """What the last event sent to ``uid``."""
        return [o for to, o in self.sent if to == str(uid)]

    def _event(self, uid: int, **fields: object) -> Event:
        return Event(
            channel="telegram",
            delivery_id=f"r{next(self.ids)}",
            user_id=str(uid),
            display_name=f"Cán bộ {uid}",
            **fields,  # type: ignore[arg-type]
        )

    async def send(self, uid: int, text: str) -> list[Outgoing]:
        parsed = command(text) if text.startswith("/") else None
        if parsed:
            return await self._handle(
                self._event(uid, kind=Kind.COMMAND, command=parsed[0], args=parsed[1], text=text)
            )
        return await self._handle(self._event(uid, kind=Kind.TEXT, text=text))

    async def press(self, uid: int, outs: list[Outgoing], label: str) -> list[Outgoing]:
        found = [d for o in outs for lab, d in o.flat_choices if label in lab]
        if not found:
            shown = [lab for o in outs for lab, _d in o.flat_choices]
            raise SystemExit(f"render_documents: no choice {label!r} among {shown}")
        return await self._handle(self._event(uid, kind=Kind.BUTTON, data=found[-1]))

    async def join(self, uid: int, code: str, role: Role) -> None:
        async with self.db.transaction() as tx:
            agency = await tx.campaigns.agency_by_code(code)
            assert agency is not None
            invite = await issue_invite(tx, agency, role, 30, self.clock(), None)
        await self.send(uid, f"/start {invite}")


async def fill_plan(chat: Chat, uid: int, items: int, first: bool) -> None:
    """Every item: an objective and two measures, typed as a focal person would."""
    for i in range(1, items + 1):
        outs = await chat.send(uid, "/kehoach")
        outs = await chat.press(uid, outs, f" {i}. ")
        outs = await chat.press(uid, outs, "mục tiêu")
        objective = (
            LONG if first and i == 1 else f"Khắc phục dứt điểm hạn chế thứ {i} trong năm 2026"
        )
        outs = await chat.send(uid, objective)
        for j, (task, timeline, output) in enumerate(
            (
                (
                    "Rà soát, sửa đổi quy chế làm việc và quy trình nội bộ",
                    "quý II/2026",
                    "Quyết định ban hành quy chế",
                ),
                (
                    "Tổ chức tập huấn nghiệp vụ cho cán bộ, công chức",
                    "thường xuyên, hằng quý",
                    "3 lớp tập huấn, 250 lượt cán bộ",
                ),
            ),
            start=1,
        ):
            outs = await chat.press(uid, outs, "Thêm nhiệm vụ")
            outs = await chat.send(uid, f"{task}{' ' + HOSTILE if first and j == 2 else ''}")
            outs = await chat.press(uid, outs, "⭐")
            outs = await chat.press(uid, outs, "◻️" if j == 1 else "Không có")
            if j == 1:
                outs = await chat.press(uid, outs, "Xong")
            outs = await chat.send(uid, timeline)
            outs = await chat.send(uid, output)
            outs = await chat.press(uid, outs, "Xong")


async def submit(chat: Chat, uid: int) -> None:
    outs = await chat.send(uid, "/nop")
    await chat.press(uid, outs, "Xác nhận nộp")


async def report(chat: Chat, uid: int, measures: int, late: bool) -> None:
    """The period's report: the first measure done, the next on track, then late (with a
    reason and a new date) or not started."""
    outs = await chat.send(uid, "/tiendo")
    outs = await chat.press(uid, outs, "1.1")
    for k in range(measures):
        kind = ("Đã hoàn thành", "đúng tiến độ", "chậm tiến độ" if late else "Chưa thực hiện")[
            min(k, 2)
        ]
        outs = await chat.press(uid, outs, kind)
        if kind == "Đã hoàn thành":
            outs = await chat.send(uid, "Quyết định số 12/QĐ-UBND ngày 05/3/2026")
        else:
            outs = await chat.press(uid, outs, "Bỏ qua")
            if kind == "chậm tiến độ":
                outs = await chat.send(uid, "Chờ hướng dẫn của Bộ Nội vụ về biên chế cấp xã")
                outs = await chat.send(uid, "quý III/2026")
    outs = await chat.press(uid, outs, "Nộp báo cáo")
    await chat.press(uid, outs, "Xác nhận nộp")


async def propose(chat: Chat, uid: int, field: str, content: str, department: str) -> None:
    outs = await chat.send(uid, "/kiennghi")
    outs = await chat.press(uid, outs, "Kiến nghị mới")
    outs = await chat.press(uid, outs, field)
    outs = await chat.send(uid, content)
    outs = await chat.press(uid, outs, department)
    await chat.press(uid, outs, "Gửi kiến nghị")


async def route(chat: Chat) -> None:
    """The consolidator confirms the department the proposer asked (in the notice just sent)."""
    await chat.press(CONSOLIDATOR, chat.told(CONSOLIDATOR), "✅ Giao")


async def answer(chat: Chat, uid: int, kind: str, text: str, expected: str = "") -> None:
    """The department's focal person answers from the notice just sent to them."""
    await chat.press(uid, chat.told(uid), kind)
    await chat.send(uid, text)
    if expected:
        await chat.send(uid, expected)


async def sample(db_path: Path) -> int:
    """The campaign, driven through the chat; returns its id."""
    clock = Clock()
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            await tx.campaigns.load(load_campaign(BUNDLED_CAMPAIGN), clock())
            campaign = await tx.campaigns.active()
            assert campaign is not None
            planned = [p for p in await tx.plans.plans(campaign.id) if p.shortcomings]
        chat = Chat(db, clock)
        await chat.join(CONSOLIDATOR, campaign.consolidator.code, Role.CONSOLIDATOR)
        people = {}
        for n, plan in enumerate(planned[:8], start=10):
            await chat.join(n, plan.agency.code, Role.FOCAL)
            people[plan.agency.code] = (n, len(plan.shortcomings))
        codes = list(people)
        for k, code in enumerate(codes):
            uid, items = people[code]
            await fill_plan(chat, uid, items, first=k == 0)
            if k < 5:
                await submit(chat, uid)
        edited_uid, _items = people[codes[1]]  # edited after submission, submitted again
        outs = await chat.send(edited_uid, "/kehoach")
        outs = await chat.press(edited_uid, outs, " 1. ")
        outs = await chat.press(edited_uid, outs, "1.1")
        outs = await chat.press(edited_uid, outs, "Nội dung")
        await chat.send(
            edited_uid, "Rà soát, sửa đổi quy chế làm việc; công khai trên Cổng thông tin"
        )
        await submit(chat, edited_uid)
        clock.at = dt.datetime(2026, 1, 23, 10, 0, tzinfo=VN)  # two days after the deadline
        await submit(chat, people[codes[5]][0])
        if len(codes) > 7:
            await submit(chat, people[codes[6]][0])
        # codes[-1] stays a draft (only in the BẢN NHÁP documents)

        clock.at = dt.datetime(2026, 3, 10, 9, 0, tzinfo=VN)  # quý I/2026
        for k, code in enumerate(codes[:5]):
            uid, items = people[code]
            await report(chat, uid, 2 * items, late=k % 2 == 0)
        # five proposals, one in each state; the departments asked are agencies with people
        clock.at = dt.datetime(2026, 1, 26, 9, 0, tzinfo=VN)
        names = {c: p.agency.name for p in planned for c in [p.agency.code]}
        filers = [people[c][0] for c in codes[:3]]
        dept_a, dept_b = codes[3], codes[4]
        await propose(
            chat,
            filers[0],
            "Chuyển đổi số",
            "Đề nghị hỗ trợ thiết bị họp trực tuyến cho các xã",
            "Chưa rõ",
        )
        await propose(
            chat,
            filers[1],
            "Thủ tục hành chính",
            "Đề nghị hướng dẫn liên thông dữ liệu hộ tịch",
            names[dept_a],
        )
        await route(chat)  # routed, answer due in 15 days: overdue by March
        clock.at = dt.datetime(2026, 3, 10, 9, 0, tzinfo=VN)
        await propose(
            chat,
            filers[2],
            "Thủ tục hành chính",
            "Đề nghị sớm ban hành quy trình nội bộ liên thông",
            names[dept_b],
        )
        await route(chat)  # routed, not yet due
        await propose(
            chat,
            filers[0],
            "Biên chế",
            "Đề nghị bổ sung 2 biên chế công chức cho bộ phận một cửa",
            names[dept_a],
        )
        await route(chat)
        await answer(
            chat,
            people[dept_a][0],
            "Đã giải quyết",
            "Đã bổ sung trong Quyết định giao biên chế năm 2026",
        )
        await propose(
            chat,
            filers[1],
            "Khác",
            "Đề nghị tập huấn sử dụng chữ ký số cho lãnh đạo cấp xã",
            names[dept_b],
        )
        await route(chat)
        await answer(
            chat,
            people[dept_b][0],
            "Đang xử lý",
            "Đã đưa vào kế hoạch tập huấn năm 2026",
            "quý II/2026",
        )
        clock.at = dt.datetime(2026, 3, 20, 9, 0, tzinfo=VN)
        return campaign.id
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("rendered"), help="default: rendered/")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = []
    with tempfile.TemporaryDirectory(prefix="kehoach-render-") as tmp:
        db_path = Path(tmp) / "sample.sqlite3"
        campaign_id = asyncio.run(sample(db_path))
        for name, document, kind, draft in DOCUMENTS:
            period = "2026-Q1" if document == "progress" else None
            built = build(
                str(db_path), campaign_id, kind, draft, "2026-03-20", "Asia/Ho_Chi_Minh",
                document, period,
            )  # fmt: skip
            path = args.out / name
            path.write_bytes(built.content)
            files.append(path)
            print(f"wrote {path}")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed: no images. apt install libreoffice-writer "
              "libreoffice-calc poppler-utils, then run again.")  # fmt: skip
        return 0
    for path in files:
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(args.out), str(path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = path.with_name(f"{path.stem}-{path.suffix[1:]}.pdf")  # .docx and .xlsx apart
        path.with_suffix(".pdf").rename(pdf)
        print(f"wrote {pdf}")
        if shutil.which("pdftoppm"):
            prefix = args.out / pdf.stem / "page"
            prefix.parent.mkdir(exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(prefix)], check=True)
            print(f"wrote {prefix}-*.png")
        else:
            print("pdftoppm (poppler-utils) is not installed: PDF only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
