"""PDF and DOCX exports of tasks and variants, read back with pypdf and python-docx: the
text and symbols print, versions start on new pages, the answer key holds exactly the
solutions the reader may see, and the file names survive any title."""

import io
import itertools
import re
from datetime import date
from urllib.parse import quote

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx.oxml.ns import qn
from docx.shared import Mm

from core.testing import image_bytes
from problems.exports import (
    AnswerEntry,
    SolutionEntry,
    TaskEntry,
    TasksDocument,
    export_file_name,
    html_to_paragraphs,
    render_tasks_docx,
    render_tasks_pdf,
)
from problems.models import Task
from problems.services import variant_save
from problems.tests.factories import SolutionFactory, TaskFactory

SYMBOLS = "√ π ≤ ≥ ≠ ∞ ∑ ∫ ° ² ³ ½ α β γ ω"
CYRILLIC = "Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЖЗЙЩЪЫЭЮЯ"
STATEMENT = (
    f"<p>{CYRILLIC}</p><p>Символы: {SYMBOLS}</p>"
    "<ul><li>первый пункт</li><li>второй пункт</li></ul><p>строка 1<br>строка 2</p>"
)
EXPORT = "/problems/variants/export/"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_pages(content: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def docx_text(content: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs)


def text_of(response) -> str:
    content = b"".join(response.streaming_content)
    if response["Content-Type"] == "application/pdf":
        assert content.startswith(b"%PDF")
        return pdf_text(content)
    return docx_text(content)


def task_entry(number: int, title: str, **overrides) -> TaskEntry:
    return TaskEntry(number=number, title=title, paragraphs=html_to_paragraphs(STATEMENT), **overrides)


def answer_entry(number: int, title: str, answer: str) -> AnswerEntry:
    solution = SolutionEntry(title="Разбор", paragraphs=(f"Решение задачи «{title}»: {SYMBOLS}",))
    return AnswerEntry(number=number, title=title, answer=answer, solutions=(solution,))


@pytest.fixture
def three_versions() -> TasksDocument:
    versions = tuple((task_entry(1, f"Задача {v}.1"), task_entry(2, f"Задача {v}.2")) for v in (1, 2, 3))
    answers = tuple(
        (answer_entry(1, f"Задача {v}.1", f"{v}1"), answer_entry(2, f"Задача {v}.2", f"{v}2")) for v in (1, 2, 3)
    )
    return TasksDocument(
        title="Контрольная по алгебре", date=date(2026, 5, 3), versions=versions, answers=answers, with_answers=True
    )


# --- Pure rendering -----------------------------------------------------------------------


def test_rich_text_becomes_paragraphs_with_line_breaks_and_list_items():
    html = (
        "<p>Решите: x<sup>2</sup> = 4 &amp; a<sub>1</sub> &lt; 0</p><ol start='3'><li>раз</li><li>два"
        "<ul><li>вложенный</li></ul></li></ol><p>первая<br>вторая</p><table><tr><td>a</td><td>b</td></tr></table>"
        "<p><img src='/media/x.png' alt='график'></p>"
    )
    assert html_to_paragraphs(html) == (
        "Решите: x² = 4 & a₁ < 0",
        "3. раз",
        "4. два",
        "  • вложенный",
        "первая\nвторая",
        "a | b",
        "[рисунок: график]",
    )
    assert html_to_paragraphs("") == ()


@pytest.mark.parametrize("render", [render_tasks_pdf, render_tasks_docx])
def test_cyrillic_and_math_symbols_print(render):
    document = TasksDocument(
        title="Вариант «Ёлка» — α", date=date(2026, 5, 3), versions=((task_entry(1, f"Задача {SYMBOLS}"),),)
    )
    content = render(document)
    text = pdf_text(content) if render is render_tasks_pdf else docx_text(content)
    assert "Вариант «Ёлка» — α" in text
    assert "3 мая 2026 г." in text
    assert CYRILLIC in text
    for symbol in SYMBOLS.split():
        assert text.count(symbol) >= 2, symbol  # in the title and in the statement
    assert "• первый пункт" in text and "• второй пункт" in text
    assert "Ответы" not in text


def test_pdf_embeds_the_unicode_font():
    content = render_tasks_pdf(TasksDocument(title="Шрифт", date=date(2026, 5, 3), versions=((task_entry(1, "З"),),)))
    page = pypdf.PdfReader(io.BytesIO(content)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("DejaVuSans" in str(font["/BaseFont"]) for font in fonts)
    for font in fonts:
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        )
        assert "/FontFile2" in descriptor.get_object()  # embedded, not just named


def test_docx_names_the_font_for_every_script():
    word = docx.Document(io.BytesIO(render_tasks_docx(TasksDocument(title="Ш", date=date(2026, 5, 3), versions=((),)))))
    defaults = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    elements = [defaults] + [word.styles[name].element.rPr for name in ("Normal", "Title", "Heading 2")]
    for element in elements:
        fonts = element.find(qn("w:rFonts"))
        assert {
            script: fonts.get(qn(f"w:{script}")) for script in ("ascii", "hAnsi", "eastAsia", "cs")
        } == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "DejaVu Sans")
        assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would win over the name


def test_pdf_versions_each_start_on_a_new_page_and_the_answer_key_follows(three_versions):
    pages = pdf_pages(render_tasks_pdf(three_versions))
    assert len(pages) == 4
    for number, page in enumerate(pages[:3], 1):
        assert f"Вариант {number} · 3 мая 2026 г." in page
        assert f"Задача {number}.1" in page and f"Задача {number}.2" in page
        others = {1, 2, 3} - {number}
        assert not any(f"Задача {other}." in page for other in others)
        assert "Ответ:" not in page
    key = pages[3]
    assert "Ответы: Контрольная по алгебре" in key
    positions = [key.index(f"Ответ: {v}{t}") for v in (1, 2, 3) for t in (1, 2)]
    assert positions == sorted(positions)
    assert all(f"Вариант {number}" in key for number in (1, 2, 3))
    assert "Решение задачи «Задача 3.2»" in key


@pytest.mark.parametrize("render", [render_tasks_pdf, render_tasks_docx], ids=["pdf", "docx"])
def test_a_solution_titled_just_solution_is_not_headed_solution_twice(render):
    solutions = tuple(
        SolutionEntry(title=title, paragraphs=(f"Текст {number}.",))
        for number, title in enumerate(("Решение", "Решение через дроби", "Способ 2", "  "), start=1)
    )
    answers = ((AnswerEntry(number=1, title="Задача", answer="4", solutions=solutions),),)
    document = TasksDocument(
        title="Ключ", date=date(2026, 5, 3), versions=((task_entry(1, "Задача"),),), answers=answers, with_answers=True
    )

    content = render(document)
    text = pdf_text(content) if render is render_tasks_pdf else docx_text(content)

    assert "Решение: Решение" not in text
    assert "Решение через дроби" in text and "Решение: Способ 2" in text
    assert [solution.heading for solution in solutions] == [
        "Решение",
        "Решение через дроби",
        "Решение: Способ 2",
        "Решение",
    ]


def test_docx_versions_each_start_on_a_new_page_and_the_answer_key_follows(three_versions):
    paragraphs = docx.Document(io.BytesIO(render_tasks_docx(three_versions))).paragraphs
    breaks = [
        (p.text, p.paragraph_format.page_break_before) for p in paragraphs if p.paragraph_format.page_break_before
    ]
    assert breaks == [
        ("Контрольная по алгебре", True),
        ("Контрольная по алгебре", True),
        ("Ответы: Контрольная по алгебре", True),
    ]
    texts = [p.text for p in paragraphs]
    starts = [index for index, p in enumerate(paragraphs) if p.style.name == "Title"]
    assert len(starts) == 4
    for number, (start, end) in enumerate(itertools.pairwise(starts), 1):
        chunk = texts[start:end]
        assert f"Вариант {number} · 3 мая 2026 г." in chunk
        assert {f"{number}. Задача {number}.1", f"1. Задача {number}.1"} & set(chunk)
    key = texts[starts[3] :]
    assert [text for text in key if text.startswith("Вариант")] == ["Вариант 1", "Вариант 2", "Вариант 3"]
    assert "Ответ: 32" in key


def test_answers_are_left_out_without_the_flag(three_versions):
    document = TasksDocument(
        title=three_versions.title,
        date=three_versions.date,
        versions=three_versions.versions,
        answers=three_versions.answers,
    )
    assert len(pdf_pages(render_tasks_pdf(document))) == 3
    assert "Ответ" not in docx_text(render_tasks_docx(document))


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_images_are_scaled_to_the_page_width(tmp_path, image_format):
    wide = tmp_path / f"wide.{image_format.lower()}"
    wide.write_bytes(image_bytes((3000, 1000), image_format=image_format))
    small = tmp_path / "small.png"
    small.write_bytes(image_bytes((120, 60)))
    document = TasksDocument(
        title="Рисунки",
        date=date(2026, 5, 3),
        versions=((task_entry(1, "Широкий", image=wide), task_entry(2, "Малый", image=small)),),
    )
    reader = pypdf.PdfReader(io.BytesIO(render_tasks_pdf(document)))
    assert sum(len(page.images) for page in reader.pages) == 2

    word = docx.Document(io.BytesIO(render_tasks_docx(document)))
    section = word.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    wide_shape, small_shape = word.inline_shapes
    assert wide_shape.width == text_width
    assert abs(wide_shape.height - text_width / 3) < Mm(1)
    assert small_shape.width < text_width / 4  # not blown up


def test_a_missing_image_does_not_stop_the_export(tmp_path):
    document = TasksDocument(
        title="Без рисунка", date=date(2026, 5, 3), versions=((task_entry(1, "З", image=tmp_path / "gone.png"),),)
    )
    assert "Без рисунка" in pdf_text(render_tasks_pdf(document))
    assert "Без рисунка" in docx_text(render_tasks_docx(document))


def test_file_names_are_safe_and_keep_cyrillic():
    assert export_file_name("Контрольная 5А", "pdf") == "Контрольная 5А.pdf"
    assert export_file_name('../Дроби: "5/6" <класс>?', "docx") == "Дроби 5 6 класс.docx"
    assert export_file_name(" ... ", "pdf") == "variant.pdf"
    assert len(export_file_name("Я" * 300, "pdf")) == 84


# --- Views: who sees which solution ------------------------------------------------------------


@pytest.fixture
def solved(teacher, volunteer):
    """A task by `teacher` with a public solution, the teacher's private one, another
    teacher's private one, and the volunteer's private one."""
    task = TaskFactory(title="Задача о бассейне", statement=STATEMENT, answer="½ часа", author=teacher)
    SolutionFactory(task=task, title="Публичное решение", text=f"<p>Всем видно: {SYMBOLS}</p>")
    SolutionFactory(task=task, title="Скрытое решение автора", text="<p>Только автор</p>", is_private=True)
    other = TaskFactory().author
    SolutionFactory(task=task, title="Чужое скрытое решение", text="<p>Другой автор</p>", author=other, is_private=True)
    SolutionFactory(
        task=task, title="Скрытое решение волонтёра", text="<p>Волонтёр</p>", author=volunteer, is_private=True
    )
    return task


ALL_SOLUTIONS = {"Публичное решение", "Скрытое решение автора", "Чужое скрытое решение", "Скрытое решение волонтёра"}
SEEN_BY = {
    "anonymous": {"Публичное решение"},
    "volunteer": {"Публичное решение", "Скрытое решение волонтёра"},
    "teacher": {"Публичное решение", "Скрытое решение автора"},  # the task's author
    "administrator": ALL_SOLUTIONS,
}


def reader(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
@pytest.mark.parametrize("role", list(SEEN_BY))
def test_task_export_with_answers_has_only_the_solutions_the_reader_may_see(client, request, solved, role, file_format):
    user = reader(request, role)
    if user:
        client.force_login(user)
    response = client.get(f"/problems/tasks/{solved.pk}/export/", {"format": file_format, "answers": 1})
    assert response.status_code == 200
    text = text_of(response)
    assert CYRILLIC in text and "Ответ: ½ часа" in text
    assert all(symbol in text for symbol in SYMBOLS.split())
    for title in ALL_SOLUTIONS:
        assert (f"Решение: {title}" in text) == (title in SEEN_BY[role]), title
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("role", list(SEEN_BY))
def test_variant_export_with_answers_has_only_the_solutions_the_reader_may_see(client, request, solved, role):
    user = reader(request, role)
    if user:
        client.force_login(user)
    second = TaskFactory(title="Вторая задача", answer="42")
    params = {"tasks": f"{second.pk},{solved.pk}", "format": "pdf", "answers": 1, "kind": "random"}
    response = client.get(EXPORT, params)
    text = text_of(response)
    assert text.index("1. Вторая задача") < text.index("2. Задача о бассейне")
    assert "Случайный вариант" in text
    for title in ALL_SOLUTIONS:
        assert (title in text) == (title in SEEN_BY[role]), title
    docx_response = client.get(EXPORT, {**params, "format": "docx"})
    assert docx_response["Content-Type"] == DOCX_TYPE
    docx_content = text_of(docx_response)
    for title in ALL_SOLUTIONS:
        assert (title in docx_content) == (title in SEEN_BY[role]), title


def test_without_answers_no_solution_is_exported(client, administrator, solved):
    client.force_login(administrator)
    for file_format in ("pdf", "docx"):
        text = text_of(client.get(f"/problems/tasks/{solved.pk}/export/", {"format": file_format}))
        assert "Задача о бассейне" in text
        assert not any(title in text for title in ALL_SOLUTIONS)
        assert "½ часа" not in text


def test_saved_and_shared_exports_follow_the_same_rules(client, volunteer, teacher, solved):
    variant = variant_save(owner=teacher, title="Бассейны", kind="manual", task_ids=[solved.pk])
    client.force_login(teacher)
    own = text_of(client.get(f"/problems/variants/{variant.pk}/export/", {"format": "pdf", "answers": 1}))
    assert "Скрытое решение автора" in own and "Скрытое решение волонтёра" not in own
    client.force_login(volunteer)
    shared = text_of(
        client.get(f"/problems/variants/shared/{variant.share_token}/export/", {"format": "docx", "answers": "1"})
    )
    assert "Бассейны" in shared
    assert "Скрытое решение волонтёра" in shared and "Скрытое решение автора" not in shared


def test_versions_of_a_random_variant_export_on_pages_of_their_own(client, db):
    tasks = [TaskFactory(title=f"Задача №{number}", answer=str(number)) for number in range(1, 7)]
    ids = ",".join(str(task.pk) for task in tasks)
    response = client.get(EXPORT, {"tasks": ids, "versions": 3, "format": "pdf", "answers": 1})
    pages = pdf_pages(b"".join(response.streaming_content))
    assert len(pages) == 4
    assert "Задача №1" in pages[0] and "Задача №2" in pages[0] and "Задача №3" not in pages[0]
    assert "Вариант 2" in pages[1] and "Задача №3" in pages[1] and "Задача №4" in pages[1]
    assert "Задача №5" in pages[2] and "Задача №6" in pages[2]
    assert pages[3].count("Ответ:") == 6


def test_export_leaves_out_unpublished_tasks(client, volunteer):
    published = TaskFactory(title="Опубликованная")
    draft = TaskFactory(title="Черновик", status=Task.Status.DRAFT, author=volunteer)
    client.force_login(volunteer)
    text = text_of(client.get(EXPORT, {"tasks": f"{draft.pk},{published.pk}", "format": "pdf"}))
    assert "Опубликованная" in text and "Черновик" not in text


def test_task_export_follows_the_task_page_visibility(client, volunteer, teacher):
    draft = TaskFactory(title="Черновик учителя", status=Task.Status.DRAFT, author=teacher)
    assert client.get(f"/problems/tasks/{draft.pk}/export/", {"format": "pdf"}).status_code == 404
    client.force_login(volunteer)
    assert client.get(f"/problems/tasks/{draft.pk}/export/", {"format": "pdf"}).status_code == 404
    client.force_login(teacher)
    assert client.get(f"/problems/tasks/{draft.pk}/export/", {"format": "pdf"}).status_code == 200
    assert client.get("/problems/tasks/999999/export/", {"format": "pdf"}).status_code == 404


def test_task_image_is_exported(client, db):
    task = TaskFactory(title="С рисунком", image=SimpleUploadedFile("chart.png", image_bytes((2000, 500)), "image/png"))
    content = b"".join(client.get(f"/problems/tasks/{task.pk}/export/", {"format": "pdf"}).streaming_content)
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages[0].images) == 1
    content = b"".join(client.get(f"/problems/tasks/{task.pk}/export/", {"format": "docx"}).streaming_content)
    assert len(docx.Document(io.BytesIO(content)).inline_shapes) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tasks": "1,2", "format": "odt"}, "Выберите корректный вариант"),
        ({"tasks": "", "format": "pdf"}, "Не выбрано ни одной задачи"),
        ({"tasks": "1;2", "format": "pdf"}, "номера через запятую"),
        ({"tasks": "1,2,3", "format": "pdf", "versions": 2}, "не делятся поровну"),
        ({"tasks": "1", "format": "pdf", "versions": 31}, "меньше либо равно 30"),
        ({"tasks": ",".join(["1"] * 501), "format": "pdf"}, "Слишком много задач"),
    ],
)
def test_bad_export_requests_are_refused(client, db, params, message):
    response = client.get(EXPORT, params)
    assert response.status_code == 400
    assert message in response.content.decode()


# --- File names --------------------------------------------------------------------------------


def test_content_disposition_is_rfc_5987_with_a_russian_name(client, teacher):
    task = TaskFactory(title="Задача: «Дроби» / 5 класс")
    response = client.get(f"/problems/tasks/{task.pk}/export/", {"format": "pdf"})
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('Задача «Дроби» 5 класс.pdf')}"
    assert response["Content-Type"] == "application/pdf"

    variant = variant_save(owner=teacher, title="Контрольная 5А", kind="manual", task_ids=[task.pk])
    client.force_login(teacher)
    response = client.get(f"/problems/variants/{variant.pk}/export/", {"format": "docx"})
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%BE%D0%BB%D1%8C%D0%BD%D0%B0%D1%8F"
        "%205%D0%90.docx"
    )
    assert response["Content-Type"] == DOCX_TYPE

    ascii_variant = variant_save(owner=teacher, title='Test "1"', kind="manual", task_ids=[task.pk])
    response = client.get(f"/problems/variants/{ascii_variant.pk}/export/", {"format": "pdf"})
    assert response["Content-Disposition"] == 'attachment; filename="Test 1.pdf"'

    response = client.get(EXPORT, {"tasks": str(task.pk), "format": "pdf", "kind": "manual"})
    assert re.fullmatch(
        r"attachment; filename\*=utf-8''" + re.escape(quote("Свой вариант ")) + r"\d{4}-\d{2}-\d{2}\.pdf",
        response["Content-Disposition"],
    )
