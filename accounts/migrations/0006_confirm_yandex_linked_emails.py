"""Accounts linked to Yandex ID before email confirmation existed have the address Yandex
gave (or one its owner proved by signing in with Yandex): it counts as confirmed. Every
other existing address stays unconfirmed; its owner asks for a link from the profile."""

from django.db import migrations
from django.db.models import F


def confirm_yandex_linked_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    UserSocialAuth = apps.get_model("social_django", "UserSocialAuth")
    linked = UserSocialAuth.objects.values("user_id")
    User.objects.filter(pk__in=linked).exclude(email="").update(confirmed_email=F("email"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_email_confirmation"),
        ("social_django", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(confirm_yandex_linked_emails, migrations.RunPython.noop),
    ]
