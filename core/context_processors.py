from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "yandex_login_enabled": bool(settings.SOCIAL_AUTH_YANDEX_OAUTH2_KEY),
    }
