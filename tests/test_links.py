"""Signed document links: made for one person, refused when forged (403) or expired (410)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.links import PATH, LinkRefused, Links, derive_key
from bot.web import WebServer
from db.connection import Database

NOW = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> dt.datetime:
        return self.at


def test_a_link_names_its_document_and_person_and_cannot_be_altered() -> None:
    clock = Clock()
    links = Links(derive_key("1:secret"), "https://bot.example.gov.vn/", clock, hours=24)
    url, expires = links.make(42, "zalo:abc", "Kế hoạch tổng hợp.docx")
    assert url.startswith("https://bot.example.gov.vn/tep/") and expires == NOW + dt.timedelta(1)
    assert url.endswith("/K%E1%BA%BF%20ho%E1%BA%A1ch%20t%E1%BB%95ng%20h%E1%BB%A3p.docx")
    token = url.split("/")[-2]
    grant = links.check(token)
    assert (grant.document_id, grant.recipient) == (42, "zalo:abc")
    body, _, signature = token.rpartition(".")
    for forged in (
        body + "." + "0" * len(signature),
        body[:-2] + "xx." + signature,
        "not-a-token",
        "",
    ):
        with pytest.raises(LinkRefused) as err:
            links.check(forged)
        assert err.value.status == 403
    other = Links(derive_key("1:another-token"), "https://x", clock)
    with pytest.raises(LinkRefused):
        other.check(token)  # another key: refused
    clock.at = NOW + dt.timedelta(hours=24, seconds=1)
    with pytest.raises(LinkRefused) as err:
        links.check(token)
    assert err.value.status == 410


async def test_the_endpoint_serves_the_file_and_refuses_the_rest(tmp_path: Path) -> None:
    clock = Clock()
    db = await Database.open(tmp_path / "k.sqlite3")
    async with db.transaction() as tx:
        doc = await tx.documents.add("Tổng hợp.xlsx", "x", b"PK\x03\x04data", NOW, dt.timedelta(7))
    links = Links(derive_key("1:secret"), "http://127.0.0.1", clock)
    server = WebServer("127.0.0.1", 0)
    server.route("GET", PATH + "/{token}/{name}", links.handler(db))
    client = TestClient(TestServer(server.app))
    await client.start_server()
    try:
        url, _ = links.make(doc, "zalo:abc", "Tổng hợp.xlsx")
        path = url.removeprefix("http://127.0.0.1")
        r = await client.get(path)
        assert r.status == 200 and await r.read() == b"PK\x03\x04data"
        assert r.content_type.endswith("spreadsheetml.sheet")
        assert r.headers["Content-Disposition"] == (
            "attachment; filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p.xlsx"
        )
        r = await client.get(path.replace("/tep/", "/tep/x"))
        assert r.status == 403 and "không hợp lệ" in await r.text()
        gone, _ = links.make(doc + 1, "zalo:abc", "x.xlsx")  # a document not kept
        r = await client.get(gone.removeprefix("http://127.0.0.1"))
        assert r.status == 410
        clock.at = NOW + dt.timedelta(days=2)
        r = await client.get(path)
        assert r.status == 410 and "hết hạn" in await r.text()
    finally:
        await client.close()
        await db.close()
