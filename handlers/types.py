"""What a channel gives the conversation (Event) and what it gets back (Reply).

A channel (Telegram today, Zalo later) maps its updates to Events and renders Replies; nothing
here knows which channel it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"  # sticker, photo, voice, document, location...
    EDITED = "edited"


@dataclass(frozen=True)
class Event:
    channel: str
    update_id: int
    user_id: str
    kind: Kind
    text: str = ""
    command: str = ""
    args: str = ""
    data: str = ""
    display_name: str = ""
    language: str | None = None
    private: bool = True


@dataclass(frozen=True)
class Choice:
    """A button: its label and the short callback data it sends back."""

    label: str
    data: str


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Recipient:
    channel: str
    external_id: str


@dataclass
class Reply:
    """One message. ``to`` None means the user of the event; ``edit`` replaces the pressed message."""

    text: str = ""
    choices: list[list[Choice]] = field(default_factory=list)
    document: Document | None = None
    to: Recipient | None = None
    edit: bool = False
    toast: str = ""
