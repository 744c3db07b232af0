"""The upload page: where a person whose messenger cannot send files (Zalo), or who works at a
computer, sends the filled template back to the bot.

The page is reached only by a signed, expiring link made for one person (``bot.links``): no
login beyond it. GET shows a plain HTML form (readable on a phone and a desktop, no script);
POST takes one file, read as it streams in up to the size limit (past it the upload is refused,
never truncated), and hands it to the core as that person's event — the same path as a file sent
in the Telegram chat — so the result of the check arrives in the chat, where the person saves
or cancels it. The page says so. Every upload is logged (who, size, never the content).
"""

from __future__ import annotations

import html
import logging
import secrets

from aiohttp import BodyPartReader, web

from bot.links import LinkRefused, Links, clean_peer
from handlers.router import Core
from handlers.tables import FILE_MAX
from handlers.types import Event, Kind, Upload
from locales import _, use_locale

log = logging.getLogger(__name__)

FIELD = "tep"
CHUNK = 64 * 1024
NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


def _page(title: str, body: str, status: int = 200) -> web.Response:
    text = (
        "<!doctype html>\n"
        '<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>"
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
        "max-width:36rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}"
        "h1{font-size:1.3rem}"
        "input[type=file]{display:block;width:100%;margin:1rem 0;font-size:1rem}"
        "button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:.4rem;"
        "background:#0b5cad;color:#fff;width:100%}"
        ".note{color:#555;font-size:.95rem}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>\n"
    )
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
        },
    )


def _refused(exc: LinkRefused) -> web.Response:
    if exc.status == 410:
        said = _("This link has expired. Please ask the bot for the upload page again.")
    else:
        said = _("This link is not valid.")
    return _page(_("Upload page"), f"<p>{html.escape(said)}</p>", exc.status)


class UploadPage:
    def __init__(self, links: Links, core: Core, locale: str) -> None:
        self.links = links
        self.core = core
        self.locale = locale

    async def show(self, request: web.Request) -> web.Response:
        with use_locale(self.locale):
            try:
                grant = self.links.check_upload(request.match_info.get("token", ""))
            except LinkRefused as exc:
                log.warning("upload page refused (%s) from %s", exc, _peer(request))
                return _refused(exc)
            return self._form(grant.recipient)

    def _form(self, recipient: str, note: str = "") -> web.Response:
        chat = NAMES.get(recipient.partition(":")[0], "")
        label, send = html.escape(_("File")), html.escape(_("Send the file"))
        body = (
            (f'<p class="note">{html.escape(note)}</p>' if note else "")
            + "<p>"
            + html.escape(
                _(
                    "Choose the filled template (.xlsx), or a plan written as a Word table "
                    "(.docx), and send it. The bot checks every row and answers in the {chat} "
                    "chat, where you save or cancel the changes."
                ).format(chat=chat)
            )
            + "</p>"
            + '<form method="post" enctype="multipart/form-data">'
            + f'<label for="{FIELD}">{label}</label>'
            + f'<input id="{FIELD}" name="{FIELD}" type="file" accept=".xlsx,.docx" required>'
            + f'<button type="submit">{send}</button>'
            + "</form>"
            + '<p class="note">'
            + html.escape(
                _("At most {mb} MB. This page is for you only; do not share its address.").format(
                    mb=FILE_MAX // (1024 * 1024)
                )
            )
            + "</p>"
        )
        return _page(_("Send the filled template"), body)

    async def receive(self, request: web.Request) -> web.Response:
        with use_locale(self.locale):
            try:
                grant = self.links.check_upload(request.match_info.get("token", ""))
            except LinkRefused as exc:
                log.warning("upload refused (%s) from %s", exc, _peer(request))
                return _refused(exc)
            try:
                upload = await _read(request)
            except ValueError:
                return self._form(
                    grant.recipient, _("No file was chosen, or the form was damaged.")
                )
            if upload is None:
                return self._form(grant.recipient, _("No file was chosen."))
            channel, _sep, user_id = grant.recipient.partition(":")
            log.info(
                "upload page: %d bytes (%s) from %s for %s",
                upload.size,
                "over the limit" if upload.content is None else "taken",
                _peer(request),
                grant.recipient,
            )
            event = Event(
                channel=channel,
                delivery_id=f"upload-{secrets.token_hex(8)}",
                user_id=user_id,
                kind=Kind.FILE,
                file=upload,
            )
            try:
                await self.core.handle(event)
            except Exception:
                log.exception("upload page: the file could not be handled")
                return self._form(
                    grant.recipient, _("The file could not be taken just now; please try again.")
                )
            chat = NAMES.get(channel, "")
            said = _(
                "The file «{name}» was received. The result of the check is in the {chat} chat "
                "with the bot: please look there to save or cancel the changes."
            ).format(name=upload.filename, chat=chat)
            again = html.escape(_("Send another file"))
            return _page(
                _("File received"),
                f'<p>{html.escape(said)}</p><p class="note"><a href="">{again}</a></p>',
            )


async def _read(request: web.Request) -> Upload | None:
    """The form's file, read in chunks: past the limit the bytes are dropped (content None)."""
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            return None
        if not isinstance(part, BodyPartReader) or part.name != FIELD:
            continue
        name = (part.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
        if not name:
            return None
        data = bytearray()
        size = 0
        while chunk := await part.read_chunk(CHUNK):
            size += len(chunk)
            if size > FILE_MAX:  # refused as it arrives: the rest is never read
                return Upload(filename=name, size=size)
            data += chunk
        return Upload(filename=name, size=size, content=bytes(data))


def _peer(request: web.Request) -> str:
    return clean_peer(request.headers.get("X-Forwarded-For", request.remote or "?"))
