"""The site-wide roles of spec 001: Django groups and the permissions each holds.

Groups are created by a data migration; their permissions are (re)granted after every
migrate, because the permissions of a model exist only once its app has migrated.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MAIN_ADMIN = "Главный администратор"
ADMIN = "Администратор"
TEACHER = "Преподаватель"
VOLUNTEER = "Волонтёр"

ROLES = (MAIN_ADMIN, ADMIN, TEACHER, VOLUNTEER)
STAFF_ROLES = frozenset({MAIN_ADMIN, ADMIN, TEACHER})

# Content that administrators manage in full and teachers author (add, change, view).
AUTHORED_APPS = ("courses", "methodics", "problems")
# Projects hold students' personal data: administrators see every project; a teacher may
# create one and otherwise sees only the projects they are a member of (projects.selectors).
ADMIN_APPS = ("accounts", "volunteers", *AUTHORED_APPS, "projects")
TEACHER_PROJECT_PERMISSIONS = ("add_project",)

# Login lock-outs (django-axes): administrators see them and lift them by deleting the rows.
ADMIN_EXTRA_PERMISSIONS = ("axes.view_accessattempt", "axes.delete_accessattempt")

# The record of who was shown a student's document number in full (projects.DocumentView):
# the main administrator's to read; its admin lets nobody add, change or delete a row. Every
# one of its permissions, as the admin's view permission follows change_ as well as view_.
DOCUMENT_VIEWS_AUDIT = tuple(f"projects.{action}_documentview" for action in ("view", "add", "change", "delete"))

# Held by the main administrator alone: "все права + может удалять курсы" (spec 001),
# assigning roles, deleting user accounts, and the audit of document views.
MAIN_ADMIN_ONLY = ("courses.delete_course", "accounts.assign_roles", "accounts.delete_user", *DOCUMENT_VIEWS_AUDIT)

# Teachers author content but do not set their own restrictions (courses.TeacherScope)
# nor edit learners' records, which they only see (spec 001: «видит, кто проходит курс»).
TEACHER_HIDDEN_MODELS = ("teacherscope",)
TEACHER_VIEW_ONLY_MODELS = ("volunteercourse", "volunteerlesson", "certificate")
# Parts of a course a teacher may remove while editing it.
TEACHER_DELETABLE_MODELS = (
    "courselocation",
    "courseskill",
    "coursefaq",
    "coursechapter",
    "chapterlesson",
    "videolesson",
    "webinar",
    "question",
    "choice",
)


def _codenames(qualified: tuple[str, ...]) -> Q:
    query = Q(pk__in=[])
    for name in qualified:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def role_permissions(role: str):
    """The permissions a role holds, as a queryset."""
    permissions = Permission.objects.all()
    if role == MAIN_ADMIN:
        return permissions
    if role == ADMIN:
        administered = Q(content_type__app_label__in=ADMIN_APPS) | _codenames(ADMIN_EXTRA_PERMISSIONS)
        return permissions.filter(administered).exclude(_codenames(MAIN_ADMIN_ONLY))
    if role == TEACHER:
        content = Q(content_type__app_label__in=AUTHORED_APPS)
        authoring = content & (
            Q(codename__startswith="add_") | Q(codename__startswith="change_") | Q(codename__startswith="view_")
        )
        removing = Q(content_type__app_label="courses", content_type__model__in=TEACHER_DELETABLE_MODELS) & Q(
            codename__startswith="delete_"
        )
        view_only = Q(content_type__app_label="courses", content_type__model__in=TEACHER_VIEW_ONLY_MODELS) & ~Q(
            codename__startswith="view_"
        )
        hidden = Q(content_type__app_label="courses", content_type__model__in=TEACHER_HIDDEN_MODELS)
        projects = Q(content_type__app_label="projects", codename__in=TEACHER_PROJECT_PERMISSIONS)
        return permissions.filter(
            authoring | removing | projects | Q(content_type__app_label="volunteers", codename__startswith="view_")
        ).exclude(view_only | hidden)
    return permissions.none()


def sync_role_permissions(sender, **kwargs):
    """post_migrate: give each role exactly its permissions, once all apps have migrated."""
    last_app_with_models = [config for config in global_apps.get_app_configs() if config.models_module][-1]
    if sender.label != last_app_with_models.label:
        return
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
