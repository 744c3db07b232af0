"""The upload page: a signed link made for one person opens a plain form; the file sent there is
that person's event, checked like a file sent in the Telegram chat, answered in the Zalo chat
(issue 20, point 2)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.links import PATH, LinkRefused, Links, derive_key
from bot.settings import UPLOAD_PATH
from bot.upload import FIELD, UploadPage
from bot.web import WebServer
from domain.templates import PLAN_SHEET
from handlers.types import Outgoing
from tests.core import CoreHarness, text

NOW = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)
FOCAL = 1001


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[tuple[CoreHarness, Links, TestClient, Clock]]:
    clock = Clock()
    h = await CoreHarness.open(tmp_path, clock, channel="zalo")
    links = Links(derive_key("zalo-token"), "https://bot.example.gov.vn", clock, hours=24)
    server = WebServer("127.0.0.1", 0)
    page = UploadPage(links, h.core, "vi")
    server.route("GET", UPLOAD_PATH + "/{token}", page.show)
    server.route("POST", UPLOAD_PATH + "/{token}", page.receive)
    client = TestClient(TestServer(server.app))
    await client.start_server()
    try:
        yield h, links, client, clock
    finally:
        await client.close()
        await h.close()


def test_an_upload_link_is_bound_to_its_person_and_kind_and_cannot_be_forged() -> None:
    clock = Clock()
    links = Links(derive_key("zalo-token"), "https://bot.example.gov.vn/", clock, hours=24)
    url, expires = links.make_upload("zalo:1001", "plan")
    assert url.startswith("https://bot.example.gov.vn/tai-len/")
    token = url.rsplit("/", 1)[-1]
    grant = links.check_upload(token)
    assert (grant.recipient, grant.kind, grant.expires) == ("zalo:1001", "plan", expires)
    body, _sep, signature = token.rpartition(".")
    for forged in (body + "." + "0" * len(signature), body[:-2] + "xx." + signature, "", "x"):
        with pytest.raises(LinkRefused) as err:
            links.check_upload(forged)
        assert err.value.status == 403
    document = links.make(7, "zalo:1001", "a.xlsx")[0].split("/")[-2]
    with pytest.raises(LinkRefused):
        links.check_upload(document)  # a document's link does not open the upload page
    with pytest.raises(LinkRefused):
        links.check(token)  # nor the other way round
    clock.at = NOW + dt.timedelta(hours=24, seconds=1)
    with pytest.raises(LinkRefused) as err:
        links.check_upload(token)
    assert err.value.status == 410


async def _template(h: CoreHarness) -> bytes:
    outs = await h.send(FOCAL, "/maubieu")
    (doc,) = [o for o in outs if o.document_id is not None]
    (note,) = [o for o in outs if o.upload == "plan"]
    said = text([note])
    assert "trang tải tệp lên" in said and "bấm" not in said.lower()  # no buttons on Zalo
    ((content,),) = await h.rows("SELECT content FROM documents WHERE id = ?", doc.document_id)
    return bytes(content)


def _filled(content: bytes) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book[PLAN_SHEET]
    row = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "1")  # the first block
    sheet.cell(row, 3).value = "Bộ máy vận hành thông suốt"
    sheet.cell(row, 4).value = "Rà soát chức năng, nhiệm vụ"
    sheet.cell(row, 5).value = "Sở Nội vụ"
    sheet.cell(row, 7).value = "quý II/2026"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form(content: bytes, name: str = "ke-hoach.xlsx") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(
        FIELD, io.BytesIO(content), filename=name, content_type="application/octet-stream"
    )
    return form


async def test_the_page_takes_the_file_and_the_chat_saves_it(zalo: Any) -> None:
    h, links, client, _clock = zalo
    await h.join(FOCAL, "SNV")
    content = await _template(h)
    path = "/" + links.make_upload(f"zalo:{FOCAL}", "plan")[0].split("/", 3)[3]
    page = await client.get(path)
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<html lang="vi">' in html and 'name="viewport"' in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "<script" not in html
    assert "Gửi tệp</button>" in html and ">Tệp</label>" in html  # every word in Vietnamese
    answer = await client.post(path, data=_form(_filled(content)))
    assert answer.status == 200
    assert "Đã nhận tệp «ke-hoach.xlsx»" in await answer.text()
    async with h.db.read() as tx:
        pending = await tx.outbox.pending(limit=100)
    preview = text([Outgoing.from_json(i.payload) for i in pending])
    assert "Nội dung 1: đã ghi mục tiêu; 1 nhiệm vụ mới" in preview
    assert "1. ✅ Lưu" in preview
    h.seen = max(i.id for i in pending)
    outs = await h.send(FOCAL, "1")
    assert "Đã lưu kế hoạch từ «ke-hoach.xlsx»" in text(outs)
    assert await h.rows("SELECT content, lead_unit, timeline FROM measures") == [
        ("Rà soát chức năng, nhiệm vụ", "Sở Nội vụ", "quý II/2026")
    ]


async def test_a_file_over_the_limit_is_refused_as_it_arrives(zalo: Any) -> None:
    h, links, client, _clock = zalo
    await h.join(FOCAL, "SNV")
    path = "/" + links.make_upload(f"zalo:{FOCAL}", "plan")[0].split("/", 3)[3]
    answer = await client.post(path, data=_form(b"0" * (5 * 1024 * 1024 + 1)))
    assert answer.status == 200
    async with h.db.read() as tx:
        pending = await tx.outbox.pending(limit=100)
    said = text([Outgoing.from_json(i.payload) for i in pending])
    assert "lớn hơn 5 MB" in said
    assert await h.rows("SELECT COUNT(*) FROM uploads") == [(0,)]


async def test_an_expired_or_forged_page_is_refused(zalo: Any) -> None:
    h, links, client, clock = zalo
    await h.join(FOCAL, "SNV")
    url = links.make_upload(f"zalo:{FOCAL}", "plan")[0]
    path = "/" + url.split("/", 3)[3]
    forged = await client.get(path[:-3] + "abc")
    assert forged.status == 403 and "không hợp lệ" in await forged.text()
    clock.at += dt.timedelta(days=2)
    expired = await client.post(path, data=_form(b"x"))
    assert expired.status == 410 and "hết hạn" in await expired.text()
    assert PATH != UPLOAD_PATH
