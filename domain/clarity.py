"""The "6 rõ" review of a measure: advice, never a block.

Kết luận 226-KL/TW of the Ban Bí thư (11/12/2025) asks that every task be assigned with "rõ người,
rõ việc, rõ thời gian, rõ trách nhiệm, rõ thẩm quyền, rõ sản phẩm". A plan cannot be checked for
meaning by a program, but the usual ways a measure falls short of it can be seen in its words:

* rõ người — the lead unit is a collective ("các sở, ngành", "các đơn vị liên quan") or several
  units at once, so nobody in particular answers for it;
* rõ việc — the task is only a vague verb ("tăng cường", "đẩy mạnh", "nâng cao") with nothing
  measurable in the task or its product;
* rõ thời gian — "thường xuyên" with no rhythm (hằng quý, hằng năm), or no date at all;
* rõ trách nhiệm — the coordinating units are "các đơn vị liên quan" rather than named;
* rõ thẩm quyền — another agency leads: it has to be within its authority and agreed with it;
* rõ sản phẩm — no product, or a product that is no thing ("hoàn thành tốt nhiệm vụ") rather than
  a document (kế hoạch, quyết định, báo cáo…), a number or a percentage.

The word lists are campaign data (``[clarity]`` in the campaign file), with the defaults below.
Matching is on whole words, case-insensitive, as the words are written (with diacritics).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.model import Measure, Plan


class Aspect(StrEnum):
    """The six "rõ", in the order the Kết luận lists them."""

    PERSON = "nguoi"
    TASK = "viec"
    TIME = "thoi-gian"
    RESPONSIBILITY = "trach-nhiem"
    AUTHORITY = "tham-quyen"
    PRODUCT = "san-pham"


class Advice(StrEnum):
    COLLECTIVE_LEAD = "collective-lead"
    SEVERAL_LEADS = "several-leads"
    VAGUE_TASK = "vague-task"
    NO_RHYTHM = "no-rhythm"
    NO_DATE = "no-date"
    COLLECTIVE_PARTNERS = "collective-partners"
    OTHER_LEAD = "other-lead"
    NO_PRODUCT = "no-product"
    VAGUE_PRODUCT = "vague-product"

    @property
    def aspect(self) -> Aspect:
        return _ASPECT[self]


_ASPECT = {
    Advice.COLLECTIVE_LEAD: Aspect.PERSON,
    Advice.SEVERAL_LEADS: Aspect.PERSON,
    Advice.VAGUE_TASK: Aspect.TASK,
    Advice.NO_RHYTHM: Aspect.TIME,
    Advice.NO_DATE: Aspect.TIME,
    Advice.COLLECTIVE_PARTNERS: Aspect.RESPONSIBILITY,
    Advice.OTHER_LEAD: Aspect.AUTHORITY,
    Advice.NO_PRODUCT: Aspect.PRODUCT,
    Advice.VAGUE_PRODUCT: Aspect.PRODUCT,
}

COLLECTIVE = (
    "các sở",
    "các ngành",
    "các sở, ngành",
    "các cơ quan",
    "các đơn vị",
    "các phòng",
    "các ban",
    "các địa phương",
    "các xã",
    "các phường",
    "các cấp",
    "liên quan",
    "toàn thể",
    "tất cả",
    "cả hệ thống chính trị",
)
VAGUE_VERBS = (
    "tăng cường",
    "đẩy mạnh",
    "nâng cao",
    "quan tâm",
    "chú trọng",
    "coi trọng",
    "chú ý",
    "phát huy",
    "tập trung",
    "chấn chỉnh",
    "tiếp tục",
)
PRODUCTS = (
    "kế hoạch",
    "quyết định",
    "báo cáo",
    "văn bản",
    "công văn",
    "hướng dẫn",
    "đề án",
    "dự án",
    "chương trình",
    "quy chế",
    "quy định",
    "quy trình",
    "thông báo",
    "tờ trình",
    "nghị quyết",
    "chỉ thị",
    "kết luận",
    "biên bản",
    "dự thảo",
    "phương án",
    "danh mục",
    "hội nghị",
    "hội thảo",
    "lớp",
    "cuộc",
    "đợt",
    "đoàn",
    "hồ sơ",
    "cơ sở dữ liệu",
    "phần mềm",
    "bộ tiêu chí",
    "sổ tay",
    "bản đồ",
    "tỷ lệ",
)
EMPTY_OUTPUTS = (
    "hoàn thành tốt nhiệm vụ",
    "hoàn thành nhiệm vụ",
    "hoàn thành",
    "hoàn thành tốt",
    "đạt kết quả tốt",
    "có kết quả",
    "có chuyển biến",
    "chuyển biến tích cực",
    "tốt",
    "đạt yêu cầu",
    "khắc phục được hạn chế",
    "khắc phục hạn chế",
    "không",
    "không có",
)
RHYTHMS = (
    "hằng ngày",
    "hằng tuần",
    "hằng tháng",
    "hằng quý",
    "hằng năm",
    "hàng ngày",
    "hàng tuần",
    "hàng tháng",
    "hàng quý",
    "hàng năm",
    "định kỳ",
    "mỗi tháng",
    "mỗi quý",
    "mỗi năm",
    "6 tháng",
    "sáu tháng",
)
# the words a unit's name begins with: "Sở Nội vụ, Sở Tài chính" is two units
UNIT_HEADS = (
    "sở",
    "ban",
    "phòng",
    "văn phòng",
    "ubnd",
    "ủy ban",
    "uỷ ban",
    "trung tâm",
    "chi cục",
    "công an",
    "bộ chỉ huy",
    "thanh tra",
    "đài",
    "báo",
    "kho bạc",
    "thuế",
    "hội đồng",
)


def _words(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


class Words(BaseModel):
    """The ``[clarity]`` section of a campaign file: each list replaces its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collective: tuple[str, ...] = Field(default=COLLECTIVE, max_length=200)
    vague_verbs: tuple[str, ...] = Field(default=VAGUE_VERBS, max_length=200)
    products: tuple[str, ...] = Field(default=PRODUCTS, max_length=500)
    empty_outputs: tuple[str, ...] = Field(default=EMPTY_OUTPUTS, max_length=200)
    rhythms: tuple[str, ...] = Field(default=RHYTHMS, max_length=200)


def _any_of(words: Sequence[str]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words (a comma or several spaces inside match loosely)."""
    words = _words(words)
    if not words:
        return None
    parts = sorted(
        (r"[\s,]+".join(re.escape(w) for w in re.split(r"[\s,]+", p.lower()) if w) for p in words),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


_MEASURABLE = re.compile(r"\d|%")
_SEPARATORS = re.compile(r"\s*[,;+/\n]\s*|\s+và\s+")


@dataclass(frozen=True)
class Finding:
    advice: Advice
    detail: str = ""  # the words that prompted it: the other lead unit, the vague product


class Checker:
    """The review for one campaign: its word lists and its agencies' names."""

    def __init__(self, words: Words, agencies: Iterable[str]) -> None:
        self._collective = _any_of(words.collective)
        self._vague = _any_of(words.vague_verbs)
        self._products = _any_of(words.products)
        self._rhythms = _any_of(words.rhythms)
        self._empty = {" ".join(w.lower().split()) for w in _words(words.empty_outputs)}
        self._agencies = {" ".join(a.lower().split()): a for a in agencies}
        self._heads = _any_of(UNIT_HEADS)
        # leads and partners repeat across a plan and a campaign: each is judged once
        self._leads: dict[tuple[str, str], tuple[Finding | None, Finding | None]] = {}
        self._partners: dict[str, bool] = {}

    def review(
        self,
        *,
        agency: str,
        content: str,
        lead: str | None,
        partners: Sequence[str] | str | None,
        timeline: str | None,
        has_date: bool,
        recurring: bool,
        output: str | None,
    ) -> tuple[Finding, ...]:
        """What the measure of ``agency`` leaves unclear, in the order of the six "rõ"."""
        out: list[Finding] = []
        lead_key = (lead or "", agency)
        lead_found = self._leads.get(lead_key)
        if lead_found is None:
            lead_found = self._leads[lead_key] = self._lead(lead or "", agency)
        person, authority = lead_found
        if person is not None:
            out.append(person)
        output_l = " ".join((output or "").lower().split()).strip(" .;")
        concrete = bool(output_l) and (
            _MEASURABLE.search(output_l) is not None or _found(self._products, output_l)
        )
        if self._vague is not None:
            content_l = content.lower()
            start = self._vague.match(content_l.lstrip(" -–•+*"))
            if (
                start is not None
                and not concrete
                and _MEASURABLE.search(content_l) is None
                and not _found(self._products, content_l)
            ):
                out.append(Finding(Advice.VAGUE_TASK, start.group(0)))
        if timeline:
            if recurring and not has_date and not _found(self._rhythms, timeline.lower()):
                out.append(Finding(Advice.NO_RHYTHM))
            elif not recurring and not has_date:
                out.append(Finding(Advice.NO_DATE))
        joined = partners if isinstance(partners, str) else ", ".join(partners or ())
        if joined:
            collective = self._partners.get(joined)
            if collective is None:
                collective = self._partners[joined] = _found(self._collective, joined.lower())
            if collective:
                out.append(Finding(Advice.COLLECTIVE_PARTNERS, joined))
        if authority is not None:
            out.append(authority)
        if not output_l:
            out.append(Finding(Advice.NO_PRODUCT))
        elif output_l in self._empty or not concrete:
            out.append(Finding(Advice.VAGUE_PRODUCT, output or ""))
        return tuple(out)

    def _lead(self, lead: str, agency: str) -> tuple[Finding | None, Finding | None]:
        """What the lead unit leaves unclear: who (rõ người), and whose authority."""
        lead_l = " ".join(lead.lower().split())
        if not lead_l:
            return None, None
        person = None
        if _found(self._collective, lead_l):
            person = Finding(Advice.COLLECTIVE_LEAD, lead)
        elif self._several(lead_l):
            person = Finding(Advice.SEVERAL_LEADS, lead)
        authority = None
        if lead_l != " ".join(agency.lower().split()) and lead_l in self._agencies:
            authority = Finding(Advice.OTHER_LEAD, self._agencies[lead_l])
        return person, authority

    def _several(self, lead: str) -> bool:
        """Two or more units named as the lead ("Sở Nội vụ, Sở Tài chính")."""
        if lead in self._agencies:
            return False
        parts = [p for p in _SEPARATORS.split(lead) if p]
        if len(parts) < 2:
            return False
        units = sum(
            1
            for p in parts
            if p in self._agencies or (self._heads is not None and self._heads.match(p))
        )
        return units >= 2


def aspects(findings: Iterable[Finding]) -> tuple[Aspect, ...]:
    """The aspects the findings fall under, each once, in the six's order."""
    seen = {f.advice.aspect for f in findings}
    return tuple(a for a in Aspect if a in seen)


def measure_findings(checker: Checker, agency: str, m: Measure) -> tuple[Finding, ...]:
    return checker.review(
        agency=agency,
        content=m.content,
        lead=m.lead_unit,
        partners=m.partners,
        timeline=m.timeline,
        has_date=m.due_date is not None,
        recurring=m.recurring,
        output=m.output,
    )


@dataclass(frozen=True)
class Flagged:
    """A measure of the plan with what it leaves unclear; ``number`` as the chat shows it."""

    number: str
    measure: Measure
    findings: tuple[Finding, ...]


def plan_findings(checker: Checker, plan: Plan) -> list[Flagged]:
    out = []
    for index, item in enumerate(plan.shortcomings, start=1):
        for m in item.measures:
            found = measure_findings(checker, plan.agency.name, m)
            if found:
                out.append(Flagged(f"{index}.{m.position}", m, found))
    return out


def by_aspect(flagged: Iterable[Flagged]) -> dict[Aspect, list[Flagged]]:
    """The flagged measures under each aspect they fall short of, in the six's order."""
    out: dict[Aspect, list[Flagged]] = {a: [] for a in Aspect}
    for f in flagged:
        for a in aspects(f.findings):
            out[a].append(f)
    return {a: fs for a, fs in out.items() if fs}
