from django.utils.functional import SimpleLazyObject

from accounts.selectors import header_facts

HEADER_FACTS = ("unread_message_count", "has_volunteer_profile")


def unread_messages(request):
    """What the navigation shows of a signed-in user (accounts.selectors.header_facts):
    `unread_message_count` and `has_volunteer_profile`. Found when the user was loaded
    (accounts.selectors.signed_in_user), else — a user loaded another way — both in one
    query, made only when a template shows either. Anonymous visitors get no variable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if all(hasattr(user, name) for name in HEADER_FACTS):
        return {name: getattr(user, name) for name in HEADER_FACTS}
    facts = SimpleLazyObject(lambda: header_facts(user))
    return {name: SimpleLazyObject(lambda name=name: facts[name]) for name in HEADER_FACTS}
