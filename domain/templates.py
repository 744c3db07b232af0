"""The templates the bot sends: the agency's plan (.xlsx), made from the campaign and the plan
as stored, so that sending it back unchanged changes nothing and filling it is also the way to
edit.

Sheet «Kế hoạch» has one block of rows per shortcoming assigned to the agency: the shortcoming in
the directive's words (locked), the objective on the block's first row, then one measure per row
(content, lead unit, coordinating units, timeline, output), with empty rows to fill and room to
insert more. A hidden column holds each block's item key; a very hidden sheet holds the
campaign, the agency and the kind of template, and the names for the drop-down lists (another
name can still be typed). A period's progress template (``domain.progress_table``) shares the
sheet of metadata and the formats. Always in Vietnamese, like the directive.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.campaign import Campaign
from domain.model import Measure, Plan
from domain.text import printable

if TYPE_CHECKING:
    import xlsxwriter
    import xlsxwriter.worksheet

PLAN_SHEET = "Kế hoạch"
GUIDE_SHEET = "Hướng dẫn"
PROGRESS_SHEET = "Tiến độ"
META_SHEET = "_kehoach"
MARK = "kehoach-bot"
KIND_PLAN = "plan"
KIND_PROGRESS = "progress"
SPARE_ROWS = 3  # empty measure rows under each shortcoming's measures
HEADER_ROW = 5  # zero-based: the table's heading
FIRST_ROW = HEADER_ROW + 1
VALIDATION_ROWS = 500  # the drop-down lists reach this far below the table (inserted rows)

# (key, heading, width): the order of the plan sheet's columns
COLUMNS = (
    ("number", "STT", 6),
    ("shortcoming", "Hạn chế, khuyết điểm", 38),
    ("objective", "Mục tiêu", 30),
    ("content", "Nhiệm vụ, giải pháp", 44),
    ("lead", "Đơn vị chủ trì", 22),
    ("partners", "Đơn vị phối hợp", 26),
    ("timeline", "Thời gian hoàn thành", 20),
    ("output", "Sản phẩm, kết quả", 26),
    ("key", "Mã", 8),  # hidden: the item key of the block's first row
)
COL = {key: k for k, (key, _heading, _width) in enumerate(COLUMNS)}
MEASURE_COLUMNS = ("content", "lead", "partners", "timeline", "output")


def heading(key: str) -> str:
    return next(h for k, h, _w in COLUMNS if k == key)


# -- the template --------------------------------------------------------------------------------


def template_xlsx(
    campaign: Campaign, plan: Plan, agencies: Sequence[str], made: dt.datetime
) -> bytes:
    """The agency's template with what is stored filled in (the same in every language: the
    directive's)."""
    out = io.BytesIO()
    import xlsxwriter  # only when a workbook is written (start-up, #19)

    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": f"Mẫu kế hoạch — {printable(plan.agency.name)}",
            "subject": printable(campaign.title),
            "author": "kehoach-bot",
            "keywords": f"{MARK} {KIND_PLAN} {campaign.code} {plan.agency.code}",
        }
    )
    f = Formats(book)
    sheet = book.add_worksheet(PLAN_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)
    meta = book.add_worksheet(META_SHEET)
    write_meta(meta, campaign.code, plan.agency.code, KIND_PLAN, made, agencies)
    for k, (_key, _heading, width) in enumerate(COLUMNS):
        sheet.set_column(k, k, width, None, {"hidden": _key == "key"})
    last = len(COLUMNS) - 2
    sheet.merge_range(0, 0, 0, last, "KẾ HOẠCH KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM", f.title)
    sheet.merge_range(1, 0, 1, last, printable(plan.agency.name), f.title)
    sheet.merge_range(2, 0, 2, last, printable(campaign.title), f.centre)
    sheet.merge_range(
        3,
        0,
        3,
        last,
        f"Hạn gửi kế hoạch: {campaign.deadlines.plans_due:%d/%m/%Y}. Điền vào các ô trắng; "
        f"xem hướng dẫn ở trang «{GUIDE_SHEET}».",
        f.note,
    )
    for k, (_key, title, _width) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, k, title, f.head)
    row = FIRST_ROW
    for n, item in enumerate(plan.shortcomings, start=1):
        rows = max(len(item.measures), 1) + SPARE_ROWS
        for k in range(rows):
            m = item.measures[k] if k < len(item.measures) else None
            first = k == 0
            cells = {
                "number": str(n) if first else "",
                "shortcoming": printable(item.text) if first else "",
                "objective": printable(item.objective) if first and item.objective else "",
                **dict(zip(MEASURE_COLUMNS, _measure_cells(m), strict=True)),
                "key": item.key if first else "",
            }
            for key, value in cells.items():
                editable = key in MEASURE_COLUMNS or (key == "objective" and first)
                sheet.write_string(row, COL[key], value, f.open if editable else f.locked)
            sheet.set_row(row, row_height(cells))  # neither Excel nor LibreOffice fits it
            row += 1
    names = f"='{META_SHEET}'!$D$1:$D${max(len(agencies), 1)}"
    for key in ("lead", "partners"):
        sheet.data_validation(
            FIRST_ROW,
            COL[key],
            row + VALIDATION_ROWS,
            COL[key],
            {
                "validate": "list",
                "source": names,
                "show_error": False,  # another unit's name can be typed
                "input_title": heading(key),
                "input_message": "Chọn trong danh sách, hoặc gõ tên đơn vị khác.",
            },
        )
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.protect(
        "",
        {
            "insert_rows": True,
            "delete_rows": True,
            "format_cells": True,
            "format_rows": True,
            "format_columns": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    _guide(guide, f)
    sheet.activate()
    book.close()
    return out.getvalue()


LINE_POINTS = 15.6  # one line of 12 pt Times New Roman
MAX_ROW_POINTS = 409.0  # Excel's limit


def row_height(cells: dict[str, str], widths: dict[str, int] | None = None) -> float:
    """The height that shows every wrapped line of the row's longest cell (at least two lines:
    room to type)."""
    widths = widths or {key: width for key, _h, width in COLUMNS}
    lines = 2
    for key, value in cells.items():
        width = max(widths.get(key, 10) - 1, 1)
        wrapped = sum(max(1, math.ceil(len(part) / width)) for part in value.split("\n"))
        lines = max(lines, wrapped)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 4)


def _measure_cells(m: Measure | None) -> tuple[str, ...]:
    if m is None:
        return ("", "", "", "", "")
    return (
        printable(m.content),
        printable(m.lead_unit),
        printable("; ".join(m.partners or ())),
        printable(m.timeline),
        printable(m.output),
    )


def write_meta(
    meta: xlsxwriter.worksheet.Worksheet,
    campaign: str,
    agency: str,
    kind: str,
    made: dt.datetime,
    agencies: Sequence[str],
    period: str = "",
) -> None:
    for r, (name, value) in enumerate(
        (
            ("mark", MARK),
            ("kind", kind),
            ("campaign", campaign),
            ("agency", agency),
            ("made", made.isoformat(timespec="seconds")),
            ("period", period),
        )
    ):
        meta.write_string(r, 0, name)
        meta.write_string(r, 1, value)
    for r, name in enumerate(agencies):
        meta.write_string(r, 3, printable(name))
    meta.very_hidden()
    meta.protect()


class Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
        wrap = {**base, "text_wrap": True, "border": 1}
        self.title = book.add_format({**base, "bold": True, "align": "center", "font_size": 13})
        self.centre = book.add_format({**base, "align": "center", "italic": True})
        self.note = book.add_format({**base, "italic": True, "text_wrap": True})
        self.head = book.add_format(
            {**wrap, "bold": True, "align": "center", "bg_color": "#D9E2F3", "locked": True}
        )
        self.locked = book.add_format({**wrap, "bg_color": "#F2F2F2", "locked": True})
        self.open = book.add_format({**wrap, "locked": False})
        self.text = book.add_format({**base, "text_wrap": True})
        self.bold = book.add_format({**base, "bold": True, "text_wrap": True})


def _guide(sheet: xlsxwriter.worksheet.Worksheet, f: Formats) -> None:
    sheet.set_column(0, 0, 110)
    lines = [
        ("CÁCH ĐIỀN MẪU KẾ HOẠCH", True),
        ("", False),
        (
            "1. Mỗi hạn chế, khuyết điểm giao cho đơn vị là một khối dòng trong trang «Kế hoạch»."
            " Cột «Hạn chế, khuyết điểm» giữ nguyên lời văn của văn bản chỉ đạo (ô xám, không sửa).",
            False,
        ),
        ("2. «Mục tiêu» ghi ở dòng đầu của mỗi khối.", False),
        (
            "3. Mỗi nhiệm vụ, giải pháp ghi trên một dòng: nhiệm vụ, đơn vị chủ trì, đơn vị phối"
            " hợp, thời gian hoàn thành, sản phẩm. Cần thêm dòng: chèn dòng ngay dưới khối"
            " (Chèn → Dòng). Bỏ một nhiệm vụ: xóa nội dung các ô của dòng đó.",
            False,
        ),
        (
            "4. Đơn vị chủ trì, phối hợp: chọn trong danh sách hoặc gõ tên đơn vị khác; nhiều đơn"
            " vị phối hợp cách nhau bằng dấu chấm phẩy. Ví dụ: Sở Nội vụ; UBND các xã, phường.",
            False,
        ),
        (
            "5. Thời gian hoàn thành, ví dụ: 30/6/2026 · trước ngày 15/3/2026 · tháng 5/2026 ·"
            " quý II/2026 · 6 tháng đầu năm 2026 · năm 2026 · thường xuyên · quý II/2026 và"
            " thường xuyên.",
            False,
        ),
        ("6. Sản phẩm, kết quả có thể để trống. Ví dụ: Quyết định ban hành quy chế.", False),
        (
            "7. Gửi lại tệp này cho bot: trên Telegram, gửi tệp vào cuộc trò chuyện; trên Zalo,"
            " mở đường dẫn tải lên mà bot đã gửi. Bot kiểm tra từng dòng, cho xem những thay đổi"
            " rồi mới lưu khi anh/chị đồng ý. Sau đó dùng /xem để xem lại và /nop để nộp.",
            False,
        ),
        (
            "8. Tệp này dành riêng cho đơn vị và đợt kế hoạch ghi ở đầu trang «Kế hoạch»; không"
            " dùng tệp của đơn vị khác. Ô có công thức được đọc theo giá trị hiển thị.",
            False,
        ),
    ]
    for r, (line, bold) in enumerate(lines):
        sheet.write_string(r, 0, line, f.bold if bold else f.text)
    sheet.protect()
