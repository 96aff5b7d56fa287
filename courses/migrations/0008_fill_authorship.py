"""Fill the empty user_created / user_modified of courses, skills, FAQ, chapters, lessons,
video lessons and webinars, so that the next migration can make them required (spec 001).

Who is recorded:
- a course with no creator: its руководитель курса (`responsible`), else whoever last
  changed it, else the first main administrator;
- a chapter, lesson, FAQ, video or webinar: the creator of its course (the first course
  that holds it), else whoever last changed the row, else the first main administrator;
- a skill: whoever last changed it, else the first main administrator; so also a row
  of the others that belongs to no course and was never changed;
- an empty user_modified: the row's creator.
"The first main administrator" is the active member of the group «Главный администратор»
with the lowest id (any member if none is active), else the first superuser.
"""

from django.db import migrations
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

MAIN_ADMIN_GROUP = "Главный администратор"
AUTHORED = ("Course", "Skill", "FAQ", "Chapter", "Lesson", "VideoLesson", "Webinar")


def first_main_admin_id(apps) -> int | None:
    User = apps.get_model("accounts", "User")
    for users in (User.objects.filter(groups__name=MAIN_ADMIN_GROUP), User.objects.filter(is_superuser=True)):
        pk = users.order_by("-is_active", "pk").values_list("pk", flat=True).first()
        if pk is not None:
            return pk
    return None


def fill_authorship(apps, schema_editor=None) -> None:
    model = {name: apps.get_model("courses", name) for name in AUTHORED}
    CourseChapter = apps.get_model("courses", "CourseChapter")
    CourseFAQ = apps.get_model("courses", "CourseFAQ")
    fallback = Value(first_main_admin_id(apps), output_field=BigIntegerField())

    def author(*candidates):
        return Coalesce(*candidates, fallback, output_field=BigIntegerField())

    def course_author(links, **match):
        return Subquery(links.filter(**match).order_by("course_id").values("course__user_created")[:1])

    # Courses first: the rows below take their course's creator.
    model["Course"].objects.filter(user_created__isnull=True).update(
        user_created=author(F("responsible"), F("user_modified"))
    )
    model["Skill"].objects.filter(user_created__isnull=True).update(user_created=author(F("user_modified")))
    model["FAQ"].objects.filter(user_created__isnull=True).update(
        user_created=author(course_author(CourseFAQ.objects, faq=OuterRef("pk")), F("user_modified"))
    )
    model["Chapter"].objects.filter(user_created__isnull=True).update(
        user_created=author(course_author(CourseChapter.objects, chapter=OuterRef("pk")), F("user_modified"))
    )
    model["Lesson"].objects.filter(user_created__isnull=True).update(
        user_created=author(
            course_author(CourseChapter.objects, chapter__chapter_lessons__lesson=OuterRef("pk")), F("user_modified")
        )
    )
    for name in ("VideoLesson", "Webinar"):
        model[name].objects.filter(user_created__isnull=True).update(
            user_created=author(
                course_author(CourseChapter.objects, chapter__chapter_lessons__lesson=OuterRef("lesson_id")),
                F("user_modified"),
            )
        )
    for each in model.values():
        each.objects.filter(user_modified__isnull=True).update(user_modified=F("user_created"))

    unfilled = [name for name, each in model.items() if each.objects.filter(user_created__isnull=True).exists()]
    if unfilled:
        raise RuntimeError(
            f"Rows of {', '.join(unfilled)} have no creator, and there is no main administrator or superuser "
            "to record instead: create one (manage.py createsuperuser), then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("courses", "0007_webinar_reminded_at"),
    ]

    operations = [migrations.RunPython(fill_authorship, migrations.RunPython.noop)]
