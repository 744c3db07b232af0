"""domain.units: a typed unit name → the campaign's spelling, suggestions, or a question."""

from __future__ import annotations

from domain.units import SUGGESTIONS, Units

AGENCIES = (
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Nội vụ",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "UBND tỉnh",
)


def test_a_known_agency_typed_without_diacritics_or_case_is_stored_in_its_own_spelling() -> None:
    units = Units(AGENCIES)
    for typed in ("so tai chinh", "SỞ TÀI CHÍNH", "  sở   tài chính ", "So Tai Chinh"):
        check = units.check(typed, 2026)
        assert (check.name, check.known) == ("Sở Tài chính", True), typed


def test_names_the_plan_already_uses_are_known_too() -> None:
    units = Units(AGENCIES, used=["UBND các xã, phường", ""])
    check = units.check("ubnd cac xa, phuong", 2026)
    assert (check.name, check.known) == ("UBND các xã, phường", True)


def test_a_slip_or_a_part_of_a_name_gets_suggestions_best_first() -> None:
    units = Units(AGENCIES)
    slip = units.check("So tai chin", 2026)
    assert (slip.known, slip.name, slip.similar[0]) == (False, "So tai chin", "Sở Tài chính")
    assert units.check("giáo dục", 2026).similar == ("Sở Giáo dục và Đào tạo",)
    assert units.check("so noi vu tinh", 2026).similar[0] == "Sở Nội vụ"
    assert len(units.check("Sở T", 2026).similar) <= SUGGESTIONS


def test_a_name_outside_the_list_has_no_suggestion_and_is_not_a_time() -> None:
    check = Units(AGENCIES).check("Phòng Cảnh sát kinh tế", 2026)
    assert (check.known, check.similar, check.timeline) == (False, (), False)


def test_a_timeline_typed_on_a_unit_step_is_told_apart() -> None:
    units = Units(AGENCIES)
    for typed in ("quý II/2026 và thường xuyên", "thường xuyên", "30/6", "tháng 6"):
        assert units.check(typed, 2026).timeline, typed
    for typed in ("UBND các xã, phường", "Ban Chỉ đạo 35", "Sở Xây dựng (năm 2025)"):
        assert not units.check(typed, 2026).timeline, typed


def test_thousands_of_agencies_the_first_spelling_wins() -> None:
    names = [f"UBND xã Số {n}" for n in range(3800)] + ["ubnd xa so 7"]
    units = Units(names)
    assert units.check("UBND XÃ SỐ 7", 2026).name == "UBND xã Số 7"
    assert units.check("UBND xã Số 38000", 2026).known is False
