import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from volunteers.demo import REGIONS_CSV
from volunteers.models import Location

pytestmark = pytest.mark.django_db


def import_locations(*args):
    out, err = StringIO(), StringIO()
    call_command("import_locations", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def import_failing(*args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_locations", *map(str, args), stdout=out, stderr=err)
    return str(raised.value), err.getvalue()


def write(tmp_path, text, name="regions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def locations():
    return dict(Location.objects.values_list("code", "region"))


def shipped_regions():
    with REGIONS_CSV.open(encoding="utf-8", newline="") as file:
        return {int(row["code"]): row["region"] for row in csv.DictReader(file)}


class TestShippedFile:
    def test_imports_every_subject_of_the_federation(self):
        output = import_locations(REGIONS_CSV)

        assert "Создано: 89, обновлено: 0, без изменений: 0." in output
        assert locations() == shipped_regions()
        assert len(shipped_regions()) == 89
        assert locations()[1] == "Республика Адыгея"
        assert locations()[50] == "Московская область"
        assert locations()[77] == "Москва"
        assert locations()[78] == "Санкт-Петербург"
        assert locations()[89] == "Ямало-Ненецкий автономный округ"
        assert locations()[92] == "Севастополь"

    def test_a_second_run_leaves_every_row_unchanged(self):
        import_locations(REGIONS_CSV)
        before = list(Location.objects.order_by("pk").values())

        output = import_locations(REGIONS_CSV)

        assert "Создано: 0, обновлено: 0, без изменений: 89." in output
        assert list(Location.objects.order_by("pk").values()) == before


def test_a_renamed_region_is_updated_and_a_new_code_created(tmp_path):
    Location.objects.create(code=77, region="г. Москва")
    Location.objects.create(code=78, region="Санкт-Петербург")
    path = write(tmp_path, "code,region\n77,Москва\n78,Санкт-Петербург\n50,Московская область\n")

    output = import_locations(path)

    assert "Создано: 1, обновлено: 1, без изменений: 1." in output
    assert locations() == {77: "Москва", 78: "Санкт-Петербург", 50: "Московская область"}


def test_imported_regions_show_in_the_catalogue_filter_at_once(tmp_path):
    """The course catalogue, kept for anonymous visitors (core.cache), offers them at once."""
    Location.objects.create(code=77, region="г. Москва")
    assert ">г. Москва</option>" in Client().get("/courses/").content.decode()

    import_locations(write(tmp_path, "code,region\n77,Москва\n50,Московская область\n"))

    page = Client().get("/courses/").content.decode()
    assert ">Москва</option>" in page
    assert ">Московская область</option>" in page
    assert ">г. Москва</option>" not in page


def test_codes_may_be_written_with_a_leading_zero_and_spaces_in_names_are_tidied(tmp_path):
    path = write(tmp_path, "code,region\n01,  Республика   Адыгея \n")

    import_locations(path)

    assert locations() == {1: "Республика Адыгея"}


def test_errors_name_file_line_and_field_and_nothing_is_written(tmp_path):
    Location.objects.create(code=77, region="Москва")
    path = write(
        tmp_path,
        "code,region\n"
        "78,Санкт-Петербург\n"
        "abc,Московская область\n"  # line 3
        "50,Ленинградская область\n"
        "47,\n"  # line 5
        "77,Столица\n",
    )

    message, errors = import_failing(path)

    assert message == "regions.csv: найдено ошибок: 2. Ничего не записано."
    assert errors.splitlines() == [
        "regions.csv, строка 3, поле code: код должен быть целым числом от 1 до 999, а не «abc».",
        "regions.csv, строка 5, поле region: название региона не указано.",
    ]
    assert locations() == {77: "Москва"}


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("\n,Москва", "строка 2, поле code: код не указан."),
        ("\n0,Москва", "строка 2, поле code: код должен быть целым числом от 1 до 999, а не «0»."),
        ("\n1000,Москва", "строка 2, поле code: код должен быть целым числом от 1 до 999, а не «1000»."),
        ("\n7.5,Москва", "строка 2, поле code: код должен быть целым числом от 1 до 999, а не «7.5»."),
        ("\n-7,Москва", "строка 2, поле code: код должен быть целым числом от 1 до 999, а не «-7»."),
        ("\n77," + "я" * 121, "строка 2, поле region: название длиннее 120 символов (121)."),
        ("\n77,Москва\n\n77,Столица", "строка 4, поле code: код 77 уже указан в строке 2."),
        ("\n77,Москва\n50,МОСКВА", "строка 3, поле region: регион «МОСКВА» уже указан в строке 2."),
    ],
)
def test_a_bad_row_is_reported(tmp_path, rows, error):
    message, errors = import_failing(write(tmp_path, "code,region" + rows))

    assert errors.splitlines() == [f"regions.csv, {error}"]
    assert "Ничего не записано" in message
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        ("\n77,Мос\x00ква", ["строка 3, поле region: управляющий символ U+0000 в значении; удалите его."]),
        (
            '\n7\x007,"Мос\x7fква"',
            [
                "строка 3, поле code: управляющий символ U+0000 в значении; удалите его.",
                "строка 3, поле region: управляющий символ U+007F в значении; удалите его.",
            ],
        ),
        (
            "\n" + "9" * 5000 + ",Москва",
            [f"строка 3, поле code: код должен быть целым числом от 1 до 999, а не «{'9' * 5000}»."],
        ),
        ("\n²,Москва", ["строка 3, поле code: код должен быть целым числом от 1 до 999, а не «²»."]),
    ],
)
def test_a_control_character_or_a_huge_number_is_a_row_error_and_nothing_is_written(tmp_path, rows, errors):
    message, reported = import_failing(write(tmp_path, "code,region\n50,Московская область" + rows))

    assert reported.splitlines() == [f"regions.csv, {error}" for error in errors]
    assert "Ничего не записано" in message
    assert not Location.objects.exists()


def test_a_region_name_held_by_another_code_in_the_database_is_an_error_before_writing(tmp_path):
    Location.objects.create(code=99, region="Москва")
    Location.objects.create(code=None, region="Севастополь")
    path = write(tmp_path, "code,region\n50,Московская область\n77,Москва\n92,Севастополь\n")

    _, errors = import_failing(path)

    assert errors.splitlines() == [
        "regions.csv, строка 3, поле region: регион «Москва» уже есть в базе с кодом 99; исправьте файл или этот "
        "регион в администрировании.",
        "regions.csv, строка 4, поле region: регион «Севастополь» уже есть в базе без кода; исправьте файл или этот "
        "регион в администрировании.",
    ]
    assert locations() == {99: "Москва", None: "Севастополь"}


def test_dry_run_reports_and_writes_nothing(tmp_path):
    Location.objects.create(code=77, region="г. Москва")
    path = write(tmp_path, "code,region\n77,Москва\n50,Московская область\n")

    output = import_locations(path, "--dry-run")

    assert output.strip() == "Пробный запуск, ничего не записано. Создано: 1, обновлено: 1, без изменений: 0."
    assert locations() == {77: "г. Москва"}


def test_dry_run_with_errors_fails_too(tmp_path):
    message, errors = import_failing(write(tmp_path, "code,region\n77,\n"), "--dry-run")

    assert errors.strip() == "regions.csv, строка 2, поле region: название региона не указано."
    assert "найдено ошибок: 1" in message


def test_a_missing_file_is_a_clear_error(tmp_path):
    message, _ = import_failing(tmp_path / "nowhere.csv")

    assert message == f"Файл не найден: {tmp_path / 'nowhere.csv'}"


def test_a_file_without_the_columns_is_a_clear_error(tmp_path):
    message, _ = import_failing(write(tmp_path, "код,регион\n77,Москва\n"))

    assert message.startswith("regions.csv: нет столбцов: code, region.")


def test_a_file_in_another_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes("code,region\n77,Москва\n".encode("cp1251"))

    message, _ = import_failing(path)

    assert message.startswith("regions.csv: файл не в кодировке UTF-8")
