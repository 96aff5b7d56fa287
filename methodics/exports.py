"""A methodic as PDF (reportlab) and Word (python-docx): data in, bytes out.

`build_document` reads a methodic (already chosen by the caller as visible to the reader)
into a `MethodicDocument`: rich text turned into plain paragraphs, the category as its
path from the root, each step with its start and end minute, the pictures read through
their storage (a folder of this server or object storage; a missing or broken image is
left out, it does not stop the export). The renderers query and read nothing.

Fonts: the PDF embeds the bundled DejaVu Sans (core.pdf), so every Cyrillic letter
prints. A DOCX names "DejaVu Sans" for every script and Word substitutes a font of its
own where it is not installed — the text stays Unicode either way.
"""

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, RGBColor
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.docx import add_picture, apply_house_style
from core.images import Picture, load_picture
from core.pdf import picture_flowable, register_fonts
from core.text import duration_text, html_to_paragraphs
from methodics.models import Methodic
from methodics.selectors import category_path

INK = HexColor("#1b2430")
MUTED = HexColor("#4a5563")
BRAND = HexColor("#0b5cad")
GRID = HexColor("#c7ced8")
HEADER_FILL = HexColor("#e8eff8")
STEP_COLUMNS = ("№", "Время", "Что происходит", "Результат")
PATH_SEPARATOR = " → "


# --- The document ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepEntry:
    number: int
    start: int  # minutes from the beginning of the lesson
    end: int
    duration: int
    description: str
    expected_result: str = ""
    image: Picture | Path | None = None

    @property
    def time_span(self) -> str:
        return f"{self.start}–{self.end} мин"


@dataclass(frozen=True)
class MethodicDocument:
    title: str
    author: str
    category_path: tuple[str, ...]
    short_description: str
    goal: str
    materials: str
    description: tuple[str, ...]
    literature: str
    tags: tuple[str, ...]
    total_duration: int
    steps: tuple[StepEntry, ...]
    cover: Picture | Path | None = None

    @property
    def category_line(self) -> str:
        return PATH_SEPARATOR.join(self.category_path)


def build_document(methodic: Methodic) -> MethodicDocument:
    """What the export of `methodic` prints; the steps are numbered and timed in order."""
    steps, elapsed = [], 0
    for step in methodic.steps.order_by("order_number"):
        steps.append(
            StepEntry(
                number=step.order_number,
                start=elapsed,
                end=elapsed + step.duration,
                duration=step.duration,
                description=step.description,
                expected_result=step.expected_result,
                image=load_picture(step.image),
            )
        )
        elapsed += step.duration
    author = methodic.author
    return MethodicDocument(
        title=methodic.title,
        author=author.get_full_name() or author.username,
        category_path=tuple(category.name for category in category_path(methodic.category)),
        short_description=methodic.short_description,
        goal=methodic.goal,
        materials=methodic.materials,
        description=html_to_paragraphs(methodic.description),
        literature=methodic.literature,
        tags=tuple(tag.name for tag in methodic.tags.order_by("name")),
        total_duration=elapsed,
        steps=tuple(steps),
        cover=load_picture(methodic.cover),
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _sections(document: MethodicDocument) -> list[tuple[str, tuple[str, ...]]]:
    """The text sections under their headings, in print order; empty ones left out."""
    sections = [
        ("Цель", _lines(document.goal)),
        ("Расходные материалы", _lines(document.materials)),
        ("Описание", document.description),
    ]
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]


def _meta_lines(document: MethodicDocument) -> list[str]:
    meta = [f"Автор: {document.author}"]
    if document.category_path:
        meta.append(f"Категория: {document.category_line}")
    meta.append(f"Продолжительность: {duration_text(document.total_duration)}")
    if document.tags:
        meta.append("Теги: " + ", ".join(document.tags))
    return meta


# --- Images ------------------------------------------------------------------------------


# --- PDF ---------------------------------------------------------------------------------


def _pdf_styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, textColor=INK, spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=18, leading=22, spaceAfter=4),
        "lead": ParagraphStyle("lead", parent=body, fontSize=12, leading=16, spaceAfter=8),
        "meta": ParagraphStyle("meta", parent=body, textColor=MUTED, fontSize=10, leading=13, spaceAfter=1),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=bold,
            fontSize=13,
            leading=17,
            textColor=BRAND,
            spaceBefore=10,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=bold, fontSize=9.5, leading=12, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=body, fontName=bold, fontSize=10, spaceBefore=6, keepWithNext=1),
        "body": body,
    }


def _markup(text: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _pdf_steps_table(document: MethodicDocument, styles, width: float) -> Table:
    rows = [[Paragraph(name, styles["cell_head"]) for name in STEP_COLUMNS]]
    for step in document.steps:
        rows.append(
            [
                Paragraph(str(step.number), styles["cell"]),
                Paragraph(f"{escape(step.time_span)}<br/>({step.duration} мин)", styles["cell"]),
                Paragraph(_markup(step.description), styles["cell"]),
                Paragraph(_markup(step.expected_result), styles["cell"]),
            ]
        )
    table = Table(rows, colWidths=[10 * mm, 26 * mm, (width - 36 * mm) * 0.58, (width - 36 * mm) * 0.42], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def render_methodic_pdf(document: MethodicDocument) -> bytes:
    """A4 portrait: the cover, the title, a short description and the facts (author,
    category path, duration, tags), the goal, materials and description, the course of
    the lesson as a table («№», «Время», «Что происходит», «Результат»), the steps'
    images, the literature. A footer names the methodic and the page."""
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
        author=document.author,
        creator="",
        initialFontName=regular,  # else reportlab starts each page in Helvetica
    )
    width = pdf.width

    story: list = _pdf_picture(document.cover, width, pdf.height * 0.35)
    story.append(Paragraph(_markup(document.title), styles["title"]))
    if document.short_description:
        story.append(Paragraph(_markup(document.short_description), styles["lead"]))
    story += [Paragraph(_markup(line), styles["meta"]) for line in _meta_lines(document)]
    for heading, paragraphs in _sections(document):
        story.append(Paragraph(heading, styles["heading"]))
        story += [Paragraph(_markup(text), styles["body"]) for text in paragraphs]

    if document.steps:
        story.append(Paragraph(f"Ход занятия ({duration_text(document.total_duration)})", styles["heading"]))
        story.append(_pdf_steps_table(document, styles, width))
        illustrated = [step for step in document.steps if load_picture(step.image)]
        if illustrated:
            story.append(Paragraph("Иллюстрации к шагам", styles["heading"]))
            for step in illustrated:
                picture = _pdf_picture(step.image, width * 0.6, pdf.height * 0.28)
                caption = Paragraph(escape(f"Шаг {step.number} · {step.time_span}"), styles["caption"])
                story.append(KeepTogether([caption, *picture]))

    literature = _lines(document.literature)
    if literature:
        story.append(Paragraph("Литература", styles["heading"]))
        story += [Paragraph(_markup(line), styles["body"]) for line in literature]

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


def _docx_steps_table(word, document: MethodicDocument) -> None:
    table = word.add_table(rows=1, cols=len(STEP_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, STEP_COLUMNS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for step in document.steps:
        cells = table.add_row().cells
        cells[0].text = str(step.number)
        cells[1].text = f"{step.time_span}\n({step.duration} мин)"
        cells[2].text = step.description
        cells[3].text = step.expected_result
    for row in table.rows:
        for cell, width in zip(row.cells, (Mm(10), Mm(28), Mm(75), Mm(57)), strict=True):
            cell.width = width


def render_methodic_docx(document: MethodicDocument) -> bytes:
    """The same content as the PDF; the steps are a Word table."""
    word = Document()
    apply_house_style(word)
    properties = word.core_properties
    properties.title, properties.author, properties.last_modified_by = document.title, document.author, ""
    properties.comments = ""
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    text_width = section.page_width - section.left_margin - section.right_margin

    add_picture(word, document.cover, text_width)
    word.add_heading(document.title, level=0)
    if document.short_description:
        word.add_paragraph(document.short_description)
    for line in _meta_lines(document):
        word.add_paragraph(line).runs[0].font.color.rgb = RGBColor(0x4A, 0x55, 0x63)
    for heading, paragraphs in _sections(document):
        word.add_heading(heading, level=1)
        for text in paragraphs:
            word.add_paragraph(text)

    if document.steps:
        word.add_heading(f"Ход занятия ({duration_text(document.total_duration)})", level=1)
        _docx_steps_table(word, document)
        illustrated = [step for step in document.steps if load_picture(step.image)]
        if illustrated:
            word.add_heading("Иллюстрации к шагам", level=1)
            for step in illustrated:
                word.add_heading(f"Шаг {step.number} · {step.time_span}", level=3)
                add_picture(word, step.image, int(text_width * 0.6))

    literature = _lines(document.literature)
    if literature:
        word.add_heading("Литература", level=1)
        for line in literature:
            word.add_paragraph(line)

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _pdf_picture(picture: Picture | Path | None, width: float, height: float) -> list:
    flowable = picture_flowable(picture, width, height)
    return [] if flowable is None else [flowable, Spacer(1, 3 * mm)]
