import pytest

import accounts.demo
import methodics.demo
from projects import demo
from projects.models import (
    DocumentType,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentDocument,
    Term,
)
from projects.selectors import attendance_table

pytestmark = pytest.mark.django_db

MODELS = (
    Project,
    ProjectMember,
    Term,
    ProjectCourse,
    ProjectLesson,
    Student,
    StudentDocument,
    DocumentType,
    GroupMembership,
)


def snapshot() -> tuple:
    counts = tuple(model.objects.count() for model in MODELS)
    absences = tuple(ProjectLesson.absent_students.through.objects.order_by("pk").values_list("pk", flat=True))
    return counts, absences


def test_seed_creates_the_demo_project_once():
    accounts.demo.seed()
    methodics.demo.seed()

    counts = demo.seed()

    project = Project.objects.get(name="Летняя школа юных исследователей")
    assert project.author.email == "admin@volna.example"
    roles = dict(project.members.values_list("user__email", "role"))
    assert roles == {
        "admin@volna.example": "admin",
        "teacher@volna.example": "moderator",
        "volunteer@volna.example": "viewer",
    }
    assert list(project.terms.values_list("name", flat=True)) == ["Осенний семестр 2026", "Зимняя смена 2027"]
    assert set(DocumentType.objects.values_list("name", flat=True)) == {
        "Свидетельство о рождении",
        "Паспорт",
        "Полис ОМС",
    }
    students = Student.objects.filter(project=project)
    assert students.count() == 10
    assert all(2011 <= student.birthday.year <= 2014 and student.phone for student in students)
    assert all(student.documents.exists() for student in students)
    courses = ProjectCourse.objects.filter(term__project=project)
    assert courses.count() == 2
    lessons = ProjectLesson.objects.filter(course__term__project=project)
    assert counts == {"проекты": 1, "учащиеся": 10, "занятия проектов": lessons.count()}
    assert lessons.count() >= 16
    assert lessons.filter(methodic__isnull=False).count() == lessons.count()
    assert all(lesson.tutors.exists() for lesson in lessons)
    assert 0 < ProjectLesson.absent_students.through.objects.count() < lessons.count() * 3

    late = GroupMembership.objects.get(student__project=project, joined_on__gt="2026-09-01")
    for course in courses:
        _lessons, rows = attendance_table(course)
        row = next(row for row in rows if row.student == late.student)
        assert not all(cell.expected for cell in row.cells)
        assert row.attended + row.absences == sum(cell.expected for cell in row.cells)

    before = snapshot()
    assert demo.seed() == {"проекты": 0, "учащиеся": 0, "занятия проектов": 0}
    assert snapshot() == before


def test_seed_without_methodics_leaves_lessons_without_them():
    accounts.demo.seed()
    demo.seed()
    assert not ProjectLesson.objects.filter(methodic__isnull=False).exists()
    assert ProjectLesson.objects.exists()


def test_seed_without_the_demo_administrator_creates_nothing():
    assert demo.seed() == {"проекты": 0, "учащиеся": 0, "занятия проектов": 0}
    assert not Project.objects.exists()
