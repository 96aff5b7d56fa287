# The many-to-many fields named as spec 001 names them. Their tables are the through
# models' own, so nothing changes in the database.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0012_certificate_file_required"),
    ]

    operations = [
        migrations.RenameField(model_name="course", old_name="locations", new_name="location"),
        migrations.RenameField(model_name="course", old_name="chapters", new_name="contents"),
    ]
