# The projects' roles take the one vocabulary of item roles (core.roles.ItemRole): the stored
# values stay, the administrator's label loses «проекта».

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_neutral_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="projectmember",
            name="role",
            field=models.CharField(
                choices=[("admin", "Администратор"), ("moderator", "Модератор"), ("viewer", "Просмотр")],
                max_length=10,
                verbose_name="роль",
            ),
        ),
    ]
