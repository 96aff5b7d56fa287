"""/users/<id>/, an author's page: what each visitor sees of a person (spec 000) — the name
for anyone; the photo, place of work, karma, date of joining and published work for
signed-in users; the phone and address for the person and administrators only."""

import re

import pytest

from accounts.models import User
from accounts.services import person_contacts_update
from accounts.tests.factories import UserFactory
from core.testing import png_upload, signed_in
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from problems.models import Task
from problems.tests.factories import TaskFactory
from volunteers.tests.factories import VolunteerFactory

PRIVATE = ("8 (916) 123-45-67", "Москва, ул. Лесная, 3")
# The karma as the page shows it: a bare "42" may be in an address (/users/3142/).
SIGNED_IN_ONLY = (
    "Школа № 5",
    "<dt>Карма</dt><dd>42</dd>",
    "На платформе",
    "Дроби на пироге",
    "Площадь треугольника",
    "Фотография:",
)


@pytest.fixture
def person(db):
    person = UserFactory(first_name="Анна", last_name="Смирнова", curr_job_place="Школа № 5", address=PRIVATE[1])
    person_contacts_update(user=person, phone_number="+79161234567", photo=png_upload())
    User.objects.filter(pk=person.pk).update(karma=42)
    MethodicFactory(author=person, title="Дроби на пироге")
    MethodicFactory(author=person, title="Черновик о долях", status=Methodic.Status.DRAFT, published_at=None)
    TaskFactory(author=person, title="Площадь треугольника")
    TaskFactory(author=person, title="Задача на модерации", status=Task.Status.MODERATION)
    return person


def page_of(client, person) -> str:
    response = client.get(f"/users/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_the_name_only(client, person):
    page = page_of(client, person)

    assert "Анна Смирнова" in page
    assert "чтобы увидеть фотографию, место работы, карму и опубликованные работы" in page
    for text in SIGNED_IN_ONLY + PRIVATE:
        assert text not in page
    assert "/photo/" not in page


@pytest.mark.parametrize("role_fixture", ["volunteer", "teacher"])
def test_other_signed_in_users_see_the_public_profile_without_phone_and_address(request, person, role_fixture):
    page = page_of(signed_in(request.getfixturevalue(role_fixture)), person)

    for text in SIGNED_IN_ONLY:
        assert text in page, text
    assert f'src="/accounts/users/{person.pk}/photo/avatar/?v=' in page
    assert person.date_joined.strftime("%Y") in page
    assert "1 опубликованная методика" in page and "1 задача принята в банк задач" in page
    for text in (*PRIVATE, "Черновик о долях", "Задача на модерации", "Войдите"):
        assert text not in page, text


def test_another_volunteer_sees_no_phone_either(person):
    other = VolunteerFactory().user

    page = page_of(signed_in(other), person)

    assert "Школа № 5" in page
    for text in PRIVATE:
        assert text not in page


@pytest.mark.parametrize("role_fixture", ["administrator", "main_admin"])
def test_administrators_see_everything(request, person, role_fixture):
    page = page_of(signed_in(request.getfixturevalue(role_fixture)), person)

    for text in SIGNED_IN_ONLY + PRIVATE:
        assert text in page, text


def test_the_person_sees_everything_with_a_link_to_edit(person):
    page = page_of(signed_in(person), person)

    for text in SIGNED_IN_ONLY + PRIVATE:
        assert text in page, text
    assert 'href="/accounts/profile/"' in page


def test_a_volunteers_phone_is_the_volunteer_profiles(administrator):
    volunteer = VolunteerFactory(phone_number="+79035550011", user__curr_job_place="Лицей № 2")

    page = page_of(signed_in(administrator), volunteer.user)

    assert "8 (903) 555-00-11" in page and "Лицей № 2" in page


def test_without_a_photo_the_initials_show(volunteer, teacher):
    page = page_of(signed_in(volunteer), teacher)

    assert "avatar-empty" in page and "/photo/" not in page
    assert "Опубликованных методик пока нет." in page and "Принятых задач пока нет." in page


def test_an_unknown_person_is_404(client, db):
    assert client.get("/users/999999/").status_code == 404


def test_a_fixed_number_of_queries_and_capped_lists(person, volunteer, django_assert_max_num_queries):
    MethodicFactory.create_batch(24, author=person)
    TaskFactory.create_batch(24, author=person)
    client = signed_in(volunteer)
    client.get(f"/users/{person.pk}/")  # the session's first read is not counted

    # the session and the visitor, the person, the visitor's roles, each list and its count
    with django_assert_max_num_queries(8):
        page = page_of(client, person)

    assert "25 опубликованных методик" in page and "25 задач принято в банк задач" in page
    assert len(re.findall(r'href="/methodics/\d+/"', page)) == 20
    assert f'href="/methodics/?author={person.pk}"' in page  # «Все методики автора»
    assert len(re.findall(r'href="/problems/tasks/\d+/"', page)) == 20


def test_methodic_cards_and_pages_link_to_the_author(client, person):
    methodic = Methodic.objects.get(title="Дроби на пироге")

    for url in ("/methodics/", methodic.get_absolute_url()):
        page = client.get(url).content.decode()
        assert f'<a href="/users/{person.pk}/">Анна Смирнова</a>' in page, url
