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
from methodics.tests.factories import MethodicFactory, add_step

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


def test_an_author_shares_a_draft_and_the_reviewer_marks_it_useful_once_published(page):
    """Issue 19's journey: the reviewer reads the shared draft, marks the published methodic
    «Пригодилось», and the author's karma on their page rises by the publication and the mark."""
    author = UserFactory(roles=[TEACHER], first_name="Вера", last_name="Лебедева")
    reviewer = UserFactory(roles=[VOLUNTEER], first_name="Игорь", last_name="Серов")
    draft = MethodicFactory(author=author, title="Эстафета вопросов", status=Methodic.Status.DRAFT, published_at=None)
    add_step(draft, duration=15, description="Команды по очереди отвечают на вопросы")

    log_in(page, author)
    page.goto(f"/methodics/{draft.pk}/edit/")
    page.get_by_role("link", name="Доступ").click()
    page.get_by_label("Электронная почта").fill(reviewer.email)
    page.get_by_label("Роль").select_option(label="Просмотр")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("Игорь Серов: роль «Просмотр».")).to_be_visible()
    log_out(page)

    log_in(page, reviewer)
    page.goto("/methodics/mine/")
    page.get_by_role("link", name="Эстафета вопросов").click()
    expect(page.get_by_role("heading", name="Эстафета вопросов")).to_be_visible()
    expect(page.get_by_text("Команды по очереди отвечают на вопросы")).to_be_visible()
    expect(page.get_by_role("button", name="Пригодилось")).to_have_count(0)  # a draft: nothing to mark yet
    log_out(page)

    log_in(page, author)
    page.goto(f"/methodics/{draft.pk}/edit/")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Методика «Эстафета вопросов» опубликована.")).to_be_visible()
    page.goto(f"/users/{author.pk}/")
    karma = page.locator("dt", has_text="Карма").locator("xpath=following-sibling::dd[1]")
    expect(karma).to_have_text("10")
    log_out(page)

    log_in(page, reviewer)
    page.goto(f"/methodics/{draft.pk}/")
    page.get_by_role("button", name="Пригодилось").click()
    expect(page.get_by_text("Пригодилось: 1")).to_be_visible()
    expect(page.get_by_role("button", name="Пригодилось")).to_have_attribute("aria-pressed", "true")
    page.goto(f"/users/{author.pk}/")
    expect(karma).to_have_text("11")
