"""Private files keep the names they were uploaded with (core.storage)."""

import pytest

from core.storage import OwnFolder, PrivateStorage


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
