"""The core's markup as Telegram HTML: escaped, balanced in every chunk, under 4,096."""

from __future__ import annotations

import re

from bot.telegram.render import messages, to_html
from handlers.markup import BREAK, b, esc, i, parse


def _balanced(chunk: str) -> bool:
    stack = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", chunk):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def _visible(chunk: str) -> int:
    from bot.telegram.standin import parse_html, utf16_len

    text, problem = parse_html(chunk)
    assert problem is None, problem
    return utf16_len(text)


def test_marks_become_tags_and_text_is_escaped() -> None:
    assert to_html(parse(b("Mục") + " " + esc("<công chức> & *x*"))) == (
        "<b>Mục</b> &lt;công chức&gt; &amp; *x*"
    )


def test_long_text_splits_with_balanced_tags() -> None:
    text = BREAK.join(f"{b(str(n) + '.')} {i(esc('dòng & <x> ' * 40))}" for n in range(60))
    out = messages(text)
    assert len(out) > 1
    assert all(_visible(c) <= 4096 and _balanced(c) for c in out)
    joined = "".join(re.sub(r"<[^>]+>", "", c) for c in out).replace("\n", "")
    assert joined.count("&lt;x&gt;") == 60 * 40


def test_one_huge_italic_line_is_cut_and_reopened() -> None:
    out = messages(i(esc("chữ & " * 3000)))
    assert len(out) >= 4
    for c in out:
        assert _visible(c) <= 4096 and c.startswith("<i>") and c.endswith("</i>")
        assert not re.search(r"&[a-z]*$", c.removesuffix("</i>"))  # no cut entity


def test_limit_counts_what_telegram_counts() -> None:
    """Telegram counts the text after parsing, in UTF-16 units: tags are free, 😀 counts 2."""
    from bot.telegram.standin import parse_html, utf16_len

    tagged = BREAK.join(b(esc("chữ <& ")) * 1 for _ in range(2000))
    emoji = "😀" * 3000
    for text in (tagged, emoji):
        for chunk in messages(text):
            visible, problem = parse_html(chunk)
            assert problem is None and 0 < utf16_len(visible) <= 4096
