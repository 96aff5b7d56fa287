"""Methodics in a real browser: a teacher writes a methodic with two steps and a photo and
publishes it; a volunteer finds it by search in the library and comments on it."""

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import TEACHER, VOLUNTEER
from accounts.tests.browser import log_in, log_out
from accounts.tests.factories import UserFactory
from core.testing import image_bytes, thumbnail_names
from methodics.models import Comment, Methodic
from methodics.tests.factories import MethodicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_publishes_a_methodic_and_a_volunteer_finds_and_comments_it(page, tmp_path):
    teacher = UserFactory(roles=[TEACHER])
    volunteer = UserFactory(roles=[VOLUNTEER])
    photo = tmp_path / "занятие.png"
    Image.new("RGB", (64, 48), "orange").save(photo, "PNG")

    log_in(page, teacher)
    page.goto("/methodics/mine/")
    page.get_by_role("link", name="Новая методика").click()
    page.get_by_label("Название:").fill("Снежный ком с именами")
    page.get_by_label("Краткое описание").fill("Игра на запоминание имён в новой группе.")
    page.get_by_label("Цель:").fill("Участники запоминают имена друг друга за десять минут.")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_role("heading", name="Правка методики «Снежный ком с именами»")).to_be_visible()

    steps = page.get_by_role("group", name="Добавить шаг")
    for minutes, text in (("5", "Ведущий объясняет правила"), ("15", "Участники по кругу повторяют имена")):
        steps.get_by_label("Длительность, мин").fill(minutes)
        steps.get_by_label("Что происходит").fill(text)
        steps.get_by_role("button", name="Добавить шаг").click()
        expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("20 мин")

    media = page.get_by_role("group", name="Добавить фото, аудио, видео или ссылку")
    media.get_by_label("Вид").select_option(label="Изображение")
    media.get_by_label("Файл").set_input_files(str(photo))
    media.get_by_label("Подпись").fill("Круг на первом занятии")
    media.get_by_role("button", name="Добавить материал").click()
    expect(page.get_by_role("img", name="Круг на первом занятии")).to_be_visible()

    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Методика «Снежный ком с именами» опубликована.")).to_be_visible()
    assert Methodic.objects.get().status == Methodic.Status.PUBLISHED
    log_out(page)

    log_in(page, volunteer)
    page.goto("/methodics/")
    page.locator(".catalogue-filters").get_by_label("Поиск").fill("снежный ком")
    page.get_by_role("button", name="Показать").click()
    page.get_by_role("link", name="Снежный ком с именами").click()
    expect(page.get_by_role("heading", name="Снежный ком с именами")).to_be_visible()
    expect(page.get_by_text("Участники по кругу повторяют имена")).to_be_visible()
    page.get_by_label("Комментарий").fill("Провели в субботу — дети в восторге!")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Провели в субботу — дети в восторге!")).to_be_visible()
    assert Comment.objects.get().author == volunteer


def test_a_cover_whose_thumbnail_is_not_made_yet_shows_the_picture_itself(page, settings):
    # As between an upload's commit and the worker's task: the cover is stored, its
    # thumbnail is not.
    methodic = MethodicFactory(title="Эстафета с мячом")
    methodic.cover.save("обложка.png", ContentFile(image_bytes(size=(96, 54), colour="orange")))
    for name in thumbnail_names(methodic.cover):
        methodic.cover.storage.delete(name)

    page.goto("/methodics/")

    cover = page.locator("img.methodic-cover")
    expect(cover).to_have_attribute("src", methodic.cover.url)
    page.wait_for_function("() => document.querySelector('img.methodic-cover').naturalWidth === 96")
