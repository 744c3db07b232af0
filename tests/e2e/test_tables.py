"""The plan as a table through the real process (issue 20): in Telegram, the template asked for,
filled and sent back as a file through the stand-in (getFile, the file server); in Zalo, the
template reached by its signed link and returned through the upload page over HTTP — and that
page used in a real browser at phone width, a screenshot kept."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
from pathlib import Path

import aiohttp
import pytest
from openpyxl import load_workbook

from domain.model import Role
from tests.e2e.conftest import E2E, FOCAL, text
from tests.e2e.test_zalo import FOCAL as ZALO_FOCAL
from tests.e2e.test_zalo import ZaloWorld, number, said, zw  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "out" / "screens"


def fill(content: bytes) -> bytes:
    """What a person does at a desk: the first shortcoming's objective and three measures, one
    of them with a unit outside the list."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["Kế hoạch"]
    row = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "1")
    sheet.cell(row, 3).value = "Bộ máy vận hành thông suốt"
    measures = [
        ("Rà soát chức năng, nhiệm vụ", "Sở Nội vụ", "Sở Tài chính", "quý II/2026"),
        ("Tập huấn nghiệp vụ", "Sở Nội vụ", "UBND các xã, phường", "30/6/2026"),
        ("Theo dõi, đôn đốc", "Sở Nội vụ", "", "thường xuyên"),
    ]
    for k, (content_, lead, partners, timeline) in enumerate(measures):
        sheet.cell(row + k, 4).value = content_
        sheet.cell(row + k, 5).value = lead
        sheet.cell(row + k, 6).value = partners or None
        sheet.cell(row + k, 7).value = timeline
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_telegram_template_sent_back_as_a_file(e2e: E2E) -> None:
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")
    got = await e2e.send(FOCAL, "/maubieu")  # 1: ask for the template
    (template,) = [m for m in got if m.document]
    name, content = template.document
    assert name == "mau-ke-hoach-SNV.xlsx"
    before = len(e2e.standin.sent_to(FOCAL))
    update = e2e.standin.push_document(FOCAL, fill(content), "ke-hoach-SNV.xlsx")  # 2: send it
    await e2e.standin.wait_for(lambda: e2e.standin.confirmed(update), 20, "the file")
    await e2e.settled()
    preview = text(e2e.standin.sent_to(FOCAL)[before:])
    assert "Nội dung 1: đã ghi mục tiêu; 3 nhiệm vụ mới" in preview, preview
    assert e2e.standin.count("getFile") == 1
    saved = await e2e.press_label(FOCAL, "Lưu")  # 3: confirm
    assert "Đã lưu kế hoạch từ «ke-hoach-SNV.xlsx»" in text(saved)
    rows = await e2e.rows(
        "SELECT content, lead_unit, timeline FROM measures WHERE deleted_at IS NULL ORDER BY id"
    )
    assert rows == [
        ("Rà soát chức năng, nhiệm vụ", "Sở Nội vụ", "quý II/2026"),
        ("Tập huấn nghiệp vụ", "Sở Nội vụ", "30/6/2026"),
        ("Theo dõi, đôn đốc", "Sở Nội vụ", "thường xuyên"),
    ]
    assert await e2e.bot.stop() == 0


def _upload_link(messages_text: str) -> str:
    links = re.findall(r"(http://127\.0\.0\.1:\d+/tai-len/\S+)", messages_text)
    assert links, messages_text
    return links[-1]


async def test_zalo_template_by_link_and_returned_through_the_upload_page(zw: ZaloWorld) -> None:  # noqa: F811
    code = await zw.e2e.invite("SNV")
    await zw.e2e.invite("STC", Role.CONSOLIDATOR)
    await zw.start()
    await zw.send(ZALO_FOCAL, f"/start {code}")
    out = await zw.send(ZALO_FOCAL, "/maubieu")
    shown = said(out)
    template = re.findall(r"(http://127\.0\.0\.1:\d+/tep/\S+)", shown)
    assert template, shown
    upload = _upload_link(shown)
    async with aiohttp.ClientSession() as http:
        async with http.get(template[0]) as r:
            assert r.status == 200
            content = await r.read()
        async with http.get(upload) as r:
            page = await r.text()
            assert r.status == 200 and 'type="file"' in page
        before = len(zw.standin.sent_to(ZALO_FOCAL))
        form = aiohttp.FormData()
        form.add_field("tep", io.BytesIO(fill(content)), filename="ke-hoach.xlsx")
        async with http.post(upload, data=form) as r:
            assert r.status == 200
            assert "Đã nhận tệp «ke-hoach.xlsx»" in await r.text()
    await _settled(zw, before)
    preview = said(zw.standin.sent_to(ZALO_FOCAL)[before:])
    assert "Nội dung 1: đã ghi mục tiêu; 3 nhiệm vụ mới" in preview, preview
    out = await zw.send(ZALO_FOCAL, number(zw.standin.sent_to(ZALO_FOCAL)[before:], "Lưu"))
    assert "Đã lưu kế hoạch từ «ke-hoach.xlsx»" in said(out)
    assert len(await zw.e2e.rows("SELECT id FROM measures WHERE deleted_at IS NULL")) == 3


async def _settled(world: ZaloWorld, before: int, within: float = 20) -> None:
    for _ in range(int(within / 0.05)):
        if len(world.standin.sent_to(ZALO_FOCAL)) > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no answer in the Zalo chat")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver"
)
async def test_the_upload_page_in_a_real_browser_at_phone_width(
    zw: ZaloWorld,  # noqa: F811
    tmp_path: Path,
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    code = await zw.e2e.invite("SNV")
    await zw.start()
    await zw.send(ZALO_FOCAL, f"/start {code}")
    out = await zw.send(ZALO_FOCAL, "/maubieu")
    shown = said(out)
    upload = _upload_link(shown)
    template = re.findall(r"(http://127\.0\.0\.1:\d+/tep/\S+)", shown)[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(template) as r:
            filled = tmp_path / "ke-hoach.xlsx"
            filled.write_bytes(fill(await r.read()))
    options = webdriver.ChromeOptions()
    assert CHROMIUM is not None and CHROMEDRIVER is not None
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(arg)
    phone = {"width": 390, "height": 844, "pixelRatio": 2}  # a common phone, portrait
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": phone})
    before = len(zw.standin.sent_to(ZALO_FOCAL))

    def use_the_page() -> tuple[str, bytes]:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.get(upload)
            form_png = driver.get_screenshot_as_png()
            driver.find_element(By.NAME, "tep").send_keys(str(filled))
            driver.find_element(By.TAG_NAME, "button").click()
            for _ in range(100):
                if "Đã nhận tệp" in driver.page_source:
                    break
                driver.implicitly_wait(0.1)
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, f"the page is wider than a phone: {width}px"
            return driver.find_element(By.TAG_NAME, "body").text, form_png
        finally:
            driver.quit()

    body, form_png = await asyncio.to_thread(use_the_page)
    assert "Đã nhận tệp «ke-hoach.xlsx»" in body
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / "upload-page-phone.png").write_bytes(form_png)
    await _settled(zw, before)
    assert "3 nhiệm vụ mới" in said(zw.standin.sent_to(ZALO_FOCAL)[before:])
