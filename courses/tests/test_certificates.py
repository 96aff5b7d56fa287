"""Certificates on the site: issued when a course is passed, verified by anyone through the
QR link, listed in «Мои сертификаты», downloaded only by those allowed, managed in the admin."""

import io

import pypdf
import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Message
from accounts.roles import TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from courses.models import Certificate, VolunteerCourse
from courses.services import certificate_issue, course_refresh, enrol, lesson_finish, lesson_open
from courses.tests.factories import CourseFactory, add_chapter, add_lesson
from volunteers.models import Direction
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

MY = "/certificates/my/"
ADMIN_CERTIFICATES = "/admin/courses/certificate/"


def verify_url(code: str) -> str:
    return f"/certificates/verify/{code}/"


def download_url(certificate: Certificate) -> str:
    return f"/certificates/{certificate.pk}/download/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def a_volunteer(first_name="Анна", last_name="Иванова", **fields):
    return VolunteerFactory(user__first_name=first_name, user__last_name=last_name, **fields)


def a_course(title="Первая помощь на мероприятиях", **fields):
    """A shown course of one text lesson, its duration computed."""
    direction, _ = Direction.objects.get_or_create(title="Событийное волонтёрство")
    course = CourseFactory(title=title, direction=direction, **fields)
    add_lesson(add_chapter(course), duration=90)
    course_refresh(course=course)
    return course


def issued(volunteer, course, *, assessment=92.5) -> Certificate:
    """A passed enrolment and its certificate, through the issuing service."""
    enrolment = VolunteerCourse.objects.create(
        volunteer=volunteer, course=course, status=VolunteerCourse.Status.PASSED, assessment=assessment
    )
    certificate, _ = certificate_issue(enrolment=enrolment)
    return certificate


def pdf_link(certificate: Certificate) -> str:
    with certificate.file.open("rb") as file:
        page = pypdf.PdfReader(io.BytesIO(file.read())).pages[0]
    (uri,) = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    return uri


@pytest.fixture
def course():
    return a_course()


@pytest.fixture
def owner():
    return a_volunteer()


@pytest.fixture
def certificate(owner, course):
    return issued(owner, course)


# --- Issuing on completion ----------------------------------------------------------------


class TestCompletingACourse:
    def test_issues_the_certificate_once_committed_and_tells_the_volunteer(
        self, owner, course, django_capture_on_commit_callbacks
    ):
        lesson = course.course_chapters.get().chapter.chapter_lessons.get().lesson
        enrolment = enrol(volunteer=owner, course=course)
        lesson_open(enrolment=enrolment, lesson=lesson)

        with django_capture_on_commit_callbacks(execute=True):
            lesson_finish(enrolment=enrolment, lesson=lesson)
            assert not Certificate.objects.exists(), "issued by a task, after the commit"

        certificate = Certificate.objects.get(volunteer=owner, course=course)
        assert certificate.final_assessment == 100
        assert certificate.file.name.endswith(".pdf")
        with certificate.file.open("rb") as file:
            assert file.read(5) == b"%PDF-"
        passed = Message.objects.get(recipient=owner.user, title=f"Курс «{course}» пройден")
        assert "Сертификат будет выпущен в ближайшее время" in passed.text
        assert "«Мои сертификаты»" in passed.text
        ready = Message.objects.get(recipient=owner.user, title=f"Сертификат за курс «{course}» готов")
        assert (passed.link, ready.link) == (MY, MY)  # «Открыть», and the address in the email

    def test_the_link_in_the_stored_pdf_opens_the_verification_page(
        self, owner, course, django_capture_on_commit_callbacks
    ):
        lesson = course.course_chapters.get().chapter.chapter_lessons.get().lesson
        enrolment = enrol(volunteer=owner, course=course)
        with django_capture_on_commit_callbacks(execute=True):
            lesson_finish(enrolment=enrolment, lesson=lesson)
        certificate = Certificate.objects.get(volunteer=owner, course=course)

        link = pdf_link(certificate)

        assert link.startswith(settings.SITE_URL + "/")
        response = Client().get(link.removeprefix(settings.SITE_URL))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Сертификат подлинный" in page
        assert "Анна Иванова" in page
        assert "Первая помощь на мероприятиях" in page
        assert "100 из 100" in page

    def test_the_private_file_has_no_public_url(self, certificate):
        with pytest.raises(ValueError):
            certificate.file.url  # noqa: B018 - the property raises


# --- Public verification ------------------------------------------------------------------


class TestVerify:
    def test_shows_name_course_date_and_assessment(self, certificate):
        response = Client().get(verify_url(certificate.code))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Сертификат подлинный" in page
        assert "Анна Иванова" in page
        assert "«Первая помощь на мероприятиях»" in page
        assert "92,5 из 100" in page
        assert f"{certificate.created_at.astimezone().day} " in page
        assert certificate.code in page

    def test_reverse_names_the_page(self, certificate):
        assert reverse("certificates:verify", args=[certificate.code]) == verify_url(certificate.code)
        assert certificate.get_absolute_url() == verify_url(certificate.code)

    def test_shows_no_other_personal_data(self, certificate):
        volunteer, user = certificate.volunteer, certificate.volunteer.user

        page = Client().get(verify_url(certificate.code)).content.decode()

        assert user.email not in page
        assert user.email.split("@")[0] not in page
        assert str(volunteer.phone_number.national_number) not in page
        assert volunteer.phone_number.as_e164 not in page
        assert volunteer.location.region not in page
        assert volunteer.birth_date.strftime("%d.%m.%Y") not in page
        assert str(volunteer.birth_date.year) not in page.replace(str(certificate.created_at.year), "")
        assert volunteer.call_sign not in page

    def test_an_unknown_code_is_a_clear_404_page(self, certificate):
        response = Client().get(verify_url("Unknown-code_123"))

        assert response.status_code == 404
        page = response.content.decode()
        assert "Сертификат не найден" in page
        assert "не найден" in page
        assert "Unknown-code_123" in page
        assert "Traceback" not in page

    def test_the_code_is_matched_exactly(self, certificate):
        assert Client().get(verify_url(certificate.code.swapcase())).status_code == 404
        assert Client().get(verify_url(certificate.code[:-1])).status_code == 404
        assert Client().get(verify_url(certificate.code + "x")).status_code == 404

    def test_codes_with_dashes_and_underscores_resolve(self, certificate):
        Certificate.objects.filter(pk=certificate.pk).update(code="-_Ab9-_Ab9-_Ab9-_Ab9-_Ab9")

        assert Client().get(verify_url("-_Ab9-_Ab9-_Ab9-_Ab9-_Ab9")).status_code == 200

    def test_a_nul_byte_in_the_code_is_a_400_also_in_production(self, certificate, settings):
        settings.DEBUG = False

        response = Client().get("/certificates/verify/%00/")

        assert response.status_code == 400
        assert "Неверный запрос" in response.content.decode()


# --- «Мои сертификаты» --------------------------------------------------------------------


class TestMyCertificates:
    def test_anonymous_visitors_are_sent_to_sign_in(self, db):
        response = Client().get(MY)

        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_lists_only_own_certificates_with_their_links(self, certificate, course):
        someone_else = issued(a_volunteer("Борис", "Петров"), a_course("Чужой курс"))

        response = signed_in(certificate.volunteer.user).get(MY)

        assert response.status_code == 200
        assert response.context["certificates"] == [certificate]
        page = response.content.decode()
        assert "Первая помощь на мероприятиях" in page
        assert "92,5 из 100" in page
        assert download_url(certificate) in page
        assert verify_url(certificate.code) in page
        assert "Чужой курс" not in page
        assert download_url(someone_else) not in page
        assert someone_else.code not in page

    def test_the_account_menu_links_here(self, certificate):
        page = signed_in(certificate.volunteer.user).get(MY).content.decode()

        assert f'<a href="{MY}" aria-current="page">Мои сертификаты</a>' in page

    def test_says_so_when_there_are_none(self, owner):
        page = signed_in(owner.user).get(MY).content.decode()

        assert "Сертификатов пока нет" in page

    def test_a_user_without_a_volunteer_profile_is_told_to_fill_it_in(self, volunteer):
        page = signed_in(volunteer).get(MY).content.decode()

        assert "заполните анкету волонтёра" in page

    def test_runs_a_fixed_number_of_queries(self, owner, django_assert_num_queries):
        client = signed_in(owner.user)
        for number in range(3):
            issued(owner, a_course(f"Курс №{number}"))
        with CaptureQueriesContext(connection) as few:
            assert len(client.get(MY).context["certificates"]) == 3

        for number in range(3, 30):
            issued(owner, a_course(f"Курс №{number}"))
        with django_assert_num_queries(len(few)):
            assert len(client.get(MY).context["certificates"]) == 30

        # session, user with the unread messages count, certificates with courses and directions
        assert len(few) == 3


# --- Download -----------------------------------------------------------------------------


def a_teacher(**fields):
    return UserFactory(roles=[TEACHER], **fields)


class TestDownload:
    def assert_downloads(self, user, certificate):
        response = signed_in(user).get(download_url(certificate))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="sertifikat-{certificate.course_id}.pdf"'
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    def assert_not_found(self, user, certificate):
        assert signed_in(user).get(download_url(certificate)).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, certificate):
        response = Client().get(download_url(certificate))

        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_the_owner_downloads(self, certificate):
        self.assert_downloads(certificate.volunteer.user, certificate)

    def test_another_volunteer_gets_404(self, certificate):
        other = a_volunteer("Борис", "Петров")
        issued(other, certificate.course)  # even with a certificate of the same course

        self.assert_not_found(other.user, certificate)

    def test_the_courses_responsible_teacher_downloads(self, owner):
        teacher = a_teacher()
        certificate = issued(owner, a_course(responsible=teacher))

        self.assert_downloads(teacher, certificate)

    def test_the_teacher_who_created_the_course_downloads(self, owner):
        teacher = a_teacher()
        certificate = issued(owner, a_course(user_created=teacher))

        self.assert_downloads(teacher, certificate)

    def test_a_teacher_who_only_toggled_the_courses_publication_gets_404(self, owner):
        author, responsible, teacher = a_teacher(), a_teacher(), a_teacher()
        course = a_course(user_created=author, responsible=responsible)
        certificate = issued(owner, course)
        client = signed_in(teacher)
        for action in ("unpublish", "publish"):
            client.post("/admin/courses/course/", {"action": action, "_selected_action": [course.pk]})
        course.refresh_from_db()
        assert (course.published, course.user_modified) == (True, teacher)

        self.assert_not_found(teacher, certificate)
        assert listed(client.get(ADMIN_CERTIFICATES)) == []
        self.assert_downloads(author, certificate)
        self.assert_downloads(responsible, certificate)

    def test_a_teacher_of_another_course_gets_404(self, owner):
        teacher = a_teacher()
        a_course("Курс этого преподавателя", responsible=teacher, user_created=teacher)
        certificate = issued(owner, a_course(responsible=a_teacher()))

        self.assert_not_found(teacher, certificate)

    def test_a_responsible_user_who_is_not_a_teacher_gets_404(self, owner):
        responsible = UserFactory(roles=[VOLUNTEER])
        certificate = issued(owner, a_course(responsible=responsible))

        self.assert_not_found(responsible, certificate)

    def test_an_administrator_downloads(self, certificate, administrator):
        self.assert_downloads(administrator, certificate)

    def test_a_main_administrator_downloads(self, certificate, main_admin):
        self.assert_downloads(main_admin, certificate)

    def test_staff_granted_the_view_permission_download(self, certificate):
        support = UserFactory(is_staff=True)
        support.user_permissions.add(Permission.objects.get(codename="view_certificate"))

        self.assert_downloads(support, certificate)

    def test_in_object_storage_the_pdf_is_rendered_into_the_bucket_and_downloads_by_a_signed_url(self, s3, owner):
        certificate = issued(owner, a_course())
        assert s3.keys(s3.private_bucket, "private/") == [f"private/{certificate.file.name}"]
        assert signed_in(a_volunteer("Борис", "Петров").user).get(download_url(certificate)).status_code == 404

        response = signed_in(owner.user).get(download_url(certificate))

        assert response.status_code == 302
        fetched = requests.get(response.url, timeout=10)
        assert fetched.status_code == 200
        assert (
            fetched.headers["Content-Disposition"] == f'attachment; filename="sertifikat-{certificate.course_id}.pdf"'
        )
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert pdf_link(certificate) == settings.SITE_URL + verify_url(certificate.code)

    def test_staff_without_the_permission_get_404(self, certificate):
        self.assert_not_found(UserFactory(is_staff=True), certificate)

    def test_an_unknown_id_is_404_for_administrators_too(self, certificate, main_admin):
        assert signed_in(main_admin).get(f"/certificates/{certificate.pk + 1000}/download/").status_code == 404

    def test_a_missing_file_is_404(self, certificate, main_admin):
        certificate.file.storage.delete(certificate.file.name)

        self.assert_not_found(main_admin, certificate)


# --- Admin --------------------------------------------------------------------------------


def change_url(certificate: Certificate) -> str:
    return f"{ADMIN_CERTIFICATES}{certificate.pk}/change/"


def listed(response) -> list[Certificate]:
    return list(response.context["cl"].result_list)


class TestAdmin:
    def test_changelist_lists_certificates_with_a_link_to_the_file(self, certificate, main_admin):
        response = signed_in(main_admin).get(ADMIN_CERTIFICATES)

        assert response.status_code == 200
        assert listed(response) == [certificate]
        page = response.content.decode()
        assert f'href="{download_url(certificate)}"' in page
        assert "Перевыпустить" in page

    @pytest.mark.parametrize("query", ["Иванова", "Анна", "@volna.example", "Первая помощь", "code"])
    def test_search(self, certificate, main_admin, query):
        other = issued(a_volunteer("Борис", "Петров", user__email="boris@elsewhere.example"), a_course("Другой"))
        query = certificate.code if query == "code" else query

        response = signed_in(main_admin).get(ADMIN_CERTIFICATES, {"q": query})

        assert response.status_code == 200
        assert certificate in listed(response)
        assert other not in listed(response)

    def test_filters(self, certificate, main_admin):
        issued(a_volunteer("Борис", "Петров"), a_course("Другой"))

        response = signed_in(main_admin).get(ADMIN_CERTIFICATES, {"course__id__exact": certificate.course_id})

        assert listed(response) == [certificate]

    def test_change_page_shows_the_certificate_read_only(self, certificate, main_admin):
        response = signed_in(main_admin).get(change_url(certificate))

        assert response.status_code == 200
        page = response.content.decode()
        assert certificate.code in page
        assert download_url(certificate) in page
        assert 'name="_save"' not in page

    def test_nobody_adds_certificates_by_hand(self, main_admin):
        assert signed_in(main_admin).get(f"{ADMIN_CERTIFICATES}add/").status_code == 403

    def test_reissue_keeps_the_code_and_replaces_the_file(
        self, certificate, main_admin, django_capture_on_commit_callbacks
    ):
        storage, old_name, code = certificate.file.storage, certificate.file.name, certificate.code

        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(main_admin).post(
                ADMIN_CERTIFICATES, {"action": "reissue", "_selected_action": [certificate.pk]}
            )

        assert response.status_code == 302
        assert [str(message) for message in get_messages(response.wsgi_request)] == ["Перевыпущено сертификатов: 1."]
        certificate.refresh_from_db()
        assert certificate.code == code
        assert certificate.final_assessment == 92.5
        assert certificate.file.name != old_name
        assert storage.exists(certificate.file.name)
        assert not storage.exists(old_name)
        assert pdf_link(certificate).endswith(verify_url(code))

    def test_reissue_skips_a_course_no_longer_passed(self, certificate, administrator):
        VolunteerCourse.objects.filter(volunteer=certificate.volunteer).update(status=VolunteerCourse.Status.FAILED)
        old_name = certificate.file.name

        response = signed_in(administrator).post(
            ADMIN_CERTIFICATES, {"action": "reissue", "_selected_action": [certificate.pk]}, follow=True
        )

        messages = [str(message) for message in response.context["messages"]]
        assert "Перевыпущено сертификатов: 0." in messages
        assert "Не перевыпущены — курс больше не числится пройденным: 1." in messages
        certificate.refresh_from_db()
        assert certificate.file.name == old_name

    def test_deleting_removes_the_file(self, certificate, main_admin, django_capture_on_commit_callbacks):
        storage, name = certificate.file.storage, certificate.file.name

        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(main_admin).post(f"{ADMIN_CERTIFICATES}{certificate.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Certificate.objects.filter(pk=certificate.pk).exists()
        assert not storage.exists(name)

    def test_a_teacher_sees_only_the_certificates_of_own_courses_and_cannot_reissue(self, owner):
        teacher = a_teacher()
        own = issued(owner, a_course("Свой курс", responsible=teacher))
        issued(owner, a_course("Чужой курс"))

        response = signed_in(teacher).get(ADMIN_CERTIFICATES)

        assert response.status_code == 200
        assert listed(response) == [own]
        assert "Перевыпустить" not in response.content.decode()
        assert signed_in(teacher).get(change_url(own)).status_code == 200

    def test_volunteers_have_no_access(self, certificate):
        response = signed_in(certificate.volunteer.user).get(ADMIN_CERTIFICATES)

        assert response.status_code == 302


def test_my_courses_links_a_passed_course_to_the_certificates(certificate):
    page = signed_in(certificate.volunteer.user).get("/courses/my/").content.decode()

    assert (
        f'<a href="{MY}">Сертификат<span class="visually-hidden"> за курс «{certificate.course.title}»</span></a>'
        in page
    )
