"""Messages are emailed once, by a task that stamps `emailed_at`. The messages that exist
already were emailed when they were sent (in the request, before tasks): they are stamped
with that moment, so the periodic resend of unsent email does not send them again."""

from django.db import migrations, models
from django.db.models import F


def stamp_existing_messages(apps, schema_editor):
    Message = apps.get_model("accounts", "Message")
    Message.objects.filter(emailed_at__isnull=True).update(emailed_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_upload_checks'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='emailed_at',
            field=models.DateTimeField(blank=True, help_text='Когда копия ушла на почту получателя; пусто — ещё не ушла (или у получателя нет адреса).', null=True, verbose_name='отправлено письмом'),
        ),
        migrations.RunPython(stamp_existing_messages, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('emailed_at__isnull', True)), fields=['created_at'], name='messages_unemailed'),
        ),
    ]
