"""The certificate PDF, read back with pypdf: what a person and a PDF reader find in it."""

import io
import re
from datetime import date

import pypdf
import pytest

from courses.exports import CertificateData, render_certificate_pdf

VERIFY_URL = "https://volna.example/certificates/verify/Ab-3_xYz9Ab-3_xYz9Ab-3_xY/"
LONG_TITLE = (
    "Организация добровольческой помощи на крупных городских мероприятиях "
    "и работа с посетителями в условиях высокой нагрузки"
)


def certificate_data(**overrides) -> CertificateData:
    fields = {
        "full_name": "Анна Сергеевна Иванова",
        "course_title": "Первая помощь на массовых мероприятиях",
        "direction": "Событийное волонтёрство",
        "minutes": 150,
        "assessment": 87.5,
        "issued_on": date(2026, 5, 3),
        "issued_by": "Пётр Ильич Смирнов",
        "organisation": "Волонтёрская организация «Волна»",
        "code": "Ab-3_xYz9Ab-3_xYz9Ab-3_xY",
        "verify_url": VERIFY_URL,
    }
    return CertificateData(**{**fields, **overrides})


def read(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return read(pdf).pages[0].extract_text()


def flat(text: str) -> str:
    """Line breaks and repeated spaces as single spaces: wrapped text reads as one line."""
    return re.sub(r"\s+", " ", text)


def link_uris(pdf: bytes) -> list[str]:
    page = read(pdf).pages[0]
    annotations = [annotation.get_object() for annotation in page.get("/Annots", [])]
    return [annotation["/A"]["/URI"] for annotation in annotations if annotation.get("/Subtype") == "/Link"]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_certificate_pdf(certificate_data())


def test_is_a_single_a4_landscape_page(pdf):
    reader = read(pdf)

    assert pdf.startswith(b"%PDF-")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


def test_prints_the_facts_in_cyrillic(pdf):
    text = text_of(pdf)

    assert "СЕРТИФИКАТ" in text
    assert "Анна Сергеевна Иванова" in text
    assert "«Первая помощь на массовых мероприятиях»" in text
    assert "Направление: Событийное волонтёрство" in text
    assert "Итоговая оценка: 87,5 из 100" in text
    assert "Объём: 2 ч 30 мин" in text
    assert "Дата выдачи: 3 мая 2026 г." in text
    assert "Кем выдан: Пётр Ильич Смирнов" in text
    assert "ВОЛОНТЁРСКАЯ ОРГАНИЗАЦИЯ «ВОЛНА»" in text


@pytest.mark.parametrize(
    ("minutes", "volume"), [(50, "Объём: 50 мин ·"), (120, "Объём: 2 ч ·"), (90, "Объём: 1 ч 30 мин ·")]
)
def test_the_volume_has_no_zero_hours_and_no_zero_minutes(minutes, volume):
    text = text_of(render_certificate_pdf(certificate_data(minutes=minutes)))

    assert volume in text
    assert not re.search(r"(?<!\d)0 (ч|мин)", text)


def test_no_verb_after_the_name_guesses_a_gender(pdf):
    text = text_of(pdf)

    assert "об успешном прохождении курса" in text
    assert not re.search(r"прош[её]л|\(а\)|Выдал", text)


def test_the_qr_code_is_a_link_to_the_verification_page_printed_beneath(pdf):
    assert link_uris(pdf) == [VERIFY_URL]
    text = text_of(pdf)
    assert f"Проверка подлинности: {VERIFY_URL}" in text
    assert "Код сертификата: Ab-3_xYz9Ab-3_xYz9Ab-3_xY" in text


def test_a_whole_number_assessment_has_no_decimals():
    assert "Итоговая оценка: 100 из 100" in text_of(render_certificate_pdf(certificate_data(assessment=100.0)))


def test_a_120_character_title_is_wrapped_and_printed_whole():
    title = LONG_TITLE.ljust(120, ".")[:120]
    assert len(title) == 120

    text = text_of(render_certificate_pdf(certificate_data(course_title=title)))

    title_lines = [line for line in text.splitlines() if line.strip() and line.strip() in f"«{title}»"]
    assert len(title_lines) >= 2  # wrapped, not run off the page
    assert f"«{title}»" in flat(text)


def test_a_120_character_title_still_renders_the_rest_of_the_page():
    title = LONG_TITLE.ljust(120, ".")[:120]

    pdf = render_certificate_pdf(certificate_data(course_title=title))

    text = text_of(pdf)
    assert "«Организация добровольческой помощи на" in text
    assert "Направление: Событийное волонтёрство" in text
    assert link_uris(pdf) == [VERIFY_URL]
