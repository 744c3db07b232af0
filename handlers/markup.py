"""The core's text markup: what a reply says, for any channel to render.

A reply's text is plain text with three marks, and nothing else (no HTML):

* ``**bold**`` and ``__italic__``; a span never crosses a line;
* a backslash makes the next character literal: text from people and from campaign files always
  goes through :func:`esc`, so nobody can inject a mark;
* :data:`BREAK` (a form feed, which input cleaning removes from what people type) separates
  blocks: a channel that must split a long text splits between blocks first, then between lines.

Channels render it: Telegram as HTML, Zalo and the terminal demo as plain text (:func:`plain`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BREAK = "\f"
_SPECIAL = re.compile(r"([\\*_])")
_TOKEN = re.compile(r"\\(.)|(\*\*)|(__)|([^\\*_]+|[*_\\])", re.DOTALL)


def esc(text: str | None) -> str:
    """Text shown as it is, whatever characters it holds."""
    return _SPECIAL.sub(r"\\\1", text or "")


def b(text: str) -> str:
    """Bold (``text`` is markup: escape what it contains)."""
    return f"**{text}**"


def i(text: str) -> str:
    """Italic (``text`` is markup)."""
    return f"__{text}__"


@dataclass(frozen=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False


def parse(text: str) -> list[Run]:
    """The runs of a markup text; unbalanced marks end at the end of the text."""
    runs: list[Run] = []
    bold = italic = False
    for literal, star, under, other in _TOKEN.findall(text):
        if star:
            bold = not bold
            continue
        if under:
            italic = not italic
            continue
        piece = literal or other
        if runs and runs[-1].bold == bold and runs[-1].italic == italic:
            runs[-1] = Run(runs[-1].text + piece, bold, italic)
        else:
            runs.append(Run(piece, bold, italic))
    return runs


def plain(text: str) -> str:
    """The text without marks (block breaks become line breaks)."""
    return "".join(r.text for r in parse(text)).replace(BREAK, "\n")


def clip(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters with an ellipsis (for button labels)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
