"""What a typed message means, and choices shown as numbers where there are no buttons (Zalo).

The core decides choices once, for every channel. The menu in force — the labels and packed
payloads of the choices last shown to the person in their own conversation — is stored with the
conversation in the same transaction, so an answer means the same after a restart. What the
person sends back is read here, before anything else, by one rule for every channel: a choice's
label typed out as the whole message (emoji, case and diacritics aside: "quay lai" is
"⬅️ Quay lại") is that button's press; "menu" the main menu; a bare command word (``xem``,
``nộp``, ``tong hop``) that command. Where choices are numbered (Zalo) they are also written into
the message ("1. …", "2. …"), a number of the menu in force is its press, "0" the main menu, and
a number outside the menu is refused with the menu repeated. Anything else — text that merely
contains such a word — is an answer for the step the person is on.
"""

from __future__ import annotations

import dataclasses
import re

from domain.text import fold
from handlers import buttons as act
from handlers.markup import esc
from handlers.types import Event, Kind
from locales import _

# Bare words read as commands in a numbered channel (folded: no diacritics, no spaces), only when
# they are the whole message: "xem" is the command, "Xem xét lại quy trình…" is an answer.
WORDS = {
    "kehoach": "kehoach",
    "xem": "xem",
    "nop": "nop",
    "tiendo": "tiendo",
    "kiennghi": "kiennghi",
    "huy": "huy",
    "trogiup": "trogiup",
    "help": "help",
    "tonghop": "tonghop",
    "nhacnho": "nhacnho",
    "ngonngu": "ngonngu",
    "batdau": "start",
    "start": "start",
}
MENU_WORDS = {"0", "menu", "menuchinh", "trove", "quaylai"}
_NUMBER = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")
_NOT_WORD = re.compile(r"[^a-z0-9]")


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A number that is not in the menu in force: say so and show the menu again."""

    number: int


def _key(text: str) -> str:
    return _NOT_WORD.sub("", fold(text))


_NUMBERS = re.compile(r"\s*\d{1,3}(?:\s*[,;\s]\s*\d{1,3})+\s*")


def several(event: Event, menu: tuple[tuple[str, str], ...]) -> list[Event] | Refusal | None:
    """ "1, 7" or "1 7" at a multi-select step: a press of each of those toggles, in order; a
    number outside the menu refused as one number would be. Only where every number is a toggle
    of the menu in force: elsewhere several numbers are not a choice, and the message is read as
    usual."""
    if event.kind is not Kind.TEXT or not _NUMBERS.fullmatch(event.text):
        return None
    picked = [int(n) for n in re.findall(r"\d+", event.text)]
    toggles = any(isinstance(act.unpack(data), act.TogglePartner) for _label, data in menu)
    outside = [n for n in picked if not 1 <= n <= len(menu)]
    if outside:
        return Refusal(outside[0]) if toggles else None
    actions = [act.unpack(menu[n - 1][1]) for n in dict.fromkeys(picked)]
    if not all(isinstance(a, act.TogglePartner) for a in actions):
        return None
    return [
        dataclasses.replace(event, kind=Kind.BUTTON, data=menu[n - 1][1])
        for n in dict.fromkeys(picked)
    ]


def read(
    event: Event, menu: tuple[tuple[str, str], ...], *, numbers: bool = True
) -> Event | Refusal:
    """What a typed message means: a press (a choice's label typed out, on every channel; its
    number where choices are numbered), a command, a refusal, or itself."""
    if event.kind is not Kind.TEXT:
        return event
    text = event.text.strip()
    if numbers and (m := _NUMBER.fullmatch(text)):
        n = int(m[1])
        if n == 0:
            return dataclasses.replace(event, kind=Kind.BUTTON, data=act.pack(act.Menu()))
        if 1 <= n <= len(menu):
            return dataclasses.replace(event, kind=Kind.BUTTON, data=menu[n - 1][1])
        return Refusal(n)
    key = _key(text)
    if not key or len(text) > 40:
        return event
    for label, data in menu:  # the choice's text typed out, emoji and case aside
        if _key(label) == key:
            return dataclasses.replace(event, kind=Kind.BUTTON, data=data)
    if key in MENU_WORDS:
        return dataclasses.replace(event, kind=Kind.BUTTON, data=act.pack(act.Menu()))
    if key in WORDS:
        return dataclasses.replace(event, kind=Kind.COMMAND, command=WORDS[key], args="")
    return event


def refusal_text(refusal: Refusal, menu: tuple[tuple[str, str], ...]) -> str:
    """When there is no menu to show again."""
    return _("There is no numbered choice to answer now ({n}). Send 0 for the main menu.").format(
        n=refusal.number
    )


_OWN_NUMBER = re.compile(r"^(\S+ )(\d+)\. ")  # "⬜ 1. Việc…": a label numbered itself


def _unnumbered_label(k: int, label: str) -> str:
    """A label that carries the same number as its line loses it: "1. ⬜ Việc…", not
    "1. ⬜ 1. Việc…"."""
    m = _OWN_NUMBER.match(label)
    if m and int(m[2]) == k:
        return m[1] + label[m.end() :]
    return label


def lines(menu: tuple[tuple[str, str], ...]) -> str:
    """The choices as numbered lines, then how to answer."""
    out = [f"{k}. {esc(_unnumbered_label(k, label))}" for k, (label, _data) in enumerate(menu, 1)]
    return "\n".join(out) + "\n" + hint()


def hint() -> str:
    return "__" + _("Reply with the number of your choice (0: main menu).") + "__"


def unnumbered(menu: tuple[tuple[str, str], ...], *, mid_step: bool) -> str:
    """Choices of a message that must not take over the menu in force (a broadcast, or a notice
    to someone in the middle of a step): listed without numbers, with the command to send."""
    out = [f"• {esc(label)}" for label, _data in menu]
    words = list(dict.fromkeys(act.command_of(act.unpack(data)) for _label, data in menu))
    if mid_step:
        hint_text = _(
            "To open: send {words} once you are done (the numbers you are answering stay "
            "those of your current step)."
        )
    else:
        hint_text = _("To open: send {words}.")
    return "\n".join(out) + "\n__" + hint_text.format(words=", ".join(words)) + "__"
