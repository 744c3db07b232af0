"""Splitting HTML under Telegram's limit without breaking tags or entities."""

from __future__ import annotations

import re

from handlers.text import esc, split_html


def _balanced(chunk: str) -> bool:
    stack = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", chunk):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_short_text_is_one_chunk() -> None:
    assert split_html("<b>a</b>") == ["<b>a</b>"]


def test_long_lines_split_at_line_breaks_and_keep_tags_balanced() -> None:
    text = "\n".join(f"<b>{i}.</b> <i>{esc('dòng & <x> ' * 40)}</i>" for i in range(60))
    chunks = split_html(text, 4096)
    assert len(chunks) > 1
    assert all(len(c) <= 4096 and _balanced(c) for c in chunks)
    assert "".join(re.sub(r"<[^>]+>", "", c) for c in chunks).replace("\n", "") == re.sub(
        r"<[^>]+>", "", text
    ).replace("\n", "")


def test_one_huge_line_inside_a_tag_is_cut_and_reopened() -> None:
    text = "<i>" + esc("chữ & " * 3000) + "</i>"
    chunks = split_html(text, 4096)
    assert len(chunks) >= 4
    for c in chunks:
        assert len(c) <= 4096 and c.startswith("<i>") and c.endswith("</i>")
        assert not re.search(r"&[a-z]*$", c.removesuffix("</i>"))  # no cut entity
