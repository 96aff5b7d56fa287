import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from core.testing import image_bytes
from methodics.models import Category, MethodicMedia, MethodicStep
from methodics.services import media_add, step_remove, step_update, steps_reorder
from methodics.tests.factories import CategoryFactory, MethodicFactory, add_step

pytestmark = pytest.mark.django_db

TEXT = b"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, this is plain text\n"


@pytest.fixture
def methodic():
    return MethodicFactory()


# --- Steps -------------------------------------------------------------------------------


def test_a_step_number_below_one_is_refused_by_the_database(methodic):
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicStep.objects.create(methodic=methodic, order_number=0, duration=5, description="Шаг")


def test_a_step_duration_below_one_is_refused_by_validation_and_the_database(methodic):
    with pytest.raises(ValidationError):
        MethodicStep(methodic=methodic, order_number=1, duration=0, description="Шаг").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicStep.objects.create(methodic=methodic, order_number=1, duration=0, description="Шаг")


def check_deferred_constraints() -> None:
    """What the commit would check (a test runs inside a transaction that never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_two_steps_may_not_share_a_number_at_the_commit(methodic):
    add_step(methodic)
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicStep.objects.create(methodic=methodic, order_number=1, duration=5, description="Второй первый")
        check_deferred_constraints()


def test_the_same_number_in_another_methodic_is_fine(methodic):
    add_step(methodic)
    add_step(MethodicFactory())
    assert MethodicStep.objects.filter(order_number=1).count() == 2


def test_steps_swap_numbers_in_one_transaction(methodic):
    first, second, third = (add_step(methodic, description=f"Шаг {n}") for n in (1, 2, 3))

    steps_reorder(methodic=methodic, order=[third.pk, first.pk, second.pk])
    check_deferred_constraints()

    ordered = list(methodic.steps.order_by("order_number").values_list("description", "order_number"))
    assert ordered == [("Шаг 3", 1), ("Шаг 1", 2), ("Шаг 2", 3)]


# --- Duration ---------------------------------------------------------------------------


def test_the_total_duration_follows_the_steps(methodic):
    first = add_step(methodic, duration=10)
    second = add_step(methodic, duration=25)
    methodic.refresh_from_db()
    assert methodic.total_duration == 35

    step_update(step=second, duration=5)
    methodic.refresh_from_db()
    assert methodic.total_duration == 15

    step_remove(step=first)
    methodic.refresh_from_db()
    assert methodic.total_duration == 5
    assert list(methodic.steps.values_list("order_number", flat=True)) == [1]


def test_the_total_duration_is_not_editable(methodic):
    assert not methodic._meta.get_field("total_duration").editable


# --- Media -------------------------------------------------------------------------------


def test_a_link_needs_a_url_and_no_file(methodic):
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicMedia.objects.create(methodic=methodic, kind="link", url="")
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicMedia.objects.create(methodic=methodic, kind="link", url="https://rutube.ru/video/1/", file="a.png")
    MethodicMedia.objects.create(methodic=methodic, kind="link", url="https://rutube.ru/video/1/")


def test_a_file_kind_needs_a_file_and_no_url(methodic):
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicMedia.objects.create(methodic=methodic, kind="image", url="https://example.com/a.png")
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodicMedia.objects.create(methodic=methodic, kind="audio")
    MethodicMedia.objects.create(methodic=methodic, kind="image", file="methodics/media/a.png")


def test_media_add_rejects_a_text_file_posing_as_an_image(methodic):
    with pytest.raises(ValidationError) as error:
        media_add(methodic=methodic, kind="image", file=ContentFile(TEXT, name="photo.png"))
    assert "Это не изображение" in str(error.value)
    assert not methodic.media.exists()


def test_media_add_accepts_a_real_png(methodic):
    item = media_add(methodic=methodic, kind="image", file=ContentFile(image_bytes(), name="photo.png"), caption="Фото")
    assert item.file.name.startswith("methodics/media/")


# --- Categories --------------------------------------------------------------------------


def test_two_top_level_categories_may_not_share_a_name():
    CategoryFactory(name="Игры", parent=None)
    twin = Category(name="Игры", parent=None)

    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_same_name_under_two_parents_is_fine():
    first, second = CategoryFactory(name="Игры"), CategoryFactory(name="Тренинги")

    CategoryFactory(name="Подвижные", parent=first)
    CategoryFactory(name="Подвижные", parent=second).full_clean()
