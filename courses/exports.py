"""Certificates as PDF: data in, bytes out (no database, no files)."""

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.qrencoder import QRCode
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from core.pdf import register_fonts
from core.text import duration_text

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
BRAND = HexColor("#0b5cad")
INK = HexColor("#1b2430")
MUTED = HexColor("#4a5563")
MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


@dataclass(frozen=True)
class CertificateData:
    full_name: str
    course_title: str
    direction: str
    minutes: int
    assessment: float
    issued_on: date
    issued_by: str
    organisation: str
    code: str
    verify_url: str


def russian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def decimal_comma(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _fit_title(title: str, font: str, width: float) -> tuple[int, list[str]]:
    """The largest size (20 pt down to 12 pt) at which the title fits in three lines."""
    for size in (20, 18, 16, 14, 12):
        lines = simpleSplit(title, font, size, width)
        if len(lines) <= 3:
            return size, lines
    return size, lines[:3]


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as one path of dark modules: drawn once, no intermediate Drawing."""
    qr = QRCode(None, 1)  # reportlab: 1 is error correction level L (7%); enough for a printed link
    qr.addData(url)
    qr.version = qr.calculate_version()
    # Any of the 8 mask patterns gives a valid code; trying them all to pick the "best"
    # (QRCode.make) costs more than the rest of the certificate together.
    qr.makeImpl(False, 0)
    count = qr.getModuleCount()
    pdf.saveState()
    # One unit = one module, the quiet zone of 4 modules included: the rectangles' corners
    # are small integers, quick to write into the page.
    pdf.translate(x, y)
    pdf.scale(size / (count + 8), size / (count + 8))
    path = pdf.beginPath()
    for row in range(count):
        dark = [qr.isDark(row, column) for column in range(count)] + [False]
        start = None
        for column, is_dark in enumerate(dark):
            if is_dark and start is None:
                start = column
            elif not is_dark and start is not None:  # one rectangle per run of dark modules
                path.rect(start + 4, count + 3 - row, column - start, 1)
                start = None
    pdf.setFillColor(INK)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()


def render_certificate_pdf(data: CertificateData) -> bytes:
    """A4 landscape: name, course, direction, hours, assessment, date, issuer, organisation,
    and a QR code (also a link) to the public verification page."""
    regular, bold = register_fonts()
    buffer = io.BytesIO()
    # Uncompressed streams: ~100 KB instead of ~52 KB, but 1.5× faster to render (zlib was
    # a fifth of the time), which bulk issuing needs more than the disk space.
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=0)
    pdf.setTitle(f"Сертификат: {data.full_name} — {data.course_title}")
    pdf.setAuthor(data.organisation)

    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(16 * mm, 16 * mm, PAGE_WIDTH - 32 * mm, PAGE_HEIGHT - 32 * mm)

    center = PAGE_WIDTH / 2
    pdf.setFillColor(BRAND)
    pdf.setFont(bold, 14)
    pdf.drawCentredString(center, PAGE_HEIGHT - 34 * mm, data.organisation.upper())
    pdf.setFont(bold, 40)
    pdf.drawCentredString(center, PAGE_HEIGHT - 56 * mm, "СЕРТИФИКАТ")

    # The course, then the name with no verb after it: «прошёл(а)» would guess a gender, and
    # «выдан …» would need the name in the dative.
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 14)
    pdf.drawCentredString(center, PAGE_HEIGHT - 72 * mm, "об успешном прохождении курса")
    pdf.setFillColor(INK)
    size, lines = _fit_title(f"«{data.course_title}»", bold, PAGE_WIDTH - 80 * mm)
    pdf.setFont(bold, size)
    top = PAGE_HEIGHT - 88 * mm
    for number, line in enumerate(lines):
        pdf.drawCentredString(center, top - number * size * 1.25, line)
    pdf.setFillColor(INK)
    pdf.setFont(bold, 26)
    pdf.drawCentredString(center, PAGE_HEIGHT - 124 * mm, data.full_name)

    pdf.setFont(regular, 12)
    facts = (
        f"Направление: {data.direction}",
        f"Объём: {duration_text(data.minutes)} · Итоговая оценка: {decimal_comma(data.assessment)} из 100",
        f"Дата выдачи: {russian_date(data.issued_on)}",
        f"Кем выдан: {data.issued_by}",
    )
    for number, line in enumerate(facts):
        pdf.drawString(28 * mm, 58 * mm - number * 7 * mm, line)

    qr_size = 42 * mm
    qr_x, qr_y = PAGE_WIDTH - 28 * mm - qr_size, 26 * mm
    _draw_qr(pdf, data.verify_url, qr_x, qr_y, qr_size)
    pdf.linkURL(data.verify_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 8)
    pdf.drawRightString(PAGE_WIDTH - 28 * mm, 22 * mm, f"Проверка подлинности: {data.verify_url}")
    pdf.drawString(28 * mm, 22 * mm, f"Код сертификата: {data.code}")

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
