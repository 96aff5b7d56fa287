import io
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from docx import Document
from pypdf import PdfReader

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.testing import image_bytes
from methodics.exports import build_document, render_methodic_docx, render_methodic_pdf
from methodics.models import Methodic
from methodics.tests.factories import CategoryFactory, MethodicFactory, TagFactory, add_step

pytestmark = pytest.mark.django_db

STEPS = (
    (7, "Участники встают в круг и называют имена.", "Все знают имена соседей."),
    (15, "Эстафета с мячом: ёж, щётка, съезд — каждая буква печатается.", "Команды сыграли по два раунда."),
    (8, "Обсуждение: что было трудным и почему.", "Каждый высказался."),
)


def png(name="picture.png") -> ContentFile:
    return ContentFile(image_bytes((320, 200), "#0b5cad"), name=name)


@pytest.fixture
def methodic():
    parent = CategoryFactory(name="Игры")
    methodic = MethodicFactory(
        title="Знакомство «Снежный ком»",
        goal="Запомнить имена участников и снять напряжение первой встречи.",
        category=CategoryFactory(name="Игры на знакомство", parent=parent),
        literature="Шевцова И. В. Тренинг: игры и упражнения.",
        cover=png(name="cover.png"),
    )
    methodic.tags.set([TagFactory(name="знакомство"), TagFactory(name="круг")])
    for index, (minutes, text, result) in enumerate(STEPS):
        add_step(
            methodic, duration=minutes, description=text, expected_result=result, image=png() if index == 1 else None
        )
    return methodic


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_document_times_each_step_and_names_the_category_path(methodic):
    document = build_document(methodic)

    assert [(step.start, step.end, step.duration) for step in document.steps] == [(0, 7, 7), (7, 22, 15), (22, 30, 8)]
    assert document.total_duration == 30 == methodic.total_duration
    assert document.category_line == "Игры → Игры на знакомство"
    assert document.tags == ("знакомство", "круг")
    assert document.cover is not None and document.steps[1].image is not None
    assert document.description == ("Участники встают в круг и по очереди называют имя и жест.",)


def test_the_pdf_holds_the_title_goal_steps_and_durations_in_cyrillic(methodic):
    data = render_methodic_pdf(build_document(methodic))

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait
    text = pdf_text(data)
    assert "Знакомство «Снежный ком»" in text
    assert "Запомнить имена участников и снять напряжение первой встречи." in text
    assert "Игры → Игры на знакомство" in text
    for heading in ("№", "Время", "Что происходит", "Результат", "Ход занятия (30 мин)"):
        assert heading in text
    for minutes, description, result in STEPS:
        for word in description.split() + result.split():
            assert word in text
        assert f"({minutes} мин)" in text
    assert "7–22 мин" in text and "22–30 мин" in text


def test_the_pdf_embeds_the_cover_and_the_step_image(methodic):
    reader = PdfReader(io.BytesIO(render_methodic_pdf(build_document(methodic))))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2


def test_a_methodic_without_steps_or_pictures_still_exports():
    methodic = MethodicFactory(title="Пустая методика", category=None, materials="", literature="")
    document = build_document(methodic)
    assert "Пустая методика" in pdf_text(render_methodic_pdf(document))
    assert Document(io.BytesIO(render_methodic_docx(document))).tables == []


def test_the_docx_has_the_steps_table_with_durations(methodic):
    word = Document(io.BytesIO(render_methodic_docx(build_document(methodic))))

    paragraphs = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "Знакомство «Снежный ком»" in paragraphs
    assert "Запомнить имена участников и снять напряжение первой встречи." in paragraphs
    [table] = word.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["№", "Время", "Что происходит", "Результат"]
    assert rows[1:] == [
        ["1", "0–7 мин\n(7 мин)", STEPS[0][1], STEPS[0][2]],
        ["2", "7–22 мин\n(15 мин)", STEPS[1][1], STEPS[1][2]],
        ["3", "22–30 мин\n(8 мин)", STEPS[2][1], STEPS[2][2]],
    ]
    assert len(word.inline_shapes) == 2  # the cover and the second step's image


HUGE_START = f'<ol start="{"9" * 5000}"><li>Разминка</li><li>Игра</li></ol>'


def test_a_huge_list_start_is_dropped_on_save(methodic):
    methodic.description = HUGE_START
    methodic.save()

    methodic.refresh_from_db()
    assert methodic.description == "<ol><li>Разминка</li><li>Игра</li></ol>"


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_a_huge_list_start_stored_before_the_sanitiser_checked_it_still_exports(client, methodic, file_format):
    Methodic.objects.filter(pk=methodic.pk).update(description=HUGE_START + "<p>Итог\x0b</p>")  # bypasses save()

    response = client.get(export_url(methodic, file_format))

    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    if file_format == "pdf":
        assert "1. Разминка 2. Игра Итог" in pdf_text(data)
    else:
        paragraphs = [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]
        assert paragraphs[paragraphs.index("1. Разминка") :][:3] == ["1. Разминка", "2. Игра", "Итог"]


def test_a_missing_image_file_does_not_stop_the_export(methodic):
    methodic.cover.storage.delete(methodic.cover.name)
    document = build_document(methodic)
    reader = PdfReader(io.BytesIO(render_methodic_pdf(document)))
    assert sum(len(page.images) for page in reader.pages) == 1  # the step's image only
    assert len(Document(io.BytesIO(render_methodic_docx(document))).inline_shapes) == 1


# --- The view ---------------------------------------------------------------------------


def export_url(methodic, file_format="pdf") -> str:
    return f"/methodics/{methodic.pk}/export/?format={file_format}"


def test_anyone_downloads_a_published_methodic_as_pdf_with_an_rfc_5987_name(client, methodic):
    response = client.get(export_url(methodic))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Знакомство «Снежный ком».pdf')}" in disposition
    assert "Снежный ком" in pdf_text(b"".join(response.streaming_content))
    assert "private" in response["Cache-Control"]


def test_the_docx_download(client, methodic):
    response = client.get(export_url(methodic, "docx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert f"filename*=utf-8''{quote('Знакомство «Снежный ком».docx')}" in response["Content-Disposition"]
    assert len(Document(io.BytesIO(b"".join(response.streaming_content))).tables) == 1


def test_an_unknown_format_is_a_bad_request(client, methodic):
    assert client.get(export_url(methodic, "odt")).status_code == 400


def test_a_draft_is_exported_for_its_author_and_moderators_only(client, teacher, administrator):
    draft = MethodicFactory(author=teacher, status=Methodic.Status.DRAFT, published_at=None)

    assert client.get(export_url(draft)).status_code == 404
    client.force_login(UserFactory(roles=[TEACHER]))
    assert client.get(export_url(draft)).status_code == 404
    client.force_login(teacher)
    assert client.get(export_url(draft)).status_code == 200
    client.force_login(administrator)
    assert client.get(export_url(draft)).status_code == 200


def test_an_unknown_methodic_is_not_found(client):
    assert client.get("/methodics/999999/export/").status_code == 404
