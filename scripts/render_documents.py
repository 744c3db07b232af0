"""Render the consolidated plan (.docx and .xlsx) to images, for the people who review them.

    .venv/bin/python scripts/render_documents.py [--out rendered/] [--agencies 9]

Builds a sample database from the bundled campaign (every agency's plan filled, most submitted,
one with a long objective, emoji and a formula-like answer), writes both documents, and — when
LibreOffice (``soffice``) is installed — converts them to PDF and, with ``pdftoppm`` (poppler),
each page to PNG. Without them it writes the documents and says what to install (exit 0): the
images are for humans; the tests check the documents' structure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.reports import build
from bot.settings import BUNDLED_CAMPAIGN
from db.connection import Database
from domain.campaign import load_campaign

LONG = (
    "Đến hết năm 2026, khắc phục dứt điểm tình trạng chậm giải quyết hồ sơ; "
    "100% hồ sơ được tiếp nhận và trả kết quả đúng hạn trên Hệ thống thông tin giải quyết "
    "thủ tục hành chính của tỉnh. "
) * 6


async def sample(db_path: Path) -> int:
    """A database with every plan filled; returns the campaign id."""
    now = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            await tx.campaigns.load(load_campaign(BUNDLED_CAMPAIGN), now)
            campaign = await tx.campaigns.active()
            assert campaign is not None
            user = await tx.users.ensure("telegram", "1", "Mẫu", now)
            plans = [p for p in await tx.plans.plans(campaign.id) if p.shortcomings]
            for n, plan in enumerate(plans):
                for item in plan.shortcomings:
                    objective = LONG if n == 0 else f"Khắc phục dứt điểm hạn chế {item.key} 📑✅"
                    await tx.plans.set_objective(item.assignment_id, objective)
                    for j, timeline in enumerate(("quý II/2026", "thường xuyên"), 1):
                        mid = await tx.plans.add_measure(
                            item.assignment_id,
                            f"Nhiệm vụ {j}: rà soát, hoàn thiện quy trình nội bộ"
                            + (' =HYPERLINK("http://x","Bấm")' if n == 1 and j == 1 else ""),
                            now,
                        )
                        await tx.plans.update_measure(
                            mid,
                            now,
                            lead_unit=plan.agency.name,
                            partners=["Sở Tư pháp", "UBND các xã, phường"],
                            timeline=timeline,
                            due_date=dt.date(2026, 6, 30) if j == 1 else None,
                            recurring=j == 2,
                            output="Báo cáo kết quả thực hiện",
                        )
            filled = [p for p in await tx.plans.plans(campaign.id) if p.shortcomings]
            for n, plan in enumerate(filled[:-2]):  # the last two have not submitted
                measures = sum(len(s.measures) for s in plan.shortcomings)
                await tx.plans.submit(plan, user.id, now, n % 3, measures)
            return campaign.id
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("rendered"), help="default: rendered/")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kehoach-render-") as tmp:
        db_path = Path(tmp) / "sample.sqlite3"
        campaign_id = asyncio.run(sample(db_path))
        files = []
        for kind in ("docx", "xlsx"):
            built = build(str(db_path), campaign_id, kind, False, "2026-01-22", "Asia/Ho_Chi_Minh")
            path = args.out / f"ke-hoach-tong-hop.{kind}"
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
        pdf = path.with_suffix(".pdf")
        print(f"wrote {pdf}")
        if shutil.which("pdftoppm"):
            prefix = args.out / path.stem / path.suffix.lstrip(".")
            prefix.parent.mkdir(exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(prefix)], check=True)
            print(f"wrote {prefix}-*.png")
        else:
            print("pdftoppm (poppler-utils) is not installed: PDF only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
