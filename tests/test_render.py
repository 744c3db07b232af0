"""Fitting markup into a channel's messages: blocks first, then lines, then words."""

from __future__ import annotations

from bot.render import chunks, plain_runs
from handlers.markup import BREAK, b, esc


def test_short_text_is_one_chunk() -> None:
    assert chunks(b("a") + "\nb", 100, plain_runs) == ["a\nb"]


def test_splits_between_blocks_before_lines() -> None:
    blocks = [f"Mục {n}\nMục tiêu: " + "x" * 30 + "\nGiải pháp: " + "y" * 30 for n in range(6)]
    out = chunks(BREAK.join(blocks), 200, plain_runs)
    assert len(out) > 1
    for chunk in out:
        assert len(chunk) <= 200
        assert chunk.startswith("Mục ") and chunk.endswith("y" * 30)  # never inside a block
    assert "\n".join(out) == "\n".join(blocks)


def test_a_block_too_long_is_cut_at_lines_then_words() -> None:
    line = " ".join(["chữ"] * 200)
    out = chunks(esc(line) + "\n" + esc(line), 300, plain_runs)
    assert all(0 < len(c) <= 300 for c in out)
    assert " ".join(" ".join(out).split()) == " ".join((line + " " + line).split())


def test_a_word_longer_than_a_message_is_cut() -> None:
    out = chunks("x" * 1000, 300, plain_runs)
    assert all(len(c) <= 300 for c in out) and "".join(out) == "x" * 1000


def test_empty_text_still_gives_one_message() -> None:
    assert chunks(BREAK + "\n", 100, plain_runs) == ["…"]
