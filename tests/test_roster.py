"""domain.roster: an operator's list of agencies, checked row by row, put into a campaign file."""

from __future__ import annotations

from domain.campaign import parse_campaign
from domain.roster import read_roster, with_agencies


def test_a_vietnamese_header_in_any_order_after_a_title_row() -> None:
    roster = read_roster(
        [
            ["DANH SÁCH CÁC XÃ, PHƯỜNG", None, None],
            ["Loại", "Tên đơn vị", "Mã"],
            ["xã", "Xã mẫu 01", "xa_01"],  # a lower-case code is taken in upper case
            [None, None, None],  # blank rows are skipped
            ["Phường", " Phường  mẫu 02 ", "PH02"],
            ["sở", "Sở Nội vụ", "SNV"],
            ["", "Sở Y tế", "SYT"],  # no kind: a department
        ]
    )
    assert roster.problems == []
    assert [(a.code, a.name, a.kind) for a in roster.agencies] == [
        ("XA_01", "Xã mẫu 01", "xa"),
        ("PH02", "Phường  mẫu 02", "xa"),
        ("SNV", "Sở Nội vụ", "so"),
        ("SYT", "Sở Y tế", "so"),
    ]


def test_without_a_header_the_columns_are_code_name_kind_and_numbers_are_codes() -> None:
    roster = read_roster([["A1", "Đơn vị A", "xa"], [7.0, "Đơn vị số", None]])
    assert roster.problems == [
        "row 2: code '7': use A-Z, 0-9 and _, starting with a letter, at most 16 characters"
    ]
    assert [a.code for a in roster.agencies] == ["A1"]


def test_every_bad_row_is_reported_with_its_number_and_all_its_problems() -> None:
    roster = read_roster(
        [
            ["code", "name", "kind"],
            ["SNV", "Sở Nội vụ", "so"],
            ["", "", "huyện"],
            ["SNV", "so noi vu", "so"],  # the same code, and the same name without diacritics
            ["X" * 17, "x" * 201, "xa"],
            ["Ổ", "Tên", "xa"],
        ]
    )
    assert roster.problems == [
        "row 3: the code is empty; the name is empty; kind 'huyện': write sở (a department) or "
        "xã (a commune)",
        "row 4: code SNV is already used on row 2; the name 'so noi vu' is already used on row 2",
        "row 5: code 'XXXXXXXXXXXXXXXXX': use A-Z, 0-9 and _, starting with a letter, at most 16 "
        "characters; the name is longer than 200 characters",
        "row 6: code 'Ổ': only plain letters A-Z, digits, _ and - (no look-alike or accented"
        " characters)",
    ]
    assert [a.code for a in roster.agencies] == ["SNV"]


def test_an_empty_sheet_says_what_it_expected() -> None:
    assert read_roster([[None], []]).problems == [
        "no agencies found (expected columns: code, name, kind)"
    ]


CAMPAIGN = """# head comment, kept
code = "c"
title = "T"
[directive]
issuer = "UBND"
subject = "V/v"
[deadlines]
plans_due = 2026-01-21
consolidation_due = 2026-01-22
[consolidator]
agency = "SNV"
parent = "UBND"
place = "P"
[report]
summary = "S"

[[agencies]]
code = "SNV"
name = "Sở Nội vụ"

[[agencies]]
code = "OLD"
name = "Một đơn vị cũ"

# the items: this comment stays with them
[[items]]
group = 1
kinds = ["xa"]
text = "Mọi xã"

[[items]]
group = 2
agencies = ["SNV"]
text = "Sở"
"""


def test_the_agencies_replace_those_of_the_file_and_everything_else_stays() -> None:
    roster = read_roster(
        [["SNV", "Sở Nội vụ", "sở"], ["XA1", 'Xã "Một"', "xã"], ["XA2", "Xã Hai", "xã"]]
    )
    text = with_agencies(CAMPAIGN, roster.agencies)
    assert "OLD" not in text and "# head comment, kept" in text
    assert "# the items: this comment stays with them\n[[items]]" in text
    c = parse_campaign(text)
    assert [(a.code, a.name, a.kind) for a in c.agencies] == [
        ("SNV", "Sở Nội vụ", "so"),
        ("XA1", 'Xã "Một"', "xa"),
        ("XA2", "Xã Hai", "xa"),
    ]
    assert [c.assigned(item) for item in c.items] == [("XA1", "XA2"), ("SNV",)]
    assert with_agencies(text, roster.agencies) == text  # the same list twice: the same file
