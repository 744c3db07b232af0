"""Button payloads: packed and unpacked in one place, typed, bounded, refusing junk."""

from __future__ import annotations

import pytest

from handlers import buttons as act


@pytest.mark.parametrize(
    "action",
    [
        act.Menu(),
        act.Back(),
        act.OpenItem(12),
        act.EditField(7, "t"),
        act.ChooseLead(7, 3),
        act.ConfirmSubmit(5, 123456),
        act.Download("draft"),
        act.StatusPage(0),
    ],
)
def test_round_trip(action: act.Action) -> None:
    data = act.pack(action)
    assert len(data.encode()) <= act.MAX_BYTES
    assert act.unpack(data) == action


@pytest.mark.parametrize(
    "data",
    [
        "",
        "menu:1",  # too many fields
        "a",  # too few
        "a:-1",
        "a:1.5",
        "a:" + "9" * 20,
        "mf:1:zz",  # unknown field
        "dl:pdf",
        "xyz:1",
        "suby:3",
        "x" * 65,
    ],
)
def test_junk_is_refused(data: str) -> None:
    assert act.unpack(data) is None


def test_payload_over_64_bytes_cannot_be_built() -> None:
    with pytest.raises(ValueError):
        act.pack(act.ConfirmSubmit(10**30, 10**30))
