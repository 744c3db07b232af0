"""Zalo pages (18.12): no page over 2,000 UTF-16 units, its page mark included, whatever the
text; a page Zalo refuses never takes the pages after it down with it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sender import Permanent
from bot.zalo.channel import LIMIT, ZaloChannel, messages
from bot.zalo.client import ZaloError
from db.outbox import OutboxItem
from handlers.markup import BREAK
from handlers.types import Outgoing


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


words = st.text(alphabet=st.sampled_from("aăâbcdđeêơưxyz ÁỆỮ😀🇻🇳\n*_"), min_size=1, max_size=3000)


@settings(max_examples=150, deadline=None)
@given(st.lists(words, min_size=1, max_size=12), st.integers(min_value=40, max_value=LIMIT))
def test_no_page_is_ever_longer_than_the_limit(blocks: list[str], limit: int) -> None:
    pages = messages(BREAK.join(blocks), limit)
    assert pages and all(units(p) <= limit for p in pages), [units(p) for p in pages]
    if len(pages) > 1:
        assert all(p.endswith(f"/{len(pages)})") for p in pages)


def test_a_text_cut_inside_words_into_many_pages_keeps_every_page_within_2000() -> None:
    text = "x" * 31_000  # one word: cut inside it, 16 pages and more (two-digit marks)
    pages = messages(text)
    assert len(pages) >= 16
    assert max(units(p) for p in pages) <= LIMIT
    assert pages[-1].endswith(f"(trang {len(pages)}/{len(pages)})")
    assert "".join(p.rsplit("\n(trang", 1)[0] for p in pages) == text  # nothing lost


class Refusing:
    """A Zalo client that refuses one page as Zalo refuses a malformed message."""

    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.sent: list[str] = []
        self.calls = 0

    async def send_message(self, chat: str, text: str) -> None:
        self.calls += 1
        if self.calls == self.refuse:
            raise ZaloError(400, "message is invalid")
        self.sent.append(text)


async def test_a_refused_page_does_not_lose_the_pages_after_it() -> None:
    client = Refusing(refuse=2)
    zalo = ZaloChannel(client, core=None, links=None, rate_limit=0)  # type: ignore[arg-type]
    item: Any = OutboxItem.model_construct(id=1, recipient="u1", payload="")
    text = BREAK.join(f"Mục {k}: " + "nội dung " * 150 for k in range(6))
    pages = messages(text)
    assert len(pages) >= 3
    with pytest.raises(Permanent) as err:
        await zalo.deliver(item, Outgoing(text=text), None)
    assert f"page 2/{len(pages)}" in str(err.value)
    assert err.value.sent == len(pages) - 1
    assert client.sent == [p for k, p in enumerate(pages, 1) if k != 2]
