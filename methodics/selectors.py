from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from accounts.models import User
from methodics.models import Category, Methodic


def can_moderate(user: User) -> bool:
    return user.is_authenticated and user.has_perm("methodics.moderate_methodic")


def can_edit(user: User, methodic: Methodic) -> bool:
    """Authors edit their own methodics; moderators edit every one."""
    return user.is_authenticated and (methodic.author_id == user.pk or can_moderate(user))


def published_methodics() -> QuerySet[Methodic]:
    return Methodic.objects.filter(status=Methodic.Status.PUBLISHED)


def methodics_visible_to(user: User) -> QuerySet[Methodic]:
    """Published methodics, plus the user's own drafts (and every draft for moderators)."""
    if can_moderate(user):
        return Methodic.objects.all()
    if user.is_authenticated:
        return Methodic.objects.filter(Q(status=Methodic.Status.PUBLISHED) | Q(author=user))
    return published_methodics()


def category_and_descendants(category: Category) -> list[int]:
    """The category's id and those of all categories below it (one query: the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, queue = [], [category.pk]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def category_path(category: Category | None) -> list[Category]:
    """The breadcrumbs from the root to the category."""
    path = []
    while category is not None:
        path.append(category)
        category = category.parent
    return path[::-1]


def moderators() -> QuerySet[User]:
    """Holders of methodics.moderate_methodic, through a role or given by hand."""
    permission = Permission.objects.filter(content_type__app_label="methodics", codename="moderate_methodic").first()
    holders = Q(is_superuser=True)
    if permission is not None:  # absent only before the first migrate has finished
        holders |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return User.objects.filter(holders, is_active=True).distinct().order_by("last_name", "first_name")
