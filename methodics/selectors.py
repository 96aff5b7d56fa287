from django.contrib.auth.models import Permission
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value

from accounts.models import User
from core.cache import CachedValue
from core.roles import ADMIN, MODERATOR, may_administer, may_edit, may_read, roles_at_least
from methodics.models import Category, Methodic, MethodicMember

# --- Who may do what with a methodic -------------------------------------------------------
#
# A methodic's roles (core.roles): its author and the administrators it names manage it in
# full — read the draft, edit, publish and unpublish, give roles, delete; its moderators
# read the draft, edit it and hide comments under it; its viewers read (and export) the
# draft. Everyone reads it once published. Site moderators (methodics.moderate_methodic:
# administrators, the main administrator and chosen teachers) are administrators of every
# methodic.


def can_moderate(user: User) -> bool:
    return user.is_authenticated and user.has_perm("methodics.moderate_methodic")


NOT_READ = object()  # `methodic_role(member_role=…)`: the membership is not read yet


def with_member_role(queryset: QuerySet[Methodic], user: User) -> QuerySet[Methodic]:
    """`queryset` with `member_role`: the user's row role on each methodic (None without a
    row), read in the methodics' own query, so `methodic_role` asks nothing more."""
    if not user.is_authenticated:
        return queryset.annotate(member_role=Value(None, output_field=CharField()))
    roles = MethodicMember.objects.filter(methodic=OuterRef("pk"), user=user).values("role")[:1]
    return queryset.annotate(member_role=Subquery(roles))


def methodic_role(user: User, methodic: Methodic, member_role=NOT_READ) -> str | None:
    """The user's role on the methodic: «admin» for its author and site moderators, else
    their row's role (None: none). The row comes from `member_role`, the methodic's
    `member_role` annotation (with_member_role) or one query, remembered on the methodic for
    the rest of the request. The author and the row come first: their permissions are then
    not loaded."""
    if not user.is_authenticated:
        return None
    if methodic.author_id == user.pk:
        return ADMIN
    if member_role is NOT_READ:
        member_role = _member_role(user, methodic)
    if member_role != ADMIN and can_moderate(user):
        return ADMIN
    return member_role


def _member_role(user: User, methodic: Methodic) -> str | None:
    if "member_role" in methodic.__dict__:
        return methodic.member_role
    known = methodic.__dict__.setdefault("_member_roles", {})
    if user.pk not in known:
        known[user.pk] = (
            MethodicMember.objects.filter(methodic=methodic, user=user).values_list("role", flat=True).first()
        )
    return known[user.pk]


def can_read_draft(user: User, methodic: Methodic) -> bool:
    """Any role reads the methodic as a draft (and exports it)."""
    return may_read(methodic_role(user, methodic))


def can_edit(user: User, methodic: Methodic) -> bool:
    """Its moderators and administrators: fields, steps, media."""
    return may_edit(methodic_role(user, methodic))


def can_hide_comments(user: User, methodic: Methodic) -> bool:
    """Its moderators and administrators hide comments under it (and see the hidden ones)."""
    return may_edit(methodic_role(user, methodic))


def can_publish(user: User, methodic: Methodic) -> bool:
    """Its administrators publish it and take it back to draft."""
    return may_administer(methodic_role(user, methodic))


def can_manage_roles(user: User, methodic: Methodic) -> bool:
    """Its administrators give, change and take back roles on it («Доступ»)."""
    return may_administer(methodic_role(user, methodic))


def can_delete(user: User, methodic: Methodic) -> bool:
    return may_administer(methodic_role(user, methodic))


def methodics_with_role(user: User, needed: str) -> QuerySet[Methodic]:
    """The methodics on which the user holds `needed` or more (every one for site moderators)."""
    if can_moderate(user):
        return Methodic.objects.all()
    if not user.is_authenticated:
        return Methodic.objects.none()
    rows = MethodicMember.objects.filter(methodic=OuterRef("pk"), user=user, role__in=roles_at_least(needed))
    return Methodic.objects.filter(Q(author=user) | Exists(rows))


def methodics_editable_by(user: User) -> QuerySet[Methodic]:
    return methodics_with_role(user, MODERATOR)


def methodics_administered_by(user: User) -> QuerySet[Methodic]:
    return methodics_with_role(user, ADMIN)


def can_mark_useful(user: User, methodic: Methodic) -> bool:
    """Signed-in readers of a published methodic mark it «Пригодилось», its author excepted
    (nobody earns karma from their own content)."""
    return user.is_authenticated and methodic.status == Methodic.Status.PUBLISHED and methodic.author_id != user.pk


def published_methodics() -> QuerySet[Methodic]:
    return Methodic.objects.filter(status=Methodic.Status.PUBLISHED)


def methodics_visible_to(user: User) -> QuerySet[Methodic]:
    """Published methodics, plus the drafts the user holds a role on — their own, those
    shared with them — and every draft for site moderators. One query (the rows are an
    EXISTS in it), whatever the list's length."""
    if can_moderate(user):
        return Methodic.objects.all()
    if user.is_authenticated:
        shared = MethodicMember.objects.filter(methodic=OuterRef("pk"), user=user)
        return Methodic.objects.filter(Q(status=Methodic.Status.PUBLISHED) | Q(author=user) | Exists(shared))
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
