from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_attachments_keep_their_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='confirmed_email',
            field=models.EmailField(blank=True, help_text='Адрес, который владелец подтвердил по ссылке из письма или через Яндекс ID.', max_length=254, verbose_name='подтверждённая почта'),
        ),
        migrations.AddField(
            model_name='user',
            name='pending_email',
            field=models.EmailField(blank=True, help_text='Станет адресом учётной записи, когда владелец пройдёт по ссылке из письма.', max_length=254, verbose_name='новая почта, ждёт подтверждения'),
        ),
    ]
