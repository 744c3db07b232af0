"""Campaign files: one directive as data (TOML), validated by pydantic.

A campaign names the issuing body, the consolidating agency, the deadlines, the agencies and the
shortcomings in the directive's order. Nothing about a particular province lives in code.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from domain.clarity import Checker, Words
from domain.text import fold, normalize

_CODE = r"^[A-Z][A-Z0-9_]{0,15}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Directive(Strict):
    """The document that starts the campaign."""

    issuer: str = Field(min_length=1, description="e.g. 'UBND tỉnh Bắc Ninh'")
    kind: str = Field(default="Công văn", min_length=1)
    number: str = ""
    date: dt.date | None = None
    subject: str = Field(min_length=1, description="the 'V/v ...' line")


class Deadlines(Strict):
    plans_due: dt.date
    consolidation_due: dt.date
    # Measures due before this date are questioned (default: the directive's date, else the
    # first day of the month plans are due).
    starts: dt.date | None = None


class Consolidator(Strict):
    """Who consolidates, and the header of the consolidated document."""

    agency: str = Field(pattern=_CODE)
    parent: str = Field(min_length=1, description="the body above the consolidator")
    place: str = Field(min_length=1, description="place name in the date line")
    document_symbol: str = Field(default="KH-STC", description="the suffix of 'Số: .../...'")
    # the results report's (a "BÁO CÁO" is …/BC-…); empty: BC- and the consolidator's code
    report_symbol: str = ""


class Report(Strict):
    title: str = "KẾ HOẠCH"
    summary: str = Field(min_length=1)
    recipients: tuple[str, ...] = ()
    signer_title: str = ""
    signer_name: str = ""
    # "Tổ chức thực hiện" of the consolidated plan, one paragraph each (empty: the bot's own,
    # naming the consolidating agency)
    implementation: tuple[str, ...] = Field(default=(), max_length=20)


AgencyKind = Literal["so", "xa"]  # a provincial department or agency (sở, ngành); a commune or ward
KINDS: dict[str, str] = {"so": "sở/ngành", "xa": "xã/phường"}


class Agency(Strict):
    code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind = "so"


class Item(Strict):
    """One shortcoming, worded exactly as the directive has it."""

    group: int = Field(ge=1, description="the numbered assignment of the directive")
    key: str = Field(default="", pattern=r"^$|^[0-9A-Za-z.\-]{1,20}$")
    text: str = Field(min_length=1, max_length=3000)
    agencies: tuple[str, ...] = ()  # by code
    # and/or every agency of a kind: 99 communes are not listed one by one
    kinds: tuple[AgencyKind, ...] = ()


class Period(Strict):
    """A reporting period of the follow-through (a quarter, usually): each tracked measure's
    progress is reported for it, by ``due``."""

    key: str = Field(pattern=r"^[0-9A-Za-z.\-]{1,20}$", description="e.g. '2026-Q1'")
    label: str = Field(min_length=1, description="as the report names it: 'quý I/2026'")
    starts: dt.date
    ends: dt.date
    due: dt.date  # the report is due by this day

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends < self.starts:
            raise ValueError(f"period {self.key}: ends before it starts")
        if self.due < self.starts:
            raise ValueError(f"period {self.key}: the report is due before the period starts")
        return self


DEFAULT_FIELDS = (
    "Vận hành chính quyền địa phương hai cấp",
    "Chuyển đổi số",
    "Đầu tư cơ sở hạ tầng",
    "Biên chế, tổ chức bộ máy",
    "Đất đai, môi trường",
    "Phòng, chống thiên tai",
    "Thủ tục hành chính",
    "Khác",
)


class Proposals(Strict):
    """Proposals and obstacles (kiến nghị, đề xuất) the agencies raise, and the departments
    answer: the fields they are filed under, and how long a department has to answer."""

    fields: tuple[str, ...] = Field(default=DEFAULT_FIELDS, min_length=1, max_length=20)
    answer_days: int = Field(default=15, ge=1, le=365)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if any(not normalize(f) for f in self.fields):
            raise ValueError("proposals.fields: a field is empty")
        seen: dict[str, str] = {}
        for f in self.fields:
            key = normalize(f).casefold()  # NFC, invisible characters out: as a person reads it
            if key in seen:
                same = (
                    "is listed twice"
                    if seen[key] == f
                    else (
                        f"and {seen[key]!r} differ only by invisible, composed or case characters"
                    )
                )
                raise ValueError(f"proposals.fields: {f!r} {same}")
            seen[key] = f
        return self


STORED: dict[str, bool] = {"stored": True}
"""Validation context of a definition read back from the database: its fields are validated
(types, dates), but the cross-checks of :meth:`Campaign._consistent` — names, codes, keys
across 3,800 agencies — ran when it was loaded and are not repeated at each start."""


class Campaign(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,63}$")
    title: str = Field(min_length=1)
    directive: Directive
    deadlines: Deadlines
    consolidator: Consolidator
    report: Report
    agencies: tuple[Agency, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    periods: tuple[Period, ...] = ()  # none: plans only, no follow-through
    proposals: Proposals = Proposals()
    clarity: Words = Words()  # the "6 rõ" review's word lists

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        if info.context is STORED:  # checked whole when it was loaded: not again at each start
            return self
        codes = [a.code for a in self.agencies]
        dupes = sorted(c for c, n in Counter(codes).items() if n > 1)
        if dupes:
            raise ValueError(f"agency code repeated: {', '.join(dupes)}")
        names: dict[str, str] = {}
        for a in self.agencies:
            key = fold(normalize(a.name))
            if key in names:
                raise ValueError(
                    f"agencies {names[key]} and {a.code} have the same name {a.name!r}:"
                    " a person could not tell them apart"
                )
            names[key] = a.code
        known = set(codes)
        if self.consolidator.agency not in known:
            raise ValueError(f"consolidator.agency {self.consolidator.agency} is not an agency")
        for n, item in enumerate(self.items, start=1):
            unknown = [c for c in item.agencies if c not in known]
            if unknown:
                raise ValueError(f"items #{n}: unknown agency {', '.join(unknown)}")
            if len(set(item.agencies)) != len(item.agencies):
                raise ValueError(f"items #{n}: an agency is listed twice")
            if not self.assigned(item):
                raise ValueError(
                    f"items #{n}: no agency is assigned (list agencies, or kinds with agencies)"
                )
        keys = [k for k, _ in self.keyed_items()]
        dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
        if dupes:
            raise ValueError(f"item key repeated: {', '.join(dupes)}")
        if self.deadlines.consolidation_due < self.deadlines.plans_due:
            raise ValueError("deadlines.consolidation_due is before deadlines.plans_due")
        for before, after in zip(self.periods, self.periods[1:], strict=False):
            if after.starts <= before.ends:
                raise ValueError(f"period {after.key} starts before {before.key} ends")
        keys = [p.key for p in self.periods]
        if len(set(keys)) != len(keys):
            raise ValueError("a period key is repeated")
        return self

    def period(self, key: str) -> Period | None:
        return next((p for p in self.periods if p.key == key), None)

    def current_period(self, today: dt.date) -> Period | None:
        """The period being reported on: the first whose report is not yet due, once it has
        started; after the last one's due date, still the last (late reports are taken)."""
        started = [p for p in self.periods if p.starts <= today]
        if not started:
            return None
        return next((p for p in started if today <= p.due), started[-1])

    def keyed_items(self) -> list[tuple[str, Item]]:
        """Each item with its stable key: the explicit one, or 'group.n' in directive order."""
        seen: Counter[int] = Counter()
        out = []
        for item in self.items:
            seen[item.group] += 1
            out.append((item.key or f"{item.group}.{seen[item.group]}", item))
        return out

    @property
    def starts(self) -> dt.date:
        """When the campaign begins: a measure due earlier is questioned, not silently taken."""
        return (
            self.deadlines.starts or self.directive.date or self.deadlines.plans_due.replace(day=1)
        )

    @property
    def year(self) -> int:
        """The year a timeline means when it names none ("trước 30/6")."""
        return self.deadlines.plans_due.year

    def assigned(self, item: Item) -> tuple[str, ...]:
        """The codes of the agencies an item is assigned to: those listed, then every agency of
        its kinds, in the campaign's order, each once."""
        if not item.kinds:  # the usual case, and cheap: 3,800 agencies × 7,600 items
            return item.agencies
        kinds = set(item.kinds)
        return tuple(
            dict.fromkeys([*item.agencies, *(a.code for a in self.agencies if a.kind in kinds)])
        )

    def agency(self, code: str) -> Agency:
        return next(a for a in self.agencies if a.code == code)

    @cached_property
    def checker(self) -> Checker:
        """The "6 rõ" review with this campaign's words and agencies (made once)."""
        return Checker(self.clarity, (a.name for a in self.agencies))

    @cached_property
    def codes(self) -> frozenset[str]:
        """The codes of the campaign's agencies (computed once per parsed definition)."""
        return frozenset(a.code for a in self.agencies)


def stored_campaign(text: str) -> Campaign:
    """A definition as the database stores it (JSON written by ``model_dump_json``)."""
    return Campaign.model_validate_json(text, context=STORED)


LATE_REPORT_DAYS = 31  # a period's report due later than this after the period ends is odd


def campaign_warnings(campaign: Campaign) -> list[str]:
    """What is valid but probably a slip, for ``campaign check`` and the start to print."""
    out = []
    for p in campaign.periods:
        late = (p.due - p.ends).days
        if late > LATE_REPORT_DAYS:
            out.append(
                f"period {p.key}: the report is due {late} days after the period ends"
                f" ({p.ends:%d/%m/%Y} → {p.due:%d/%m/%Y}); it stays the current period until"
                " then, so the next period's report cannot begin"
            )
    return out


class CampaignError(Exception):
    """A campaign file that cannot be used; ``problems`` lists each error with its place."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def _place(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f" #{part + 1}"
        else:
            out += ("." if out else "") + part
    return out or "(file)"


def parse_campaign(text: str, path: Path = Path("<campaign>")) -> Campaign:
    """Parse and validate a campaign from TOML text, or raise CampaignError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(path, [f"TOML syntax: {exc}"]) from None
    try:
        return Campaign.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = re.sub(r"^Value error, ", "", err["msg"])
            problems.append(f"{_place(tuple(err['loc']))}: {msg}")
        raise CampaignError(path, problems) from None


def load_campaign(path: Path) -> Campaign:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CampaignError(path, [f"cannot read: {exc.strerror}"]) from None
    return parse_campaign(text, path)
