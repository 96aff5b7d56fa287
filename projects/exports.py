"""A project course's attendance as CSV (for Excel) and PDF (reportlab): data in, bytes out.

`build_sheet` turns `attendance_table` into an `AttendanceSheet`; the renderers query
nothing. A cell is «+» (attended), «н» (absent) or empty (the student was not in the group
that day — neither attended nor missed).

CSV: UTF-8 with a BOM and «;» between fields — what Excel with Russian regional settings
opens as columns with Cyrillic intact. PDF: A4 landscape in the bundled DejaVu Sans
(core.pdf); a course with more lessons than fit across a page is printed in several
tables of consecutive lessons, each with the students' names.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from core.pdf import landscape_sheet, register_fonts
from core.text import export_file_name
from projects.models import ProjectCourse, ProjectLesson
from projects.selectors import attendance_table

ATTENDED, ABSENT, NOT_EXPECTED = "+", "н", ""
INK = HexColor("#1b2430")
MUTED = HexColor("#4a5563")
GRID = HexColor("#c7ced8")
HEADER_FILL = HexColor("#e8eff8")
ABSENT_FILL = HexColor("#fdf0ef")
LESSONS_PER_TABLE = 20
TOTAL_WIDTH = 16 * mm
# Excel runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SheetRow:
    student: str
    marks: tuple[str, ...]  # one per lesson: ATTENDED, ABSENT or NOT_EXPECTED
    attended: int
    absent: int


@dataclass(frozen=True)
class AttendanceSheet:
    course: str
    term: str
    project: str
    start_date: date
    finish_date: date
    lessons: tuple[str, ...]  # column headings: «07.09.2026», with the time when a day has two
    rows: tuple[SheetRow, ...]

    @property
    def title(self) -> str:
        return f"Посещаемость: {self.course}"

    @property
    def period(self) -> str:
        return f"{self.start_date:%d.%m.%Y}–{self.finish_date:%d.%m.%Y}"


def _lesson_headings(lessons: list[ProjectLesson]) -> tuple[str, ...]:
    days = [lesson.date for lesson in lessons]
    headings = []
    for lesson in lessons:
        heading = f"{lesson.date:%d.%m.%Y}"
        headings.append(f"{heading} {lesson.start_time:%H:%M}" if days.count(lesson.date) > 1 else heading)
    return tuple(headings)


def attendance_file_name(course: ProjectCourse, extension: str) -> str:
    return export_file_name(f"Посещаемость — {course.name}", extension, fallback="attendance")


def build_sheet(course: ProjectCourse) -> AttendanceSheet:
    """What the exports print; `course` comes with its term and project selected."""
    lessons, rows = attendance_table(course)
    return AttendanceSheet(
        course=course.name,
        term=course.term.name,
        project=course.term.project.name,
        start_date=course.start_date,
        finish_date=course.finish_date,
        lessons=_lesson_headings(lessons),
        rows=tuple(
            SheetRow(
                student=row.student.full_name,
                marks=tuple(
                    (ABSENT if cell.absent else ATTENDED) if cell.expected else NOT_EXPECTED for cell in row.cells
                ),
                attended=row.attended,
                absent=row.absences,
            )
            for row in rows
        ),
    )


# --- CSV ---------------------------------------------------------------------------------


def _safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def render_attendance_csv(sheet: AttendanceSheet) -> bytes:
    """«Учащийся;<dates…>;Посещено;Пропущено», then a row per student."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Учащийся", *sheet.lessons, "Посещено", "Пропущено"])
    for row in sheet.rows:
        writer.writerow([_safe_cell(row.student), *row.marks, row.attended, row.absent])
    return buffer.getvalue().encode("utf-8-sig")


# --- PDF ---------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, textColor=INK)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=3),
        "meta": ParagraphStyle("meta", parent=body, textColor=MUTED, spaceAfter=1),
        "name": ParagraphStyle("name", parent=body, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=body, fontName=bold, fontSize=6, leading=7.5, alignment=1),
        "name_head": ParagraphStyle("name_head", parent=body, fontName=bold, fontSize=8, leading=10),
    }


def _chunks(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)] or [range(0)]


def _pdf_table(sheet: AttendanceSheet, columns: range, with_totals: bool, styles, width: float) -> Table:
    regular, bold = register_fonts()
    # «07.09.2026» on two lines («07.09» / «2026») to keep the columns narrow.
    headings = ["<br/>".join(map(escape, sheet.lessons[index].rpartition(".")[::2])) for index in columns]
    header = [Paragraph("Учащийся", styles["name_head"])]
    header += [Paragraph(heading, styles["head"]) for heading in headings]
    if with_totals:
        header += [Paragraph("Посещено", styles["head"]), Paragraph("Пропущено", styles["head"])]
    rows = [header]
    for row in sheet.rows:
        cells = [Paragraph(escape(row.student), styles["name"]), *(row.marks[index] for index in columns)]
        if with_totals:
            cells += [str(row.attended), str(row.absent)]
        rows.append(cells)

    totals = 2 if with_totals else 0
    name_width = 55 * mm
    mark_width = min(9 * mm, (width - name_width - totals * TOTAL_WIDTH) / max(len(columns), 1))
    table = Table(
        rows,
        colWidths=[name_width, *[mark_width] * len(columns), *[TOTAL_WIDTH] * totals],
        repeatRows=1,
        hAlign="LEFT",
    )
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("FONTNAME", (0, 0), (-1, -1), regular),  # every cell, or reportlab pulls in Helvetica
        ("FONTSIZE", (1, 1), (-1, -1), 8),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if with_totals:
        commands.append(("FONTNAME", (-totals, 1), (-1, -1), bold))
    for row_index, row in enumerate(sheet.rows, start=1):
        for column_index, lesson_index in enumerate(columns, start=1):
            if row.marks[lesson_index] == ABSENT:
                commands.append(("BACKGROUND", (column_index, row_index), (column_index, row_index), ABSENT_FILL))
    table.setStyle(TableStyle(commands))
    return table


def render_attendance_pdf(sheet: AttendanceSheet) -> bytes:
    """A4 landscape: the title with the course and its dates, the project and term, the
    table (students × lessons, «+» / «н» / empty, the totals) and a legend. A footer names
    the course and the page."""
    regular, _ = register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    pdf = landscape_sheet(buffer, title=sheet.title)
    story: list = [
        Paragraph(escape(f"{sheet.title} ({sheet.period})"), styles["title"]),
        Paragraph(escape(f"Проект: {sheet.project} · период обучения: {sheet.term}"), styles["meta"]),
        Paragraph("«+» — был, «н» — отсутствовал, пусто — ещё (или уже) не в группе.", styles["meta"]),
        Spacer(1, 4 * mm),
    ]
    if not sheet.rows or not sheet.lessons:
        story.append(Paragraph("Нет занятий или учащихся.", styles["meta"]))
    chunks = _chunks(len(sheet.lessons), LESSONS_PER_TABLE) if sheet.rows else []
    for number, columns in enumerate(chunks, start=1):
        story.append(_pdf_table(sheet, columns, number == len(chunks), styles, pdf.width))
        story.append(Spacer(1, 5 * mm))

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(template.leftMargin, 8 * mm, sheet.title[:120])
        canvas.drawRightString(template.leftMargin + template.width, 8 * mm, f"стр. {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
