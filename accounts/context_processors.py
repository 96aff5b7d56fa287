from django.utils.functional import SimpleLazyObject

from accounts.selectors import unread_message_count


def unread_messages(request):
    """`unread_message_count` for the navigation of a signed-in user. It is counted (one
    query) only when a template shows it, so pages without the navigation, such as the
    admin, pay nothing; anonymous visitors get no variable at all."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_message_count": SimpleLazyObject(lambda: unread_message_count(user))}
