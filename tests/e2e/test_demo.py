"""``kehoach-bot demo`` driven through its standard input, as a newcomer would type."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT


async def test_demo_session(tmp_path: Path) -> None:
    files = tmp_path / "files"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--files",
        str(files),
        cwd=str(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    lines = "/kehoach\n1\n1\nMục tiêu thử\n/vai\n/tonghop\n/vai\n99\n/vai\n/tonghop\n"
    assert proc.stdin is not None
    proc.stdin.write(lines.encode())
    # pick the Word button of the consolidator's last status message, then quit
    out = b""
    assert proc.stdout is not None
    while out.decode(errors="ignore").count("TÌNH HÌNH TỔNG HỢP") < 2 or not out.endswith(b"> "):
        chunk = await asyncio.wait_for(proc.stdout.read(4096), 60)
        assert chunk, out.decode()[-2000:]
        out += chunk
    status = out.decode().split("TÌNH HÌNH TỔNG HỢP")[-1]
    number = next(
        line.split("]")[0].strip(" [") for line in status.splitlines() if "Word (.docx)" in line
    )
    proc.stdin.write(f"{number}\n/thoat\n".encode())
    rest, _ = await asyncio.wait_for(proc.communicate(), 60)
    text = (out + rest).decode()
    assert proc.returncode == 0, text[-2000:]
    assert "Vai đang dùng: Nguyễn Văn An (đầu mối, Sở Nội vụ)" in text
    assert "Đã lưu mục tiêu" in text
    assert "Vai đang dùng: Trần Thị Bình (cán bộ tổng hợp, Sở Tài chính)" in text
    assert "Không có nút số 99." in text
    assert "Đã nhận tệp và lưu tại:" in text and "Đã kết thúc bản chạy thử." in text
    saved = list(files.glob("*.docx"))
    assert len(saved) == 1 and saved[0].stat().st_size > 5000


async def test_zalo_demo_greets_by_name_and_gives_each_role_its_menu(tmp_path: Path) -> None:
    """#21.8: the greeting uses the Zalo display name; "0" opens each role's own main menu; an
    item is numbered once."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--channel",
        "zalo",
        "--files",
        str(tmp_path / "files"),
        cwd=str(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    out, _ = await asyncio.wait_for(proc.communicate(b"kehoach\n/vai\n0\n/thoat\n"), 120)
    text = out.decode()
    assert proc.returncode == 0, text[-2000:]
    assert "Xin chào Nguyễn Văn An!" in text and "Xin chào Trần Thị Bình!" in text
    assert "Người dùng" not in text
    plan_menu = text.split("Vai đang dùng: Trần Thị Bình")[0]
    assert re.search(r"^1\. ⬜ \w", plan_menu, re.M), plan_menu[-1500:]  # not "1. ⬜ 1. …"
    consolidator = text.split("Vai đang dùng: Trần Thị Bình")[1]
    assert "Anh/chị chọn mục cần xem." in consolidator
    assert re.search(r"^\d+\. 📊 Tình hình tổng hợp", consolidator, re.M)
    assert "không phải là đầu mối" not in consolidator
