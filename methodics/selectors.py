from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from accounts.models import User
from core.cache import CachedValue
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


def category_rows() -> list[tuple[int, str, int | None]]:
    """(pk, name, parent_id) of every category, by name."""
    return list(Category.objects.order_by("name", "pk").values_list("pk", "name", "parent_id"))


# The category tree (a few dozen rows): read by the library's filters and every methodic's
# breadcrumbs, changed by hand in the admin.
CATEGORY_TREE = CachedValue("methodics:category-tree", category_rows, areas=("methodics",))


def category_children() -> dict[int | None, list[tuple[int, str]]]:
    """(pk, name) of each category's children by name, under their parent's pk (None: the roots)."""
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, name, parent_id in CATEGORY_TREE.get():
        children.setdefault(parent_id, []).append((pk, name))
    return children


def category_and_descendants(category: Category) -> list[int]:
    """The category's id and those of all categories below it."""
    children = category_children()
    found, queue = [], [category.pk]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(pk for pk, _name in children.get(current, []))
    return found


def category_path(category: Category | None) -> list[Category]:
    """The breadcrumbs from the root to the category (categories with pk, name and parent_id)."""
    rows = {pk: (name, parent_id) for pk, name, parent_id in CATEGORY_TREE.get()}
    path, current = [], category.pk if category is not None else None
    while current in rows and len(path) <= len(rows):
        name, parent_id = rows[current]
        path.append(Category(pk=current, name=name, parent_id=parent_id))
        current = parent_id
    return path[::-1]


def moderators() -> QuerySet[User]:
    """Holders of methodics.moderate_methodic, through a role or given by hand."""
    permission = Permission.objects.filter(content_type__app_label="methodics", codename="moderate_methodic").first()
    holders = Q(is_superuser=True)
    if permission is not None:  # absent only before the first migrate has finished
        holders |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return User.objects.filter(holders, is_active=True).distinct().order_by("last_name", "first_name")
