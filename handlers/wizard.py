"""The measure wizard, declared: one row per field, read by ``handlers.measure``.

Each step names the conversation step, the measure attribute it fills, the key of its ✏️ button
on the measure card, the question, how a typed answer is checked and turned into stored values,
and whether it may be skipped. The order of the table is the order of the wizard; "next" and
"back" follow it. Adding a field to a measure means a row here, the attribute in the domain model
and the database, its catalog strings, and its column in the documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from domain import text as limits
from domain.campaign import Campaign
from domain.model import Measure
from domain.timeline import TimelineError, parse_timeline
from handlers import views
from handlers.input import InputError, clean, words
from handlers.markup import esc
from locales import _, fmt_date

Values = dict[str, object]


class Unsure(Exception):
    """The answer is valid but doubtful: ask the person before storing it. ``question`` is
    markup; ``keep`` the label of the button that keeps the answer as typed."""

    def __init__(self, question: str, keep: str) -> None:
        super().__init__(question)
        self.question = question
        self.keep = keep


class NeedsDue(Exception):
    """Timeline words that name no date the grammar is sure of: kept as typed, and the
    completion date asked once (``handlers.due_question``)."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


Parse = Callable[[str, Campaign | None, bool], Values]


@dataclass(frozen=True)
class Step:
    name: str  # the conversation step
    key: str  # the ✏️ button on the card (buttons.FIELDS)
    attribute: str  # what it fills in the measure
    label: Callable[[], str]  # the card's button
    question: Callable[[Campaign | None], str]  # examples fit the campaign's calendar
    shown: Callable[[Measure], str | None]  # the current answer, as markup ("Hiện tại: ...")
    # A typed answer → stored values, for a campaign; raises InputError, or Unsure unless the
    # person already confirmed (``confirmed``).
    parse: Parse | None
    optional: bool = False  # offers "Skip"
    collects: bool = False  # typed answers add to a list; the step ends with a button
    # The answer names units: checked against the campaign's agencies before it is stored
    # (``handlers.measure``); the value under ``attribute`` is a name, or a list of names.
    units: bool = False


def _content(raw: str, campaign: Campaign | None, confirmed: bool) -> Values:
    return {"content": words(raw, limits.CONTENT_MAX)}


def _lead(raw: str, campaign: Campaign | None, confirmed: bool) -> Values:
    return {"lead_unit": clean(raw, limits.NAME_MAX)}


def _start(campaign: Campaign | None) -> dt.date:
    """What the plan's examples fall after: the campaign's start (today without a campaign)."""
    return campaign.starts if campaign else dt.date.today()


def _timeline(raw: str, campaign: Campaign | None, confirmed: bool) -> Values:
    text = clean(raw, limits.TIMELINE_MAX)
    try:
        tl = parse_timeline(text, default_year=campaign.year if campaign else None)
    except TimelineError as err:
        if err.reason == "unknown" and limits.meaningful(text):
            raise NeedsDue(text) from None  # words a reader understands: never refused
        raise InputError(views.timeline_error(err.reason, _start(campaign))) from None
    if campaign and tl.due and tl.due < campaign.starts and not confirmed:
        raise Unsure(
            _(
                "«{text}» means a completion deadline of {due}, before this campaign starts "
                "({starts}). Is that right? Keep it, or type the timeline again."
            ).format(text=esc(tl.text), due=fmt_date(tl.due), starts=fmt_date(campaign.starts)),
            _("✅ Keep {due}").format(due=fmt_date(tl.due)),
        )
    return {"timeline": tl.text, "due_date": tl.due, "recurring": tl.recurring}


def _output(raw: str, campaign: Campaign | None, confirmed: bool) -> Values:
    return {"output": words(raw, limits.OUTPUT_MAX)}


STEPS: tuple[Step, ...] = (
    Step(
        name="m_content",
        key="c",
        attribute="content",
        label=lambda: _("✏️ Content"),
        question=lambda c: _("Please type the task or solution (nhiệm vụ, giải pháp)."),
        shown=lambda m: esc(m.content),
        parse=_content,
    ),
    Step(
        name="m_lead",
        key="l",
        attribute="lead_unit",
        label=lambda: _("✏️ Lead"),
        question=lambda c: _(
            "Which unit leads this task? Choose one, or type another unit's name."
        ),
        shown=lambda m: esc(m.lead_unit) if m.lead_unit else None,
        parse=_lead,
        units=True,
    ),
    Step(
        name="m_partners",
        key="p",
        attribute="partners",
        label=lambda: _("✏️ Coordinating"),
        question=lambda c: _("Coordinating units: tap to select or unselect, then press Done."),
        shown=lambda m: esc(", ".join(m.partners)) if m.partners else None,
        parse=None,  # names typed are added to the list (handlers.measure)
        collects=True,
        units=True,
    ),
    Step(
        name="m_timeline",
        key="t",
        attribute="timeline",
        label=lambda: _("✏️ Timeline"),
        question=lambda c: (
            _("Timeline and completion time? For example:")
            + "\n"
            + views.timeline_examples(_start(c))
        ),
        shown=lambda m: views.timeline_text(m) if m.timeline else None,
        parse=_timeline,
    ),
    Step(
        name="m_output",
        key="o",
        attribute="output",
        label=lambda: _("✏️ Output"),
        question=lambda c: _(
            "Expected output or result (e.g. a plan, a report, a decision)? This is optional."
        ),
        shown=lambda m: esc(m.output) if m.output else None,
        parse=_output,
        optional=True,
    ),
)

BY_NAME = {s.name: s for s in STEPS}
BY_KEY = {s.key: s for s in STEPS}
NAMES = tuple(s.name for s in STEPS)


def step(name: str) -> Step | None:
    return BY_NAME.get(name)


def after(name: str) -> Step | None:
    """The step that follows ``name`` in the wizard, or None after the last."""
    k = NAMES.index(name)
    return STEPS[k + 1] if k + 1 < len(STEPS) else None


def before(name: str) -> Step | None:
    k = NAMES.index(name)
    return STEPS[k - 1] if k > 0 else None
