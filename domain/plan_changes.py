"""What a plan table changes in the stored plan, item by item, and how it is kept between showing
it and saving it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.model import Measure, Plan, Shortcoming
from domain.plan_table import ItemRows, MeasureRow, PlanTable

# -- what it changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    index: int  # the shortcoming's number in the plan
    assignment_id: int
    objective: str | None  # the new objective, or None when unchanged
    added: tuple[MeasureRow, ...] = ()
    changed: tuple[tuple[int, MeasureRow], ...] = ()  # (measure id, new values)
    removed: tuple[int, ...] = ()  # measure ids
    kept: int = 0

    @property
    def empty(self) -> bool:
        return self.objective is None and not (self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Changes:
    items: tuple[ItemChange, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.items)


def changes(plan: Plan, table: PlanTable) -> Changes:
    """What storing the table would change, item by item, measure by position (the file holds
    each shortcoming's measures in order; a row left out is a measure removed)."""
    by_key = {i.key: i for i in table.items}
    out = []
    for index, item in enumerate(plan.shortcomings, start=1):
        rows = by_key.get(item.key)
        if rows is None:
            continue  # not in the file (a block deleted): left as it is
        out.append(_item_change(index, item, rows))
    return Changes(tuple(out))


def _item_change(index: int, item: Shortcoming, rows: ItemRows) -> ItemChange:
    objective = rows.objective if rows.objective != item.objective and rows.objective else None
    added, changed, kept = [], [], 0
    for k, row in enumerate(rows.measures):
        if k >= len(item.measures):
            added.append(row)
        elif _same(item.measures[k], row):
            kept += 1
        else:
            changed.append((item.measures[k].id, row))
    removed = tuple(m.id for m in item.measures[len(rows.measures) :])
    return ItemChange(
        index=index,
        assignment_id=item.assignment_id,
        objective=objective,
        added=tuple(added),
        changed=tuple(changed),
        removed=removed,
        kept=kept,
    )


def _same(m: Measure, row: MeasureRow) -> bool:
    return (
        m.content == row.content
        and (m.lead_unit or None) == row.lead_unit
        and tuple(m.partners or ()) == tuple(row.partners or ())
        and (m.timeline or None) == row.timeline
        and (m.output or None) == row.output
    )


# -- kept between showing and saving -----------------------------------------------------------


def items_json(items: Sequence[ItemRows]) -> str:
    """What was read, as the database keeps it until the person saves or cancels."""
    return json.dumps(
        [
            {
                "key": i.key,
                "row": i.row,
                "objective": i.objective,
                "measures": [
                    {
                        **dataclasses.asdict(m),
                        "due_date": m.due_date.isoformat() if m.due_date else None,
                    }
                    for m in i.measures
                ],
            }
            for i in items
        ],
        ensure_ascii=False,
    )


def items_from_json(text: str) -> tuple[ItemRows, ...]:
    out = []
    for i in json.loads(text):
        measures = tuple(
            MeasureRow(
                **{
                    **m,
                    "partners": tuple(m["partners"]) if m["partners"] else None,
                    "due_date": dt.date.fromisoformat(m["due_date"]) if m["due_date"] else None,
                }
            )
            for m in i["measures"]
        )
        out.append(ItemRows(i["key"], i["row"], i["objective"], measures))
    return tuple(out)
