from datetime import date, time

import factory

from accounts.tests.factories import UserFactory
from projects.models import Project, ProjectCourse, ProjectLesson, ProjectMember, Student, StudentGroup, Term


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project whose author is its administrator (as `project_create` makes it)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Проект {n}")
    short_description = "Летняя школа для подростков."
    author = factory.SubFactory(UserFactory)
    contacts = "+7 900 000-00-00, school@volna.example"

    @factory.post_generation
    def author_is_admin(self, create, extracted, **kwargs):
        if create:
            ProjectMember.objects.get_or_create(project=self, user=self.author, defaults={"role": "admin"})


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Смена {n}")
    start_date = date(2026, 9, 1)
    finish_date = date(2026, 12, 31)


class StudentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentGroup

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Группа {n}")


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    project = factory.SubFactory(ProjectFactory)
    last_name = factory.Faker("last_name", locale="ru_RU")
    first_name = factory.Faker("first_name", locale="ru_RU")
    birthday = date(2012, 5, 17)
    phone = "+79161112233"
    email = factory.Sequence(lambda n: f"student{n}@example.ru")


class ProjectCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCourse

    term = factory.SubFactory(TermFactory)
    name = factory.Sequence(lambda n: f"Робототехника {n}")
    start_date = date(2026, 9, 1)
    finish_date = date(2026, 12, 31)


class ProjectLessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectLesson

    course = factory.SubFactory(ProjectCourseFactory)
    date = date(2026, 9, 7)
    start_time = time(15, 0)
    finish_time = time(16, 30)
