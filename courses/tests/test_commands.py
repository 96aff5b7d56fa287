from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

import courses.services
from courses.models import Certificate, VolunteerCourse
from courses.tests.factories import CourseFactory
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def generate(*args):
    out, err = StringIO(), StringIO()
    call_command("generate_certificates", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def generate_failing(*args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("generate_certificates", *map(str, args), stdout=out, stderr=err)
    return str(raised.value), out.getvalue(), err.getvalue()


def passed(*, volunteer=None, course=None, assessment=90):
    return VolunteerCourse.objects.create(
        volunteer=volunteer or VolunteerFactory(),
        course=course or CourseFactory(),
        status=VolunteerCourse.Status.PASSED,
        assessment=assessment,
    )


def pdf_files():
    return sorted(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))


def certificate_of(enrolment):
    return Certificate.objects.get(volunteer=enrolment.volunteer, course=enrolment.course)


def label(enrolment):
    return f"запись {enrolment.pk} ({enrolment.volunteer}, «{enrolment.course.title}»)"


def fail_for(monkeypatch, full_name):
    """Fault injection: rendering breaks for one volunteer's certificate only."""
    render = courses.services.render_certificate_pdf

    def render_or_fail(data):
        if data.full_name == full_name:
            raise RuntimeError("принтер сломался")
        return render(data)

    monkeypatch.setattr(courses.services, "render_certificate_pdf", render_or_fail)


class TestIssuing:
    def test_issues_one_certificate_per_passed_enrolment_with_its_pdf(self):
        first, second = passed(), passed(assessment=75)
        course = CourseFactory()
        for status in (VolunteerCourse.Status.ENROLLED, VolunteerCourse.Status.ACTIVE, VolunteerCourse.Status.FAILED):
            VolunteerCourse.objects.create(volunteer=VolunteerFactory(), course=course, status=status, assessment=40)

        output = generate()

        assert "Выпущено: 2, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        assert Certificate.objects.count() == 2
        for enrolment in (first, second):
            certificate = certificate_of(enrolment)
            assert certificate.final_assessment == enrolment.assessment
            path = settings.PRIVATE_MEDIA_ROOT / certificate.file.name
            assert path.read_bytes().startswith(b"%PDF")
        assert len(pdf_files()) == 2

    def test_a_second_run_issues_nothing(self):
        enrolments = [passed(), passed()]
        generate()
        before = {
            certificate.pk: (certificate.file.name, certificate.updated_at) for certificate in Certificate.objects.all()
        }

        output = generate()

        assert "Выпущено: 0, перевыпущено: 0, пропущено: 2, ошибок: 0." in output
        after = {
            certificate.pk: (certificate.file.name, certificate.updated_at) for certificate in Certificate.objects.all()
        }
        assert after == before
        assert len(pdf_files()) == len(enrolments)

    def test_nothing_to_do(self):
        assert "Выпущено: 0, перевыпущено: 0, пропущено: 0, ошибок: 0." in generate()


class TestDryRun:
    def test_writes_no_row_and_no_file_and_says_what_it_would_do(self):
        first, second = passed(), passed()

        output = generate("--dry-run")

        assert f"выпуск: {label(first)}" in output
        assert f"выпуск: {label(second)}" in output
        assert "Пробный запуск, ничего не записано. Будет выпущено: 2, перевыпущено: 0, пропущено: 0." in output
        assert not Certificate.objects.exists()
        assert pdf_files() == []

    def test_reports_re_issues_and_changes_nothing(self):
        improved, current = passed(assessment=70), passed()
        generate()
        VolunteerCourse.objects.filter(pk=improved.pk).update(assessment=95)
        before = list(Certificate.objects.order_by("pk").values())
        files = pdf_files()

        output = generate("--dry-run")

        assert f"перевыпуск: {label(improved)}" in output
        assert label(current) not in output
        assert "Будет выпущено: 0, перевыпущено: 1, пропущено: 1." in output
        assert list(Certificate.objects.order_by("pk").values()) == before
        assert pdf_files() == files

    def test_with_force_every_certificate_would_be_re_issued(self):
        passed(), passed()
        generate()

        assert "Будет выпущено: 0, перевыпущено: 2, пропущено: 0." in generate("--dry-run", "--force")


class TestNarrowing:
    def test_course(self):
        course = CourseFactory()
        inside = [passed(course=course), passed(course=course)]
        outside = passed()

        output = generate("--course", course.pk)

        assert "Выпущено: 2, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        assert set(Certificate.objects.values_list("volunteer_id", flat=True)) == {e.volunteer_id for e in inside}
        assert not Certificate.objects.filter(volunteer=outside.volunteer).exists()

    def test_volunteer(self):
        volunteer = VolunteerFactory()
        mine = [passed(volunteer=volunteer), passed(volunteer=volunteer)]
        passed()

        output = generate("--volunteer", volunteer.pk)

        assert "Выпущено: 2, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        assert set(Certificate.objects.values_list("course_id", flat=True)) == {e.course_id for e in mine}
        assert Certificate.objects.count() == 2

    def test_course_and_volunteer_together(self):
        volunteer, course = VolunteerFactory(), CourseFactory()
        target = passed(volunteer=volunteer, course=course)
        passed(volunteer=volunteer), passed(course=course)

        assert "Выпущено: 1," in generate("--course", course.pk, "--volunteer", volunteer.pk)
        assert list(Certificate.objects.values_list("volunteer_id", "course_id")) == [(volunteer.pk, course.pk)]
        assert certificate_of(target)

    @pytest.mark.parametrize(
        ("option", "message"),
        [("--course", "Курс с id 987654 не найден."), ("--volunteer", "Волонтёр с id 987654 не найден.")],
    )
    def test_an_unknown_id_is_an_error(self, option, message):
        passed()

        error, _, _ = generate_failing(option, 987654)

        assert error == message
        assert not Certificate.objects.exists()

    def test_jobs_must_be_positive(self):
        error, _, _ = generate_failing("--jobs", 0)

        assert "--jobs" in error


class TestReIssuing:
    def test_force_re_renders_with_the_same_code_and_removes_the_old_file(self, django_capture_on_commit_callbacks):
        enrolment = passed()
        generate()
        certificate = certificate_of(enrolment)
        old_path = settings.PRIVATE_MEDIA_ROOT / certificate.file.name

        with django_capture_on_commit_callbacks(execute=True):
            output = generate("--force")

        assert "Выпущено: 0, перевыпущено: 1, пропущено: 0, ошибок: 0." in output
        renewed = certificate_of(enrolment)
        assert renewed.pk == certificate.pk
        assert renewed.code == certificate.code
        assert renewed.file.name != certificate.file.name
        assert (settings.PRIVATE_MEDIA_ROOT / renewed.file.name).read_bytes().startswith(b"%PDF")
        assert not old_path.exists()
        assert pdf_files() == [settings.PRIVATE_MEDIA_ROOT / renewed.file.name]

    def test_an_improved_assessment_re_issues_with_the_same_code(self, django_capture_on_commit_callbacks):
        improved, unchanged = passed(assessment=70), passed(assessment=80)
        generate()
        certificate = certificate_of(improved)
        VolunteerCourse.objects.filter(pk=improved.pk).update(assessment=96)

        with django_capture_on_commit_callbacks(execute=True):
            output = generate()

        assert "Выпущено: 0, перевыпущено: 1, пропущено: 1, ошибок: 0." in output
        renewed = certificate_of(improved)
        assert (renewed.code, renewed.final_assessment) == (certificate.code, 96)
        assert renewed.file.name != certificate.file.name
        assert certificate_of(unchanged).final_assessment == 80
        assert len(pdf_files()) == 2

    def test_a_missing_file_is_rendered_again(self):
        enrolment = passed()
        generate()
        certificate = certificate_of(enrolment)
        (settings.PRIVATE_MEDIA_ROOT / certificate.file.name).unlink()

        output = generate()

        assert "Выпущено: 0, перевыпущено: 1, пропущено: 0, ошибок: 0." in output
        renewed = certificate_of(enrolment)
        assert renewed.code == certificate.code
        assert (settings.PRIVATE_MEDIA_ROOT / renewed.file.name).read_bytes().startswith(b"%PDF")


class TestFailures:
    def test_a_failed_certificate_leaves_the_others_issued_and_nothing_of_its_own(self, monkeypatch):
        broken = passed(volunteer=VolunteerFactory(user__first_name="Ян", user__last_name="Сбоев"))
        fine = [passed(), passed()]
        fail_for(monkeypatch, "Ян Сбоев")

        error, output, errors = generate_failing()

        assert "Выпущено: 2, перевыпущено: 0, пропущено: 0, ошибок: 1." in output
        assert f"{label(broken)}: RuntimeError: принтер сломался" in errors
        assert "Не удалось выпустить сертификатов: 1" in error
        assert not Certificate.objects.filter(volunteer=broken.volunteer).exists()
        assert {certificate_of(enrolment).file.name for enrolment in fine} == {
            str(path.relative_to(settings.PRIVATE_MEDIA_ROOT)) for path in pdf_files()
        }

    def test_a_failed_save_removes_the_file_it_wrote(self, monkeypatch):
        broken = passed()
        fine = passed()
        save = Certificate.save

        def save_or_fail(certificate, *args, **kwargs):
            if certificate.volunteer_id == broken.volunteer_id:
                raise IntegrityError("запись отклонена базой")
            return save(certificate, *args, **kwargs)

        monkeypatch.setattr(Certificate, "save", save_or_fail)

        _, output, errors = generate_failing()

        assert "Выпущено: 1, перевыпущено: 0, пропущено: 0, ошибок: 1." in output
        assert f"{label(broken)}: IntegrityError: запись отклонена базой" in errors
        assert list(Certificate.objects.values_list("volunteer_id", flat=True)) == [fine.volunteer_id]
        assert pdf_files() == [settings.PRIVATE_MEDIA_ROOT / certificate_of(fine).file.name]

    def test_the_next_run_issues_only_what_failed(self, monkeypatch):
        passed(volunteer=VolunteerFactory(user__first_name="Ян", user__last_name="Сбоев"))
        passed()
        with monkeypatch.context() as patch:
            fail_for(patch, "Ян Сбоев")
            generate_failing()

        assert "Выпущено: 1, перевыпущено: 0, пропущено: 1, ошибок: 0." in generate()
        assert len(pdf_files()) == Certificate.objects.count() == 2

    def test_an_interrupted_run_reports_what_it_did_and_fails(self, monkeypatch):
        first = passed()
        stopped = passed(volunteer=VolunteerFactory(user__first_name="Ян", user__last_name="Сбоев"))
        passed()
        render = courses.services.render_certificate_pdf

        def render_or_interrupt(data):
            if data.full_name == "Ян Сбоев":
                raise KeyboardInterrupt
            return render(data)

        monkeypatch.setattr(courses.services, "render_certificate_pdf", render_or_interrupt)

        error, output, _ = generate_failing()

        assert "Выпущено: 1, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        assert "Прервано" in error
        assert list(Certificate.objects.values_list("volunteer_id", flat=True)) == [first.volunteer_id]
        assert not Certificate.objects.filter(volunteer=stopped.volunteer).exists()
        assert len(pdf_files()) == 1

    def test_jobs_are_refused_inside_a_transaction(self):
        passed()

        error, _, _ = generate_failing("--jobs", 2)

        assert "внутри транзакции" in error
        assert not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestJobs:
    """Worker processes see only committed rows, hence a transactional test."""

    def test_two_jobs_issue_the_same_as_one(self):
        courses_ = [CourseFactory(), CourseFactory()]
        enrolments = [passed(course=course) for course in courses_ for _ in range(5)]
        expected = {(e.volunteer_id, e.course_id, e.assessment) for e in enrolments}

        output = generate("--jobs", 2)

        assert "Выпущено: 10, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        issued = set(Certificate.objects.values_list("volunteer_id", "course_id", "final_assessment"))
        assert issued == expected
        assert len(pdf_files()) == 10
        assert all(path.read_bytes().startswith(b"%PDF") for path in pdf_files())
        assert "Выпущено: 0, перевыпущено: 0, пропущено: 10, ошибок: 0." in generate("--jobs", 1)
        assert "Выпущено: 0, перевыпущено: 0, пропущено: 10, ошибок: 0." in generate("--jobs", 2)

    def test_a_failure_in_a_worker_is_reported(self, monkeypatch):
        broken = passed(volunteer=VolunteerFactory(user__first_name="Ян", user__last_name="Сбоев"))
        for _ in range(3):
            passed()
        fail_for(monkeypatch, "Ян Сбоев")  # forked workers inherit the patched module

        _, output, errors = generate_failing("--jobs", 2)

        assert "Выпущено: 3, перевыпущено: 0, пропущено: 0, ошибок: 1." in output
        assert f"{label(broken)}: RuntimeError: принтер сломался" in errors
        assert not Certificate.objects.filter(volunteer=broken.volunteer).exists()
        assert len(pdf_files()) == 3


class TestAsync:
    """--async without a broker (as the tests run): each Celery task runs as it is sent. The
    same in a real worker: courses/tests/test_tasks.py."""

    def test_issues_the_same_as_the_sync_mode(self):
        enrolments = [passed() for _ in range(3)]

        output = generate("--async")

        assert "Выпущено: 3, перевыпущено: 0, пропущено: 0, ошибок: 0." in output
        issued = set(Certificate.objects.values_list("volunteer_id", "course_id", "final_assessment"))
        assert issued == {(e.volunteer_id, e.course_id, e.assessment) for e in enrolments}
        assert len(pdf_files()) == 3
        assert "Выпущено: 0, перевыпущено: 0, пропущено: 3, ошибок: 0." in generate("--async")

    def test_a_failure_is_reported_and_the_others_issued(self, monkeypatch):
        broken = passed(volunteer=VolunteerFactory(user__first_name="Ян", user__last_name="Сбоев"))
        passed()
        fail_for(monkeypatch, "Ян Сбоев")

        _, output, errors = generate_failing("--async")

        assert "Выпущено: 1, перевыпущено: 0, пропущено: 0, ошибок: 1." in output
        assert f"{label(broken)}: RuntimeError: принтер сломался" in errors
        assert Certificate.objects.count() == 1

    def test_a_second_delivery_of_forced_work_renders_nothing_again(self, django_capture_on_commit_callbacks):
        from django.utils import timezone

        from courses.tasks import issue_certificates

        enrolment = passed()
        generate()
        started = timezone.now().isoformat()
        with django_capture_on_commit_callbacks(execute=True):
            generate("--async", "--force")
        rendered = certificate_of(enrolment).file.name

        report = issue_certificates.delay([[enrolment.pk, True]], started).get()

        assert report == {"counts": {"skipped": 1}, "failures": []}
        assert certificate_of(enrolment).file.name == rendered
        assert pdf_files() == [settings.PRIVATE_MEDIA_ROOT / rendered]

    def test_with_jobs_is_refused(self):
        error, _, _ = generate_failing("--async", "--jobs", 2)

        assert "--async и --jobs" in error
