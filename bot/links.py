"""Signed, expiring links to stored documents, for channels that cannot send files (Zalo).

A link names one document and the person it was made for, and when it stops working; it is
signed with HMAC-SHA256, so it cannot be forged or stretched. The bot's own HTTP server
(``bot.web``) serves it: 403 for a forged or malformed link or when the person it was made for no
longer holds a role that may read it (checked at every request), 410 for an expired one or a
document no longer kept, else the file with its type and (Vietnamese) file name. Every request is
logged.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from bot.settings import LINKS_PATH, UPLOAD_PATH
from db.connection import Database
from domain.text import terminal_safe
from handlers.context import Clock
from handlers.documents import may_read
from locales import _, fmt_datetime

log = logging.getLogger(__name__)

PATH = LINKS_PATH
MAX_TOKEN = 512  # a real token is about 100 characters
MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class LinkRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class UploadGrant:
    recipient: str  # "channel:id" of the person the page was made for
    kind: str  # the kind of table it takes
    expires: dt.datetime


@dataclass(frozen=True)
class Grant:
    document_id: int
    recipient: str  # "channel:id" of the person it was made for
    expires: dt.datetime


def derive_key(token: str) -> bytes:
    """A signing key of its own, derived from the channel's secret token (rotating the token
    invalidates the links still out there, which is what one wants then)."""
    return hmac.new(token.encode(), b"kehoach-bot document links", hashlib.sha256).digest()


class Links:
    def __init__(self, key: bytes, base_url: str, clock: Clock, hours: int = 24) -> None:
        self.key = key
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.lifetime = dt.timedelta(hours=hours)

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()[:40]

    def make(self, document_id: int, recipient: str, filename: str) -> tuple[str, dt.datetime]:
        expires = self.clock() + self.lifetime
        token = self._token(f"{document_id}|{recipient}|{int(expires.timestamp())}")
        return f"{self.base_url}{PATH}/{token}/{quote(filename)}", expires

    def _token(self, body: str) -> str:
        encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        return f"{encoded}.{self._sign(body)}"

    def make_upload(self, recipient: str, kind: str) -> tuple[str, dt.datetime]:
        """The link of the upload page for ``recipient`` ("channel:id") and a kind of table:
        signed like a document link, with a body no document link has ("up|…")."""
        expires = self.clock() + self.lifetime
        token = self._token(f"up|{recipient}|{kind}|{int(expires.timestamp())}")
        return f"{self.base_url}{UPLOAD_PATH}/{token}", expires

    def check_upload(self, token: str) -> UploadGrant:
        """The grant of an upload link, or LinkRefused (403 forged, 410 expired)."""
        body = self._verified(token)
        try:
            mark, recipient, kind, stamp = body.split("|")
            if mark != "up" or ":" not in recipient:
                raise ValueError(mark)
            expires = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise LinkRefused(403, "malformed") from None
        if expires < self.clock():
            raise LinkRefused(410, "expired")
        return UploadGrant(recipient, kind, expires)

    def _verified(self, token: str) -> str:
        """The body of a token signed by us, or LinkRefused (403)."""
        encoded, _, signature = token.rpartition(".")
        if len(token) > MAX_TOKEN or not encoded:
            raise LinkRefused(403, "malformed")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            raise LinkRefused(403, "malformed") from None
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            raise LinkRefused(403, "bad signature")
        return body

    def check(self, token: str) -> Grant:
        """The grant of a link, or LinkRefused (403 forged, 410 expired)."""
        body = self._verified(token)
        try:  # signed by us, so well formed; still, nothing in it may raise past here
            doc, recipient, stamp = body.split("|")
            grant = Grant(int(doc), recipient, dt.datetime.fromtimestamp(int(stamp), dt.UTC))
        except (ValueError, OverflowError, OSError):
            raise LinkRefused(403, "malformed") from None
        if grant.expires < self.clock():
            raise LinkRefused(410, "expired")
        return grant

    def handler(
        self, db: Database, admins: frozenset[tuple[str, str]] = frozenset()
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            token = request.match_info.get("token", "")
            peer = request.headers.get("X-Forwarded-For", request.remote or "?")
            try:
                grant = self.check(token)
            except LinkRefused as exc:
                log.warning("document link refused (%s) from %s", exc, clean_peer(peer))
                return web.Response(status=exc.status, text=_refusal(exc.status))
            async with db.read() as tx:
                document = await tx.documents.get(grant.document_id)
                agency = document.agency_id if document else None
                allowed = await may_read(tx, admins, grant.recipient, agency)
            if not allowed:
                log.warning(
                    "document link refused: %s no longer holds a role that may read document %s",
                    grant.recipient,
                    grant.document_id,
                )
                return web.Response(status=403, text=_no_longer_allowed())
            if document is None or document.expires_at < self.clock():
                log.info("document link: document %s no longer kept", grant.document_id)
                return web.Response(status=410, text=_refusal(410))
            log.info(
                "document link: document %s (%s) served to %s, made for %s",
                document.id,
                document.filename,
                clean_peer(peer),
                grant.recipient,
            )
            suffix = document.filename[document.filename.rfind(".") :].lower()
            return web.Response(
                body=document.content,
                content_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
                headers={
                    "Content-Disposition": "attachment; filename*=UTF-8''"
                    + quote(document.filename),
                    "Cache-Control": "private, no-store",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        return serve


def clean_peer(peer: str) -> str:
    """A client-given address as it may be logged: printable, short."""
    return terminal_safe(peer[:64])


def _no_longer_allowed() -> str:
    return (
        _(
            "This link no longer works: the account it was made for no longer has the right to "
            "see this file."
        )
        + "\n"
    )


def _refusal(status: int) -> str:
    if status == 410:
        return _("This link has expired. Ask for the file again in the chat with the bot.") + "\n"
    return _("This link is not valid.") + "\n"


def upload_line(links: Links | None, recipient: str, kind: str, tz: dt.tzinfo) -> str:
    """The line a message ends with when it offers the upload page (plain text, no markup)."""
    if links is None:
        return _(
            "(The upload page cannot be used: the bot has no public address, PUBLIC_BASE_URL. "
            "Please tell the administrator.)"
        )
    url, expires = links.make_upload(recipient, kind)
    return _("🌐 Upload page: {url}\n(valid until {until}, for you only)").format(
        url=url, until=fmt_datetime(expires, tz)
    )
