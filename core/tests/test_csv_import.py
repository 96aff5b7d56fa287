import re

import pytest

from core.csv_import import CsvFileError, ImportErrors, ImportReport, RowError, read_csv

COLUMNS = ("code", "region")


def write(tmp_path, content: str | bytes, name: str = "regions.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def read(path, columns=COLUMNS):
    errors = ImportErrors(path.name)
    rows = list(read_csv(path, columns=columns, errors=errors))
    return rows, errors


def test_rows_carry_the_line_a_person_sees_with_the_header_as_line_1(tmp_path):
    path = write(tmp_path, "code,region\n1,Республика Адыгея\n\n77,Москва\n")

    rows, errors = read(path)

    assert rows == [(2, {"code": "1", "region": "Республика Адыгея"}), (4, {"code": "77", "region": "Москва"})]
    assert not errors


def test_a_quoted_value_over_two_lines_counts_from_its_first_line(tmp_path):
    path = write(tmp_path, 'code,region\r\n1,"Республика\r\nАдыгея"\r\n2,Республика Башкортостан\r\n')

    rows, _ = read(path)

    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1]["region"] == "Республика\r\nАдыгея"


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "\ufeffcode,region\n77,Москва\n")

    rows, _ = read(path)

    assert rows == [(2, {"code": "77", "region": "Москва"})]


def test_values_and_column_names_are_stripped_and_a_missing_value_is_empty(tmp_path):
    path = write(tmp_path, " code , region \n 77 ,  Москва \n78\n")

    rows, errors = read(path)

    assert rows == [(2, {"code": "77", "region": "Москва"}), (3, {"code": "78", "region": ""})]
    assert not errors


def test_extra_columns_are_allowed_and_passed_on(tmp_path):
    path = write(tmp_path, "code,region,note\n77,Москва,столица\n")

    rows, _ = read(path)

    assert rows == [(2, {"code": "77", "region": "Москва", "note": "столица"})]


def test_more_values_than_columns_is_a_row_error_and_the_row_is_left_out(tmp_path):
    path = write(tmp_path, "code,region\n15,Республика Северная Осетия, Алания\n16,Республика Татарстан,\n")

    rows, errors = read(path)

    assert rows == [(3, {"code": "16", "region": "Республика Татарстан"})]
    assert [(error.line, error.field) for error in errors] == [(2, None)]
    assert str(errors).startswith("regions.csv, строка 2: значений больше, чем столбцов в заголовке (2)")


def test_a_control_character_is_a_row_error_per_field_and_the_row_is_left_out(tmp_path):
    path = write(tmp_path, 'code,region\n1,Адыгея\n2\x00,"Баш\x1bкирия"\n3,Буря\x0bтия\n4,Алтай\t\n')

    rows, errors = read(path)

    assert rows == [(2, {"code": "1", "region": "Адыгея"}), (5, {"code": "4", "region": "Алтай"})]
    assert [str(error) for error in errors] == [
        "regions.csv, строка 3, поле code: управляющий символ U+0000 в значении; удалите его.",
        "regions.csv, строка 3, поле region: управляющий символ U+001B в значении; удалите его.",
        "regions.csv, строка 4, поле region: управляющий символ U+000B в значении; удалите его.",
    ]


def test_a_control_character_in_the_header_is_an_error_of_the_file(tmp_path):
    with pytest.raises(CsvFileError, match=re.escape("regions.csv, строка 1: управляющий символ U+0000 в заголовке.")):
        read(write(tmp_path, "code\x00,region\n1,Адыгея\n"))


def test_a_file_that_is_not_utf8_is_an_error_naming_the_file_and_the_line(tmp_path):
    path = write(tmp_path, "code,region\n77,Москва\n78,Санкт-Петербург\n".encode("cp1251"))

    with pytest.raises(CsvFileError) as raised:
        read(path)

    assert str(raised.value).startswith("regions.csv: файл не в кодировке UTF-8 (первый неверный байт в строке 2)")


def test_missing_columns_are_named(tmp_path):
    path = write(tmp_path, "код;регион\n77;Москва\n")

    with pytest.raises(CsvFileError) as raised:
        read(path)

    assert str(raised.value).startswith("regions.csv: нет столбцов: code, region. В первой строке найдено: код;регион")


def test_only_the_missing_column_is_named(tmp_path):
    path = write(tmp_path, "code,name\n77,Москва\n")

    with pytest.raises(CsvFileError, match=r"нет столбцов: region\."):
        read(path)


def test_the_error_comes_at_the_call_not_at_the_first_row(tmp_path):
    path = write(tmp_path, "code\n77\n")

    with pytest.raises(CsvFileError):
        read_csv(path, columns=COLUMNS, errors=ImportErrors())


@pytest.mark.parametrize("content", ["", "\n77,Москва\n"])
def test_an_empty_first_line_is_an_error(tmp_path, content):
    with pytest.raises(CsvFileError, match="первая строка пуста"):
        read(write(tmp_path, content))


def test_a_repeated_column_is_an_error(tmp_path):
    with pytest.raises(CsvFileError, match="столбцы повторяются в заголовке: code"):
        read(write(tmp_path, "code,region,code\n"))


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(CsvFileError, match=r"Файл не найден: .*nowhere\.csv"):
        read(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (RowError("regions.csv", 7, "code", "код не указан."), "regions.csv, строка 7, поле code: код не указан."),
        (RowError("regions.csv", 7, None, "лишнее."), "regions.csv, строка 7: лишнее."),
        (RowError("", 7, "region", "пусто."), "строка 7, поле region: пусто."),
        (RowError("", None, None, "пусто."), "пусто."),
    ],
)
def test_a_row_error_reads_as_file_line_field_and_message(error, text):
    assert str(error) == text


def test_import_errors_collect_in_order_and_know_their_file():
    errors = ImportErrors("regions.csv")
    assert not errors

    errors.add("код не указан.", line=3, field="code")
    errors.add("название региона не указано.", line=5, field="region")

    assert len(errors) == 2
    assert [error.line for error in errors] == [3, 5]
    assert str(errors) == (
        "regions.csv, строка 3, поле code: код не указан.\n"
        "regions.csv, строка 5, поле region: название региона не указано."
    )


def test_a_report_is_written_only_without_errors_and_outside_a_dry_run():
    errors = ImportErrors()
    report = ImportReport(created=2, updated=1, unchanged=3, errors=errors)

    assert report.summary() == "Создано: 2, обновлено: 1, без изменений: 3"
    assert report.written
    assert not ImportReport(dry_run=True).written
    errors.add("ошибка")
    assert not report.written
