"""Button payloads: small typed values, packed into at most 64 bytes and unpacked here only.

Every payload carries the ids it acts on (plan, item, measure, revision), so a press is checked
against the person's agencies and the plan as it is now, never against what the conversation
happens to hold. A channel with buttons sends ``pack(action)`` as callback data; a channel without
them numbers the choices and the core keeps the packed payloads of the menu in force.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

MAX_BYTES = 64  # Telegram's limit for callback data

FIELDS = ("c", "l", "p", "t", "o")  # content, lead, partners, timeline, output
STATUSES = ("d", "o", "l", "n")  # progress: done, on track, late, not started
ANSWERS = ("r", "i", "x")  # a proposal's answer: resolved, in progress, declined
# the consolidators' lists of proposals: waiting to be routed, answer overdue, routed, answered
PROPOSAL_GROUPS = ("f", "o", "r", "a")
# prog/progd: the period's results (.xlsx/.docx); prop: the proposals (.xlsx)
DOWNLOADS = ("docx", "xlsx", "draft", "prog", "progd", "prop")


class Action:
    """A button's meaning. Subclasses are frozen dataclasses registered under a short verb."""

    verb: ClassVar[str] = ""


_REGISTRY: dict[str, type[Action]] = {}
A = TypeVar("A", bound=type[Action])


def _verb(verb: str) -> Callable[[A], A]:
    def register(cls: A) -> A:
        if verb in _REGISTRY:
            raise ValueError(f"verb {verb} registered twice")
        cls.verb = verb
        _REGISTRY[verb] = cls
        return cls

    return register


@_verb("menu")
@dataclass(frozen=True)
class Menu(Action):
    """The main menu of the plan."""


@_verb("back")
@dataclass(frozen=True)
class Back(Action):
    """One step back from the step the person is on."""


@_verb("ag")
@dataclass(frozen=True)
class ChooseAgency(Action):
    agency: int


@_verb("a")
@dataclass(frozen=True)
class OpenItem(Action):
    assignment: int


@_verb("obj")
@dataclass(frozen=True)
class EditObjective(Action):
    assignment: int


@_verb("add")
@dataclass(frozen=True)
class AddMeasure(Action):
    assignment: int


@_verb("m")
@dataclass(frozen=True)
class OpenMeasure(Action):
    measure: int


@_verb("mf")
@dataclass(frozen=True)
class EditField(Action):
    measure: int
    field: str

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(self.field)


@_verb("md")
@dataclass(frozen=True)
class AskDelete(Action):
    measure: int


@_verb("mdy")
@dataclass(frozen=True)
class ConfirmDelete(Action):
    measure: int


@_verb("ld")
@dataclass(frozen=True)
class ChooseLead(Action):
    measure: int
    agency: int


@_verb("pt")
@dataclass(frozen=True)
class TogglePartner(Action):
    measure: int
    agency: int


@_verb("pta")
@dataclass(frozen=True)
class AddPartner(Action):
    """Add a suggested agency in place of a typed name that matched none."""

    measure: int
    agency: int


@_verb("ptx")
@dataclass(frozen=True)
class PartnerOther(Action):
    measure: int


@_verb("ptn")
@dataclass(frozen=True)
class PartnersNone(Action):
    measure: int


@_verb("ptd")
@dataclass(frozen=True)
class PartnersDone(Action):
    measure: int


@_verb("sk")
@dataclass(frozen=True)
class SkipOutput(Action):
    measure: int


@_verb("kc")
@dataclass(frozen=True)
class KeepCurrent(Action):
    """Leave the step's current answer as it is and go on (a step reached by "back")."""

    measure: int


@_verb("kp")
@dataclass(frozen=True)
class KeepAnswer(Action):
    """Keep the answer the bot questioned (a past due date, an unknown unit)."""

    measure: int


@_verb("kd")
@dataclass(frozen=True)
class PickDue(Action):
    """The completion date chosen for timeline words the bot kept as typed (yyyymmdd)."""

    measure: int
    day: int


@_verb("all")
@dataclass(frozen=True)
class ViewPlan(Action):
    plan: int


@_verb("sub")
@dataclass(frozen=True)
class AskSubmit(Action):
    plan: int


@_verb("suby")
@dataclass(frozen=True)
class ConfirmSubmit(Action):
    plan: int
    revision: int


@_verb("tcp")
@dataclass(frozen=True)
class StatusPage(Action):
    page: int


@_verb("tc")
@dataclass(frozen=True)
class AgencyDetail(Action):
    agency: int


@_verb("dl")
@dataclass(frozen=True)
class Download(Action):
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in DOWNLOADS:
            raise ValueError(self.kind)


# -- the follow-through: a period's progress report ------------------------------------------


@_verb("pg")
@dataclass(frozen=True)
class ProgressMenu(Action):
    """The progress report of the current period."""


@_verb("pgm")
@dataclass(frozen=True)
class ProgressMeasure(Action):
    report: int
    measure: int
    version: int  # the report's submitted version when shown (0: none)


@_verb("pgs")
@dataclass(frozen=True)
class SetProgress(Action):
    report: int
    measure: int
    status: str
    version: int  # the report's submitted version when shown (0: none)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(self.status)


@_verb("pgk")
@dataclass(frozen=True)
class SkipResult(Action):
    report: int
    measure: int
    version: int  # the report's submitted version when shown (0: none)


@_verb("pgn")
@dataclass(frozen=True)
class AskSubmitReport(Action):
    report: int
    version: int  # the report's submitted version when shown (0: none)


@_verb("pgy")
@dataclass(frozen=True)
class ConfirmSubmitReport(Action):
    report: int
    revision: int


# -- proposals (kiến nghị) ----------------------------------------------------------------------


@_verb("kn")
@dataclass(frozen=True)
class ProposalsMenu(Action):
    """The person's proposals: filed, to answer, to route."""


@_verb("knn")
@dataclass(frozen=True)
class NewProposal(Action):
    """Start a proposal: choose its field."""


@_verb("knf")
@dataclass(frozen=True)
class ProposalField(Action):
    field: int  # index in the campaign's list of fields


@_verb("kna")
@dataclass(frozen=True)
class AskDepartment(Action):
    proposal: int
    agency: int


@_verb("kne")
@dataclass(frozen=True)
class EditProposal(Action):
    """Before sending: edit the draft's content ("c") or change the department asked ("d")."""

    proposal: int
    what: str

    def __post_init__(self) -> None:
        if self.what not in ("c", "d"):
            raise ValueError(self.what)


@_verb("kns")
@dataclass(frozen=True)
class SendProposal(Action):
    """The filer has checked the draft: it is filed."""

    proposal: int


@_verb("kno")
@dataclass(frozen=True)
class OpenProposal(Action):
    proposal: int


@_verb("knl")
@dataclass(frozen=True)
class ProposalGroup(Action):
    """A consolidator's list of the proposals in one state, a page at a time."""

    group: str
    page: int

    def __post_init__(self) -> None:
        if self.group not in PROPOSAL_GROUPS:
            raise ValueError(self.group)


@_verb("knr")
@dataclass(frozen=True)
class RouteProposal(Action):
    proposal: int
    agency: int


@_verb("knx")
@dataclass(frozen=True)
class ReassignProposal(Action):
    proposal: int


@_verb("kny")
@dataclass(frozen=True)
class AnswerProposal(Action):
    proposal: int
    answer: str

    def __post_init__(self) -> None:
        if self.answer not in ANSWERS:
            raise ValueError(self.answer)


@_verb("rtn")
@dataclass(frozen=True)
class AskReturn(Action):
    """A consolidator returns one agency's plan: the reason is asked next."""

    agency: int


# -- the plan as a table (handlers.tables) --------------------------------------------------------


@_verb("tpl")
@dataclass(frozen=True)
class GetTemplate(Action):
    """Send the agency's template (.xlsx), filled with what is stored."""


@_verb("tpg")
@dataclass(frozen=True)
class GetProgressTemplate(Action):
    """Send the current period's progress report as a template (.xlsx)."""


@_verb("upl")
@dataclass(frozen=True)
class UploadPage(Action):
    """The link of the upload page (a desktop without Telegram's file sending at hand)."""


@_verb("ups")
@dataclass(frozen=True)
class SaveUpload(Action):
    upload: int


@_verb("upx")
@dataclass(frozen=True)
class CancelUpload(Action):
    upload: int


def command_of(action: Action | None) -> str:
    """The command that opens what a button acts on: how a message whose choices cannot be
    numbered (a broadcast on Zalo) says where to go instead."""
    if isinstance(
        action,
        ProgressMenu
        | ProgressMeasure
        | SetProgress
        | SkipResult
        | AskSubmitReport
        | ConfirmSubmitReport,
    ):
        return "tiendo"
    if isinstance(
        action,
        ProposalsMenu
        | NewProposal
        | ProposalField
        | AskDepartment
        | EditProposal
        | SendProposal
        | OpenProposal
        | ProposalGroup
        | RouteProposal
        | ReassignProposal
        | AnswerProposal,
    ):
        return "kiennghi"
    if isinstance(action, StatusPage | AgencyDetail | Download | AskReturn):
        return "tonghop"
    if isinstance(action, GetProgressTemplate):
        return "tiendo"
    if isinstance(action, GetTemplate | UploadPage | SaveUpload | CancelUpload):
        return "maubieu"
    return "kehoach"


def pack(action: Action) -> str:
    """``verb:field:field`` — at most 64 bytes."""
    values = [str(getattr(action, f.name)) for f in dataclasses.fields(action)]  # type: ignore[arg-type]
    data = ":".join([action.verb, *values])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button payload over {MAX_BYTES} bytes: {data}")
    return data


def unpack(data: str) -> Action | None:
    """The action of a payload, or None for anything malformed, unknown or forged."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    verb, *values = data.split(":")
    cls = _REGISTRY.get(verb)
    if cls is None:
        return None
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if len(values) != len(fields):
        return None
    args: list[object] = []
    for f, raw in zip(fields, values, strict=True):
        if f.type in ("int", int):
            if not raw.isdigit() or len(raw) > 12:
                return None
            args.append(int(raw))
        else:
            args.append(raw)
    try:
        return cls(*args)
    except (TypeError, ValueError):
        return None
