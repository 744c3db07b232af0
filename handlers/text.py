"""Safe message text: HTML escaping and splitting under the channel's length limit."""

from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096
_TOKEN = re.compile(r"<[^>]+>|&#?\w+;|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-z\-]+)[^>]*>")


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML text into chunks of at most ``limit`` characters.

    Cuts at line breaks where it can, then at spaces; never inside a tag or an entity. Tags open
    at a cut are closed at the end of the chunk and opened again at the start of the next.
    """
    if len(text) <= limit:
        return [text]
    budget = limit - 64  # room for closing and reopening tags
    chunks: list[str] = []
    current = ""
    stack: list[tuple[str, str]] = []  # (name, opening tag)

    def flush() -> None:
        nonlocal current
        body = current.rstrip("\n")
        if body.strip():
            chunks.append(body + "".join(f"</{name}>" for name, _ in reversed(stack)))
        current = "".join(tag for _, tag in stack)

    for token in _pieces(text, budget):
        if len(current) + len(token) > budget:
            flush()
        current += token
        if m := _TAG.fullmatch(token):
            if m[1]:
                if stack and stack[-1][0] == m[2]:
                    stack.pop()
            else:
                stack.append((m[2], token))
    if current.strip():
        chunks.append(current.rstrip("\n"))
    return chunks


def _pieces(text: str, budget: int) -> list[str]:
    """Tokens no longer than ``budget``: tags, entities, and text cut at lines and spaces."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith(("<", "&")) and len(token) > 1:
            out.append(token)
            continue
        for line in re.findall(r"[^\n]*\n|[^\n]+", token):
            while len(line) > budget:
                cut = line.rfind(" ", 0, budget)
                cut = cut + 1 if cut > budget // 2 else budget
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
    return out
