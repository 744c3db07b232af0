"""What a channel gives the conversation (Event) and what it gets back (Reply).

A channel (Telegram, Zalo) maps its updates to Events and renders Replies; nothing here knows
which channel it is. Reply text is the core's markup (``handlers.markup``), never a channel's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.buttons import Action, pack


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"  # sticker, photo, voice, location...
    FILE = "file"  # a document sent in the chat, or through the upload page
    EDITED = "edited"


@dataclass(frozen=True)
class Upload:
    """A file a person sent: its name and size as the messenger gave them, and its bytes once
    fetched (None when over the size limit, or when fetching it failed: ``failed``)."""

    filename: str
    size: int
    content: bytes | None = None
    ref: str = ""  # the messenger's id of the file, to fetch it
    failed: bool = False


@dataclass(frozen=True)
class Event:
    """One thing a person did. ``delivery_id`` is the channel's id of the update (a string:
    Zalo's ids are strings); an event delivered twice is handled once."""

    channel: str
    delivery_id: str
    user_id: str
    kind: Kind
    chat_id: str = ""  # where replies go; the person's private chat when empty
    text: str = ""
    command: str = ""
    args: str = ""
    data: str = ""  # a button's packed payload
    message_ref: str | None = None  # the message whose button was pressed (for edits)
    display_name: str = ""
    language: str | None = None
    private: bool = True
    file: Upload | None = None

    @property
    def reply_to(self) -> str:
        return self.chat_id or self.user_id


@dataclass(frozen=True)
class Choice:
    """A choice offered to the person: its label (plain text) and what it does."""

    label: str
    action: Action

    @property
    def data(self) -> str:
        return pack(self.action)


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    caption: str = ""
    agency_id: int | None = None  # made for one agency: its focal persons may open its link


@dataclass(frozen=True)
class StoredFile:
    """A document already stored (``documents`` table), to attach to a message."""

    id: int
    filename: str
    caption: str = ""


@dataclass(frozen=True)
class Recipient:
    channel: str
    external_id: str


@dataclass
class Reply:
    """One message. ``to`` None means the chat of the event; ``edit`` replaces the message whose
    button was pressed (where the channel can edit); ``toast`` is a short acknowledgement."""

    text: str = ""
    choices: list[list[Choice]] = field(default_factory=list)
    document: Document | StoredFile | None = None
    to: Recipient | None = None
    edit: bool = False
    toast: str = ""
    upload: str = ""  # a kind of table: the channel adds the link of its upload page


@dataclass(frozen=True)
class Outgoing:
    """A message as it waits in the outbox, for a channel to render: markup text, choices as
    (label, packed payload), the message to replace if the channel can edit, a document."""

    text: str = ""
    choices: tuple[tuple[tuple[str, str], ...], ...] = ()
    edit_ref: str | None = None
    document_id: int | None = None
    filename: str = ""
    caption: str = ""
    upload: str = ""  # add the link of the upload page for this kind of table

    def to_json(self) -> str:
        return json.dumps(
            {
                "text": self.text,
                "choices": [[list(c) for c in row] for row in self.choices],
                "edit_ref": self.edit_ref,
                "document_id": self.document_id,
                "filename": self.filename,
                "caption": self.caption,
                **({"upload": self.upload} if self.upload else {}),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> Outgoing:
        data = json.loads(raw)
        return cls(
            text=data.get("text", ""),
            choices=tuple(tuple((str(a), str(b)) for a, b in row) for row in data["choices"]),
            edit_ref=data.get("edit_ref"),
            document_id=data.get("document_id"),
            filename=data.get("filename", ""),
            caption=data.get("caption", ""),
            upload=data.get("upload", ""),
        )

    @property
    def flat_choices(self) -> list[tuple[str, str]]:
        return [c for row in self.choices for c in row]
