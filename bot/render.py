"""Fitting the core's markup into one channel's messages: split between blocks, then lines.

Each channel gives its length limit and how it renders runs (HTML for Telegram, plain text for
Zalo). A text is cut between blocks (``markup.BREAK``: items, measures, agencies) where it can,
else between lines, else at spaces; every chunk is rendered from runs, so a style that is open at a
cut is closed at the end of one chunk and opened again in the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers.markup import BREAK, Run, parse

Render = Callable[[list[Run]], str]


def chunks(
    text: str, limit: int, render: Render, measure: Callable[[list[Run]], int] | None = None
) -> list[str]:
    """Rendered chunks, in order, each of size at most ``limit`` — by ``measure`` (the channel's
    own count), else the length of the rendered text; never an empty one."""

    def size(runs: list[Run]) -> int:
        return measure(runs) if measure is not None else len(render(runs))

    out: list[str] = []
    current: list[Run] = []
    used = 0  # size of ``current``: a channel's measure adds up, so it is never recounted
    for joiner, piece in _pieces(text, limit, size):
        if measure is not None:
            grown = used + (measure([Run(joiner)]) if current else 0) + measure(piece)
        else:  # rendered length (markup tags): measured as a whole
            grown = size([*current, Run(joiner), *piece] if current else piece)
        if grown <= limit:
            if current:
                current.append(Run(joiner))
            current.extend(piece)
            used = grown
            continue
        if current:
            out.append(render(_strip(current)))
        current, used = list(piece), size(piece)
    if _strip(current):
        out.append(render(_strip(current)))
    return out or [render([Run("…")])]


def _pieces(text: str, limit: int, size: Callable[[list[Run]], int]) -> list[tuple[str, list[Run]]]:
    """What may not be cut, each with what joins it to the previous piece: whole blocks where
    they fit, else whole lines, else words (spaces stay with them), else slices of a word."""
    out: list[tuple[str, list[Run]]] = []
    for block in text.split(BREAK):
        runs = _strip(parse(block))
        if not runs:
            continue
        if size(runs) <= limit:
            out.append(("\n", runs))
            continue
        for line in _split_runs(runs, "\n"):
            line = _strip(line) or line
            if size(line) <= limit:
                out.append(("\n", line))
                continue
            joiner = "\n"
            for word in _split_runs(line, " "):
                if size(word) <= limit:
                    out.append((joiner, word))
                else:
                    step = max(1, limit // 2)
                    for run in word:
                        for k in range(0, len(run.text), step):
                            slice_ = [Run(run.text[k : k + step], run.bold, run.italic)]
                            out.append((joiner, slice_))
                            joiner = ""
                joiner = ""
    return out


def _strip(runs: list[Run]) -> list[Run]:
    """Without leading and trailing blank lines (a chunk starts and ends with text)."""
    out = [r for r in runs if r.text]
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[0] = Run(out[0].text.lstrip("\n"), out[0].bold, out[0].italic)
        out[-1] = Run(out[-1].text.rstrip(), out[-1].bold, out[-1].italic)
    return out


def _split_runs(runs: list[Run], pattern: str) -> list[list[Run]]:
    """Cut runs after each match of ``pattern`` (kept with the piece before it)."""
    pieces: list[list[Run]] = [[]]
    for run in runs:
        parts = re.split(f"(?<={pattern})", run.text)
        for k, part in enumerate(parts):
            if k:
                pieces.append([])
            if part:
                pieces[-1].append(Run(part, run.bold, run.italic))
    return [p for p in pieces if p]


def plain_runs(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)
