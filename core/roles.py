"""The roles a user holds on one item — a project or a methodic (spec 000 user_role): one
vocabulary and one rank for both. Each app keeps its own membership table with a foreign
key to its item and asks these helpers what a role allows.

The stored values are the projects' of old ("admin", "moderator", "viewer"), so no row
changes; a role is None where the user holds none."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemRole(models.TextChoices):
    ADMIN = "admin", _("Администратор")
    MODERATOR = "moderator", _("Модератор")
    VIEWER = "viewer", _("Просмотр")


ADMIN, MODERATOR, VIEWER = ItemRole.ADMIN, ItemRole.MODERATOR, ItemRole.VIEWER
RANK = {VIEWER: 1, MODERATOR: 2, ADMIN: 3}


def role_at_least(role: str | None, needed: str) -> bool:
    """Whether `role` allows what `needed` does: administrator > moderator > viewer."""
    return role is not None and RANK[role] >= RANK[needed]


def roles_at_least(needed: str) -> list[str]:
    """The stored values of `needed` and the roles above it: for a query over memberships."""
    return [role for role, rank in RANK.items() if rank >= RANK[needed]]


def role_label(role: str | None) -> str:
    """The role's name for people («Модератор»); '' for none."""
    return ItemRole(role).label if role else ""


def may_read(role: str | None) -> bool:
    """Any role reads the item, unpublished too."""
    return role_at_least(role, VIEWER)


def may_edit(role: str | None) -> bool:
    """Moderators and administrators change the item's content."""
    return role_at_least(role, MODERATOR)


def may_administer(role: str | None) -> bool:
    """Administrators manage the roles, publish and delete the item."""
    return role_at_least(role, ADMIN)
