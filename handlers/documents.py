"""The consolidated documents, built from one read snapshot (in the report worker's process):
the plan (Word, Excel, a draft), a period's results (Word, Excel) and the proposals (Excel),
always in Vietnamese like the directive, with the caption that goes with each file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from db.campaigns import ActiveCampaign
from db.repos import Repos
from domain.documents.model import (
    Filing,
    ItemAnswer,
    Section,
    filing_status,
    items_of,
    items_of_plan,
)
from domain.model import Role
from handlers import follow
from handlers.context import consolidates
from locales import _, use_locale


async def sections(
    tx: Repos, campaign: ActiveCampaign, *, draft: bool
) -> tuple[list[Filing], Iterator[Section]]:
    """Each agency's filing, and its section of the report made lazily, one agency at a time:
    the latest submitted version (or, for a draft, the plan as it stands now)."""
    rows = await tx.plans.report_rows(campaign.id)
    people = await tx.users.people_by_agency(Role.FOCAL)
    filings = [
        Filing(
            code=r.code,
            name=r.name,
            status=filing_status(
                r.revision, r.submitted_revision, r.returned, r.version is not None
            ),
            version=r.version,
            submitted_at=r.submitted_at,
            late_days=r.late_days,
            focal=", ".join(u.display_name or u.external_id for u in people.get(r.agency_id, [])),
        )
        for r in rows
    ]
    if not draft:
        return filings, (
            Section(f, items_of(json.loads(r.snapshot)["shortcomings"]) if r.snapshot else ())
            for f, r in zip(filings, rows, strict=True)
        )
    live: dict[int, tuple[ItemAnswer, ...]] = {}
    ids = [r.agency_id for r in rows]
    for k in range(0, len(ids), 200):  # the live plans, in batches: light values kept only
        for plan in await tx.plans.plans(campaign.id, tuple(ids[k : k + 200])):
            live[plan.agency.id] = items_of_plan(plan)
    return filings, (
        Section(f, live.get(r.agency_id, ())) for f, r in zip(filings, rows, strict=True)
    )


MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Built:
    """A consolidated document, and what its caption says."""

    filename: str
    media_type: str
    content: bytes
    submitted: int
    total: int
    draft: bool
    document: str = "plan"
    period: str = ""  # the period's label, for the results


async def documents(
    tx: Repos,
    campaign: ActiveCampaign,
    today: dt.date,
    tz: dt.tzinfo,
    kind: str,
    *,
    draft: bool = False,
    document: str = "plan",
    period_key: str | None = None,
) -> Built:
    """The consolidated plan as a .docx or .xlsx file, always in Vietnamese like the directive;
    or (``document``) the results of a period (its key, else the current one) or the proposals,
    as .xlsx. Slow at national scale: run it in a worker (``bot.reports``), from a read
    snapshot."""
    from domain.documents.excel import xlsx_bytes  # the document libraries: the worker only
    from domain.documents.word import docx_bytes

    if document != "plan":
        return await _follow_through(tx, campaign, today, tz, kind, document, period_key)
    with use_locale("vi"):
        filings, parts = await sections(tx, campaign, draft=draft)
        prefix = "ban-nhap-ke-hoach" if draft else "ke-hoach-tong-hop"
        name = f"{prefix}-{campaign.definition.code}-{today:%Y%m%d}.{kind}"
        if kind == "docx":
            content, _tally = docx_bytes(campaign.definition, parts, today, draft=draft)
        else:
            content, _tally = xlsx_bytes(campaign.definition, parts, today, tz, draft=draft)
    submitted = sum(1 for f in filings if f.version)
    return Built(name, MEDIA_TYPES[kind], content, submitted, len(filings), draft)


async def _follow_through(
    tx: Repos,
    campaign: ActiveCampaign,
    today: dt.date,
    tz: dt.tzinfo,
    kind: str,
    document: str,
    period_key: str | None,
) -> Built:
    from domain.documents.execution import progress_xlsx, proposals_xlsx
    from domain.documents.results import results_docx

    c = campaign.definition
    with use_locale("vi"):
        if document == "proposals":
            listing = await tx.proposals.listing(campaign.id)
            content, n = proposals_xlsx(c, listing, today, tz)
            name = f"kien-nghi-{c.code}-{today:%Y%m%d}.xlsx"
            answered = sum(1 for p in listing if p.answered_at is not None)
            return Built(name, MEDIA_TYPES["xlsx"], content, answered, n, False, document)
        period = c.period(period_key) if period_key else c.current_period(today)
        if period is None:
            raise LookupError("no reporting period" + (f" {period_key}" if period_key else ""))
        lines = await follow.document_lines(tx, campaign, period, today)
        if kind == "docx":
            content, _n = results_docx(c, period, lines, today)
        else:
            content, _n = progress_xlsx(c, period, lines, today)
        reported = len({line.agency for line in lines if line.reported})
        tracked = len({line.agency for line in lines})
        name = f"ket-qua-{c.code}-{period.key}-{today:%Y%m%d}.{kind}"
        return Built(
            name, MEDIA_TYPES[kind], content, reported, tracked, False, document, period.label
        )


def caption(
    submitted: int, total: int, draft: bool, document: str = "plan", period: str = ""
) -> str:
    if document == "proposals":
        return _("Proposals and obstacles: {total}, of which {n} answered.").format(
            total=total, n=submitted
        )
    if document == "progress":
        return _("Results of {period}: {n}/{total} agencies submitted their report.").format(
            period=period, n=submitted, total=total
        )
    if draft:
        return _("DRAFT including unsubmitted work, for reference only.")
    return _("Consolidated plan: {n}/{total} agencies submitted.").format(n=submitted, total=total)


async def may_read(
    tx: Repos, admins: frozenset[tuple[str, str]], recipient: str, agency_id: int | None = None
) -> bool:
    """Whether the person a document link was made for (``"channel:id"``) may still read it: a
    consolidated document, the consolidating agency's consolidators and the administrators; a
    document made for one agency (``agency_id``: its template), that agency's focal persons too
    while it is in the campaign — checked as they are now, not when the link was made (a revoked
    person's links stop working at once)."""
    channel, _sep, external = recipient.partition(":")
    if (channel, external) in admins:
        return True
    user = await tx.users.get(channel, external)
    if user is None:
        return False
    memberships = await tx.users.memberships(user.id)
    if any(m.role is Role.ADMIN for m in memberships):
        return True
    campaign = await tx.campaigns.summary()
    if campaign is None:
        return False
    if agency_id is not None and any(
        m.role is Role.FOCAL and m.agency.id == agency_id for m in memberships
    ):
        return await tx.campaigns.campaign_agency(campaign.id, agency_id) is not None
    return consolidates(memberships, campaign.consolidator.id)
