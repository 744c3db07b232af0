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
ADMINS = frozenset({("zalo", "abc")})  # an administrator from the settings


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> dt.datetime:
        return self.at


async def _serve(db: Database, links: Links) -> TestClient:
    """The document-link endpoint of the bot's HTTP server, on a test client (started)."""
    server = WebServer("127.0.0.1", 0)
    server.route("GET", PATH + "/{token}/{name}", links.handler(db, ADMINS))
    client = TestClient(TestServer(server.app))
    await client.start_server()
    return client


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
    client = await _serve(db, links)
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


def test_a_well_signed_token_with_an_impossible_timestamp_is_403_not_an_error() -> None:
    import base64
    import hashlib
    import hmac

    key = derive_key("1:secret")
    links = Links(key, "http://127.0.0.1", Clock())
    for body in ("1|zalo:abc|99999999999999999999", "1|zalo:abc|-99999999999999", "1|zalo:abc"):
        encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        signature = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:40]
        with pytest.raises(LinkRefused) as err:
            links.check(f"{encoded}.{signature}")
        assert err.value.status == 403, body
    for junk in ("%%%.abc", "\u00ff." + "0" * 40, "a" * 5000 + ".x", "." + "0" * 40):
        with pytest.raises(LinkRefused) as err:
            links.check(junk)
        assert err.value.status == 403


async def test_a_link_stops_working_when_its_person_loses_the_role(tmp_path: Path) -> None:
    from bot.settings import BUNDLED_CAMPAIGN
    from domain.campaign import load_campaign
    from domain.model import Role

    clock = Clock()
    db = await Database.open(tmp_path / "k.sqlite3")
    async with db.transaction() as tx:
        await tx.campaigns.load(load_campaign(BUNDLED_CAMPAIGN), NOW)
        campaign = await tx.campaigns.active()
        assert campaign is not None
        consolidator = await tx.users.ensure("zalo", "c1", "Chị Lan", NOW)
        await tx.users.grant(consolidator.id, campaign.consolidator.id, Role.CONSOLIDATOR, NOW)
        focal = await tx.users.ensure("zalo", "f1", "Anh Nam", NOW)
        snv = await tx.campaigns.agency_by_code("SNV")
        assert snv is not None
        await tx.users.grant(focal.id, snv.id, Role.FOCAL, NOW)
        doc = await tx.documents.add("Tổng hợp.xlsx", "x", b"PK\x03\x04data", NOW, dt.timedelta(7))
    links = Links(derive_key("1:secret"), "http://127.0.0.1", clock)
    client = await _serve(db, links)

    def path(recipient: str) -> str:
        return links.make(doc, recipient, "x.xlsx")[0].removeprefix("http://127.0.0.1")

    try:
        mine = path("zalo:c1")
        assert (await client.get(mine)).status == 200
        for nobody in ("zalo:f1", "zalo:unknown", "telegram:c1"):  # a focal person; strangers
            r = await client.get(path(nobody))
            assert r.status == 403, nobody
        async with db.transaction() as tx:
            assert await tx.users.revoke(consolidator.id) == 1  # kehoach-bot revoke zalo:c1
        r = await client.get(mine)
        assert r.status == 403 and "không còn quyền xem tệp này" in await r.text()
    finally:
        await client.close()
        await db.close()
