"""A list of agencies as operators keep it (a spreadsheet: code, name, kind), checked row by row.

``read_roster(rows)`` takes the rows of a sheet or a CSV file as they are (the first may be a
header, in Vietnamese or English, in any column order) and returns the agencies, or every problem
with its row number, so the operator fixes the file once. :func:`with_agencies` puts the list
into a campaign file's text in place of its ``[[agencies]]`` tables, keeping everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.campaign import Agency, AgencyKind
from domain.text import NAME_MAX, fold, normalize

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$", re.ASCII)
_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma don vi", "ma co quan", "ky hieu"),
    "name": ("name", "ten", "ten don vi", "ten co quan", "don vi", "co quan"),
    "kind": ("kind", "loai", "cap", "loai don vi", "khoi"),
}
_KINDS: dict[str, AgencyKind] = {
    "so": "so",
    "so nganh": "so",
    "nganh": "so",
    "co quan": "so",
    "tinh": "so",
    "cap tinh": "so",
    "xa": "xa",
    "phuong": "xa",
    "xa phuong": "xa",
    "dac khu": "xa",
    "cap xa": "xa",
}


@dataclass
class Roster:
    agencies: list[Agency] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "row 7: ..." — empty when all is well


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in a spreadsheet
    return normalize(str(value))


def _header(row: Sequence[str]) -> dict[str, int] | None:
    """Column of each field if ``row`` is a header, else None."""
    found: dict[str, int] = {}
    for k, cell in enumerate(row):
        key = re.sub(r"[^a-z ]", " ", fold(cell))
        key = re.sub(r"\s+", " ", key).strip()
        for name, words in _HEADERS.items():
            if key in words and name not in found:
                found[name] = k
    return found if {"code", "name"} <= found.keys() else None


def _at(row: list[str], columns: dict[str, int], name: str) -> str:
    k = columns.get(name)
    return row[k] if k is not None and k < len(row) else ""


def read_roster(rows: Iterable[Sequence[object]]) -> Roster:
    out = Roster()
    table = [[_cell(v) for v in raw] for raw in rows]
    columns = {"code": 0, "name": 1, "kind": 2}
    first = 0
    for k, row in enumerate(table[:10]):  # a title row or two may come before the header
        if (header := _header(row)) is not None:
            columns, first = header, k + 1
            break
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for number, row in enumerate(table[first:], start=first + 1):
        if not any(row):
            continue  # blank lines between groups
        raw_code, name = _at(row, columns, "code"), _at(row, columns, "name")
        code = raw_code.upper()
        kind_text = _at(row, columns, "kind")
        problems = []
        if not code:
            problems.append("the code is empty")
        elif not _PLAIN.match(raw_code):  # before upper(): 'ſ' and 'ß' would pass as S and SS
            problems.append(
                f"code {raw_code!r}: only plain letters A-Z, digits, _ and - (no look-alike or "
                "accented characters)"
            )
        elif not _CODE.match(code):
            problems.append(
                f"code {code!r}: use A-Z, 0-9 and _, starting with a letter, at most 16 characters"
            )
        elif code in codes:
            problems.append(f"code {code} is already used on row {codes[code]}")
        if not name:
            problems.append("the name is empty")
        elif len(name) > NAME_MAX:
            problems.append(f"the name is longer than {NAME_MAX} characters")
        elif fold(name) in names:
            problems.append(f"the name {name!r} is already used on row {names[fold(name)]}")
        kind: AgencyKind | None = "so"
        if kind_text:
            kind = _KINDS.get(re.sub(r"[^a-z ]", " ", fold(kind_text)).strip())
            if kind is None:
                problems.append(f"kind {kind_text!r}: write sở (a department) or xã (a commune)")
        if problems:
            out.problems.append(f"row {number}: " + "; ".join(problems))
            continue
        assert kind is not None
        codes[code] = number
        names[fold(name)] = number
        out.agencies.append(Agency(code=code, name=name, kind=kind))
    if not out.agencies and not out.problems:
        out.problems.append("no agencies found (expected columns: code, name, kind)")
    return out


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def agencies_toml(agencies: Sequence[Agency]) -> str:
    return "".join(
        f"[[agencies]]\ncode = {_toml(a.code)}\nname = {_toml(a.name)}\nkind = {_toml(a.kind)}\n\n"
        for a in agencies
    )


_TABLE = re.compile(r"^\s*\[")


def with_agencies(text: str, agencies: Sequence[Agency]) -> str:
    """The campaign file's text with ``agencies`` in place of its ``[[agencies]]`` tables (where
    the first one was, else before the first ``[[items]]``); every other line is kept."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    at: int | None = None
    inside = False
    trailing: list[str] = []  # comments at the end of an agencies table: they head the next one
    for line in lines:
        if _TABLE.match(line):
            if inside:
                kept.extend(ln for ln in trailing if ln.strip())
            trailing = []
            inside = line.strip().replace(" ", "") == "[[agencies]]"
            if inside and at is None:
                at = len(kept)
        if not inside:
            kept.append(line)
        elif line.lstrip().startswith("#") or not line.strip():
            trailing.append(line)
        else:
            trailing = []
    if inside:
        kept.extend(ln for ln in trailing if ln.strip())
    if at is None:
        at = next((k for k, ln in enumerate(kept) if ln.strip() == "[[items]]"), len(kept))
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    return "".join([*kept[:at], agencies_toml(agencies), *kept[at:]])
