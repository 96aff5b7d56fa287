"""Files in S3-compatible object storage (config.settings.file_storages, core.s3), against
moto's S3 API on loopback (the fixture `s3`): every upload page stores its file in the
bucket under the right prefix, public media keep plain URLs, private files leave only
through the checked views as redirects to short-lived signed URLs, and thumbnails, exports,
the removal of replaced files and sweep_files work as they do on the disk."""

import io
import json
import os
import subprocess
import sys
from io import StringIO
from urllib.parse import parse_qs, quote, urlsplit

import docx
import pypdf
import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.migrations.writer import MigrationWriter
from PIL import Image

from accounts.roles import ADMIN, VOLUNTEER
from accounts.services import message_send
from accounts.tests.factories import UserFactory
from config.settings import file_origins, file_storages
from core.s3 import PrivateS3Storage
from core.storage import PrivateFileSystemStorage, PrivateStorage
from core.templatetags.thumbnails import alias_url
from core.testing import image_bytes, png_upload, thumbnail_names
from core.tests.test_upload_views import DOCUMENTS, FIELDS, kind_of, stored_files, upload
from core.uploads import KINDS
from methodics.services import step_update
from methodics.tests.factories import MethodicFactory, add_step
from problems.tests.factories import SolutionFactory, TaskFactory
from volunteers.models import Volunteer
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a certificate of vaccination\n%%EOF\n"
CYRILLIC_NAME = "Справка о прививках (2).pdf"


def fetch(url: str) -> requests.Response:
    """What a browser gets from the bucket at `url`: no credentials but the URL's own."""
    return requests.get(url, timeout=10)


def keys(s3, prefix: str = "") -> list[str]:
    return s3.keys(s3.bucket, prefix)


# --- Configuration --------------------------------------------------------------------------


def test_without_s3_bucket_files_stay_in_the_local_folders(settings):
    assert file_storages({"S3_ENDPOINT_URL": "http://127.0.0.1:9"}) == file_storages({})
    assert type(storages["default"]) is FileSystemStorage
    assert isinstance(storages["private"], PrivateFileSystemStorage)
    assert PrivateStorage().path("a.pdf") == str(settings.PRIVATE_MEDIA_ROOT.resolve() / "a.pdf")
    assert file_origins({}) == []


def test_the_private_storage_follows_the_settings_and_stays_the_same_in_migrations(s3, settings):
    private = PrivateStorage()
    assert isinstance(storages["private"], PrivateS3Storage)
    assert private.bucket_name == s3.bucket and private.location == "private"

    settings.STORAGES = {**settings.STORAGES, **file_storages({})}  # Django empties `storages`
    assert isinstance(storages["private"], PrivateFileSystemStorage)
    assert private.location == str(settings.PRIVATE_MEDIA_ROOT.resolve())

    assert private.deconstruct() == ("core.storage.PrivateStorage", (), {})
    assert MigrationWriter.serialize(private) == ("core.storage.PrivateStorage()", {"import core.storage"})


def test_public_urls_may_come_from_a_cdn_and_pages_may_load_from_the_buckets(settings):
    env = {"S3_BUCKET": "volna", "S3_PUBLIC_URL": "https://cdn.volna.example/files/", "S3_REGION": "eu-central-1"}
    settings.STORAGES = {**settings.STORAGES, **file_storages(env)}

    assert default_storage.url("methodics/covers/рисунок 1.png") == (
        "https://cdn.volna.example/files/media/methodics/covers/%D1%80%D0%B8%D1%81%D1%83%D0%BD%D0%BE%D0%BA%201.png"
    )
    assert file_origins(env) == ["https://cdn.volna.example", "https://volna.s3.eu-central-1.amazonaws.com"]
    assert file_origins({"S3_BUCKET": "volna", "S3_ENDPOINT_URL": "https://storage.example:9000/"}) == [
        "https://storage.example:9000"
    ]


def test_private_files_may_have_a_bucket_of_their_own(s3, settings):
    s3.reset(bucket="volna-media", private_bucket="volna-private")
    settings.STORAGES = {**settings.STORAGES, **file_storages(s3.env)}

    public = default_storage.save("methodics/covers/обложка.png", ContentFile(image_bytes()))
    private = PrivateStorage().save("messages/2026/x/письмо.pdf", ContentFile(PDF))

    assert s3.keys("volna-media") == [f"media/{public}"]
    assert s3.keys("volna-private") == [f"private/{private}"]


def test_another_process_reads_the_same_files_from_the_environment_alone(s3):
    name = PrivateStorage().save("messages/2026/x/письмо.pdf", ContentFile(PDF))
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from core.storage import PrivateStorage; "
        f"print(json.dumps([PrivateStorage().open({name!r}).read().decode(), settings.CONTENT_SECURITY_POLICY]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **s3.env}

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=django_settings.BASE_DIR, capture_output=True, timeout=60
    )

    assert done.returncode == 0, done.stderr.decode()
    content, policy = json.loads(done.stdout)
    assert content.encode() == PDF
    # The pages of that process may show the bucket's pictures, videos and audio.
    assert s3.endpoint_url in policy["DIRECTIVES"]["img-src"]
    assert s3.endpoint_url in policy["DIRECTIVES"]["media-src"]


# --- Uploads --------------------------------------------------------------------------------


def sample(label: str) -> SimpleUploadedFile:
    """A file the field of FIELDS' `label` accepts: a picture where it takes one."""
    kind = kind_of(label)
    if "png" in KINDS[kind]:
        return upload("Рисунок к занятию.png", image_bytes((64, 48)))
    return upload(*DOCUMENTS[kind])


@pytest.mark.parametrize("label", FIELDS)
def test_an_upload_through_its_page_lands_in_the_bucket(
    client, settings, s3, label, django_capture_on_commit_callbacks
):
    page = FIELDS[label](client)

    with django_capture_on_commit_callbacks(execute=True):  # thumbnails are made once it commits
        response = client.post(page.url, page.data(sample(label)))

    assert response.status_code == 302, page.errors(response)
    stored = page.stored()
    prefix = "private/" if page.private else "media/"
    assert f"{prefix}{stored.name}" in keys(s3)
    assert all(key.startswith(prefix) for key in keys(s3))  # its thumbnails too
    assert stored_files(settings) == []  # nothing on this server's disk
    with stored.open("rb") as file:
        assert s3.read(s3.bucket, f"{prefix}{stored.name}") == file.read()
    if page.private:
        with pytest.raises(ValueError, match="no URL"):
            stored.url  # noqa: B018 - the property raises
    else:
        assert stored.url == f"{s3.endpoint_url}/{s3.bucket}/media/{quote(stored.name)}"
        assert fetch(stored.url).status_code == 200  # plain, unsigned


def test_the_type_an_object_is_served_with_comes_from_its_extension_alone(s3, volunteer):
    sent = message_send(
        sender=UserFactory(roles=[ADMIN]),
        recipient=volunteer,
        title="Справка",
        text="Во вложении.",
        attachment=SimpleUploadedFile(CYRILLIC_NAME, PDF, content_type="text/html"),  # as the browser claimed
    )
    cover = default_storage.save("methodics/covers/обложка.png", ContentFile(image_bytes()))
    presentation = default_storage.save("methodics/presentations/слайды.pdf", ContentFile(PDF))

    def head(bucket_key):
        return s3.client.head_object(Bucket=s3.bucket, Key=bucket_key)

    attachment = head(f"private/{sent.attachment.name}")
    assert (attachment["ContentType"], attachment["ContentDisposition"]) == ("application/pdf", "attachment")
    picture = head(f"media/{cover}")
    assert (picture["ContentType"], picture.get("ContentDisposition")) == ("image/png", None)
    assert picture["CacheControl"] == "public, max-age=604800"
    assert head(f"media/{presentation}")["ContentDisposition"] == "attachment"


def test_names_are_kept_as_uploaded_and_a_second_file_of_a_name_gets_its_own(s3):
    private = PrivateStorage()
    assert private.generate_filename("messages/2026/x/отчёт: март?.pdf") == "messages/2026/x/отчёт_ март_.pdf"
    assert private.generate_filename(f"messages/2026/x/{CYRILLIC_NAME}") == f"messages/2026/x/{CYRILLIC_NAME}"

    first = default_storage.save("methodics/covers/рисунок.png", ContentFile(image_bytes(colour="red")))
    second = default_storage.save("methodics/covers/рисунок.png", ContentFile(image_bytes(colour="blue")))

    assert first != second
    assert keys(s3) == sorted([f"media/{first}", f"media/{second}"])


# --- Private downloads ----------------------------------------------------------------------


@pytest.fixture
def letter(s3, volunteer):
    return message_send(
        sender=UserFactory(roles=[ADMIN]),
        recipient=volunteer,
        title="Справка",
        text="Во вложении.",
        attachment=SimpleUploadedFile(CYRILLIC_NAME, PDF, content_type="application/pdf"),
    )


def attachment_url(message) -> str:
    return f"/accounts/messages/{message.pk}/attachment/"


def test_a_private_attachment_downloads_by_a_signed_url_under_its_cyrillic_name(client, s3, letter):
    client.force_login(letter.recipient)

    response = client.get(attachment_url(letter))

    assert response.status_code == 302
    url = urlsplit(response.url)
    assert f"{url.scheme}://{url.netloc}" == s3.endpoint_url
    assert url.path == f"/{s3.bucket}/private/{quote(letter.attachment.name)}"
    assert parse_qs(url.query)["X-Amz-Expires"] == ["300"]  # S3_PRESIGNED_SECONDS
    assert response["Cache-Control"] == "private, max-age=150"
    fetched = fetch(response.url)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(CYRILLIC_NAME)}"


def test_without_its_signature_a_private_file_is_not_served(client, s3, letter):
    client.force_login(letter.recipient)
    signed = client.get(attachment_url(letter)).url

    assert fetch(signed.split("?")[0]).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"), [("the sender", 302), ("another volunteer", 404), ("an administrator", 404)]
)
def test_a_private_attachment_is_refused_to_strangers_as_on_the_disk(client, s3, letter, who, status):
    user = {
        "the sender": letter.sender,
        "another volunteer": UserFactory(roles=[VOLUNTEER]),
        "an administrator": UserFactory(roles=[ADMIN]),
    }[who]
    client.force_login(user)

    response = client.get(attachment_url(letter))

    assert response.status_code == status
    if status != 302:
        assert s3.endpoint_url not in response.get("Location", "")


def test_a_visitor_is_sent_to_sign_in_not_to_the_bucket(client, s3, letter):
    response = client.get(attachment_url(letter))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_missing_object_is_a_404_not_a_redirect(client, s3, letter):
    s3.client.delete_object(Bucket=s3.bucket, Key=f"private/{letter.attachment.name}")
    client.force_login(letter.recipient)
    assert client.get(attachment_url(letter)).status_code == 404


# --- Thumbnails -----------------------------------------------------------------------------


@pytest.fixture
def pictured(s3, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the avatars are made once the upload commits
        volunteer.photo = png_upload("я.png", size=(300, 200))
        volunteer.save()
    return Volunteer.objects.get(pk=volunteer.pk)


def test_a_private_photos_thumbnails_are_private_objects_shown_by_signed_urls(client, s3, pictured):
    names = thumbnail_names(pictured.photo)
    assert len(names) == 2
    assert keys(s3) == sorted(f"private/{name}" for name in [pictured.photo.name, *names])
    client.force_login(pictured.user)

    response = client.get(f"/volunteers/{pictured.pk}/photo/avatar/")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, max-age=150"
    fetched = fetch(response.url)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Disposition"] == "inline"
    assert fetched.headers["Cache-Control"] == "private, max-age=3600"
    with Image.open(io.BytesIO(fetched.content)) as picture:
        assert picture.size == (160, 160)
    client.force_login(VolunteerFactory().user)
    assert client.get(f"/volunteers/{pictured.pk}/photo/avatar/").status_code == 404


def test_a_private_thumbnail_is_made_on_demand_in_the_bucket(client, s3, pictured):
    for name in thumbnail_names(pictured.photo):
        s3.client.delete_object(Bucket=s3.bucket, Key=f"private/{name}")
    pictured.photo.get_source_cache().thumbnails.all().delete()  # as if never made
    client.force_login(pictured.user)

    response = client.get(f"/volunteers/{pictured.pk}/photo/avatar_small/")

    assert response.status_code == 302
    with Image.open(io.BytesIO(fetch(response.url).content)) as picture:
        assert picture.size == (48, 48)


def test_a_public_pictures_thumbnails_are_public_objects_with_plain_urls(s3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        methodic = MethodicFactory(cover=ContentFile(image_bytes((640, 480)), name="обложка.png"))
    (thumbnail,) = thumbnail_names(methodic.cover)

    url = alias_url(methodic.cover, "card")

    assert keys(s3) == sorted([f"media/{methodic.cover.name}", f"media/{thumbnail}"])
    assert url == f"{s3.endpoint_url}/{s3.bucket}/media/{quote(thumbnail)}"
    with Image.open(io.BytesIO(fetch(url).content)) as picture:
        assert picture.size == (480, 270)


# --- Exports --------------------------------------------------------------------------------


def pictures_in(response) -> int:
    data = b"".join(response.streaming_content)
    if response["Content-Type"] == "application/pdf":
        return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return len(docx.Document(io.BytesIO(data)).inline_shapes)


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_a_methodic_exports_with_its_pictures_from_the_bucket(client, s3, file_format):
    methodic = MethodicFactory(cover=ContentFile(image_bytes((320, 200)), name="обложка.png"))
    add_step(methodic, image=ContentFile(image_bytes((320, 200), "red"), name="шаг.png"))

    response = client.get(f"/methodics/{methodic.pk}/export/", {"format": file_format})

    assert response.status_code == 200
    assert pictures_in(response) == 2


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_a_task_exports_with_its_pictures_from_the_bucket(client, s3, file_format):
    task = TaskFactory(image=ContentFile(image_bytes((320, 200)), name="чертёж.png"))
    SolutionFactory(task=task, image=ContentFile(image_bytes((320, 200), "red"), name="решение.png"))

    response = client.get(f"/problems/tasks/{task.pk}/export/", {"format": file_format, "answers": 1})

    assert response.status_code == 200
    assert pictures_in(response) == 2


# --- Removing files -------------------------------------------------------------------------


def test_a_replaced_step_image_leaves_the_bucket_once_committed(s3, django_capture_on_commit_callbacks):
    step = add_step(MethodicFactory(), image=png_upload("старый.png"))
    old = f"media/{step.image.name}"

    with django_capture_on_commit_callbacks(execute=True):
        step_update(step=step, image=png_upload("новый.png"))
        assert old in keys(s3)  # not before the commit

    assert old not in keys(s3)
    assert f"media/{step.image.name}" in keys(s3)


def test_a_replaced_photo_leaves_the_bucket_with_its_thumbnails(s3, pictured, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pictured.photo = png_upload("новое.png", size=(300, 200))
        pictured.save()

    new = [pictured.photo.name, *thumbnail_names(pictured.photo)]
    assert keys(s3) == sorted(f"private/{name}" for name in new)


# --- manage.py sweep_files --------------------------------------------------------------------


def sweep(*args) -> str:
    out = StringIO()
    call_command("sweep_files", *args, stdout=out)
    return out.getvalue()


def test_sweep_files_finds_orphaned_objects_and_keeps_named_and_young_ones(s3, letter, pictured):
    private = PrivateStorage()
    shared = default_storage.save("problems/tasks/chart-0123456789abcdef.png", ContentFile(image_bytes()))
    TaskFactory(image=shared)
    orphans = [
        f"media/{default_storage.save('methodics/covers/старая.png', ContentFile(b'left behind'))}",
        f"private/{private.save('messages/2025/x/письмо.pdf', ContentFile(b'left behind'))}",
    ]
    young = f"media/{default_storage.save('courses/covers/только-что.png', ContentFile(b'just saved'))}"
    named = [key for key in keys(s3) if key not in [*orphans, young]]
    assert len(named) == 5  # the attachment, the photo and its two thumbnails, the shared picture
    for key in [*orphans, *named]:
        s3.backdate(s3.bucket, key, hours=48)

    listed = sweep("--dry-run")

    assert "Файлов без записей: 2" in listed
    assert all(f"s3://{s3.bucket}/{key}" in listed for key in orphans)
    assert keys(s3) == sorted([*orphans, *named, young])

    assert "Удалено файлов без записей: 2" in sweep("--verbosity", "0")
    assert keys(s3) == sorted([*named, young])
