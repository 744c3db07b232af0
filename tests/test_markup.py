"""The core's markup: marks, escaping, plain rendering."""

from __future__ import annotations

from handlers.markup import BREAK, Run, b, clip, esc, i, parse, plain


def test_marks_become_runs() -> None:
    assert parse(b("Mục 1") + " và " + i("ghi chú")) == [
        Run("Mục 1", bold=True),
        Run(" và "),
        Run("ghi chú", italic=True),
    ]


def test_escaped_text_cannot_inject_a_mark() -> None:
    typed = r"**không đậm** __không nghiêng__ a_b *c* \ cuối"
    runs = parse(b("Trả lời: " + esc(typed)))
    assert runs == [Run("Trả lời: " + typed, bold=True)]
    assert plain(esc(typed)) == typed


def test_unbalanced_mark_ends_with_the_text() -> None:
    assert parse("**đậm") == [Run("đậm", bold=True)]


def test_plain_drops_marks_and_turns_breaks_into_lines() -> None:
    assert plain(b("A") + BREAK + i("B")) == "A\nB"


def test_clip() -> None:
    assert clip("ngắn", 10) == "ngắn"
    assert clip("một câu rất dài", 8) == "một câu…"
