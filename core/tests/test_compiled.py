"""core.compiled: a queryset compiled once gives, for other ids, what the ORM gives; an insert
compiled once writes what bulk_create writes; an update compiled once changes what
`update()` changes."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Coalesce, Upper
from django.test.utils import isolate_apps
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.compiled import Arg, CompiledInsert, CompiledQuery, CompiledUpdate

pytestmark = pytest.mark.django_db

User = get_user_model()


def _user(username: str, *groups: Group):
    user = User.objects.create_user(username=username, email=f"{username}@volna.example", karma=3)
    user.groups.set(groups)
    return user


def test_other_ids_find_what_the_orm_finds_and_the_sql_is_compiled_once(django_assert_num_queries):
    teachers, editors = Group.objects.create(name="t"), Group.objects.create(name="e")
    anna, boris = _user("anna", teachers, editors), _user("boris", teachers)
    builds = []

    def build(user_id):
        builds.append(user_id)
        return User.objects.filter(pk=user_id, is_active=True).annotate(group_count=Count("groups")).order_by()

    compiled = CompiledQuery(build)
    for user in (anna, boris, anna):
        with django_assert_num_queries(1):
            [found] = compiled(user.pk)
        [expected] = build(user.pk)
        assert (found.pk, found.username, found.email, found.karma) == (user.pk, user.username, user.email, 3)
        assert found.group_count == expected.group_count == user.groups.count()
        assert not found._state.adding and found._state.db == "default"
    assert len(builds) == 2 + 3  # compiled at the first call (twice); three by the test, to compare

    boris.is_active = False
    boris.save()
    assert compiled(boris.pk) == []
    assert compiled(10**9) == []


def test_small_integer_ids_and_several_of_them():
    user, other = _user("anna"), _user("boris")
    kind = ContentType.objects.get_for_model(User)
    for who, flag in ((user, ADDITION), (user, CHANGE), (other, ADDITION)):
        LogEntry.objects.create(user=who, content_type=kind, object_id=str(who.pk), object_repr="x", action_flag=flag)
    entries = CompiledQuery(
        lambda user_id, flag: LogEntry.objects.filter(user_id=user_id, action_flag=flag).order_by("pk")
    )

    assert [(entry.user_id, entry.action_flag) for entry in entries(user.pk, CHANGE)] == [(user.pk, CHANGE)]
    assert [(entry.user_id, entry.action_flag) for entry in entries(other.pk, ADDITION)] == [(other.pk, ADDITION)]
    assert entries(other.pk, CHANGE) == []


def test_annotations_are_converted_as_the_orm_converts_them():
    user = _user("anna")
    scored = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id).annotate(
            score=ExpressionWrapper(F("karma") + Value(1), output_field=FloatField())
        )
    )

    [found] = scored(user.pk)

    assert found.score == 4.0 and isinstance(found.score, float)


def test_fields_left_out_are_read_when_asked_for(django_assert_num_queries):
    user = _user("anna")
    names = CompiledQuery(lambda user_id: User.objects.filter(pk=user_id).only("username"))

    [found] = names(user.pk)

    with django_assert_num_queries(0):
        assert found.username == "anna"
    with django_assert_num_queries(1):
        assert found.email == "anna@volna.example"


def test_an_id_that_is_no_parameter_of_the_sql_fails_at_once():
    everybody = CompiledQuery(lambda user_id: User.objects.all())

    with pytest.raises(ValueError, match="Each id must be a parameter"):
        everybody(1)


def test_a_parameter_that_is_no_id_but_depends_on_it_fails_at_once():
    around = CompiledQuery(lambda user_id: User.objects.filter(pk__in=[user_id, user_id + 1]))

    with pytest.raises(ValueError, match="only the ids"):
        around(1)


def test_related_objects_are_refused_rather_than_left_out():
    with_groups = CompiledQuery(lambda entry_id: LogEntry.objects.filter(pk=entry_id).select_related("user"))

    with pytest.raises(ValueError, match="Related objects"):
        with_groups(1)


def _entry_rows(entries):
    return [
        (entry.user_id, entry.content_type_id, entry.object_id, entry.object_repr, entry.action_flag, entry.action_time)
        for entry in entries
    ]


def test_an_insert_writes_what_bulk_create_writes_and_is_compiled_once(django_assert_num_queries):
    user, other = _user("anna"), _user("boris")
    kind = ContentType.objects.get_for_model(User)
    insert = CompiledInsert(LogEntry)

    def entries(*users):
        return [
            LogEntry(user=who, content_type=kind, object_id=str(who.pk), object_repr="x", action_flag=ADDITION)
            for who in users
        ]

    for rows in (entries(user, other, user), entries(other)):
        with django_assert_num_queries(1):
            written = insert(rows)
        assert written is rows
        assert all(row.pk and not row._state.adding and row._state.db == "default" for row in rows)
        assert _entry_rows(LogEntry.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk")) == _entry_rows(rows)
    # The defaults are the fields' own, as in bulk_create: the time of each entry is set.
    assert LogEntry.objects.filter(action_time__isnull=True).count() == 0
    with django_assert_num_queries(0):
        assert insert([]) == []


def test_an_insert_of_the_rows_of_a_many_to_many_table():
    teachers, editors = Group.objects.create(name="t"), Group.objects.create(name="e")
    user = _user("anna")
    membership = User.groups.through

    CompiledInsert(membership)([membership(user_id=user.pk, group_id=group.pk) for group in (teachers, editors)])

    assert set(user.groups.values_list("name", flat=True)) == {"t", "e"}


def test_an_insert_refuses_an_expression_and_writes_nothing():
    with pytest.raises(ValueError, match="plain values"):
        CompiledInsert(Group)([Group(name="a"), Group(name=Upper(Value("b")))])

    assert not Group.objects.filter(name__in=["a", "B"]).exists()


@isolate_apps("core")
def test_an_insert_whose_sql_depends_on_the_number_of_rows_fails_at_once():
    class Tagged(models.Model):  # arrays go into no UNNEST: the ORM writes VALUES per row
        tags = ArrayField(models.CharField(max_length=10))

        def __str__(self):
            return ", ".join(self.tags)

    with pytest.raises(ValueError, match="depends on the number of rows"):
        CompiledInsert(Tagged)([Tagged(tags=["a"])])


def test_an_update_changes_the_rows_update_would_and_is_compiled_once(django_assert_num_queries):
    anna, boris = _user("anna"), _user("boris")
    kind = ContentType.objects.get_for_model(User)
    for who, object_id in ((anna, None), (anna, "7"), (boris, None)):
        LogEntry.objects.create(user=who, content_type=kind, object_id=object_id, object_repr="x", action_flag=ADDITION)
    update = CompiledUpdate(
        lambda: (
            LogEntry.objects.filter(user_id=Arg("user"), action_flag=ADDITION),
            {"action_flag": CHANGE, "object_repr": Arg("shown"), "object_id": Coalesce("object_id", Arg("shown"))},
        )
    )

    with django_assert_num_queries(1):
        assert update(user=anna.pk, shown="anna's") == 2
    with django_assert_num_queries(1):
        assert update(user=anna.pk, shown="again") == 0  # none of hers is an addition now
    entries = LogEntry.objects.order_by("pk").values_list("user_id", "action_flag", "object_repr", "object_id")
    assert list(entries) == [
        (anna.pk, CHANGE, "anna's", "anna's"),
        (anna.pk, CHANGE, "anna's", "7"),  # COALESCE kept the id it had
        (boris.pk, ADDITION, "x", None),
    ]


def test_an_updates_value_is_prepared_by_its_field():
    group = Group.objects.create(name="t")
    rename = CompiledUpdate(lambda: (Group.objects.filter(pk=Arg("group")), {"name": Arg("name")}))

    rename(group=group.pk, name=gettext_lazy("Учителя"))  # a lazy text psycopg cannot send as it is

    group.refresh_from_db()
    assert group.name == "Учителя"


def test_an_update_given_other_values_than_its_args_refuses_and_writes_nothing():
    user = _user("anna")
    stamp = CompiledUpdate(lambda: (User.objects.filter(pk=Arg("user")), {"last_login": Arg("now")}))

    for wrong in ({"user": user.pk}, {"user": user.pk, "now": timezone.now(), "karma": 5}):
        with pytest.raises(TypeError, match="Give exactly"):
            stamp(**wrong)

    user.refresh_from_db()
    assert user.last_login is None
