"""Refresh the gettext catalogs after changing user-facing strings.

    python scripts/catalogs.py

Extracts locales/messages.pot from bot/ and handlers/, then rewrites vi and en catalogs: every
msgid of the template, the Vietnamese translation kept from vi/messages.po (new ones left empty
and listed, to be translated by hand), English msgstr = msgid. tests/test_i18n.py fails while a
Vietnamese translation is missing or the template is stale.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
EXTRACT = ["-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "--no-location", "--sort-output"]


def extract(output: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            *EXTRACT,
            "--project",
            "kehoach-bot",
            "-o",
            str(output),
            str(ROOT / "bot"),
            str(ROOT / "domain"),
            str(ROOT / "handlers"),
            str(ROOT / "locales"),
        ],
        check=True,
        capture_output=True,
    )


def merge(extra: dict[str, str] | None = None) -> list[str]:
    pot_path = LOCALES / "messages.pot"
    extract(pot_path)
    with pot_path.open("rb") as fh:
        pot = read_po(fh)
    missing: list[str] = []
    for lang in ("vi", "en"):
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        old = None
        if path.exists():
            with path.open("rb") as fh:
                old = read_po(fh, locale=lang)
        cat = Catalog(locale=lang, project="kehoach-bot", domain="messages", fuzzy=False)
        for m in pot:
            if not m.id:
                continue
            key = m.id[0] if isinstance(m.id, tuple) else m.id
            if lang == "en":
                string: object = m.id
            else:
                prev = old.get(m.id) if old else None
                known = (
                    prev.string[0]
                    if prev and isinstance(prev.string, tuple)
                    else (prev.string if prev else "")
                )
                tr = (extra or {}).get(key) or known or ""
                if not tr:
                    missing.append(key)
                string = (tr,) if isinstance(m.id, tuple) else tr
            cat.add(m.id, string=string, flags=m.flags)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, cat, sort_output=True, width=100, omit_header=False)
    return missing


if __name__ == "__main__":
    todo = merge()
    for msgid in todo:
        print(f"needs a Vietnamese translation: {msgid!r}")
    sys.exit(1 if todo else 0)
