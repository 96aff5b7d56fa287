"""Who may call an API endpoint, by the site's roles (accounts.roles): the permissions
each role's group holds, asked as the site's pages ask them (`permission_required`), so an
endpoint and its page always agree. Every API view names its `permission_classes`: the
default (IsAuthenticated) is only a safety net."""

from rest_framework.permissions import BasePermission


def holds(permission: str) -> type[BasePermission]:
    """A permission class admitting signed-in users who hold `permission` ("app.codename")
    through their role or by hand, as the page guarded by the same permission does."""

    class HoldsPermission(BasePermission):
        message = "Недостаточно прав."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(permission))

    HoldsPermission.__name__ = HoldsPermission.__qualname__ = f"Holds[{permission}]"
    return HoldsPermission
