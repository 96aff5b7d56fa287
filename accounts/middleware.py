from social_core.exceptions import AuthCanceled
from social_django.middleware import SocialAuthExceptionMiddleware


class YandexLoginErrorMiddleware(SocialAuthExceptionMiddleware):
    """A failed Yandex ID login returns to the login page with a message in Russian
    (the stock middleware shows social-auth's English exception text)."""

    def get_message(self, request, exception):
        if isinstance(exception, AuthCanceled):
            return "Вход через Яндекс ID отменён."
        return "Не удалось войти через Яндекс ID. Попробуйте ещё раз или войдите по электронной почте."
