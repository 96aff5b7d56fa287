# Roles on one methodic (spec 000 user_role, item type 1): administrator, moderator, viewer.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("methodics", "0006_newest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MethodicMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создано")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="обновлено")),
                (
                    "role",
                    models.CharField(
                        choices=[("admin", "Администратор"), ("moderator", "Модератор"), ("viewer", "Просмотр")],
                        max_length=10,
                        verbose_name="роль",
                    ),
                ),
                (
                    "methodic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="methodics.methodic",
                        verbose_name="методика",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="methodic_roles",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="пользователь",
                    ),
                ),
            ],
            options={
                "verbose_name": "участник методики",
                "verbose_name_plural": "участники методики",
                "db_table": "methodic_members",
                "ordering": ("methodic", "pk"),
                "constraints": [models.UniqueConstraint(fields=("methodic", "user"), name="methodic_members_unique")],
            },
        ),
    ]
