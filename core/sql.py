"""Reading in SQL, for the few reads every request of a busy page makes (the session, the
signed-in user, the learner, a course's structure, a term's schedule): building their
queries through the ORM took longer than PostgreSQL took to answer them. Table and
column names come from the models; rows become instances as a queryset makes them."""

from collections.abc import Callable, Collection, Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(alias: str, model: type[Model], fields: Sequence[str]) -> str:
    """`alias.column, …` of the model's `fields` (attnames), quoted."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(model._meta.get_field(name).column)}" for name in fields)


def loaded_fields(model: type[Model], names: Collection[str] | None = None) -> tuple[str, ...]:
    """The fields (attnames) a query reads of a model, in the order in which loaded() takes
    their values: the primary key and `names`, or else every stored field but the
    generated ones (search vectors, which only the database reads)."""
    return tuple(
        each.attname
        for each in model._meta.concrete_fields
        if (each.primary_key or each.attname in names if names is not None else not each.generated)
    )


def loaded(model: type[Model], fields: Sequence[str], values: Sequence) -> Model:
    """An instance of the model as if a queryset had read `fields` (the others deferred),
    its values converted as a queryset converts them (a phone number, say)."""
    values = list(values)
    for index, convert in _converters(model, tuple(fields)):
        values[index] = convert(values[index], None, connection)
    return model.from_db(DEFAULT_DB_ALIAS, fields, values)


@cache
def _converters(model: type[Model], fields: tuple[str, ...]) -> tuple[tuple[int, Callable], ...]:
    """(index, from_db_value) of the fields that convert what the database gives."""
    found = ((index, model._meta.get_field(name)) for index, name in enumerate(fields))
    return tuple((index, field.from_db_value) for index, field in found if hasattr(field, "from_db_value"))


def rows(sql: str, params: Sequence | dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
