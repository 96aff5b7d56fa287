from django.utils.functional import SimpleLazyObject

from accounts.selectors import unread_message_count


def unread_messages(request):
    """`unread_message_count` for the navigation of a signed-in user: counted when the
    user was loaded (accounts.selectors.signed_in_user), else — a user loaded another way —
    counted (one query) only when a template shows it. Anonymous visitors get no variable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if hasattr(user, "unread_message_count"):
        return {"unread_message_count": user.unread_message_count}
    return {"unread_message_count": SimpleLazyObject(lambda: unread_message_count(user))}
