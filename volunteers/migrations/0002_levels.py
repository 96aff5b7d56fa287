"""The three levels of spec 001, present in every database (after a flush too: see
VolunteersConfig.ready)."""

from django.db import migrations

from volunteers.levels import ensure_levels


def create_levels(apps, schema_editor):
    ensure_levels(apps.get_model("volunteers", "Level"))


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
