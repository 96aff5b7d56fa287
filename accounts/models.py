from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class VolnaUserManager(UserManager):
    def get_by_email(self, email: str):
        """The account with this address, whatever the letter case (raises DoesNotExist)."""
        return self.get(email__iexact=email.strip())


class User(AbstractUser):
    """A person on the site. Roles are groups (see accounts.roles); the email is unique
    whatever its letter case, and empty only for a Yandex account that shared none."""

    email = models.EmailField(_("электронная почта"), blank=True)

    objects = VolnaUserManager()

    class Meta:
        db_table = "users"
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ("last_name", "first_name", "username")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="users_email_ci_unique",
                violation_error_message=_("Пользователь с такой электронной почтой уже зарегистрирован."),
            ),
        ]
        permissions = [("assign_roles", _("Может назначать роли пользователям"))]

    def __str__(self):
        return self.get_full_name() or self.email or self.username
