"""Steps of the social-auth pipeline (settings.SOCIAL_AUTH_PIPELINE) that are ours."""

from accounts.services import user_register


def create_user(backend, details, user=None, *args, **kwargs):
    """A first Yandex login with an address no account has: a new learner, names and
    email from Yandex, username from the Yandex login, no usable password."""
    if user is not None:
        return {"is_new": False}
    user = user_register(
        email=details.get("email") or "",
        first_name=details.get("first_name") or "",
        last_name=details.get("last_name") or "",
        username=details.get("username") or "",
        password=None,
    )
    return {"is_new": True, "user": user}
