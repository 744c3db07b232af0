"""Text as it is stored and printed: Unicode NFC, no control characters, bounded lengths.

Vietnamese typed with combining marks (``e`` + U+0302 + U+0301) is stored precomposed (``ế``), so
the same word always compares equal. What people type is cleaned once on input
(:func:`normalize`); documents clean again on output (:func:`printable`), since a character that
is illegal in XML makes a whole .docx or .xlsx unreadable.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Lengths (characters) of what people type, and sizes of lists. Every limit is told to the person.
OBJECTIVE_MAX = 2000
CONTENT_MAX = 2000
OUTPUT_MAX = 1000
NAME_MAX = 200  # a unit's name
TIMELINE_MAX = 200
REASON_MAX = 1000  # a consolidator's reason for returning a plan
PARTNERS_MAX = 15  # coordinating units of one measure
MEASURES_MAX = 30  # measures of one shortcoming

# Zero-width and bidirectional controls, BOM: invisible, and they make equal words differ.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Not allowed in XML 1.0 (so in .docx/.xlsx): C0 controls but tab/newline, surrogates, U+FFFE/F;
# and emoji and pictographs: fine in a chat, out of place in an official document.
_UNPRINTABLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
    "\U0001f000-\U0001faff"  # mahjong, cards, emoticons, symbols & pictographs, flags...
    "\u2600-\u27bf"  # miscellaneous symbols, dingbats (☑ ✅ ✏ ✨...)
    "\u2b00-\u2bff"  # ⭐ ⬜ ⬅ and friends
    "\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"  # ⌚ ⏰ ⏳ ...
    "\u3030\u303d\u3297\u3299"
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (flag sequences)
    "]"
)


def normalize(raw: str) -> str:
    """NFC; line breaks unified; tabs to spaces; control and invisible characters removed;
    trailing spaces and runs of blank lines trimmed. Emoji stay (it is a chat)."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    text = "".join(
        ch
        for ch in text
        if ch == "\n" or (unicodedata.category(ch) not in ("Cc", "Cs") and not _noncharacter(ch))
    )
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text)


def _noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


@functools.lru_cache(maxsize=8192)  # unit names, timelines, outputs repeat across a report
def printable(text: str | None) -> str:
    """Text for an official document: XML-safe, NFC, without emoji and pictographs."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _UNPRINTABLE.search(text) is None and "  " not in text and " \n" not in text:
        return text.strip()  # the common case: nothing to take out
    text = _UNPRINTABLE.sub("", text)
    return _SPACES.sub(" ", "\n".join(line.strip() for line in text.split("\n"))).strip()


_SPACES = re.compile(r"[ ]{2,}")


# What a terminal would act on: C0 controls but tab and newline (ESC starts escape sequences),
# DEL and the C1 controls (CSI among them).
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` as it may be printed to a terminal or a journal: no control characters (no
    escape sequences), no bidirectional or zero-width controls (no reversed lines)."""
    return _INVISIBLE.sub("", _TERMINAL.sub("", text))


def display_name(raw: str, limit: int = 100) -> str:
    """A messenger's display name as it is stored and shown: cleaned like typed text (NFC, no
    control, bidirectional or zero-width characters), on one line, bounded."""
    return re.sub(r"\s+", " ", normalize(raw)).strip()[:limit]


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), spaces collapsed: 'Sở Tài chính' ~ 'so tai chinh'."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text).strip()


def meaningful(text: str) -> bool:
    """Has a letter or a digit: an answer of only emoji or punctuation ("👍", "...") says
    nothing a document can print (emoji are left out of documents)."""
    return any(ch.isalnum() for ch in text)
