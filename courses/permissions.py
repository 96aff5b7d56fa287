"""Who may edit which courses (spec 001): an administrator lets a teacher edit the courses
of every direction, or of their own directions only (`TeacherScope`). Administrators and
main administrators are never restricted; a teacher without a `TeacherScope` row edits
every direction.

Chapters and lessons may be shared by several courses, so a restricted teacher edits one
only when every course that contains it is of their directions: otherwise editing a
shared lesson would change another direction's course.
"""

from django.db.models import Q

from courses.models import Chapter, Course, Lesson, TeacherScope

# Administrators are told from teachers by the permission to set teachers' restrictions,
# which the administrators' roles hold and the teachers' do not (accounts.roles): asked
# through the permission cache that every admin page fills anyway, so it costs no query.
ADMINISTRATOR_PERMISSION = "courses.change_teacherscope"

# Computed once per user object, i.e. once per request: the admin asks many times.
_SCOPE_CACHE = "_courses_direction_scope"


def is_administrator(user) -> bool:
    """A main administrator, an administrator, or a superuser."""
    return user.has_perm(ADMINISTRATOR_PERMISSION)


def editable_direction_ids(user) -> frozenset[int] | None:
    """The ids of the directions whose courses the user may edit; None means every direction."""
    if not hasattr(user, _SCOPE_CACHE):
        scope = None
        if not is_administrator(user):
            restriction = TeacherScope.objects.filter(teacher=user, all_directions=False).first()
            if restriction is not None:
                scope = frozenset(restriction.directions.values_list("pk", flat=True))
        setattr(user, _SCOPE_CACHE, scope)
    return getattr(user, _SCOPE_CACHE)


def teacher_may_edit_course(user, course: Course) -> bool:
    """Whether the user's direction scope admits this course (model permissions aside)."""
    scope = editable_direction_ids(user)
    return scope is None or course.direction_id in scope


def teacher_may_edit_chapter(user, chapter: Chapter) -> bool:
    scope = editable_direction_ids(user)
    return scope is None or not Course.objects.filter(contents=chapter).exclude(direction_id__in=scope).exists()


def teacher_may_edit_lesson(user, lesson: Lesson) -> bool:
    scope = editable_direction_ids(user)
    return scope is None or not Course.objects.filter(contents__lessons=lesson).exclude(direction_id__in=scope).exists()


def courses_taught_by(user, *, through: str = "") -> Q:
    """The courses whose teacher `user` is, as a filter on Course (`through="course__"` from a
    model that points to one): its author (`user_created`) and its руководитель курса
    (`responsible`, who issues its certificates). Not whoever saved it last (`user_modified`):
    toggling a course's publication makes nobody its teacher."""
    return Q(**{f"{through}user_created": user}) | Q(**{f"{through}responsible": user})


def editable_courses(user, courses):
    """The courses of a queryset that the user's direction scope admits."""
    scope = editable_direction_ids(user)
    return courses if scope is None else courses.filter(direction_id__in=scope)
