import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Message, User
from accounts.tests.factories import UserFactory
from core.testing import (
    action_data,
    action_names,
    assert_redirects_to_admin_login,
    change_form_data,
    message_texts,
)
from volunteers.models import Badge, Direction, LocationChange, Volunteer, VolunteerBadge, VolunteerLevel
from volunteers.services import badge_award
from volunteers.tests.factories import (
    BadgeFactory,
    DirectionFactory,
    LocationFactory,
    VolunteerFactory,
    VolunteerLevelFactory,
    level_of_rank,
)

pytestmark = pytest.mark.django_db

ADMIN_ROOT = "/admin/volunteers"
VOLUNTEERS = f"{ADMIN_ROOT}/volunteer/"
LEVELS = f"{ADMIN_ROOT}/volunteerlevel/"
PENDING_LEVELS = f"{ADMIN_ROOT}/pendinglevel/"


def change_url(obj):
    return f"{ADMIN_ROOT}/{obj._meta.model_name}/{obj.pk}/change/"


def bulk_volunteers(count: int, *, pending: bool = False, photos: bool = False) -> list[Volunteer]:
    """`count` volunteers holding Новичок (and asking for Бывалый when `pending`), made
    with bulk_create so that a list of hundreds is quick to build."""
    location = LocationFactory()
    users = User.objects.bulk_create(UserFactory.build_batch(count))
    volunteers = Volunteer.objects.bulk_create(
        [
            VolunteerFactory.build(
                user=user, location=location, photo=f"volunteers/photos/{user.username}.jpg" if photos else ""
            )
            for user in users
        ]
    )
    novice, experienced, now = level_of_rank(1), level_of_rank(2), timezone.now()
    records = [VolunteerLevel(volunteer=each, level=novice, confirmed=True, confirmed_at=now) for each in volunteers]
    if pending:
        records += [VolunteerLevel(volunteer=each, level=experienced) for each in volunteers]
    VolunteerLevel.objects.bulk_create(records)
    return volunteers


# --- Smoke: every page of every model ---------------------------------------------------

MODELS = [
    pytest.param(
        "location", lambda: LocationFactory(code=69, region="Тверская область"), "Тверская", True, id="location"
    ),
    pytest.param("direction", lambda: DirectionFactory(title="Экологическое"), "эколог", True, id="direction"),
    pytest.param("level", lambda: level_of_rank(2), "Бывалый", False, id="level"),
    pytest.param("badge", lambda: BadgeFactory(name="Первая смена"), "смена", True, id="badge"),
    pytest.param("volunteer", lambda: VolunteerFactory(user__last_name="Орлова"), "Орлова", True, id="volunteer"),
    pytest.param(
        "volunteerlevel",
        lambda: VolunteerLevelFactory(volunteer__user__email="orlova@volna.example"),
        "orlova@volna",
        False,
        id="volunteerlevel",
    ),
]


@pytest.mark.parametrize(("model_name", "make", "query", "can_add"), MODELS)
def test_main_admin_opens_every_page(as_main_admin, model_name, make, query, can_add):
    obj = make()
    changelist = f"{ADMIN_ROOT}/{model_name}/"

    assert as_main_admin.get(changelist).status_code == 200
    found = as_main_admin.get(changelist, {"q": query})
    assert found.status_code == 200
    assert obj in found.context["cl"].result_list
    assert as_main_admin.get(f"{changelist}add/").status_code == (200 if can_add else 403)
    assert as_main_admin.get(change_url(obj)).status_code == 200


@pytest.mark.parametrize(("query", "found"), [("69", True), ("70", False), ("Тверская", True), ("абв", False)])
def test_regions_are_found_by_exact_code_or_name(as_main_admin, query, found):
    region = LocationFactory(code=69, region="Тверская область")
    LocationFactory(code=690, region="Где-то ещё")

    response = as_main_admin.get(f"{ADMIN_ROOT}/location/", {"q": query})

    assert list(response.context["cl"].result_list) == ([region] if found else [])


def test_volunteers_are_found_by_phone_email_and_call_sign(as_main_admin):
    # A call sign no generated name holds (the others may be called Соколов).
    wanted = VolunteerFactory(phone_number="+79035550011", call_sign="Сокол-9", user__email="sokol@volna.example")
    VolunteerFactory.create_batch(2)

    for query in ("9035550011", "sokol@volna", "Сокол-9"):
        response = as_main_admin.get(VOLUNTEERS, {"q": query})
        assert list(response.context["cl"].result_list) == [wanted], query


def test_levels_are_fixed_even_for_the_main_administrator(as_main_admin):
    experienced = level_of_rank(2)

    assert as_main_admin.get(f"{ADMIN_ROOT}/level/add/").status_code == 403
    assert as_main_admin.post(f"{ADMIN_ROOT}/level/{experienced.pk}/delete/", {"post": "yes"}).status_code == 403
    response = as_main_admin.post(change_url(experienced), {"name": "Мастер", "rank": 7, "description": "Новое"})

    assert response.status_code == 302
    experienced.refresh_from_db()
    assert (experienced.name, experienced.rank, experienced.description) == ("Бывалый", 2, "Новое")


# --- The site's lists on public pages ------------------------------------------------------
#
# The course catalogue filters by directions and regions, and is kept for anonymous
# visitors (core.cache): each test reads it before the change, so that it is kept.

CATALOGUE = "/courses/"


def catalogue_for_visitors() -> str:
    response = Client().get(CATALOGUE)  # no cookies: an anonymous visitor
    assert response.status_code == 200
    return response.content.decode()


def test_directions_added_renamed_and_deleted_show_in_the_catalogue_filter_at_once(as_administrator):
    ecology = DirectionFactory(title="Экология")
    assert ">Экология</option>" in catalogue_for_visitors()

    add_url = f"{ADMIN_ROOT}/direction/add/"
    as_administrator.post(add_url, change_form_data(as_administrator, add_url, title="Спорт"))
    assert ">Спорт</option>" in catalogue_for_visitors()

    edit_url = change_url(ecology)
    as_administrator.post(edit_url, change_form_data(as_administrator, edit_url, title="Экология и природа"))
    assert ">Экология и природа</option>" in catalogue_for_visitors()

    as_administrator.post(f"{ADMIN_ROOT}/direction/{ecology.pk}/delete/", {"post": "yes"})
    assert not Direction.objects.filter(pk=ecology.pk).exists()
    assert ">Экология и природа</option>" not in catalogue_for_visitors()


def test_a_region_renamed_in_the_admin_shows_in_the_catalogue_filter_at_once(as_administrator):
    region = LocationFactory(region="г. Москва")
    assert ">г. Москва</option>" in catalogue_for_visitors()

    as_administrator.post(change_url(region), change_form_data(as_administrator, change_url(region), region="Москва"))

    page = catalogue_for_visitors()
    assert ">Москва</option>" in page
    assert ">г. Москва</option>" not in page


def test_a_level_record_is_shown_read_only(as_main_admin):
    record = VolunteerLevelFactory()

    response = as_main_admin.get(change_url(record))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert as_main_admin.post(f"{LEVELS}{record.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_index_links_to_the_pending_requests(as_administrator):
    page = as_administrator.get("/admin/").content.decode()

    assert f'href="{PENDING_LEVELS}"' in page
    assert "Ожидают подтверждения" in page


def test_the_pending_queue_lists_only_unconfirmed_requests(as_administrator):
    pending = VolunteerLevelFactory()
    confirmed = pending.volunteer.level_records.get(confirmed=True)

    listed = list(as_administrator.get(PENDING_LEVELS).context["cl"].result_list)

    assert listed == [pending]
    assert confirmed not in listed


# --- Who enters --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [VOLUNTEERS, PENDING_LEVELS, f"{ADMIN_ROOT}/badge/"])
def test_anonymous_is_sent_to_admin_login(client, url):
    assert_redirects_to_admin_login(client.get(url))


@pytest.mark.parametrize("url", [VOLUNTEERS, PENDING_LEVELS, f"{ADMIN_ROOT}/badge/"])
def test_volunteer_is_sent_to_admin_login(client, volunteer, url):
    client.force_login(volunteer)

    assert_redirects_to_admin_login(client.get(url))


def test_teacher_sees_volunteers_and_requests_without_actions(as_teacher):
    record = VolunteerLevelFactory()

    volunteers = as_teacher.get(VOLUNTEERS)
    requests = as_teacher.get(PENDING_LEVELS)

    assert volunteers.status_code == 200
    assert record.volunteer in volunteers.context["cl"].result_list
    assert action_names(volunteers) == set()
    assert requests.status_code == 200
    assert list(requests.context["cl"].result_list) == [record]
    assert action_names(requests) == set()
    assert as_teacher.get(change_url(record.volunteer)).status_code == 200


def test_teacher_cannot_confirm_or_award_by_a_forged_post(as_teacher):
    record = VolunteerLevelFactory()
    badge = BadgeFactory()

    forged = [
        as_teacher.post(LEVELS, action_data("confirm_levels", record)),
        as_teacher.post(LEVELS, action_data("reject_levels", record)),
        as_teacher.post(VOLUNTEERS, action_data("award_badge", record.volunteer, badge=badge.pk, apply="1")),
        # as the intermediate page posts it (without `index`)
        as_teacher.post(
            VOLUNTEERS,
            {"action": "award_badge", "_selected_action": [record.volunteer.pk], "badge": badge.pk, "apply": "1"},
        ),
    ]
    edit = as_teacher.post(change_url(record.volunteer), {"call_sign": "Взлом"})

    assert [response.status_code for response in forged] == [200] * 4, "the list again, nothing done"
    record.refresh_from_db()
    assert not record.confirmed
    assert record.who_confirmed is None
    assert not VolunteerBadge.objects.exists()
    assert not Message.objects.filter(recipient=record.volunteer.user).exists()
    assert edit.status_code == 403


# --- Confirming and refusing levels ---------------------------------------------------


def test_administrator_confirms_two_requests(as_administrator, administrator):
    first, second = VolunteerLevelFactory(), VolunteerLevelFactory()
    untouched = VolunteerLevelFactory()
    page = as_administrator.get(PENDING_LEVELS)
    assert {"confirm_levels", "reject_levels"} <= action_names(page)
    assert "delete_selected" not in action_names(page)

    response = as_administrator.post(PENDING_LEVELS, action_data("confirm_levels", first, second), follow=True)

    assert "Подтверждено заявок: 2." in message_texts(response)
    for record in (first, second):
        record.refresh_from_db()
        assert record.confirmed
        assert record.who_confirmed == administrator
        assert record.confirmed_at is not None
        assert record.volunteer.effective_level.name == "Бывалый"
        assert list(Message.objects.filter(recipient=record.volunteer.user).values_list("title", flat=True)) == [
            "Уровень «Бывалый» подтверждён"
        ]
    untouched.refresh_from_db()
    assert not untouched.confirmed
    assert list(response.context["cl"].result_list) == [untouched]


def test_confirming_an_already_confirmed_row_does_nothing(as_administrator):
    volunteer = VolunteerFactory()
    novice = volunteer.level_records.get()

    response = as_administrator.post(LEVELS, action_data("confirm_levels", novice), follow=True)

    assert message_texts(response) == ["Среди выбранных нет заявок, ожидающих подтверждения."]
    assert not Message.objects.exists()


def test_administrator_rejects_a_request(as_administrator):
    record = VolunteerLevelFactory()
    volunteer = record.volunteer

    response = as_administrator.post(PENDING_LEVELS, action_data("reject_levels", record), follow=True)

    assert "Отклонено заявок: 1." in message_texts(response)
    assert not VolunteerLevel.objects.filter(pk=record.pk).exists()
    assert volunteer.effective_level.name == "Новичок"
    assert list(Message.objects.filter(recipient=volunteer.user).values_list("title", flat=True)) == [
        "Заявка на уровень «Бывалый» отклонена"
    ]


# --- The volunteers list ----------------------------------------------------------------


def test_list_shows_avatar_level_and_request(as_main_admin):
    pictured = VolunteerFactory(user__first_name="Анна", user__last_name="Орлова")
    Volunteer.objects.filter(pk=pictured.pk).update(photo="volunteers/photos/anna.jpg")
    asking = VolunteerLevelFactory().volunteer

    response = as_main_admin.get(VOLUNTEERS)

    page = response.content.decode()
    assert f'<img src="/volunteers/{pictured.pk}/photo/avatar_small/" width="48"' in page  # a private photo's view
    assert "Анна Орлова" in page
    assert f'href="{LEVELS}?volunteer__id__exact={asking.pk}">Бывалый</a>' in page
    assert as_main_admin.get(LEVELS, {"volunteer__id__exact": asking.pk}).status_code == 200


def test_level_filter_uses_the_effective_level(as_main_admin):
    novice = VolunteerFactory()
    professional = VolunteerFactory()
    VolunteerLevel.objects.create(
        volunteer=professional, level=level_of_rank(3), confirmed=True, confirmed_at=timezone.now()
    )
    asking = VolunteerLevelFactory().volunteer

    def listed(**params):
        return set(as_main_admin.get(VOLUNTEERS, params).context["cl"].result_list)

    assert listed(level=level_of_rank(1).pk) == {novice, asking}
    assert listed(level=level_of_rank(2).pk) == set()
    assert listed(level=level_of_rank(3).pk) == {professional}
    assert listed(pending="yes") == {asking}
    assert listed(pending="no") == {novice, professional}


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 20, "abc", "0"])
@pytest.mark.parametrize("name", ["level", "pending"])
def test_a_filter_value_that_is_not_a_choice_reloads_the_list_without_filters(as_main_admin, name, value):
    VolunteerFactory()

    response = as_main_admin.get(VOLUNTEERS, {name: value})

    assert response.status_code == 302
    assert response.url == f"{VOLUNTEERS}?e=1"
    assert as_main_admin.get(response.url).status_code == 200


# --- Editing a profile ------------------------------------------------------------------


def test_administrator_adds_a_profile_through_the_service(as_administrator):
    user = UserFactory()
    region, direction = LocationFactory(), DirectionFactory()

    response = as_administrator.post(
        f"{VOLUNTEERS}add/",
        {
            "user": user.pk,
            "phone_number": "+7 916 555-44-33",
            "birth_date": "2000-02-29",
            "location": region.pk,
            "directions": [direction.pk],
            "call_sign": "Ёж",
        },
    )

    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=user)
    assert response.url == VOLUNTEERS
    assert str(volunteer.phone_number) == "+79165554433"
    assert list(volunteer.directions.all()) == [direction]
    assert volunteer.effective_level.name == "Новичок"
    assert list(volunteer.location_changes.values_list("old_location", "new_location")) == [(None, region.pk)]


def test_a_new_region_is_recorded_and_a_badge_awarded_from_the_change_page(as_administrator, administrator):
    volunteer = VolunteerFactory()
    first_region, new_region = volunteer.location, LocationFactory()
    badge = BadgeFactory(name="Первая смена")
    data = change_form_data(as_administrator, change_url(volunteer), location=new_region.pk)
    data.update({"volunteerbadge_set-TOTAL_FORMS": "1", "volunteerbadge_set-0-badge": badge.pk})

    response = as_administrator.post(change_url(volunteer), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    volunteer.refresh_from_db()
    assert volunteer.location == new_region
    assert list(volunteer.location_changes.order_by("changed_at").values_list("old_location", "new_location")) == [
        (None, first_region.pk),
        (first_region.pk, new_region.pk),
    ]
    award = VolunteerBadge.objects.get(volunteer=volunteer)
    assert (award.badge, award.awarded_by) == (badge, administrator)
    assert Message.objects.filter(recipient=volunteer.user, title="Новый значок: «Первая смена»").count() == 1
    assert VolunteerLevel.objects.filter(volunteer=volunteer).count() == 1


def test_region_history_cannot_be_edited(as_administrator):
    volunteer = VolunteerFactory()

    response = as_administrator.get(change_url(volunteer))

    history = next(
        inline for inline in response.context["inline_admin_formsets"] if inline.formset.model is LocationChange
    )
    assert str(history.opts.verbose_name_plural) == "История регионов"
    assert not history.has_add_permission
    assert not history.has_change_permission
    assert not history.has_delete_permission


# --- Awarding badges --------------------------------------------------------------------


def test_award_badge_asks_which_badge_first(as_administrator):
    chosen = VolunteerFactory.create_batch(2)
    badge = BadgeFactory(name="Первая смена")

    response = as_administrator.post(VOLUNTEERS, action_data("award_badge", *chosen))

    assert response.status_code == 200
    assert response.templates[0].name == "admin/volunteers/volunteer/award_badge.html"
    page = response.content.decode()
    assert "Выбрано волонтёров: 2." in page
    assert f'<option value="{badge.pk}">Первая смена</option>' in page
    assert not VolunteerBadge.objects.exists()


def test_award_badge_gives_it_once_to_the_chosen_volunteers(as_administrator, administrator):
    chosen = VolunteerFactory.create_batch(2)
    other = VolunteerFactory()
    badge = BadgeFactory(name="Первая смена")

    first = as_administrator.post(
        VOLUNTEERS, action_data("award_badge", *chosen, badge=badge.pk, apply="Выдать значок"), follow=True
    )
    second = as_administrator.post(
        VOLUNTEERS, action_data("award_badge", *chosen, badge=badge.pk, apply="Выдать значок"), follow=True
    )

    assert message_texts(first) == ["Значок «Первая смена» выдан волонтёрам: 2 из 2."]
    assert message_texts(second) == ["Значок «Первая смена» уже есть у всех выбранных волонтёров (2)."]
    awards = VolunteerBadge.objects.filter(badge=badge)
    assert {award.volunteer for award in awards} == set(chosen)
    assert {award.awarded_by for award in awards} == {administrator}
    assert not Badge.objects.get(pk=badge.pk).volunteers.filter(pk=other.pk).exists()
    assert Message.objects.filter(title="Новый значок: «Первая смена»").count() == 2


def test_award_badge_without_a_badge_shows_the_page_again(as_administrator):
    chosen = VolunteerFactory()

    response = as_administrator.post(VOLUNTEERS, action_data("award_badge", chosen, apply="Выдать значок"))

    assert response.status_code == 200
    assert response.context["form"].errors["badge"]
    assert not VolunteerBadge.objects.exists()


def test_award_badge_reports_the_partial_award(as_administrator):
    holder, newcomer = VolunteerFactory.create_batch(2)
    badge = BadgeFactory(name="Первая смена")
    badge_award(badge=badge, volunteers=[holder], awarded_by=None)

    response = as_administrator.post(
        VOLUNTEERS, action_data("award_badge", holder, newcomer, badge=badge.pk, apply="1"), follow=True
    )

    assert message_texts(response) == ["Значок «Первая смена» выдан волонтёрам: 1 из 2."]
    assert VolunteerBadge.objects.get(volunteer=newcomer).badge == badge


# --- Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("requests", [5, 200])
def test_pending_levels_list_runs_a_fixed_number_of_queries(as_main_admin, django_assert_max_num_queries, requests):
    bulk_volunteers(requests, pending=True)

    with django_assert_max_num_queries(8):
        response = as_main_admin.get(PENDING_LEVELS)

    assert response.status_code == 200
    assert response.context["cl"].result_count == requests
    assert len(response.context["cl"].result_list) == min(requests, 100)


@pytest.mark.parametrize("volunteers", [5, 100])
def test_volunteers_list_runs_a_fixed_number_of_queries(as_main_admin, django_assert_max_num_queries, volunteers):
    bulk_volunteers(volunteers, pending=True, photos=True)
    DirectionFactory.create_batch(3)

    with django_assert_max_num_queries(11):
        response = as_main_admin.get(VOLUNTEERS)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == volunteers
    assert response.content.decode().count('width="48"') == volunteers
