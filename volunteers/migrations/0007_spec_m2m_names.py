# The many-to-many fields named as spec 001 names them: `level`, and `courses` through the
# enrolments (courses.VolunteerCourse). Their tables are the through models' own, so
# nothing changes in the database.
import django.db.models
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),  # courses.VolunteerCourse
        ("volunteers", "0006_neutral_labels"),
    ]

    operations = [
        migrations.RenameField(model_name="volunteer", old_name="levels", new_name="level"),
        migrations.AddField(
            model_name="volunteer",
            name="courses",
            field=django.db.models.ManyToManyField(
                related_name="+", through="courses.VolunteerCourse", to="courses.course", verbose_name="курсы"
            ),
        ),
    ]
