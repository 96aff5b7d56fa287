import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_every_table_of_the_project_is_in_the_content_schema():
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)} | {"django_migrations"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = ANY(%s)",
            [sorted(tables)],
        )
        found = cursor.fetchall()

    assert settings.DB_SCHEMA == "content"
    assert {name for _, name in found} == tables, "every model's table exists"
    assert {schema for schema, _ in found} == {"content"}


@pytest.mark.django_db
def test_the_public_schema_holds_no_table_of_ours():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_user_table_is_named_after_the_spec():
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'users'")
        assert cursor.fetchall() == [("content",)]
