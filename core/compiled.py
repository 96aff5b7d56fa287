"""Querysets that every request runs with other ids, built and compiled by the ORM once per
process and run again with the new ids in place of the first ones.

The ORM spends most of a small query's time in Python turning the queryset into SQL, and
that SQL is the same for every request but for its ids: the signed-in user with the facts
the header shows (accounts.selectors.signed_in_user) was 3,040 Python calls and 3.6 ms
each time, of which running the SQL 169 calls and 0.35 ms (in process, `timeit` 6–11 ms on
7 December 2026). Such reads are what the exam rush's every request repeats
(bench/exam_rush.py: 250 learners submit a quiz within a second; wave 2 took 10.9–16.4 s
against the target 5 s on that machine), so they go through here; a query built anew each
time stays the rule everywhere else (ARCHITECTURE.md, «reads»).

The SQL is the ORM's own: `CompiledQuery(build)` calls `build` twice, with two sets of
stand-in ids, compiles both querysets, and records where their parameters differ: there
the ids go. It fails at once — not with a wrong result later — when the two differ in
anything else, or an id does not come out as a parameter (the ORM folded it into the SQL,
or dropped it). Rows become model instances as the ORM's own iterator makes them
(Model.from_db, the fields' conversions from the database, the annotations as
attributes); related objects (select_related, prefetch_related) do not come along.

`CompiledInsert(Model)` does the same for `Model.objects.bulk_create(rows)` where a hot
path writes a handful of rows (a quiz's answers and the choices they picked): on
PostgreSQL the ORM inserts them with one INSERT … SELECT FROM UNNEST(one array a column),
whose SQL is the same whatever the number of rows, so it is compiled once; each call sends
the columns' values, each prepared for the database by its field, and sets the new ids on
the rows. Ten answers and their eight picked choices were 1,420 and 600 Python calls by
bulk_create, of which running the SQL about 80 each (in process, 7 December 2026).

`CompiledUpdate(build)` does the same for `queryset.update(**values)`: `build()` gives the
queryset and the values, in which `Arg(name)` stands for what each call gives by that name —
in the filter, as a value, or inside an expression (COALESCE(start_date, now)). A passed
course's two UPDATEs (the lesson's progress, the enrolment's outcome) were 723 and 334
Python calls through the ORM, of which running the SQL about 70 each: the rush's
submissions spent 12.5 % of the app servers' time in them (py-spy, 7 December 2026).

What each process keeps is derived from the code alone (the SQL of a queryset, of an
insert, of an update), never from data: every app server compiles the same.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db import connections, router
from django.db.models import Expression, Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery

# Two sets of stand-ins, within every integer field's range, positive small ones too (the
# ORM compiles a value out of its field's range into SQL that matches nothing): where the
# parameters of the two compilations differ, and only there, are the ids.
_STAND_INS = tuple(32_767 - number for number in range(8))
_OTHER_STAND_INS = tuple(32_759 - number for number in range(8))


@dataclass(frozen=True)
class _Compiled:
    model: type[Model]
    db: str
    sql: str
    params: tuple
    slots: list[tuple[int, int, type]]  # (parameter's index, id's index, its type)
    fields: slice  # of a row: the model's fields,
    field_names: list[str]  # by these attribute names;
    annotations: list[tuple[str, int]]  # then (attribute, column) of each annotation
    converters: list[tuple[int, list, object]]  # (column, conversions, expression)


class CompiledQuery:
    """`build(*ids)` → a queryset of model instances; calling this runs it for other ids and
    returns the list of them. `build` takes ids only (positional, no defaults); it runs
    at the first call only (twice: with each set of stand-ins)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build

    @cached_property
    def _compiled(self) -> _Compiled:
        arity = self._build.__code__.co_argcount
        queryset = self._build(*_STAND_INS[:arity])
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        other = self._build(*_OTHER_STAND_INS[:arity])
        other_sql, other_params = other.query.get_compiler(other.db).as_sql()
        refused = ValueError(f"Each id must be a parameter of the SQL, and only the ids: {sql}")
        if other_sql != sql or len(other_params) != len(params):
            raise refused
        # A parameter may come wrapped in the type it is sent as (psycopg's Int2 for a small
        # integer field, say): the ids given later are wrapped so too.
        slots = []
        for index, (value, other_value) in enumerate(zip(params, other_params, strict=True)):
            if value == other_value:
                continue
            argument = _STAND_INS.index(value) if value in _STAND_INS else None
            if argument is None or other_value != _OTHER_STAND_INS[argument]:
                raise refused
            slots.append((index, argument, type(value)))
        if sorted({argument for _, argument, _ in slots}) != list(range(arity)):
            raise refused
        klass_info = compiler.klass_info
        if klass_info.get("related_klass_infos") or queryset._prefetch_related_lookups:
            raise ValueError("Related objects do not come along with a compiled query.")
        positions = klass_info["select_fields"]
        fields = slice(positions[0], positions[-1] + 1)
        return _Compiled(
            model=klass_info["model"],
            db=queryset.db,
            sql=sql,
            params=params,
            slots=slots,
            fields=fields,
            field_names=[column.target.attname for column, _, _ in compiler.select[fields]],
            annotations=list(compiler.annotation_col_map.items()),
            converters=[
                (column, functions, expression)
                for column, (functions, expression) in compiler.get_converters(
                    [expression for expression, _, _ in compiler.select]
                ).items()
            ],
        )

    def __call__(self, *ids: int) -> list[Model]:
        compiled = self._compiled
        params = list(compiled.params)
        for index, argument, kind in compiled.slots:
            params[index] = kind(int(ids[argument]))
        connection = connections[compiled.db]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            if compiled.converters:
                row = list(row)
                for column, functions, expression in compiled.converters:
                    for function in functions:
                        row[column] = function(row[column], expression, connection)
            instance = compiled.model.from_db(compiled.db, compiled.field_names, row[compiled.fields])
            for attribute, column in compiled.annotations:
                setattr(instance, attribute, row[column])
            found.append(instance)
        return found


class CompiledInsert:
    """`Model.objects.bulk_create(rows)` for rows whose related objects are given as ids
    (`answer.attempt_id`, or a saved `answer.attempt`): no signals, as bulk_create sends
    none. Each field's `pre_save` and `get_db_prep_save` prepare its values, as the ORM
    does; the rows get their ids and leave the adding state. A value that is an
    expression (F(), a function) is refused: an array holds plain values only."""

    def __init__(self, model: type[Model]):
        self._model = model

    @cached_property
    def _compiled(self) -> tuple[str, str, list, list]:
        model = self._model
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.generated and field is not meta.auto_field]
        db = router.db_for_write(model)

        def sql(count: int) -> str:
            query = InsertQuery(model)
            query.insert_values(fields, [model() for _ in range(count)])
            compiler = query.get_compiler(using=db)
            compiler.returning_fields = meta.db_returning_fields
            [(text, _)] = compiler.as_sql()
            return text

        text = sql(2)
        if sql(3) != text:
            raise ValueError(f"{meta.label}: its bulk INSERT depends on the number of rows: {text}")
        return db, text, fields, meta.db_returning_fields

    def __call__(self, rows: list[Model]) -> list[Model]:
        if not rows:
            return rows
        db, sql, fields, returning = self._compiled
        connection = connections[db]
        columns = [[field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows] for field in fields]
        if any(hasattr(value, "resolve_expression") for column in columns for value in column):
            raise ValueError("A compiled insert takes plain values, not expressions.")
        with connection.cursor() as cursor:
            cursor.execute(sql, columns)
            returned = cursor.fetchall()
        for row, values in zip(rows, returned, strict=True):
            for field, value in zip(returning, values, strict=True):
                setattr(row, field.attname, value)
            row._state.adding, row._state.db = False, db
        return rows


class Arg(Expression):
    """A value a CompiledUpdate is given at each call, by `name`: the SQL's parameter."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


class CompiledUpdate:
    """`build()` → (queryset, values): `queryset.update(**values)`, compiled at the first call;
    calling this with every `Arg` by name runs it and returns the number of rows updated.
    An `Arg` that is a field's value is prepared by that field (get_db_prep_save), as the ORM
    does, wherever its name appears; one only in the filter or inside an expression goes as
    it is given (a plain id, an aware datetime). No signals, no auto_now: as `update()`."""

    def __init__(self, build: Callable[[], tuple[QuerySet, dict]]):
        self._build = build

    @cached_property
    def _compiled(self) -> tuple[str, str, tuple, list[tuple[int, str, object]], frozenset[str]]:
        queryset, values = self._build()
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        db = router.db_for_write(queryset.model)
        sql, params = query.get_compiler(db).as_sql()
        if query.related_updates:
            raise ValueError("An update of a parent model's fields is no single statement.")
        fields = {value.name: field for field, _, value in query.values if isinstance(value, Arg)}
        slots = [
            (index, param.name, fields.get(param.name)) for index, param in enumerate(params) if isinstance(param, Arg)
        ]
        return db, sql, params, slots, frozenset(name for _, name, _ in slots)

    def __call__(self, **values) -> int:
        db, sql, params, slots, names = self._compiled
        if set(values) != names:
            raise TypeError(f"Give exactly {sorted(names)}, not {sorted(values)}.")
        connection = connections[db]
        params = list(params)
        for index, name, field in slots:
            value = values[name]
            params[index] = value if field is None else field.get_db_prep_save(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
