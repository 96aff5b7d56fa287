"""Tasks and variants as PDF (reportlab) and Word (python-docx): data in, bytes out.

The callers (problems.views.variants) read the database and fill a `TasksDocument`:
statements already turned into plain-text paragraphs by `html_to_paragraphs`, answers
already limited to the solutions the reader may see, pictures already read from their
storage (core.images). Nothing here queries, reads storage or decides visibility.

Fonts: the PDF embeds the bundled DejaVu Sans (core.pdf), so every Cyrillic letter and
math symbol prints anywhere. A DOCX cannot carry the font: it names "DejaVu Sans" for
every script (ASCII, Cyrillic, East Asian, complex), and Word uses it where it is
installed and substitutes a font of its own elsewhere — the text stays Unicode, so the
symbols survive, but their look depends on the reader's fonts.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from docx import Document
from docx.shared import Mm
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.docx import add_picture, apply_house_style
from core.images import Picture, picture_reader
from core.pdf import landscape_sheet, picture_flowable, register_fonts

# Moved to core.text so other apps' exports share them; re-exported for problems' views and tests.
from core.text import export_file_name as export_file_name
from core.text import html_to_paragraphs as html_to_paragraphs
from core.text import spreadsheet_safe
from problems.models import Task
from problems.selectors import published_tasks, tasks_with_visible_solutions

INK = HexColor("#1b2430")
MUTED = HexColor("#4a5563")
BRAND = HexColor("#0b5cad")
MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
ANSWERS_HEADING = "Ответы"
NO_ANSWER = "Ответ не указан."
# Formats both renderers take as they are; any other image is converted to PNG first.


# --- The document ---------------------------------------------------------------------


@dataclass(frozen=True)
class SolutionEntry:
    title: str
    paragraphs: tuple[str, ...]
    image: Picture | Path | None = None

    @property
    def heading(self) -> str:
        """«Решение: Способ 2», but a title that already says «Решение…» is printed as it is,
        not as «Решение: Решение»."""
        title = self.title.strip()
        if not title:
            return "Решение"
        return title if title.casefold().startswith("решение") else f"Решение: {title}"


@dataclass(frozen=True)
class TaskEntry:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    image: Picture | Path | None = None


@dataclass(frozen=True)
class AnswerEntry:
    number: int
    title: str
    answer: str
    solutions: tuple[SolutionEntry, ...] = ()


@dataclass(frozen=True)
class TasksDocument:
    """What an export prints: a title line (the variant's or the task's name) and the
    date, then each version's numbered tasks on pages of its own, then — when
    `with_answers` — an answer key: for each version and task, the short answer and the
    solutions the reader may see (answers[v][t] belongs to versions[v][t])."""

    title: str
    date: date
    versions: tuple[tuple[TaskEntry, ...], ...]
    answers: tuple[tuple[AnswerEntry, ...], ...] = ()
    with_answers: bool = False

    @property
    def has_answer_key(self) -> bool:
        return self.with_answers and any(self.answers)


def russian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def version_line(document: TasksDocument, number: int) -> str:
    """The line under the title: «Вариант 2 · 3 мая 2026 г.», or just the date when the
    document has one version."""
    when = russian_date(document.date)
    return f"Вариант {number} · {when}" if len(document.versions) > 1 else when


# --- Images ------------------------------------------------------------------------------


# --- PDF ---------------------------------------------------------------------------------


def _pdf_styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, textColor=INK, spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=17, leading=21, spaceAfter=3),
        "meta": ParagraphStyle("meta", parent=body, textColor=MUTED, fontSize=10.5, spaceAfter=12),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=bold, fontSize=13, leading=17, textColor=BRAND, spaceBefore=8
        ),
        "task": ParagraphStyle(
            "task", parent=body, fontName=bold, fontSize=12, leading=16, spaceBefore=10, keepWithNext=1
        ),
        "label": ParagraphStyle("label", parent=body, fontName=bold, spaceBefore=4, keepWithNext=1),
        "body": body,
    }


def _markup(text: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept, a list's
    indentation kept (leading spaces would otherwise collapse)."""
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        lines.append("&nbsp;" * (len(line) - len(stripped)) + escape(stripped))
    return "<br/>".join(lines)


def render_tasks_pdf(document: TasksDocument) -> bytes:
    """A4 portrait: for each version a title line, the date and the numbered tasks with
    their images, each version starting on a new page; then, with answers, the answer
    key on pages of its own. A footer names the document and the page."""
    regular, _ = register_fonts()
    styles = _pdf_styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        author="",
        creator="",
        subject=russian_date(document.date),
        initialFontName=regular,  # else reportlab starts each page in Helvetica, unused but listed
    )
    width, height = pdf.width, pdf.height * 0.6

    story: list = []
    for index, tasks in enumerate(document.versions):
        if index:
            story.append(PageBreak())
        story += [
            Paragraph(_markup(document.title), styles["title"]),
            Paragraph(escape(version_line(document, index + 1)), styles["meta"]),
        ]
        for task in tasks:
            story.append(Paragraph(_markup(f"{task.number}. {task.title}"), styles["task"]))
            story += [Paragraph(_markup(text), styles["body"]) for text in task.paragraphs]
            story += _pdf_picture(task.image, width, height)

    if document.has_answer_key:
        story += [
            PageBreak(),
            Paragraph(_markup(f"{ANSWERS_HEADING}: {document.title}"), styles["title"]),
            Paragraph(escape(russian_date(document.date)), styles["meta"]),
        ]
        for index, answers in enumerate(document.answers):
            if len(document.answers) > 1:
                story.append(Paragraph(f"Вариант {index + 1}", styles["heading"]))
            for entry in answers:
                story.append(Paragraph(_markup(f"{entry.number}. {entry.title}"), styles["task"]))
                answer = f"Ответ: {entry.answer}" if entry.answer else NO_ANSWER
                story.append(Paragraph(_markup(answer), styles["body"]))
                for solution in entry.solutions:
                    story.append(Paragraph(_markup(solution.heading), styles["label"]))
                    story += [Paragraph(_markup(text), styles["body"]) for text in solution.paragraphs]
                    story += _pdf_picture(solution.image, width, height)

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(template.leftMargin, 10 * mm, document.title[:90])
        canvas.drawRightString(template.leftMargin + template.width, 10 * mm, f"стр. {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- DOCX --------------------------------------------------------------------------------


def _docx_paragraphs(word, texts: tuple[str, ...]) -> None:
    for text in texts:
        word.add_paragraph(text)  # python-docx turns "\n" into a line break


def render_tasks_docx(document: TasksDocument) -> bytes:
    """The same content as the PDF: each version from a new page (its title paragraph
    breaks the page before it), then the answer key from a new page."""
    word = Document()
    apply_house_style(word)
    properties = word.core_properties
    properties.title, properties.author, properties.last_modified_by = document.title, "", ""
    properties.comments, properties.subject = "", russian_date(document.date)
    section = word.sections[0]
    section.left_margin = section.right_margin = Mm(20)
    text_width = section.page_width - section.left_margin - section.right_margin

    for index, tasks in enumerate(document.versions):
        title = word.add_heading(document.title, level=0)
        title.paragraph_format.page_break_before = bool(index)
        word.add_paragraph(version_line(document, index + 1))
        for task in tasks:
            word.add_heading(f"{task.number}. {task.title}", level=2)
            _docx_paragraphs(word, task.paragraphs)
            add_picture(word, task.image, text_width)

    if document.has_answer_key:
        heading = word.add_heading(f"{ANSWERS_HEADING}: {document.title}", level=0)
        heading.paragraph_format.page_break_before = True
        word.add_paragraph(russian_date(document.date))
        for index, answers in enumerate(document.answers):
            if len(document.answers) > 1:
                word.add_heading(f"Вариант {index + 1}", level=1)
            for entry in answers:
                word.add_heading(f"{entry.number}. {entry.title}", level=2)
                word.add_paragraph(f"Ответ: {entry.answer}" if entry.answer else NO_ANSWER)
                for solution in entry.solutions:
                    word.add_heading(solution.heading, level=3)
                    _docx_paragraphs(word, solution.paragraphs)
                    add_picture(word, solution.image, text_width)

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _pdf_picture(picture: Picture | Path | None, width: float, height: float) -> list:
    flowable = picture_flowable(picture, width, height)
    return [] if flowable is None else [Spacer(1, 2 * mm), flowable, Spacer(1, 3 * mm)]


# --- The data of an export, read for its reader -----------------------------------------


def tasks_for_export(user, task_ids: list[int], *, with_answers: bool, tasks=None) -> dict[int, Task]:
    """The tasks by id (published ones unless `tasks` says otherwise), with the solutions
    this user may see prefetched when the answers are wanted."""
    tasks = published_tasks() if tasks is None else tasks
    if with_answers:
        tasks = tasks_with_visible_solutions(user, tasks)
    return tasks.in_bulk(task_ids)


def build_document(*, title: str, versions: list[list[Task]], with_answers: bool) -> TasksDocument:
    """The export's data from tasks fetched by tasks_for_export (no query here), with their
    pictures read from storage, each once."""
    picture = picture_reader()
    answers: tuple = ()
    if with_answers:
        answers = tuple(
            tuple(
                AnswerEntry(
                    number=number,
                    title=task.title,
                    answer=task.answer,
                    solutions=tuple(
                        SolutionEntry(
                            title=solution.title,
                            paragraphs=html_to_paragraphs(solution.text),
                            image=picture(solution.image),
                        )
                        for solution in task.visible_solutions
                    ),
                )
                for number, task in enumerate(tasks, 1)
            )
            for tasks in versions
        )
    return TasksDocument(
        title=title,
        date=timezone.localdate(),
        versions=tuple(
            tuple(
                TaskEntry(
                    number=number,
                    title=task.title,
                    paragraphs=html_to_paragraphs(task.statement),
                    image=picture(task.image),
                )
                for number, task in enumerate(tasks, 1)
            )
            for tasks in versions
        ),
        answers=answers,
        with_answers=with_answers,
    )


def variant_document(user, *, title: str, version_ids: list[list[int]], with_answers: bool) -> TasksDocument:
    """What a variant's export prints for `user`: the published tasks of each version in
    order and, with answers, only the solutions they may see — the same for the download
    and for the file a worker delivers (variant_export_deliver)."""
    found = tasks_for_export(user, [task_id for ids in version_ids for task_id in ids], with_answers=with_answers)
    versions = [[found[task_id] for task_id in ids if task_id in found] for ids in version_ids]
    return build_document(title=title, versions=versions, with_answers=with_answers)


# Each format's content type and renderer.
EXPORTERS = {
    "pdf": ("application/pdf", render_tasks_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_tasks_docx),
}


# --- An assignment's results (problems.assignments.ResultsTable) ---------------------------

RIGHT_MARK, WRONG_MARK, NO_MARK = "✓", "✗", "—"
RESULTS_LEGEND = "✓ — верно, ✗ — неверно, — — нет ответа."
RESULT_TASKS_PER_TABLE = 20
GRID = HexColor("#c7ced8")
HEADER_FILL = HexColor("#e8eff8")


def result_mark(verdict: bool | None) -> str:
    return NO_MARK if verdict is None else RIGHT_MARK if verdict else WRONG_MARK


def _pupil_label(row) -> str:
    return f"{row.name} (гость)" if row.is_guest else row.name


def _results_meta(results) -> list[str]:
    assignment = results.assignment
    deadline = timezone.localtime(assignment.deadline) if assignment.deadline else None
    return [
        f"Вариант: {assignment.variant.title} · {assignment.get_check_mode_display()} · код {assignment.code}",
        f"Срок сдачи: {russian_date(deadline.date())}, {deadline:%H:%M}" if deadline else "Без срока сдачи",
        f"Работ отправлено: {results.submitted_count} · выгружено {russian_date(timezone.localdate())}",
    ]


def render_results_csv(results) -> bytes:
    """For Excel: «Ученик;Гость;1. <задача>;…;Верных;Время;Отправлено», a row per pupil, then
    each task's share of right answers among the works sent."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    titles = [spreadsheet_safe(f"{column.number}. {column.task.title}") for column in results.columns]
    writer.writerow(["Ученик", "Гость", *titles, "Верных", "Время", "Отправлено"])
    for row in results.rows:
        sent = timezone.localtime(row.submitted_at).strftime("%d.%m.%Y %H:%M") if row.submitted else "не отправлено"
        writer.writerow(
            [
                spreadsheet_safe(row.name),
                "да" if row.is_guest else "нет",
                *map(result_mark, row.marks),
                "" if row.score is None else row.score,
                row.time_text,
                sent,
            ]
        )
    shares = ["" if column.share is None else f"{column.share}%" for column in results.columns]
    writer.writerow(["Доля верных ответов", "", *shares, "", "", ""])
    return buffer.getvalue().encode("utf-8-sig")


def _results_table(results, columns: range, styles, width: float) -> Table:
    regular, bold = register_fonts()
    head = ParagraphStyle("results_head", parent=styles["body"], fontName=bold, fontSize=8, leading=10)
    cell = ParagraphStyle("results_cell", parent=styles["body"], fontSize=8.5, leading=11, spaceAfter=0)
    header = [Paragraph("Ученик", head)]
    header += [Paragraph(str(results.columns[index].number), head) for index in columns]
    header += [Paragraph("Верных", head), Paragraph("Время", head)]
    rows = [header]
    for row in results.rows:
        rows.append(
            [
                Paragraph(_markup(_pupil_label(row)), cell),
                *(result_mark(row.marks[index]) for index in columns),
                "" if row.score is None else f"{row.score} из {len(results.columns)}",
                row.time_text or "не отправлено",
            ]
        )
    shares = ["" if results.columns[index].share is None else f"{results.columns[index].share}%" for index in columns]
    rows.append([Paragraph("Доля верных", head), *shares, "", ""])
    name_width, total_width = 60 * mm, 24 * mm
    mark_width = min(12 * mm, (width - name_width - 2 * total_width) / max(len(columns), 1))
    table = Table(
        rows,
        colWidths=[name_width, *[mark_width] * len(columns), total_width, total_width],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
                ("FONTNAME", (0, 0), (-1, -1), regular),  # every cell, or reportlab pulls in Helvetica
                ("FONTSIZE", (1, 1), (-1, -1), 8.5),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_results_pdf(results) -> bytes:
    """A4 landscape: the assignment's title and facts, the legend, the table (pupils ×
    task numbers, ✓ / ✗ / —, the score and the time; each task's share of right answers
    in the last row; 20 tasks a table), then the tasks' titles by number. Printed in the
    bundled DejaVu Sans, which has every letter and mark. A footer names the assignment
    and the page."""
    regular, _ = register_fonts()
    styles = _pdf_styles()
    buffer = io.BytesIO()
    title = results.assignment.title
    pdf = landscape_sheet(buffer, title=title)
    story: list = [Paragraph(_markup(title), styles["title"])]
    story += [Paragraph(_markup(line), styles["meta"]) for line in _results_meta(results)]
    story.append(Paragraph(_markup(RESULTS_LEGEND), styles["meta"]))
    if not results.rows:
        story.append(Paragraph("Пока никто не начал решать.", styles["body"]))
    else:
        count = len(results.columns)
        for start in range(0, count, RESULT_TASKS_PER_TABLE):
            columns = range(start, min(start + RESULT_TASKS_PER_TABLE, count))
            story += [_results_table(results, columns, styles, pdf.width), Spacer(1, 5 * mm)]
    story.append(Paragraph("Задачи", styles["heading"]))
    story += [Paragraph(_markup(f"{column.number}. {column.task.title}"), styles["body"]) for column in results.columns]

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(template.leftMargin, 8 * mm, title[:120])
        canvas.drawRightString(template.leftMargin + template.width, 8 * mm, f"стр. {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


RESULTS_EXPORTERS = {
    "csv": ("text/csv; charset=utf-8", render_results_csv),
    "pdf": ("application/pdf", render_results_pdf),
}
