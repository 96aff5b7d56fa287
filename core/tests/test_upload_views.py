"""Every file field of the site, uploaded through its real page (the site's form where
there is one, else the Django admin): active content (HTML, SVG) is refused with a Russian
error and leaves nothing behind, content must agree with the extension, pictures are
re-encoded (no EXIF, nothing after the image) and limited in pixels. Then who may see the
private photos, and the headers public uploads are served with (core.views.serve_media).

The file fields are listed once, in FIELDS; a test of core.uploads' rules on their own is
core/tests/test_uploads.py."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms import BaseFormSet
from django.test import RequestFactory
from PIL import Image

from accounts.models import Message, User
from accounts.roles import ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from core.fields import UploadMixin
from core.storage import PrivateStorage
from core.testing import admin_change_url, change_form_data, form_values, image_bytes, jpeg_with_gps_bytes
from core.uploads import KINDS
from core.views import serve_media
from courses.models import Lesson, VideoLesson
from courses.tests.factories import CourseFactory, LessonFactory, VideoLessonFactory
from methodics.models import Methodic, MethodicMedia, MethodicStep
from methodics.tests.factories import MethodicFactory
from problems.models import Task
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory
from projects.models import Attachment, Project, ProjectMember, Student
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    TermFactory,
)
from volunteers.models import Volunteer
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(1)</script>"
GIF_POLYGLOT = b"GIF89a" + SCRIPT
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF_HEAD = b"%PDF-1.4\n"
PDF_WITH_HTML = PDF_HEAD + b"<html><body>" + SCRIPT + b"</body></html>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(16)
PNG_END = b"IEND\xaeB`\x82"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
NOT_A_PICTURE = "Это не изображение: подходят JPEG, PNG, GIF и WebP."
RUNS_AS_A_PAGE = "браузер выполнил бы их как страницу сайта."


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- The pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page that uploads one file field, opened by a user allowed to use it."""

    url: str
    field: models.FileField
    rows: models.QuerySet  # the rows a POST of the page may add or change
    data: Callable[[SimpleUploadedFile], dict]  # the POST data, the file in the field's input
    errors: Callable[[object], list[str]]  # the errors the answer shows for the file

    @property
    def private(self) -> bool:
        return isinstance(self.field.storage, PrivateStorage)

    def stored(self):
        """The field's file in the newest of `rows`, as the database holds it."""
        row = self.rows.order_by("-pk").first()
        return getattr(row, self.field.name) if row else None

    def snapshot(self) -> list[dict]:
        return list(self.rows.order_by("pk").values())


def signed_in(client, *roles):
    user = UserFactory(roles=list(roles))
    client.force_login(user)
    return user


def rendered(client, url: str, *names: str) -> dict:
    """The POST data of the page's forms and formsets `names`, as rendered (files left out)."""
    context = client.get(url).context
    data = {}
    for name in names:
        form = context[name]
        forms = [form.management_form, *form.forms] if isinstance(form, BaseFormSet) else [form]
        for each in forms:
            data.update(form_values(each))
    return data


def with_file(data: dict, name: str) -> Callable[[SimpleUploadedFile], dict]:
    return lambda file: {**data, name: file}


def form_errors(context_name: str, field: str):
    return lambda response: [str(error) for error in response.context[context_name].errors.get(field, [])]


def admin_errors(field: str):
    return lambda response: [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


def inline_errors(model, field: str):
    def errors(response):
        [inline] = [each for each in response.context["inline_admin_formsets"] if each.formset.model is model]
        return [str(error) for row in inline.formset.errors for error in row.get(field, [])]

    return errors


def error_messages(response) -> list[str]:
    return [str(message) for message in messages.get_messages(response.wsgi_request) if message.level == messages.ERROR]


def field_of(model, name: str) -> models.FileField:
    return model._meta.get_field(name)


def own_draft(client) -> Methodic:
    return MethodicFactory(author=signed_in(client, TEACHER), status=Methodic.Status.DRAFT, published_at=None)


def methodic_edit_page(client, name: str) -> Page:
    methodic = own_draft(client)
    url = f"/methodics/{methodic.pk}/edit/"
    return Page(
        url,
        field_of(Methodic, name),
        Methodic.objects.filter(pk=methodic.pk),
        with_file(rendered(client, url, "form"), name),
        form_errors("form", name),
    )


def methodic_cover(client) -> Page:
    return methodic_edit_page(client, "cover")


def methodic_presentation(client) -> Page:
    return methodic_edit_page(client, "presentation")


def methodic_step_image(client) -> Page:
    methodic = own_draft(client)
    data = {"step-duration": "10", "step-description": "Знакомство в кругу", "step-expected_result": ""}
    return Page(
        f"/methodics/{methodic.pk}/steps/add/",
        field_of(MethodicStep, "image"),
        MethodicStep.objects.filter(methodic=methodic),
        with_file(data, "step-image"),
        form_errors("step_form", "image"),
    )


def methodic_media_file(client) -> Page:
    methodic = own_draft(client)

    def data(file):
        extension = PurePosixPath(file.name).suffix.lower().lstrip(".")
        kind = "video" if extension in KINDS["video"] else "audio" if extension in KINDS["audio"] else "image"
        return {"media-kind": kind, "media-url": "", "media-caption": "С занятия", "media-file": file}

    return Page(
        f"/methodics/{methodic.pk}/media/add/",
        field_of(MethodicMedia, "file"),
        MethodicMedia.objects.filter(methodic=methodic),
        data,
        form_errors("media_form", "file"),
    )


def admin_page(client, obj, name: str, *, model=None, field=None) -> Page:
    """The admin change page of `obj` as an administrator; the file in `field` of the form
    (an inline's input for a row of `model`)."""
    signed_in(client, ADMIN)
    url = admin_change_url(obj)
    model = model or type(obj)
    rows = model.objects.filter(pk=obj.pk) if model is type(obj) else model.objects.all()
    errors = admin_errors(name) if model is type(obj) else inline_errors(model, name)
    return Page(url, field_of(model, name), rows, with_file(change_form_data(client, url), field or name), errors)


def course_cover(client) -> Page:
    return admin_page(client, CourseFactory(), "cover")


def video_lesson_video(client) -> Page:
    lesson = LessonFactory(type=Lesson.Type.VIDEO)
    VideoLessonFactory(lesson=lesson, url="https://video.example/1")
    return admin_page(client, lesson, "video", model=VideoLesson, field="videos-0-video")


def volunteer_photo(client) -> Page:
    volunteer = VolunteerFactory(user=signed_in(client, VOLUNTEER))
    url = "/volunteers/profile/"
    return Page(
        url,
        field_of(Volunteer, "photo"),
        Volunteer.objects.filter(pk=volunteer.pk),
        with_file(rendered(client, url, "form"), "photo"),
        form_errors("form", "photo"),
    )


def volunteer_photo_in_admin(client) -> Page:
    return admin_page(client, VolunteerFactory(), "photo")


def profile_image(client) -> Page:
    user = signed_in(client, VOLUNTEER)
    url = "/accounts/profile/"
    return Page(
        url,
        field_of(User, "profile_image"),
        User.objects.filter(pk=user.pk),
        with_file(rendered(client, url, "form"), "profile_image"),
        form_errors("form", "profile_image"),
    )


def profile_image_in_admin(client) -> Page:
    return admin_page(client, UserFactory(roles=[TEACHER]), "profile_image")


def project_page(client, obj, url: str, name: str, *forms: str, project: Project | None = None) -> Page:
    """A page of the project pages, as the author (administrator) of `project`, by default
    the object's own project."""
    project = project or (obj if isinstance(obj, Project) else obj.project)
    client.force_login(project.author)
    return Page(
        url,
        field_of(type(obj), name),
        type(obj).objects.filter(pk=obj.pk),
        with_file(rendered(client, url, "form", *forms), name),
        form_errors("form", name),
    )


def project_label_image(client) -> Page:
    project = ProjectFactory()
    return project_page(client, project, f"/projects/{project.pk}/edit/", "label_image")


def term_label_image(client) -> Page:
    term = TermFactory()
    return project_page(client, term, f"/projects/terms/{term.pk}/edit/", "label_image")


def project_course_label_image(client) -> Page:
    course = ProjectCourseFactory()
    project = course.term.project
    return project_page(client, course, f"/projects/courses/{course.pk}/edit/", "label_image", project=project)


def project_lesson_label_image(client) -> Page:
    lesson = ProjectLessonFactory()
    project = lesson.course.term.project
    return project_page(client, lesson, f"/projects/lessons/{lesson.pk}/edit/", "label_image", project=project)


def student_avatar(client) -> Page:
    student = StudentFactory()
    return project_page(client, student, f"/projects/students/{student.pk}/edit/", "avatar", "formset")


def attachment_file(client) -> Page:
    project = ProjectFactory()
    moderator = signed_in(client, TEACHER)
    ProjectMember.objects.create(project=project, user=moderator, role="moderator")
    return Page(
        f"/projects/attachments/project/{project.pk}/upload/",
        field_of(Attachment, "file"),
        Attachment.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk),
        lambda file: {"file": file, "title": "План занятия"},
        error_messages,  # the upload form lives on the owner's page: errors come back as messages
    )


def task_image(client) -> Page:
    return admin_page(client, TaskFactory(), "image")


def task_image_suggested(client) -> Page:
    teacher = signed_in(client, TEACHER)
    data = {
        "block": BlockFactory().pk,
        "title": "Площадь треугольника",
        "statement": "<p>Катеты равны 3 и 4. Найдите площадь.</p>",
        "answer": "6",
        "answer_kind": "number",
        "solutions-TOTAL_FORMS": "1",
        "solutions-INITIAL_FORMS": "0",
        "solutions-0-title": "Решение",
        "solutions-0-text": "<p>S = 3·4/2 = 6.</p>",
    }
    return Page(
        "/problems/suggest/",
        field_of(Task, "image"),
        Task.objects.filter(author=teacher),
        with_file(data, "image"),
        form_errors("form", "image"),
    )


def solution_image(client) -> Page:
    return admin_page(client, SolutionFactory(), "image")


def reference_image(client) -> Page:
    return admin_page(client, ReferenceFactory(), "image")


def message_attachment(client) -> Page:
    sender = signed_in(client, VOLUNTEER)
    data = {"recipient": UserFactory(roles=[ADMIN]).pk, "title": "Справка", "text": "Прикладываю."}
    return Page(
        "/accounts/messages/new/",
        field_of(Message, "attachment"),
        Message.objects.filter(sender=sender),
        with_file(data, "attachment"),
        form_errors("form", "attachment"),
    )


# Every file field people upload, by the page that uploads it («app.Model.field», then
# «:admin» where the admin is a second way in).
FIELDS = {
    "methodics.Methodic.cover": methodic_cover,
    "methodics.Methodic.presentation": methodic_presentation,
    "methodics.MethodicStep.image": methodic_step_image,
    "methodics.MethodicMedia.file": methodic_media_file,
    "courses.Course.cover": course_cover,
    "courses.VideoLesson.video": video_lesson_video,
    "volunteers.Volunteer.photo": volunteer_photo,
    "volunteers.Volunteer.photo:admin": volunteer_photo_in_admin,
    "accounts.User.profile_image": profile_image,
    "accounts.User.profile_image:admin": profile_image_in_admin,
    "projects.Project.label_image": project_label_image,
    "projects.Term.label_image": term_label_image,
    "projects.ProjectCourse.label_image": project_course_label_image,
    "projects.ProjectLesson.label_image": project_lesson_label_image,
    "projects.Student.avatar": student_avatar,
    "projects.Attachment.file": attachment_file,
    "problems.Task.image": task_image_suggested,
    "problems.Task.image:admin": task_image,
    "problems.Solution.image": solution_image,
    "problems.Reference.image": reference_image,
    "accounts.Message.attachment": message_attachment,
}
# Files the site makes itself, never uploaded.
GENERATED = {"courses.Certificate.file"}


def kind_of(label: str) -> str:
    """The upload kind (core.uploads.KINDS) of the field of FIELDS' `label`."""
    app_model, name = label.split(":")[0].rsplit(".", 1)
    return apps.get_model(app_model)._meta.get_field(name).kind


def fields_accepting(extension: str) -> list[str]:
    return [label for label in FIELDS if extension in KINDS[kind_of(label)]]


def is_ours(app_config) -> bool:
    path = Path(app_config.path)
    return path.is_relative_to(django_settings.BASE_DIR) and "site-packages" not in path.parts


def test_every_file_field_of_the_site_is_tested_here():
    file_fields = {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        if is_ours(model._meta.app_config)
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert {label for label, field in file_fields.items() if isinstance(field, UploadMixin)} == {
        label.split(":")[0] for label in FIELDS
    }
    assert {label for label, field in file_fields.items() if not isinstance(field, UploadMixin)} == GENERATED


def test_every_file_input_offers_only_its_kinds_files():
    # Not forms.ImageField's own «image/*», which lets the browser offer SVG and HEIC.
    fields = {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, UploadMixin)
    }
    offered = {label: field.formfield().widget.attrs.get("accept") for label, field in fields.items()}

    assert offered["volunteers.Volunteer.photo"] == ".jpg,.jpeg,.png,.gif,.webp"
    assert offered == {label: ",".join(f".{ext}" for ext in KINDS[field.kind]) for label, field in fields.items()}


# --- What is refused, and leaves nothing behind ---------------------------------------------


def under(path, root) -> bool:
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def stored_files(settings) -> list[Path]:
    roots = (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT))
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def refused(client, settings, page: Page, file: SimpleUploadedFile) -> list[str]:
    """POSTs the file; checks that no row changed and no file was stored; the errors shown."""
    before = page.snapshot()
    response = client.post(page.url, page.data(file))
    assert page.snapshot() == before
    assert stored_files(settings) == []
    errors = page.errors(response)
    assert errors, f"no error for {file.name}"
    assert all(CYRILLIC.search(error) for error in errors), errors
    return errors


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("lesson.html", GIF_POLYGLOT, id="gif-polyglot"),
        pytest.param("x.svg", SVG, id="svg"),
        pytest.param("plan.html", PDF_WITH_HTML, id="html-with-pdf-head"),
    ],
)
@pytest.mark.parametrize("label", FIELDS)
def test_active_content_is_refused(client, settings, label, name, content):
    page = FIELDS[label](client)

    errors = refused(client, settings, page, upload(name, content))

    if isinstance(page.field, models.ImageField):
        # Django's ImageField opens the picture before the model's checks run, and refuses first.
        assert errors == [NOT_A_PICTURE]
    else:
        assert f"Файлы {PurePosixPath(name).suffix} загружать нельзя: {RUNS_AS_A_PAGE}" in errors


@pytest.mark.parametrize("label", fields_accepting("png"))
def test_a_jpeg_named_png_is_refused(client, settings, label):
    page = FIELDS[label](client)
    errors = refused(client, settings, page, upload("photo.png", image_bytes(image_format="JPEG")))
    assert any(error.startswith("Содержимое файла не похоже на .png.") for error in errors), errors


@pytest.mark.parametrize("label", fields_accepting("png"))
def test_a_picture_of_too_many_pixels_is_refused(client, settings, label):
    settings.UPLOAD_MAX_PIXELS = 100
    page = FIELDS[label](client)
    errors = refused(client, settings, page, upload("big.png", image_bytes(size=(20, 20))))
    assert any(error.startswith("Изображение слишком большое: 20 × 20 точек") for error in errors), errors


# --- What is accepted, and how it is stored -------------------------------------------------


def accepted(client, settings, page: Page, file: SimpleUploadedFile):
    """POSTs the file; checks that it was stored in the field's storage; the stored file."""
    response = client.post(page.url, page.data(file))
    assert response.status_code == 302, page.errors(response)
    stored = page.stored()
    assert stored, "nothing stored"
    private, public = under(stored.path, settings.PRIVATE_MEDIA_ROOT), under(stored.path, settings.MEDIA_ROOT)
    assert (private, public) == (page.private, not page.private)
    return stored


@pytest.mark.parametrize("label", fields_accepting("jpg"))
def test_a_photo_is_stored_without_its_exif(client, settings, label):
    page = FIELDS[label](client)
    original = jpeg_with_gps_bytes()
    with Image.open(upload("x.jpg", original)) as picture:
        assert picture.getexif().get_ifd(0x8825)  # the GPS is there to lose

    stored = accepted(client, settings, page, upload("Фото.JPG", original))

    assert PurePosixPath(stored.name).suffix == ".jpg"
    with Image.open(stored.path) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (16, 8)
        assert not picture.getexif()


@pytest.mark.parametrize("label", fields_accepting("png"))
def test_what_rides_after_a_png_is_dropped(client, settings, label):
    page = FIELDS[label](client)

    stored = accepted(client, settings, page, upload("рисунок.png", image_bytes() + SCRIPT))

    content = Path(stored.path).read_bytes()
    assert SCRIPT not in content
    assert content.endswith(PNG_END)
    with Image.open(stored.path) as picture:
        assert (picture.format, picture.size) == ("PNG", (8, 8))


# A real file of each kind that is not a picture, stored as it came: a PDF whose body holds
# HTML is harmless, a PDF being served as a download (see serve_media below).
DOCUMENTS = {
    "presentation": ("Слайды.pdf", PDF_WITH_HTML),
    "document": ("Слайды.pdf", PDF_WITH_HTML),
    "video": ("clip.mp4", MP4),
    "media": ("clip.mp4", MP4),
}


@pytest.mark.parametrize("label", [label for label in FIELDS if kind_of(label) in DOCUMENTS])
def test_a_file_that_is_not_a_picture_is_stored_as_it_came(client, settings, label):
    page = FIELDS[label](client)
    name, content = DOCUMENTS[kind_of(label)]

    stored = accepted(client, settings, page, upload(name, content))

    assert PurePosixPath(stored.name).suffix == PurePosixPath(name).suffix
    assert Path(stored.path).read_bytes() == content


# --- Private photos -------------------------------------------------------------------------


def photo_url(owner: Volunteer | Student) -> str:
    if isinstance(owner, Volunteer):
        return f"/volunteers/{owner.pk}/photo/avatar/"
    return f"/projects/students/{owner.pk}/photo/"


@pytest.fixture
def pictured_volunteer(db):
    return VolunteerFactory(photo=SimpleUploadedFile("я.png", image_bytes(size=(200, 200))))


@pytest.mark.parametrize(
    ("who", "status"),
    [("the volunteer", 200), ("an administrator", 200), ("a teacher", 200), ("another volunteer", 404)],
)
def test_a_volunteers_photo_is_shown_to_them_and_to_staff_only(client, pictured_volunteer, who, status):
    viewer = {
        "the volunteer": pictured_volunteer.user,
        "an administrator": UserFactory(roles=[ADMIN]),
        "a teacher": UserFactory(roles=[TEACHER]),
        "another volunteer": VolunteerFactory().user,
    }[who]
    client.force_login(viewer)

    response = client.get(photo_url(pictured_volunteer))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("image/")
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_volunteers_photo_sends_visitors_to_sign_in(client, pictured_volunteer):
    response = client.get(photo_url(pictured_volunteer))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_volunteers_photo_is_stored_privately_and_linked_through_its_view(client, settings, pictured_volunteer):
    assert under(pictured_volunteer.photo.path, settings.PRIVATE_MEDIA_ROOT)

    client.force_login(pictured_volunteer.user)
    profile = client.get("/volunteers/profile/").content.decode()
    client.force_login(UserFactory(roles=[ADMIN]))
    admin = client.get(admin_change_url(pictured_volunteer)).content.decode()

    for page in (profile, admin):
        assert photo_url(pictured_volunteer) in page
        assert "/media/" not in page


@pytest.fixture
def pictured_student(db):
    return StudentFactory(avatar=SimpleUploadedFile("ученик.png", image_bytes(size=(200, 200))))


def project_user(student: Student, who: str):
    if who == "the project's administrator":
        return student.project.author
    if who == "an administrator of the site":
        return UserFactory(roles=[ADMIN])
    user = UserFactory(roles=[TEACHER])
    if who != "an outsider":
        ProjectMember.objects.create(project=student.project, user=user, role=who.split()[-1])
    return user


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("the project's administrator", 200),
        ("an administrator of the site", 200),
        ("a moderator", 200),
        ("a viewer", 403),
        ("an outsider", 404),
    ],
)
def test_a_students_photo_is_shown_to_those_who_see_personal_data(client, pictured_student, who, status):
    client.force_login(project_user(pictured_student, who))

    response = client.get(photo_url(pictured_student))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("image/")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_students_photo_is_stored_privately_and_linked_through_its_view(client, settings, pictured_student):
    assert under(pictured_student.avatar.path, settings.PRIVATE_MEDIA_ROOT)
    client.force_login(pictured_student.project.author)

    page = client.get(f"/projects/students/{pictured_student.pk}/").content.decode()

    assert photo_url(pictured_student) in page
    assert "/media/" not in page


@pytest.mark.parametrize("owner", ["pictured_volunteer", "pictured_student"])
def test_a_private_photo_is_shown_again_once_its_thumbnail_exists(client, request, owner):
    owner = request.getfixturevalue(owner)
    client.force_login(owner.user if isinstance(owner, Volunteer) else owner.project.author)

    statuses = [client.get(photo_url(owner)).status_code for _attempt in range(2)]

    assert statuses == [200, 200]


# --- Public uploads as Django serves them ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content", "inline"),
    [
        ("methodics/covers/cover.png", image_bytes(), True),
        ("methodics/covers/cover.jpg", image_bytes(image_format="JPEG"), True),
        ("methodics/presentations/slides.pdf", PDF_WITH_HTML, False),
        ("courses/videos/clip.mp4", MP4, False),
        # Whatever reached the media folder before uploads were checked.
        ("methodics/media/lesson.html", GIF_POLYGLOT, False),
        ("methodics/media/x.svg", SVG, False),
    ],
)
def test_serve_media_shows_pictures_and_hands_out_everything_else(settings, path, content, inline):
    target = Path(settings.MEDIA_ROOT) / path
    target.parent.mkdir(parents=True)
    target.write_bytes(content)

    response = serve_media(RequestFactory().get(f"/media/{path}"), path)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    if inline:
        assert response["Content-Disposition"].startswith("inline")
        assert response["Content-Type"].startswith("image/")
    else:
        assert response["Content-Disposition"] == "attachment"
