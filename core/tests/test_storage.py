"""Private files keep the names they were uploaded with; static files are addressed by the
manifest (core.storage)."""

import json

import pytest

from core.storage import OwnFolder, PrivateStorage, StaticFilesStorage


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("Справка о прививках (2).pdf", "Справка о прививках (2).pdf"),
        ("отчёт: март/апрель?.docx", "отчёт_ март_апрель_.docx"),
        ('a<b>"c|d*.txt', "a_b__c_d_.txt"),
        ("..\\..\\скрытый.pdf", "_.._скрытый.pdf"),
        (".htaccess", "htaccess"),
        ("...", "file"),
    ],
)
def test_a_private_file_keeps_its_name_but_for_what_no_file_name_may_hold(uploaded, stored):
    assert PrivateStorage().get_valid_name(uploaded) == stored


def test_each_upload_gets_a_folder_of_its_own():
    upload_to = OwnFolder("messages")

    first, second = upload_to(None, "паспорт.pdf"), upload_to(None, "паспорт.pdf")

    assert first != second
    assert first.startswith("messages/") and first.endswith("/паспорт.pdf")
    assert PrivateStorage().generate_filename(first) == first


def test_a_static_files_address_is_the_manifests_and_a_file_not_in_it_fails(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")

    assert storage.url("css/site.css") == storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/gone.css")
