"""Translations and locale-aware formatting.

Catalogs are the ``.po`` files in ``locales/``, compiled in memory at start (no build step, no
binary files in the repository). The locale of the update being handled lives in a ContextVar, so
concurrent updates never see each other's language. Vietnamese is the default and the fallback.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent
SUPPORTED = ("vi", "en")
DEFAULT = "vi"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


def normalize(code: str | None, fallback: str = DEFAULT) -> str:
    """Map 'en-US', 'vi_VN', None ... to a supported locale, with a fallback."""
    if not code:
        return fallback
    try:
        lang = Locale.parse(code.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return fallback
    return lang if lang in SUPPORTED else fallback


@cache
def catalog(code: str) -> NullTranslations:
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        cat = read_po(fh, locale=code)
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return Translations(fp=buf)


def current() -> str:
    return _current.get()


@contextmanager
def use_locale(code: str | None) -> Iterator[str]:
    """Render everything inside the block in ``code`` (normalized)."""
    token = _current.set(normalize(code, _current.get()))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_default(code: str) -> None:
    """Set the process-wide default locale (from settings)."""
    _current.set(normalize(code))


def gettext(message: str) -> str:
    return catalog(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(_current.get()).ngettext(singular, plural, n)


_ = gettext


def fmt_date(value: dt.date) -> str:
    """30/06/2026 in every locale: the form of Vietnamese documents."""
    return _babel_date(value, "dd/MM/yyyy", locale=_current.get())


def fmt_datetime(value: dt.datetime, tz: dt.tzinfo) -> str:
    """'16:30 21/01/2026' in the given time zone."""
    return _babel_datetime(value.astimezone(tz), "HH:mm dd/MM/yyyy", locale=_current.get())


def fmt_number(value: int | float) -> str:
    return format_decimal(value, locale=_current.get())


def days_phrase(due: dt.date, today: dt.date) -> str:
    """'còn 3 ngày', 'hạn chót là hôm nay', 'quá hạn 2 ngày'."""
    delta = (due - today).days
    if delta > 0:
        return ngettext("%(n)s day left", "%(n)s days left", delta) % {"n": fmt_number(delta)}
    if delta == 0:
        return gettext("due today")
    late = -delta
    return ngettext("%(n)s day overdue", "%(n)s days overdue", late) % {"n": fmt_number(late)}
