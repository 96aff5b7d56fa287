"""The attendance exports read back: the CSV with the csv module, the PDF with pypdf."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects.exports import build_sheet, render_attendance_pdf
from projects.models import ProjectMember
from projects.tests.factories import ProjectFactory, StudentFactory
from projects.tests.test_attendance import MANAGERS, ROLES, build_course, build_school, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(db):
    school = build_school()
    school.early.absent_students.add(school.boris)
    school.late.absent_students.add(school.vera)
    return school


def project_of(school):
    return school.course.term.project


def download(client, school, file_format: str, role: str = "moderator"):
    client.force_login(user_with(role, project_of(school)))
    return client.get(reverse(f"projects:attendance_{file_format}", args=[school.course.pk]))


def test_csv_opens_in_excel_with_cyrillic(client, school):
    response = download(client, school, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition and ".csv" in disposition
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Учащийся", "07.09.2026", "05.10.2026", "Посещено", "Пропущено"]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["Алексеева Анна"] == ["+", "+", "2", "0"]
    assert by_name["Борисов Борис"] == ["н", "+", "1", "1"]
    assert by_name["Васильева Вера"] == ["", "н", "0", "1"]  # joined on 20 September
    assert by_name["Глебов Глеб"] == ["+", "", "1", "0"]  # left on 30 September
    assert list(by_name) == sorted(by_name)


def test_csv_keeps_a_name_from_being_run_as_a_formula(client, school):
    StudentFactory(project=project_of(school), last_name="=HYPERLINK(1)", first_name="Икс")
    school.course.groups.get().memberships.create(
        student=project_of(school).students.get(first_name="Икс"), joined_on=school.course.start_date
    )
    content = b"".join(download(client, school, "csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1) Икс;" in content


def test_csv_names_two_lessons_of_one_day_by_their_time(school):
    from projects.tests.factories import ProjectLessonFactory

    ProjectLessonFactory(course=school.course, date=school.early.date, start_time="17:00", finish_time="18:00")
    assert build_sheet(school.course).lessons == ("07.09.2026 15:00", "07.09.2026 17:00", "05.10.2026")


def test_pdf_is_a_landscape_table_in_cyrillic(client, school):
    response = download(client, school, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 landscape
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Робототехника для начинающих" in text
    assert "01.09.2026–31.12.2026" in text
    for name in ("Алексеева Анна", "Борисов Борис", "Васильева Вера", "Глебов Глеб"):
        assert name in text
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    # Only the bundled font: a Helvetica fallback would print no Cyrillic.
    assert fonts and all("DejaVu" in font for font in fonts), fonts


def test_pdf_of_thirty_lessons_splits_the_columns_into_tables(db):
    project = ProjectFactory()
    course = build_course(project, lessons=30, students=30)
    reader = PdfReader(io.BytesIO(render_attendance_pdf(build_sheet(course))))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Учащийся29 Тест" in text
    assert text.count("Учащийся00 Тест") == 2  # one table of 20 lessons, one of 10 with the totals
    assert "Пропущено" in text


@pytest.mark.parametrize("file_format", ["csv", "pdf"])
@pytest.mark.parametrize("role", ROLES)
def test_exports_role_matrix(client, school, role, file_format):
    response = download(client, school, file_format, role=role)
    assert response.status_code == (200 if role in MANAGERS else 404)


def test_anonymous_is_sent_to_log_in(client, school):
    response = client.get(reverse("projects:attendance_csv", args=[school.course.pk]))
    assert response.status_code == 302


def test_an_administrator_of_another_project_gets_404(client, school):
    other = ProjectFactory()
    assert ProjectMember.objects.filter(project=other, user=other.author, role="admin").exists()
    client.force_login(other.author)
    assert client.get(reverse("projects:attendance_pdf", args=[school.course.pk])).status_code == 404
