import io
import os

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.testing import png_upload, thumbnail_names
from methodics.models import Category, Methodic, MethodicMedia, MethodicStep, Tag
from methodics.tests.factories import CategoryFactory, MethodicFactory, TagFactory, add_step

pytestmark = pytest.mark.django_db

MINE = "/methodics/mine/"
CREATE = "/methodics/new/"
NOT_AN_IMAGE = "Это не изображение"
NOT_AUDIO = "Это не аудиофайл"
TOO_LARGE = "Файл слишком большой"


def url(methodic, action: str = "edit") -> str:
    return f"/methodics/{methodic.pk}/{action}/"


def mp3(name="песня.mp3", size=1024) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"ID3\x04\x00" + b"\x00" * (size - 5), content_type="audio/mpeg")


def text_as(name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "это просто текст, а не файл нужного вида".encode(), content_type=content_type)


def fields(**overrides) -> dict:
    return {
        "title": "Снежный ком",
        "short_description": "Игра на запоминание имён.",
        "goal": "Участники запоминают имена друг друга.",
        "description": "<p>Каждый повторяет имена всех предыдущих и добавляет своё.</p>",
        "materials": "Мяч",
        "literature": "",
        "category": "",
        "tag_names": "",
        **overrides,
    }


def step_data(**overrides) -> dict:
    return {"step-duration": "10", "step-description": "Знакомство в кругу", "step-expected_result": "", **overrides}


def media_data(**overrides) -> dict:
    return {"media-kind": "image", "media-url": "", "media-caption": "Фото с занятия", **overrides}


@pytest.fixture
def own(teacher):
    return MethodicFactory(author=teacher, status=Methodic.Status.DRAFT, published_at=None)


@pytest.fixture
def moderator_teacher(db):
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


# Permissions


@pytest.mark.parametrize("path", [MINE, CREATE])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/") or "login" in response.url


def test_anonymous_is_sent_to_login_from_the_edit_page(client, own):
    response = client.get(url(own))
    assert response.status_code == 302 and "login" in response.url


def test_volunteer_is_forbidden(client, volunteer):
    # «Мои методики» is open to them: methodics may be shared with anyone (test_roles).
    client.force_login(volunteer)
    assert client.get(CREATE).status_code == 403


def test_volunteer_cannot_create_or_touch_a_methodic(client, volunteer, own):
    client.force_login(volunteer)
    assert client.post(CREATE, fields()).status_code == 403
    assert client.post(url(own, "publish")).status_code == 403
    assert client.post(url(own, "delete")).status_code == 403
    assert Methodic.objects.count() == 1


def test_teacher_creates_a_draft_with_category_and_tags(as_teacher, teacher):
    TagFactory(name="игра")
    category = CategoryFactory(name="Знакомство")
    response = as_teacher.post(CREATE, fields(category=category.pk, tag_names="Игра, имена, игра, #круг"))
    methodic = Methodic.objects.get()
    assert response.status_code == 302
    assert response.url == f"/methodics/{methodic.pk}/edit/#steps"
    assert methodic.author == teacher
    assert methodic.status == Methodic.Status.DRAFT
    assert methodic.category == category
    assert sorted(methodic.tags.values_list("name", flat=True)) == ["игра", "имена", "круг"]
    assert Tag.objects.count() == 3


def test_create_requires_the_main_fields_in_russian(as_teacher):
    response = as_teacher.post(CREATE, fields(title="", goal=""))
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["Обязательное поле."]
    assert "goal" in response.context["form"].errors
    assert not Methodic.objects.exists()


def test_rich_text_description_is_sanitised(as_teacher):
    as_teacher.post(CREATE, fields(description='<p>Текст</p><script>alert("x")</script>'))
    assert "<script" not in Methodic.objects.get().description


def test_the_category_select_shows_the_tree_by_indentation(as_teacher):
    root = CategoryFactory(name="Игры")
    CategoryFactory(name="Подвижные", parent=root)
    CategoryFactory(name="Беседы")
    choices = [label for _, label in as_teacher.get(CREATE).context["form"].fields["category"].choices]
    assert choices[1:] == ["Беседы", "Игры", "\u00a0" * 4 + "— Подвижные"]


def test_teacher_edits_own_methodic_and_its_tags(as_teacher, own):
    own.tags.add(TagFactory(name="старый"))
    page = as_teacher.get(url(own))
    assert page.status_code == 200
    assert page.context["form"]["tag_names"].value() == "старый"
    response = as_teacher.post(url(own), fields(title="Новое название", tag_names="новый"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Новое название"
    assert list(own.tags.values_list("name", flat=True)) == ["новый"]


def test_another_teacher_cannot_edit(client, own):
    client.force_login(UserFactory(roles=[TEACHER]))
    assert client.get(url(own)).status_code == 404
    assert client.post(url(own), fields(title="Чужая правка")).status_code == 404
    assert client.post(url(own, "steps/add"), step_data()).status_code == 404
    assert client.post(url(own, "publish")).status_code == 404
    assert client.post(url(own, "delete")).status_code == 404
    own.refresh_from_db()
    assert own.title != "Чужая правка"
    assert Methodic.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("moderator_fixture", ["administrator", "moderator_teacher"])
def test_a_moderator_edits_another_authors_methodic(client, own, request, moderator_fixture):
    client.force_login(request.getfixturevalue(moderator_fixture))
    assert client.get(url(own)).status_code == 200
    assert client.post(url(own), fields(title="Правка модератора")).status_code == 302
    own.refresh_from_db()
    assert own.title == "Правка модератора"
    assert own.author.username != request.getfixturevalue(moderator_fixture).username  # the author stays


def test_mine_lists_only_own_methodics_with_status_duration_and_steps(as_teacher, own):
    add_step(own, duration=15)
    add_step(own, duration=20)
    published = MethodicFactory(author=own.author, title="Опубликованная")
    MethodicFactory(title="Чужая")
    response = as_teacher.get(MINE)
    own_methodics = [*response.context["drafts"], *response.context["published"]]
    listed = {methodic.title: methodic for methodic in own_methodics}
    assert set(listed) == {own.title, published.title}
    assert listed[own.title].steps_count == 2
    content = response.content.decode()
    assert "35 мин" in content and "Черновик" in content and "Опубликована" in content
    assert url(own) in content and url(own, "publish") in content and url(published, "unpublish-own") in content


# Steps and the total duration


def test_total_duration_follows_adding_editing_and_removing_steps(as_teacher, own):
    as_teacher.post(url(own, "steps/add"), step_data(**{"step-duration": "10"}))
    as_teacher.post(url(own, "steps/add"), step_data(**{"step-duration": "25", "step-description": "Игра"}))
    own.refresh_from_db()
    assert own.total_duration == 35
    first, second = own.steps.order_by("order_number")
    assert (first.order_number, second.order_number) == (1, 2)

    response = as_teacher.post(
        url(own, f"steps/{first.pk}/edit"), {"duration": "5", "description": "Короче", "expected_result": "Имена"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.total_duration == 30

    as_teacher.post(url(own, f"steps/{first.pk}/delete"))
    own.refresh_from_db()
    assert own.total_duration == 25
    assert list(own.steps.values_list("pk", "order_number")) == [(second.pk, 1)]


def test_reorder_swaps_numbers_and_keeps_every_step(as_teacher, own):
    steps = [add_step(own, duration=minutes, description=f"Шаг {minutes}") for minutes in (5, 10, 15)]
    as_teacher.post(url(own, f"steps/{steps[2].pk}/up"))
    order = list(own.steps.order_by("order_number").values_list("pk", flat=True))
    assert order == [steps[0].pk, steps[2].pk, steps[1].pk]
    as_teacher.post(url(own, f"steps/{steps[0].pk}/down"))
    numbers = dict(own.steps.values_list("pk", "order_number"))
    assert numbers == {steps[2].pk: 1, steps[0].pk: 2, steps[1].pk: 3}
    # Already first: nothing moves.
    as_teacher.post(url(own, f"steps/{steps[2].pk}/up"))
    assert dict(own.steps.values_list("pk", "order_number")) == numbers
    own.refresh_from_db()
    assert own.total_duration == 30


def test_a_step_with_an_image_and_a_bad_step_image(as_teacher, own):
    response = as_teacher.post(url(own, "steps/add"), step_data(**{"step-image": png_upload()}))
    assert response.status_code == 302
    step = own.steps.get()
    assert step.image.name.startswith("methodics/steps/")
    assert os.path.exists(step.image.path)

    response = as_teacher.post(url(own, "steps/add"), step_data(**{"step-image": text_as("шаг.png", "image/png")}))
    assert response.status_code == 200
    assert response.context["step_form"].errors["image"]
    assert own.steps.count() == 1


def test_replacing_a_step_image_removes_the_old_file(as_teacher, own, django_capture_on_commit_callbacks):
    step = add_step(own, image=png_upload("первая.png"))
    old_path = step.image.path
    with django_capture_on_commit_callbacks(execute=True):
        response = as_teacher.post(
            url(own, f"steps/{step.pk}/edit"),
            {"duration": "10", "description": "Шаг", "image": png_upload("вторая.png")},
        )
    assert response.status_code == 302
    step.refresh_from_db()
    assert not os.path.exists(old_path)
    assert os.path.exists(step.image.path)


def test_a_new_cover_replaces_the_old_file_and_its_thumbnail(as_teacher, own, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_teacher.post(url(own), fields(cover=png_upload("первая.png", size=(960, 540))))
    own.refresh_from_db()
    old_paths = [own.cover.path, *(own.cover.storage.path(name) for name in thumbnail_names(own.cover))]
    assert len(old_paths) == 2 and all(os.path.exists(path) for path in old_paths)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_teacher.post(url(own), fields(cover=png_upload("вторая.png", size=(960, 540))))

    assert response.status_code == 302
    own.refresh_from_db()
    assert not any(os.path.exists(path) for path in old_paths)
    assert os.path.exists(own.cover.path)


def test_a_covers_thumbnail_is_made_once_the_upload_commits(as_teacher, own, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert as_teacher.post(url(own), fields(cover=png_upload("обложка.png", size=(960, 540)))).status_code == 302
    own.refresh_from_db()
    assert thumbnail_names(own.cover) == []  # the upload's request did not make it

    for callback in callbacks:
        callback()  # the commit sends core.tasks.thumbnails_make (run at once here)
    (card,) = thumbnail_names(own.cover)
    assert own.cover.storage.exists(card) and ".480x270_" in card


def test_a_step_of_another_methodic_is_404(as_teacher, own, teacher):
    other = MethodicFactory(author=teacher)
    step = add_step(other)
    assert as_teacher.post(url(own, f"steps/{step.pk}/delete")).status_code == 404
    assert MethodicStep.objects.filter(pk=step.pk).exists()


# Media


def test_media_image_audio_and_link_are_added_and_shown(as_teacher, own):
    assert as_teacher.post(url(own, "media/add"), media_data(**{"media-file": png_upload()})).status_code == 302
    as_teacher.post(url(own, "media/add"), media_data(**{"media-kind": "audio", "media-file": mp3()}))
    as_teacher.post(
        url(own, "media/add"), media_data(**{"media-kind": "link", "media-url": "https://rutube.ru/video/1/"})
    )
    assert sorted(own.media.values_list("kind", flat=True)) == ["audio", "image", "link"]
    content = as_teacher.get(url(own)).content.decode()
    assert "<audio" in content and "https://rutube.ru/video/1/" in content
    assert content.count('Удалить<span class="visually-hidden"> ') >= 3


def test_media_delete_removes_the_file_from_storage(as_teacher, own, django_capture_on_commit_callbacks):
    as_teacher.post(url(own, "media/add"), media_data(**{"media-file": png_upload()}))
    item = own.media.get()
    path = item.file.path
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_teacher.post(url(own, f"media/{item.pk}/delete"))
    assert response.status_code == 302
    assert not MethodicMedia.objects.exists()
    assert not os.path.exists(path)


def test_another_teacher_cannot_delete_media(client, own):
    item = MethodicMedia.objects.create(methodic=own, kind="link", url="https://example.com/v")
    client.force_login(UserFactory(roles=[TEACHER]))
    assert client.post(url(own, f"media/{item.pk}/delete")).status_code == 404
    assert MethodicMedia.objects.filter(pk=item.pk).exists()


def test_a_text_file_named_png_is_refused_as_a_cover(as_teacher):
    response = as_teacher.post(CREATE, fields(cover=text_as("обложка.png", "image/png")))
    assert response.status_code == 200
    errors = response.context["form"].errors["cover"]
    assert errors and ("изображение" in errors[0].lower())
    assert not Methodic.objects.exists()


def test_a_text_file_named_pdf_is_refused_as_a_presentation(as_teacher):
    response = as_teacher.post(CREATE, fields(presentation=text_as("слайды.pdf", "application/pdf")))
    assert "Это не презентация" in response.context["form"].errors["presentation"][0]
    assert not Methodic.objects.exists()


def test_a_pdf_presentation_is_accepted(as_teacher):
    pdf = SimpleUploadedFile("слайды.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert as_teacher.post(CREATE, fields(presentation=pdf)).status_code == 302
    assert Methodic.objects.get().presentation.name.startswith("methodics/presentations/")


def test_a_text_file_named_mp3_is_refused_as_audio(as_teacher, own):
    response = as_teacher.post(
        url(own, "media/add"), media_data(**{"media-kind": "audio", "media-file": text_as("песня.mp3", "audio/mpeg")})
    )
    assert response.status_code == 200
    assert NOT_AUDIO in response.context["media_form"].errors["file"][0]
    assert NOT_AUDIO in response.content.decode()
    assert not MethodicMedia.objects.exists()


def test_an_image_media_must_be_an_image(as_teacher, own):
    response = as_teacher.post(url(own, "media/add"), media_data(**{"media-file": mp3("фото.png")}))
    assert NOT_AN_IMAGE in response.context["media_form"].errors["file"][0]
    assert not MethodicMedia.objects.exists()


def test_an_oversize_cover_is_refused(as_teacher, settings):
    settings.PHOTO_MAX_MB = 1
    # Random pixels do not compress: a real PNG over the limit.
    big = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(big, "PNG")
    assert big.tell() > 1024 * 1024
    response = as_teacher.post(CREATE, fields(cover=SimpleUploadedFile("big.png", big.getvalue(), "image/png")))
    assert TOO_LARGE in response.context["form"].errors["cover"][0]
    assert not Methodic.objects.exists()


def test_oversize_media_is_refused(as_teacher, own, settings):
    settings.METHODIC_FILE_MAX_MB = 1
    response = as_teacher.post(
        url(own, "media/add"), media_data(**{"media-kind": "audio", "media-file": mp3(size=1024 * 1024 + 10)})
    )
    assert TOO_LARGE in response.context["media_form"].errors["file"][0]
    assert not MethodicMedia.objects.exists()


def test_media_link_needs_a_url_and_a_file_needs_a_file(as_teacher, own):
    response = as_teacher.post(url(own, "media/add"), media_data(**{"media-kind": "link"}))
    assert response.context["media_form"].errors["url"] == ["Укажите адрес видео."]
    response = as_teacher.post(url(own, "media/add"), media_data(**{"media-kind": "video"}))
    assert response.context["media_form"].errors["file"] == ["Выберите файл."]
    assert not MethodicMedia.objects.exists()


# Publishing and deleting


def test_publish_without_steps_is_refused(as_teacher, own):
    response = as_teacher.post(url(own, "publish"), follow=True)
    assert "Перед публикацией добавьте хотя бы один шаг занятия." in response.content.decode()
    own.refresh_from_db()
    assert own.status == Methodic.Status.DRAFT


def test_publish_and_unpublish_own(as_teacher, own):
    add_step(own)
    as_teacher.post(url(own, "publish"))
    own.refresh_from_db()
    assert own.status == Methodic.Status.PUBLISHED and own.published_at is not None
    as_teacher.post(url(own, "unpublish-own"))
    own.refresh_from_db()
    assert own.status == Methodic.Status.DRAFT
    assert not Message.objects.exists()  # the author is not told about his own action


def test_a_moderator_unpublishing_tells_the_author(client, administrator, teacher):
    methodic = MethodicFactory(author=teacher)
    client.force_login(administrator)
    client.post(url(methodic, "unpublish-own"))
    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.DRAFT
    assert Message.objects.exists()


def test_publish_is_post_only(as_teacher, own):
    add_step(own)
    assert as_teacher.get(url(own, "publish")).status_code == 405


def test_delete_asks_then_removes_the_methodic_and_its_files(as_teacher, own, django_capture_on_commit_callbacks):
    as_teacher.post(url(own), fields(cover=png_upload("обложка.png")))
    own.refresh_from_db()
    step = add_step(own, image=png_upload("шаг.png"))
    as_teacher.post(url(own, "media/add"), media_data(**{"media-file": png_upload("фото.png")}))
    paths = [own.cover.path, step.image.path, own.media.get().file.path]
    assert all(os.path.exists(path) for path in paths)

    confirmation = as_teacher.get(url(own, "delete"))
    assert confirmation.status_code == 200
    assert "Удалить навсегда" in confirmation.content.decode()
    assert Methodic.objects.filter(pk=own.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_teacher.post(url(own, "delete"))
    assert response.status_code == 302 and response.url == MINE
    assert not Methodic.objects.filter(pk=own.pk).exists()
    assert not MethodicStep.objects.exists() and not MethodicMedia.objects.exists()
    assert not any(os.path.exists(path) for path in paths)


def test_a_moderator_deletes_another_authors_methodic(client, moderator_teacher, own):
    client.force_login(moderator_teacher)
    assert client.post(url(own, "delete")).status_code == 302
    assert not Methodic.objects.filter(pk=own.pk).exists()
    assert Category.objects.exists()  # the category stays


@pytest.mark.parametrize(("steps", "text"), [(0, "0 шагов"), (1, "1 шаг"), (3, "3 шага"), (5, "5 шагов")])
def test_the_editor_counts_steps_with_the_russian_plural(as_teacher, own, steps, text):
    for _ in range(steps):
        add_step(own, duration=30)

    state = as_teacher.get(url(own)).content.decode().split('class="authoring-state"')[1].split("</p>")[0]

    assert f"· {text} ·" in state
    assert "шаги" not in state and "шагa" not in state
    assert ("1 ч 30 мин" if steps == 3 else "2 ч 30 мин" if steps == 5 else "") in state
