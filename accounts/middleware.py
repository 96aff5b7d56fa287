from django.urls import reverse
from social_core.exceptions import AuthAssociationError, AuthCanceled, AuthPolicyError
from social_django.middleware import SocialAuthExceptionMiddleware

from accounts.pipeline import YandexLinkRefused


class YandexLoginErrorMiddleware(SocialAuthExceptionMiddleware):
    """A failed Yandex ID login returns to the login page with a message in Russian
    (the stock middleware shows social-auth's English exception text); a failed linking
    or unlinking by a signed-in user returns to the profile."""

    def get_message(self, request, exception):
        if isinstance(exception, YandexLinkRefused):
            return str(exception)
        if isinstance(exception, AuthAssociationError) and exception.code == "identity_in_use":
            return "Этот Яндекс ID уже привязан к другой учётной записи на «Волне»."
        if isinstance(exception, AuthPolicyError) and exception.code == "disconnect_disallowed":
            return "Чтобы отвязать Яндекс ID, сначала задайте пароль: иначе в учётную запись будет не войти."
        if request.user.is_authenticated:
            if isinstance(exception, AuthCanceled):
                return "Привязка Яндекс ID отменена."
            return "Не удалось привязать Яндекс ID. Попробуйте ещё раз."
        if isinstance(exception, AuthCanceled):
            return "Вход через Яндекс ID отменён."
        return "Не удалось войти через Яндекс ID. Попробуйте ещё раз или войдите по электронной почте."

    def get_redirect_uri(self, request, exception):
        if request.user.is_authenticated:
            return reverse("accounts:profile")
        return super().get_redirect_uri(request, exception)
