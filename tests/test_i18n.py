"""Catalogs are complete and current; formatting goes through babel."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.pofile import read_po

import locales as i18n

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import catalogs

ROOT = Path(__file__).resolve().parent.parent


def _catalog(lang: str):
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _ids(cat) -> set:
    return {m.id for m in cat if m.id}


def test_template_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    catalogs.extract(fresh)
    with fresh.open("rb") as fh:
        extracted = _ids(read_po(fh))
    with (ROOT / "locales" / "messages.pot").open("rb") as fh:
        committed = _ids(read_po(fh))
    assert extracted == committed, "run: python scripts/catalogs.py"


def test_every_message_has_a_vietnamese_and_an_english_translation() -> None:
    with (ROOT / "locales" / "messages.pot").open("rb") as fh:
        ids = _ids(read_po(fh))
    for lang in ("vi", "en"):
        cat = _catalog(lang)
        assert _ids(cat) == ids, lang
        untranslated = [
            m.id
            for m in cat
            if m.id and not all(m.string if isinstance(m.string, tuple) else (m.string,))
        ]
        assert untranslated == [], (lang, untranslated)
        assert not [m.id for m in cat if m.id and m.fuzzy], lang


def test_placeholders_survive_translation() -> None:
    import re

    for m in _catalog("vi"):
        if not m.id:
            continue
        src = m.id[0] if isinstance(m.id, tuple) else m.id
        dst = m.string[0] if isinstance(m.string, tuple) else m.string
        assert set(re.findall(r"\{\w+\}|%\(\w+\)s", src)) == set(
            re.findall(r"\{\w+\}|%\(\w+\)s", dst)
        ), src


def test_locale_is_per_context_with_fallback() -> None:
    with i18n.use_locale("en"):
        assert i18n.gettext("Not started") == "Not started"
        with i18n.use_locale("vi"):
            assert i18n.gettext("Not started") == "Chưa bắt đầu"
    with i18n.use_locale("fr-FR"):  # unsupported: stays on the default
        assert i18n.gettext("Not started") == "Chưa bắt đầu"
    assert i18n.normalize("en-US") == "en" and i18n.normalize("xx") == "vi"


def test_days_and_dates_in_vietnamese() -> None:
    today = dt.date(2026, 1, 18)
    with i18n.use_locale("vi"):
        assert i18n.days_phrase(dt.date(2026, 1, 21), today) == "còn 3 ngày"
        assert i18n.days_phrase(today, today) == "hạn chót là hôm nay"
        assert i18n.days_phrase(dt.date(2026, 1, 16), today) == "quá hạn 2 ngày"
        assert i18n.fmt_date(dt.date(2026, 6, 30)) == "30/06/2026"
        assert i18n.fmt_number(38000) == "38.000"
    with i18n.use_locale("en"):
        assert i18n.days_phrase(dt.date(2026, 1, 19), today) == "1 day left"
        assert i18n.days_phrase(dt.date(2026, 1, 21), today) == "3 days left"
