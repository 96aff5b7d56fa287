import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from PIL import Image

from accounts.tests.factories import UserFactory
from problems import importers
from problems.demo import SAMPLE_BANK
from problems.importers import import_problem_bank
from problems.models import Block, Reference, Solution, Task
from problems.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

SAMPLE_SUMMARY = (
    "Блоки: создано 6, обновлено 0, без изменений 0; "
    "справочные материалы: создано 10, обновлено 0, без изменений 0; "
    "задачи: создано 50, обновлено 0, без изменений 0; "
    "решения: создано 61, удалено 0, без изменений 0."
)
SAMPLE_UNCHANGED = (
    "Блоки: создано 0, обновлено 0, без изменений 6; "
    "справочные материалы: создано 0, обновлено 0, без изменений 10; "
    "задачи: создано 0, обновлено 0, без изменений 50; "
    "решения: создано 0, удалено 0, без изменений 61."
)


def import_problems(*args):
    out, err = StringIO(), StringIO()
    call_command("import_problems", *map(str, args), stdout=out, stderr=err)
    return out.getvalue().strip()


def import_failing(*args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_problems", *map(str, args), stdout=out, stderr=err)
    return str(raised.value), err.getvalue().splitlines()


def write(folder: Path, rows, name="bank.jsonl") -> Path:
    """A bank file: dicts become JSON lines, strings are written as they are."""
    path = folder / name
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample_copy(folder: Path) -> tuple[Path, list[dict]]:
    """The sample bank's rows and a copy of its images in `folder`, to edit and write back."""
    shutil.copytree(SAMPLE_BANK.parent / "images", folder / "images")
    rows = [json.loads(line) for line in SAMPLE_BANK.read_text(encoding="utf-8").splitlines()]
    return folder / "bank.jsonl", rows


def row_with(rows: list[dict], key: str) -> dict:
    return next(row for row in rows if row.get("key") == key and row["type"] == "task")


def snapshot() -> dict:
    return {
        "blocks": list(Block.objects.order_by("pk").values()),
        "references": list(Reference.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "links": list(Task.references.through.objects.order_by("pk").values()),
        "solutions": list(Solution.objects.order_by("pk").values()),
    }


BLOCK = {"type": "block", "key": "algebra", "title": "Алгебра", "order": 1}
REFERENCE = {"type": "reference", "key": "vieta", "title": "Теорема Виета", "description": "<p>x₁ + x₂ = −p</p>"}


def task_row(key="t-1", **fields):
    row = {
        "type": "task",
        "key": key,
        "block": "algebra",
        "title": "Квадратное уравнение",
        "statement": "<p>Решите x² − 5x + 6 = 0.</p>",
        "answer": "2; 3",
        "solutions": [{"title": "Решение", "text": "<p>D = 1, x = 2 или 3.</p>"}],
    }
    return {**row, **fields}


class TestSampleBank:
    def test_imports_cleanly_with_the_expected_counts(self):
        assert import_problems(SAMPLE_BANK) == SAMPLE_SUMMARY

        assert list(Block.objects.values_list("title", flat=True)) == [
            "Арифметика",
            "Алгебра",
            "Уравнения и неравенства",
            "Геометрия",
            "Тригонометрия",
            "Теория вероятностей и комбинаторика",
        ]
        assert all(block.tasks.count() >= 6 for block in Block.objects.all())
        assert set(Task.objects.values_list("status", flat=True)) == {Task.Status.PUBLISHED}
        assert not Task.objects.filter(answer="").exists()
        assert not Task.objects.filter(solutions=None).exists()
        assert not Reference.objects.filter(tasks=None).exists()
        assert Solution.objects.filter(is_private=True).count() == 2
        quadratic = Task.objects.get(external_key="eq-02")
        assert quadratic.title == "Квадратное уравнение"
        assert quadratic.statement == "<p>Решите уравнение: x² − 5x + 6 = 0.</p>"
        assert quadratic.answer == "2; 3"
        assert set(quadratic.references.values_list("external_key", flat=True)) == {"quadratic", "vieta"}
        assert list(quadratic.solutions.values_list("title", flat=True)) == ["Через дискриминант", "По теореме Виета"]

    def test_a_second_run_leaves_every_row_unchanged(self):
        import_problems(SAMPLE_BANK)
        before = snapshot()

        assert import_problems(SAMPLE_BANK) == SAMPLE_UNCHANGED
        assert snapshot() == before

    def test_images_are_stored_and_attached(self):
        import_problems(SAMPLE_BANK)

        with Image.open(SAMPLE_BANK.parent / "images" / "right-triangle.png") as original:
            pixels = original.convert("RGBA").tobytes()
        task = Task.objects.get(external_key="geo-01")
        reference = Reference.objects.get(external_key="pythagoras")
        assert task.image.name.startswith("problems/tasks/right-triangle-")
        assert reference.image.name.startswith("problems/references/right-triangle-")
        for image in (task.image, reference.image):
            with default_storage.open(image.name) as stored, Image.open(stored) as picture:
                assert picture.format == "PNG"  # re-encoded like every upload, the same pixels
                assert picture.convert("RGBA").tobytes() == pixels
        assert Task.objects.exclude(image="").count() == 5
        assert Reference.objects.exclude(image="").count() == 4


def test_errors_on_several_lines_name_file_line_and_field_and_nothing_is_written(tmp_path):
    BlockFactory(title="Геометрия", external_key="geometry")
    before = snapshot()
    path = write(
        tmp_path,
        [
            BLOCK,
            task_row("t-1"),
            task_row("t-2", title="я" * 201),  # line 3
            '{"type": "task", "key": "t-3",}',  # line 4
            task_row("t-4", block="calculus", references=["vieta"]),  # line 5
            task_row("t-1"),  # line 6
            task_row("t-5", solutions=[{"title": "Решение", "text": "<p>…</p>", "private": "да"}]),  # line 7
            task_row("t-6", image="images/none.png", status="done"),  # line 8
        ],
        name="sample_bank.jsonl",
    )

    message, errors = import_failing(path)

    assert message == "sample_bank.jsonl: найдено ошибок: 8. Ничего не записано."
    assert errors == [
        "sample_bank.jsonl, строка 3, поле title: длиннее 200 символов (201).",
        "sample_bank.jsonl, строка 4: не JSON: имя поля должно быть в двойных кавычках (символ 31).",
        "sample_bank.jsonl, строка 5, поле block: блок «calculus» не найден ни в файле, ни в базе.",
        "sample_bank.jsonl, строка 5, поле references: справочный материал «vieta» не найден ни в файле, ни в базе.",
        "sample_bank.jsonl, строка 6, поле key: задача с ключом «t-1» уже есть в строке 2.",
        'sample_bank.jsonl, строка 7, поле solutions[1].private: ожидается true или false, а не "да".',
        "sample_bank.jsonl, строка 8, поле status: неизвестный статус «done»; ожидается draft, moderation, published, "
        "rejected.",
        "sample_bank.jsonl, строка 8, поле image: файл изображения не найден: images/none.png (путь считается от "
        "папки файла sample_bank.jsonl).",
    ]
    assert snapshot() == before


def test_a_bad_line_in_the_middle_of_a_good_file_leaves_the_database_unchanged(tmp_path):
    import_problems(SAMPLE_BANK)
    before = snapshot()
    path, rows = sample_copy(tmp_path)
    for row in rows:
        row["title"] = f"{row['title']} (новая редакция)"
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines[30] = lines[30][:-1]  # the closing brace is lost
    write(tmp_path, lines)

    _, errors = import_failing(path)

    assert errors == [f"bank.jsonl, строка 31: не JSON: пропущена запятая (символ {len(lines[30]) + 1})."]
    assert snapshot() == before


def test_a_failure_while_writing_rolls_back_every_batch_already_written(tmp_path, monkeypatch):
    """Past the check, the writing is one transaction: a batch that fails undoes the earlier ones."""
    path = write(tmp_path, [BLOCK, *(task_row(f"t-{number}") for number in range(25))])
    monkeypatch.setattr(importers, "BATCH_SIZE", 10)
    calls = []
    real_bulk_create = Solution.objects.bulk_create

    def failing_on_the_third_batch(objs, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_bulk_create(objs, **kwargs)

    monkeypatch.setattr(Solution.objects, "bulk_create", failing_on_the_third_batch)

    report = import_problem_bank(path, dry_run=False)

    assert calls == [10, 10, 5]
    assert [error.message for error in report.errors] == [
        "база данных не приняла запись (duplicate key value violates unique constraint); ничего не записано. "
        "Если в это время шёл другой импорт или правка, запустите импорт снова."
    ]
    assert not report.written
    assert not Block.objects.exists()
    assert not Task.objects.exists()
    assert not Solution.objects.exists()


def test_dry_run_reports_and_writes_nothing():
    assert import_problems(SAMPLE_BANK, "--dry-run") == f"Пробный запуск, ничего не записано. {SAMPLE_SUMMARY}"
    assert snapshot() == {"blocks": [], "references": [], "tasks": [], "links": [], "solutions": []}
    assert not default_storage.exists("problems")


def test_dry_run_tells_what_would_change(tmp_path):
    import_problems(SAMPLE_BANK)
    before = snapshot()
    path, rows = sample_copy(tmp_path)
    row_with(rows, "alg-01")["title"] = "Упростите выражение"
    rows.append({"type": "block", "key": "calculus", "title": "Начала анализа", "order": 7})
    rows.append(task_row("calc-01", block="calculus", title="Производная", answer="2x", statement="<p>(x²)′ = ?</p>"))
    write(tmp_path, rows)

    output = import_problems(path, "--dry-run")

    assert output == (
        "Пробный запуск, ничего не записано. Блоки: создано 1, обновлено 0, без изменений 6; "
        "справочные материалы: создано 0, обновлено 0, без изменений 10; "
        "задачи: создано 1, обновлено 1, без изменений 49; решения: создано 1, удалено 0, без изменений 61."
    )
    assert snapshot() == before


def test_a_changed_file_updates_what_changed_and_only_that(tmp_path):
    import_problems(SAMPLE_BANK)
    before = {task["external_key"]: task for task in snapshot()["tasks"]}
    path, rows = sample_copy(tmp_path)
    row_with(rows, "alg-01")["title"] = "Упростите выражение"
    row_with(rows, "eq-02")["solutions"] = [{"title": "Решение", "text": "<p>x = 2 или x = 3.</p>"}]
    row_with(rows, "geo-02")["references"] = ["pythagoras"]  # "triangle" is dropped
    row_with(rows, "prob-01")["status"] = "draft"
    next(row for row in rows if row["key"] == "algebra")["title"] = "Алгебра и начала анализа"
    write(tmp_path, rows)

    output = import_problems(path)

    assert output == (
        "Блоки: создано 0, обновлено 1, без изменений 5; "
        "справочные материалы: создано 0, обновлено 0, без изменений 10; "
        "задачи: создано 0, обновлено 4, без изменений 46; решения: создано 1, удалено 2, без изменений 59."
    )
    after = {task["external_key"]: task for task in snapshot()["tasks"]}
    assert after["alg-01"]["title"] == "Упростите выражение"
    assert after["alg-01"]["id"] == before["alg-01"]["id"]
    assert after["alg-01"]["updated_at"] > before["alg-01"]["updated_at"]
    assert after["prob-01"]["status"] == Task.Status.DRAFT
    assert after["alg-02"] == before["alg-02"]
    assert Block.objects.get(external_key="algebra").title == "Алгебра и начала анализа"
    assert list(Task.objects.get(external_key="eq-02").solutions.values_list("title", flat=True)) == ["Решение"]
    assert list(Task.objects.get(external_key="geo-02").references.values_list("external_key", flat=True)) == [
        "pythagoras"
    ]
    assert import_problems(path).startswith("Блоки: создано 0, обновлено 0, без изменений 6;")


def test_solutions_written_on_the_site_survive_a_reimport(tmp_path):
    import_problems(SAMPLE_BANK)
    task = Task.objects.get(external_key="eq-02")
    teacher_solution = Solution.objects.create(task=task, title="Моё решение", text="<p>…</p>", author=UserFactory())
    path, rows = sample_copy(tmp_path)
    row_with(rows, "eq-02")["solutions"] = []
    write(tmp_path, rows)

    import_problems(path)

    assert list(task.solutions.all()) == [teacher_solution]


def test_blocks_and_references_may_follow_the_tasks_or_be_in_the_database_already(tmp_path):
    first = write(tmp_path, [task_row("t-1", references=["vieta"]), REFERENCE, BLOCK], name="first.jsonl")
    import_problems(first)
    second = write(tmp_path, [task_row("t-2", references=["vieta"])], name="second.jsonl")

    assert import_problems(second).startswith("Блоки: создано 0, обновлено 0, без изменений 0; ")

    algebra = Block.objects.get(external_key="algebra")
    assert list(algebra.tasks.values_list("external_key", flat=True)) == ["t-1", "t-2"]
    assert Reference.objects.get(external_key="vieta").tasks.count() == 2


def test_solution_images_and_one_picture_used_twice(tmp_path):
    (tmp_path / "pictures").mkdir()
    shutil.copy(SAMPLE_BANK.parent / "images" / "circle.png", tmp_path / "pictures" / "круг.png")
    solution = {"title": "Решение", "text": "<p>S = πr²</p>", "image": "pictures/круг.png"}
    path = write(
        tmp_path,
        [
            BLOCK,
            task_row("t-1", image="pictures/круг.png", solutions=[solution]),
            task_row("t-2", image="pictures/круг.png"),
        ],
    )

    import_problems(path)

    first, second = Task.objects.order_by("external_key")
    assert first.image.name == second.image.name
    assert first.image.name.startswith("problems/tasks/image-")  # a name without Latin letters
    assert first.solutions.get().image.name.startswith("problems/solutions/")
    assert default_storage.exists(first.solutions.get().image.name)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("[1, 2]", "строка 2: ожидается JSON-объект {…}, а не список."),
        ('{"type": "task", "key": "x"} {}', "строка 2: не JSON: после объекта есть лишние символы"),
        ({"key": "x"}, "строка 2, поле type: тип не указан; ожидается block, reference или task."),
        ({"type": "exercise"}, "строка 2, поле type: неизвестный тип «exercise»; ожидается block, reference или task."),
        (task_row(colour="red"), "строка 2, поле colour: неизвестное поле; допустимы: type, key, block, title,"),
        (task_row(key="t 1"), "строка 2, поле key: ключ не должен содержать пробелов: «t 1»."),
        (task_row(key="k" * 101), "строка 2, поле key: длиннее 100 символов (101)."),
        (task_row(title="  "), "строка 2, поле title: пусто."),
        (task_row(statement=None), "строка 2, поле statement: не указано."),
        (task_row(answer=4), "строка 2, поле answer: ожидается строка, а не число."),
        (task_row(answer="4" * 256), "строка 2, поле answer: длиннее 255 символов (256)."),
        (task_row(references="vieta"), 'строка 2, поле references: ожидается список ключей-строк, например ["'),
        (task_row(solutions={"title": "?"}), "строка 2, поле solutions: ожидается список объектов, а не объект."),
        (task_row(solutions=[{"text": "<p>…</p>"}]), "строка 2, поле solutions[1].title: не указано."),
        (task_row(image="/etc/passwd"), "строка 2, поле image: путь к изображению должен вести внутрь папки файла"),
        (task_row(image="../bank.png"), "строка 2, поле image: путь к изображению должен вести внутрь папки файла"),
        (
            task_row(image="notes.txt"),
            "строка 2, поле image: Это не изображение: подходят JPEG, PNG, GIF и WebP. (notes.txt)",
        ),
        (task_row(image="fake.png"), "строка 2, поле image: Содержимое файла не похоже на .png."),
        ({**BLOCK, "key": "b2", "order": 0}, "строка 2, поле order: ожидается целое число от 1 до 32767, а не 0."),
        ({**BLOCK, "key": "b2"}, "строка 2, поле title: блок «Алгебра» уже есть в строке 1."),
        ({**REFERENCE, "description": ""}, "строка 2, поле description: пусто."),
        # Control characters and numbers or nesting no parser should take on.
        (task_row(title="Квадратное\u0000 уравнение"), "строка 2, поле title: управляющий символ U+0000 в значении"),
        (task_row(statement="<p>x\u001b[31m</p>"), "строка 2, поле statement: управляющий символ U+001B в значении"),
        (task_row(references=["vi\u0000eta"]), "строка 2, поле references: управляющий символ U+0000 в значении"),
        (
            task_row(solutions=[{"title": "Решение", "text": "<p>\u0000</p>"}]),
            "строка 2, поле solutions[1].text: управляющий символ U+0000 в значении",
        ),
        (json.dumps(task_row(answer="\ud800")), "строка 2, поле answer: непарный суррогат"),
        ('{"type": "block", "key": "b2", "title": "Б", "order": ' + "9" * 5000 + "}", "строка 2: не JSON: слишком"),
        ("[" * 100_000 + "]" * 100_000, "строка 2: не JSON: слишком глубокая вложенность."),
    ],
)
def test_a_bad_line_is_reported(tmp_path, line, error):
    (tmp_path / "notes.txt").write_text("не картинка")
    (tmp_path / "fake.png").write_text("не картинка")
    path = write(tmp_path, [BLOCK, line])

    message, errors = import_failing(path)

    assert len(errors) == 1
    assert errors[0].startswith(f"bank.jsonl, {error}")
    assert message == "bank.jsonl: найдено ошибок: 1. Ничего не записано."
    assert not Block.objects.exists()
    assert not Task.objects.exists()


def test_a_block_title_taken_by_another_block_in_the_database_is_an_error(tmp_path):
    block = BlockFactory(title="Алгебра")

    _, errors = import_failing(write(tmp_path, [BLOCK]))

    assert errors == [
        f"bank.jsonl, строка 1, поле title: блок «Алгебра» уже есть в базе (id {block.pk}, без ключа); исправьте "
        "файл или этот блок в администрировании."
    ]


def test_a_line_not_in_utf8_is_an_error_and_a_bom_and_blank_lines_are_fine(tmp_path):
    path = tmp_path / "bank.jsonl"
    good = json.dumps(BLOCK, ensure_ascii=False).encode()
    legacy = '{"type": "block", "key": "geometry", "title": "Геометрия"}'
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n\n" + legacy.encode("cp1251") + b"\n\n")

    _, errors = import_failing(path)

    position = legacy.index("Г") + 1
    assert errors == [f"bank.jsonl, строка 3: строка не в кодировке UTF-8 (неверный байт в позиции {position})."]


def test_a_missing_file_is_a_clear_error(tmp_path):
    message, _ = import_failing(tmp_path / "nowhere.jsonl")

    assert message == f"Файл не найден: {tmp_path / 'nowhere.jsonl'}"


def test_a_folder_is_a_clear_error(tmp_path):
    message, _ = import_failing(tmp_path)

    assert message == f"{tmp_path} — это папка, а не файл банка задач."
