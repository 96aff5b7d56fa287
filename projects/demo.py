"""Demo project: «Летняя школа юных исследователей» by the demo administrator, with the
demo teacher as its moderator and the demo volunteer as a viewer, two terms, a group of
ten schoolchildren (made-up names, birthdays, parents' phones and documents), two courses
of the first term and a month of lessons twice a week each, with methodics from the demo
library, tutors and attendance (a few absences; one student joins in the middle of the
month). Runs after accounts.demo and methodics.demo; if the project exists, nothing is
done."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction

from accounts.models import User
from methodics.models import Methodic
from projects.models import (
    DocumentType,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentGroup,
    Term,
)
from projects.selectors import lesson_roster
from projects.services import attendance_mark, course_save, lesson_save, member_set, membership_add, project_create

PROJECT_NAME = "Летняя школа юных исследователей"
ADMIN_EMAIL = "admin@volna.example"
TEACHER_EMAIL = "teacher@volna.example"
VIEWER_EMAIL = "volunteer@volna.example"

TERMS = (
    ("Осенний семестр 2026", date(2026, 9, 1), date(2026, 12, 25), "Занятия с понедельника по четверг после уроков."),
    ("Зимняя смена 2027", date(2027, 1, 4), date(2027, 1, 10), "Выездная смена в загородном лагере."),
)
DOCUMENT_TYPES = ("Свидетельство о рождении", "Паспорт", "Полис ОМС")

GROUP_NAME = "Исследователи, 5–8 классы"
GROUP_START = date(2026, 9, 1)
LATE_JOINED_ON = date(2026, 9, 15)


@dataclass(frozen=True)
class DemoStudent:
    last_name: str
    first_name: str
    middle_name: str
    birthday: date
    parent_phone: str
    documents: tuple[tuple[str, str], ...]
    joined_on: date = GROUP_START


DEMO_STUDENTS = (
    DemoStudent("Белов", "Матвей", "Андреевич", date(2013, 3, 14), "+79161234501",
                (("Свидетельство о рождении", "IV-МЮ 512304"), ("Полис ОМС", "7751234500012345"))),
    DemoStudent("Голубева", "Варвара", "Сергеевна", date(2012, 7, 2), "+79161234502",
                (("Свидетельство о рождении", "II-МЮ 418877"), ("Полис ОМС", "7751234500023456"))),
    DemoStudent("Зайцев", "Тимофей", "Игоревич", date(2011, 11, 23), "+79161234503",
                (("Паспорт", "4525 613420"), ("Полис ОМС", "7751234500034567"))),
    DemoStudent("Ильина", "Полина", "Максимовна", date(2014, 1, 9), "+79161234504",
                (("Свидетельство о рождении", "V-МЮ 220981"),)),
    DemoStudent("Карпов", "Егор", "Дмитриевич", date(2012, 5, 30), "+79161234505",
                (("Свидетельство о рождении", "III-МЮ 774512"), ("Полис ОМС", "7751234500045678"))),
    DemoStudent("Лаптева", "Алиса", "Романовна", date(2013, 9, 17), "+79161234506",
                (("Свидетельство о рождении", "IV-МЮ 309155"),)),
    DemoStudent("Медведев", "Арсений", "Павлович", date(2011, 4, 6), "+79161234507",
                (("Паспорт", "4525 701288"), ("Полис ОМС", "7751234500056789"))),
    DemoStudent("Никитина", "София", "Алексеевна", date(2014, 8, 21), "+79161234508",
                (("Свидетельство о рождении", "V-МЮ 118406"),)),
    DemoStudent("Орехов", "Лев", "Викторович", date(2012, 12, 12), "+79161234509",
                (("Свидетельство о рождении", "III-МЮ 660217"), ("Полис ОМС", "7751234500067890"))),
    DemoStudent("Соловьёва", "Мирослава", "Олеговна", date(2013, 6, 3), "+79161234510",
                (("Свидетельство о рождении", "IV-МЮ 845530"),), joined_on=LATE_JOINED_ON),
)  # fmt: skip


@dataclass(frozen=True)
class DemoCourse:
    name: str
    weekdays: tuple[int, ...]  # Monday is 0
    start_time: time
    finish_time: time
    methodics: tuple[str, ...]  # titles from methodics.demo, taken in turn when they exist
    address: str


DEMO_COURSES = (
    DemoCourse(
        "Юные экологи", (1, 3), time(15, 0), time(16, 30),
        ("Сортируем отходы правильно", "Экотропа в парке", "Снежный ком: знакомство по именам"),
        "Москва, ул. Лесная, 12, кабинет 204",
    ),
    DemoCourse(
        "Первая помощь для школьников", (0, 2), time(16, 0), time(17, 30),
        ("Первая помощь при кровотечении", "Сердечно-лёгочная реанимация: основы"),
        "Москва, ул. Лесная, 12, спортзал",
    ),
)  # fmt: skip
LESSONS_FROM, LESSONS_TO = date(2026, 9, 1), date(2026, 9, 30)


def seed() -> dict[str, int]:
    """Create the demo project with everything in it, unless it exists or the demo
    administrator is missing."""
    admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
    if admin is None or Project.objects.filter(name=PROJECT_NAME).exists():
        return {"проекты": 0, "учащиеся": 0, "занятия проектов": 0}
    return _create(admin)


@transaction.atomic
def _create(admin: User) -> dict[str, int]:
    project = project_create(
        author=admin,
        name=PROJECT_NAME,
        short_description="Кружки по экологии и первой помощи для школьников 5–8 классов.",
        description="<p>Бесплатные занятия волонтёров «Волны»: опыты, прогулки, практикумы.</p>",
        contacts="Андрей Морозов, +7 495 123-45-67, school@volna.example",
        address="Москва, ул. Лесная, 12",
    )
    teacher = User.objects.filter(email__iexact=TEACHER_EMAIL).first()
    viewer = User.objects.filter(email__iexact=VIEWER_EMAIL).first()
    if teacher is not None:
        member_set(project=project, user=teacher, role=ProjectMember.Role.MODERATOR)
    if viewer is not None:
        member_set(project=project, user=viewer, role=ProjectMember.Role.VIEWER)
    terms = [
        Term.objects.create(project=project, name=name, start_date=start, finish_date=finish, description=text)
        for name, start, finish, text in TERMS
    ]
    kinds = {name: DocumentType.objects.get_or_create(name=name)[0] for name in DOCUMENT_TYPES}

    group = StudentGroup.objects.create(project=project, name=GROUP_NAME)
    courses = [_course(demo, term=terms[0], group=group, teacher=teacher) for demo in DEMO_COURSES]
    for demo in DEMO_STUDENTS:
        student = Student.objects.create(
            project=project,
            last_name=demo.last_name,
            first_name=demo.first_name,
            middle_name=demo.middle_name,
            birthday=demo.birthday,
            phone=demo.parent_phone,
            note="Телефон одного из родителей.",
        )
        for kind, number in demo.documents:
            student.documents.create(document_type=kinds[kind], number=number)
        membership_add(group=group, student=student, joined_on=demo.joined_on)

    lessons = 0
    for index, (demo, course) in enumerate(zip(DEMO_COURSES, courses, strict=True)):
        lessons += _lessons(demo, course=course, teacher=teacher, offset=index)
    return {"проекты": 1, "учащиеся": len(DEMO_STUDENTS), "занятия проектов": lessons}


def _course(demo: DemoCourse, *, term: Term, group: StudentGroup, teacher: User | None) -> ProjectCourse:
    course = ProjectCourse(
        term=term,
        name=demo.name,
        start_date=term.start_date,
        finish_date=term.finish_date,
        address=demo.address,
        contacts="Андрей Морозов, +7 495 123-45-67",
    )
    course_save(course=course, groups=[group])
    if teacher is not None:
        course.tutors.set([teacher])
    return course


def _lessons(demo: DemoCourse, *, course: ProjectCourse, teacher: User | None, offset: int) -> int:
    """Lessons on the course's weekdays through the month, each with attendance: two or
    three students of the day's roster miss some of them, in a fixed pattern."""
    methodics = list(Methodic.objects.filter(title__in=demo.methodics))
    methodics.sort(key=lambda methodic: demo.methodics.index(methodic.title))
    day, number = LESSONS_FROM, 0
    while day <= LESSONS_TO:
        if day.weekday() in demo.weekdays:
            lesson = ProjectLesson(
                course=course,
                date=day,
                start_time=demo.start_time,
                finish_time=demo.finish_time,
                methodic=methodics[number % len(methodics)] if methodics else None,
                description=f"Занятие {number + 1}.",
            )
            lesson_save(lesson=lesson, tutors=[teacher] if teacher is not None else [])
            students = [student.pk for student in lesson_roster(lesson)]
            absent = [pk for position, pk in enumerate(students) if (position + number + offset) % 7 == 0]
            attendance_mark(lesson=lesson, absent_ids=absent)
            number += 1
        day += timedelta(days=1)
    return number
