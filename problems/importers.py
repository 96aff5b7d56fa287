"""Loading a problem bank (blocks, reference materials, tasks with their solutions) from a
JSON Lines file; the format is described in README.md, «Problem bank import».

The file is read twice, line by line, so that a bank of any size is imported in flat
memory: only the keys met so far and the few blocks and reference materials are held.

1. `check_problem_bank` reads every line and collects every problem — bad JSON, an unknown
   type or field, a missing or too long value, a key given twice, a block or reference
   material found neither in the file nor in the database, an image that is missing or is
   not an image — each with its line and field, so the operator fixes the file in one go.
2. When there is none, `import_problem_bank` reads the file again and writes everything in
   one transaction, tasks in batches of `BATCH_SIZE` with `bulk_create` / `bulk_update`,
   matching rows by `external_key`: new keys are created, changed rows updated, the rest
   counted as unchanged. A dry run makes the same comparison and writes nothing.

Solutions have no key of their own: a task's imported solutions (those without an author —
the ones people write on the site always have one) are replaced as a whole when they differ
from the file, and left alone when they do not.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, reset_queries, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from core.answerkind import AnswerKind
from core.cache import content_changed
from core.csv_import import ImportErrors, ImportReport
from core.input_checks import control_character
from core.sanitize import sanitize_html
from core.uploads import extension, inspect, prepared
from problems.models import Block, Reference, Solution, Task, answer_errors

BATCH_SIZE = 2000
TASK_IMAGES, REFERENCE_IMAGES, SOLUTION_IMAGES = "problems/tasks/", "problems/references/", "problems/solutions/"
ORDER_MAX = 32767  # PositiveSmallIntegerField

KEY_MAX = Task._meta.get_field("external_key").max_length
BLOCK_TITLE_MAX = Block._meta.get_field("title").max_length
REFERENCE_TITLE_MAX = Reference._meta.get_field("title").max_length
TASK_TITLE_MAX = Task._meta.get_field("title").max_length
ANSWER_MAX = Task._meta.get_field("answer").max_length
SOLUTION_TITLE_MAX = Solution._meta.get_field("title").max_length
STATUSES = tuple(Task.Status.values)
ANSWER_KINDS = tuple(AnswerKind.values)
ANSWER_KINDS_LISTED = ", ".join(f"{kind.value} ({kind.label})" for kind in AnswerKind)
_tolerance_field = Task._meta.get_field("answer_tolerance")
TOLERANCE_PLACES = _tolerance_field.decimal_places
TOLERANCE_MAX = Decimal(10) ** (_tolerance_field.max_digits - _tolerance_field.decimal_places) - Decimal(1).scaleb(
    -TOLERANCE_PLACES
)

FIELDS = {
    "block": ("type", "key", "title", "order", "description"),
    "reference": ("type", "key", "title", "description", "image"),
    "task": (
        "type",
        "key",
        "block",
        "title",
        "statement",
        "answer",
        "answer_kind",
        "answer_tolerance",
        "status",
        "references",
        "image",
        "solutions",
    ),
}
SOLUTION_FIELDS = ("title", "text", "private", "image")
TYPE_NAMES = {"block": "блок", "reference": "справочный материал", "task": "задача"}
TaskLinks = Task.references.through


class ProblemBankFileError(Exception):
    """The file as a whole cannot be read; the message names the file and says why."""


class _FileChanged(Exception):
    """The second reading found what the first did not: the file was edited in between."""


@dataclass(frozen=True)
class BlockRow:
    line: int
    key: str
    title: str
    description: str
    order_number: int


@dataclass(frozen=True)
class ReferenceRow:
    line: int
    key: str
    title: str
    description: str
    image: Path | None


@dataclass(frozen=True)
class SolutionRow:
    title: str
    text: str
    is_private: bool
    image: Path | None


@dataclass(frozen=True)
class TaskRow:
    line: int
    key: str
    block: str
    title: str
    statement: str
    answer: str
    answer_kind: str
    answer_tolerance: Decimal | None
    status: str
    references: tuple[str, ...]
    image: Path | None
    solutions: tuple[SolutionRow, ...]


Row = BlockRow | ReferenceRow | TaskRow


@dataclass
class BankCheck:
    """What the first reading found: the errors, and the blocks and reference materials
    (few, so kept) that the second reading writes before the tasks."""

    errors: ImportErrors
    lines: int = 0
    tasks: int = 0
    blocks: list[BlockRow] = field(default_factory=list)
    references: list[ReferenceRow] = field(default_factory=list)


@dataclass
class BankReport:
    """What an import did, or would do: nothing is written when there are errors or on a dry run."""

    dry_run: bool = False
    errors: ImportErrors = field(default_factory=ImportErrors)
    blocks: ImportReport = field(default_factory=ImportReport)
    references: ImportReport = field(default_factory=ImportReport)
    tasks: ImportReport = field(default_factory=ImportReport)
    solutions: ImportReport = field(default_factory=ImportReport)
    solutions_deleted: int = 0

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors

    @property
    def changes(self) -> bool:
        """Whether any row is (or would be) created, updated or deleted."""
        reports = (self.blocks, self.references, self.tasks, self.solutions)
        return self.solutions_deleted > 0 or any(report.created or report.updated for report in reports)

    def summary(self) -> str:
        def counts(report: ImportReport) -> str:
            return f"создано {report.created}, обновлено {report.updated}, без изменений {report.unchanged}"

        return (
            f"Блоки: {counts(self.blocks)}; справочные материалы: {counts(self.references)}; "
            f"задачи: {counts(self.tasks)}; решения: создано {self.solutions.created}, "
            f"удалено {self.solutions_deleted}, без изменений {self.solutions.unchanged}"
        )


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, count: int = 1) -> None:
        pass


# Called as progress(desc=..., total=...); returns a context manager with update(n), as tqdm does.
Progress = Callable[..., AbstractContextManager]


def no_progress(**kwargs) -> _NoProgress:
    return _NoProgress()


# --- Pass 1: check ----------------------------------------------------------------------


def check_problem_bank(path: str | Path, *, progress: Progress = no_progress) -> BankCheck:
    """Read the whole file and report every problem with its line and field.

    Blocks and reference materials that tasks name may come anywhere in the file, or be in
    the database already (imported earlier). Raises ProblemBankFileError when the file
    cannot be read at all."""
    path = Path(path)
    total = _count_lines(path)
    found = ImportErrors(path.name)
    check = BankCheck(errors=found, lines=total)
    db_block_keys = set(Block.objects.exclude(external_key=None).values_list("external_key", flat=True))
    db_block_titles = {title: (pk, key) for pk, title, key in Block.objects.values_list("pk", "title", "external_key")}
    db_reference_keys = set(Reference.objects.exclude(external_key=None).values_list("external_key", flat=True))
    line_of_key: dict[str, dict[str, int]] = {kind: {} for kind in FIELDS}
    line_of_block_title: dict[str, int] = {}
    # Keys named before (or without) their definition: key -> lines naming it.
    pending: dict[str, dict[str, list[int]]] = {"block": defaultdict(list), "reference": defaultdict(list)}

    parser = _LineParser(path, found)
    for line, kind, key, row, valid in parser.rows(progress=progress, desc="Проверка"):
        if key is not None:
            earlier = line_of_key[kind].get(key)
            if earlier is not None:
                found.add(f"{TYPE_NAMES[kind]} с ключом «{key}» уже есть в строке {earlier}.", line=line, field="key")
                continue
            line_of_key[kind][key] = line
        if isinstance(row, BlockRow):
            if valid and _check_block_title(row, line_of_block_title, db_block_titles, found):
                check.blocks.append(row)
        elif isinstance(row, ReferenceRow):
            if valid:
                check.references.append(row)
        else:
            check.tasks += 1
            # Checked on a row with other errors too, so that one reading reports them all.
            if row.block and row.block not in line_of_key["block"] and row.block not in db_block_keys:
                pending["block"][row.block].append(line)
            for reference in row.references:
                if reference not in line_of_key["reference"] and reference not in db_reference_keys:
                    pending["reference"][reference].append(line)

    for key, lines in pending["block"].items():
        if key not in line_of_key["block"]:
            for line in lines:
                found.add(f"блок «{key}» не найден ни в файле, ни в базе.", line=line, field="block")
    for key, lines in pending["reference"].items():
        if key not in line_of_key["reference"]:
            for line in lines:
                message = f"справочный материал «{key}» не найден ни в файле, ни в базе."
                found.add(message, line=line, field="references")
    check.errors = _sorted_by_line(found)
    return check


def _check_block_title(row: BlockRow, line_of_title: dict[str, int], db_titles: dict, errors: ImportErrors) -> bool:
    """Block titles are unique: in the file, and against blocks of the database that the file does not own."""
    earlier = line_of_title.get(row.title)
    if earlier is not None:
        errors.add(f"блок «{row.title}» уже есть в строке {earlier}.", line=row.line, field="title")
        return False
    line_of_title[row.title] = row.line
    holder = db_titles.get(row.title)
    if holder is not None and holder[1] != row.key:
        pk, key = holder
        held_as = f"с ключом «{key}»" if key else "без ключа"
        errors.add(
            f"блок «{row.title}» уже есть в базе (id {pk}, {held_as}); исправьте файл или этот блок в "
            "администрировании.",
            line=row.line,
            field="title",
        )
        return False
    return True


def _sorted_by_line(errors: ImportErrors) -> ImportErrors:
    ordered = ImportErrors(errors.file)
    for error in sorted(errors, key=lambda error: error.line or 0):
        ordered.add(error.message, line=error.line, field=error.field)
    return ordered


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as file:
            newlines, last = 0, b""
            while chunk := file.read(1 << 20):
                newlines += chunk.count(b"\n")
                last = chunk
    except FileNotFoundError:
        raise ProblemBankFileError(f"Файл не найден: {path}") from None
    except IsADirectoryError:
        raise ProblemBankFileError(f"{path} — это папка, а не файл банка задач.") from None
    except OSError as error:
        raise ProblemBankFileError(f"Не удалось прочитать файл {path}: {error.strerror}") from error
    return newlines + (1 if last and not last.endswith(b"\n") else 0)


class _LineParser:
    """Turns the lines of the file into rows, adding what is wrong with each to `errors`."""

    def __init__(self, path: Path, errors: ImportErrors):
        self.path, self.errors = path, errors
        self.folder = path.parent.resolve()
        self._image_checked: dict[str, str | None] = {}  # relative path -> problem, or None if fine

    def rows(self, *, progress: Progress, desc: str) -> Iterator[tuple[int, str, str | None, Row, bool]]:
        """(line, type, key or None if bad, row, whether the row is valid) for every non-blank
        line of a known type. An invalid row holds placeholders where its values were bad."""
        total = _count_lines(self.path)
        with self.path.open("rb") as file, progress(desc=desc, total=total) as bar:
            for line, raw in enumerate(file, start=1):
                if line % 1000 == 0:
                    bar.update(1000)
                parsed = self._parse(line, raw)
                if parsed is not None:
                    yield parsed
            bar.update(total % 1000)

    def _parse(self, line: int, raw: bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.errors.add(f"строка не в кодировке UTF-8 (неверный байт в позиции {error.start + 1}).", line=line)
            return None
        text = text.rstrip("\r\n")
        if line == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self.errors.add(f"не JSON: {_json_problem(error.msg)} (символ {error.colno}).", line=line)
            return None
        except ValueError:  # a number of more than 4,300 digits
            self.errors.add("не JSON: слишком длинное число.", line=line)
            return None
        except RecursionError:
            self.errors.add("не JSON: слишком глубокая вложенность.", line=line)
            return None
        if not isinstance(data, dict):
            self.errors.add(f"ожидается JSON-объект {{…}}, а не {_json_type(data)}.", line=line)
            return None
        kind = data.get("type")
        if kind not in FIELDS:
            message = "тип не указан" if kind is None else f"неизвестный тип «{kind}»"
            self.errors.add(f"{message}; ожидается block, reference или task.", line=line, field="type")
            return None
        fields = _Fields(data, line=line, errors=self.errors)
        fields.reject_unknown(FIELDS[kind])
        key = fields.key()
        row = {"block": self._block, "reference": self._reference, "task": self._task}[kind](fields)
        return line, kind, key, row, not fields.failed

    def _block(self, fields: "_Fields") -> BlockRow:
        return BlockRow(
            line=fields.line,
            key=fields.key(),
            title=fields.string("title", required=True, max_length=BLOCK_TITLE_MAX),
            description=fields.string("description"),
            order_number=fields.integer("order", default=1, low=1, high=ORDER_MAX),
        )

    def _reference(self, fields: "_Fields") -> ReferenceRow:
        return ReferenceRow(
            line=fields.line,
            key=fields.key(),
            title=fields.string("title", required=True, max_length=REFERENCE_TITLE_MAX),
            description=fields.string("description", required=True),
            image=self._image(fields, "image"),
        )

    def _task(self, fields: "_Fields") -> TaskRow:
        status = fields.string("status") or Task.Status.PUBLISHED
        if status not in STATUSES:
            fields.add("status", f"неизвестный статус «{status}»; ожидается {', '.join(STATUSES)}.")
        # The answer is checked for its kind when the three fields are readable themselves.
        failed_before, fields.failed = fields.failed, False
        answer = fields.string("answer", max_length=ANSWER_MAX)
        kind = fields.string("answer_kind")
        if kind and kind not in ANSWER_KINDS:
            fields.add("answer_kind", f"неизвестный вид ответа «{kind}»; ожидается {ANSWER_KINDS_LISTED}.")
            kind = AnswerKind.TEXT
        tolerance = fields.tolerance("answer_tolerance")
        if not kind:  # as the kinds of tasks imported before there were kinds were guessed
            kind = _guessed_kind(answer) if answer else AnswerKind.TEXT
        if not fields.failed:
            for name, message in _answer_errors(answer, kind, tolerance).items():
                fields.add(name, message)
        fields.failed |= failed_before
        return TaskRow(
            line=fields.line,
            key=fields.key(),
            block=fields.string("block", required=True, max_length=KEY_MAX),
            title=fields.string("title", required=True, max_length=TASK_TITLE_MAX),
            statement=fields.string("statement", required=True),
            answer=answer,
            answer_kind=str(kind),
            answer_tolerance=tolerance,
            status=status,
            references=fields.keys("references"),
            image=self._image(fields, "image"),
            solutions=tuple(self._solutions(fields)),
        )

    def _solutions(self, fields: "_Fields") -> Iterator[SolutionRow]:
        for number, data in fields.objects("solutions"):
            solution = _Fields(data, line=fields.line, errors=self.errors, prefix=f"solutions[{number}].")
            solution.reject_unknown(SOLUTION_FIELDS)
            yield SolutionRow(
                title=solution.string("title", required=True, max_length=SOLUTION_TITLE_MAX),
                text=solution.string("text", required=True),
                is_private=solution.boolean("private"),
                image=self._image(solution, "image"),
            )
            fields.failed |= solution.failed

    def _image(self, fields: "_Fields", name: str) -> Path | None:
        relative = fields.string(name)
        if not relative:
            return None
        if relative not in self._image_checked:
            if len(self._image_checked) > 4096:  # a bank may have an image per task: keep memory flat
                self._image_checked.clear()
            self._image_checked[relative] = self._image_problem(relative)
        problem = self._image_checked[relative]
        if problem:
            fields.add(name, problem)
            return None
        return self.folder / relative

    def _image_problem(self, relative: str) -> str | None:
        path = Path(relative)
        if path.is_absolute() or ".." in path.parts:
            return f"путь к изображению должен вести внутрь папки файла, а не «{relative}»."
        full = self.folder / path
        if not full.is_file():
            return f"файл изображения не найден: {relative} (путь считается от папки файла {self.path.name})."
        limit_mb = settings.PHOTO_MAX_MB
        if full.stat().st_size > limit_mb * 1024 * 1024:
            return f"изображение больше {limit_mb} МБ: {relative}."
        with full.open("rb") as file:
            try:
                inspect(File(file, name=full.name), "image")
            except ValidationError as error:
                return f"{' '.join(error.messages)} ({relative})"
        return None


class _Fields:
    """Typed reads of one JSON object's fields; each problem goes to `errors` under the
    field's name and marks the object as failed (a placeholder value is returned)."""

    def __init__(self, data: dict, *, line: int, errors: ImportErrors, prefix: str = ""):
        self.data, self.line, self.errors, self.prefix = data, line, errors, prefix
        self.failed = False
        self._key: str | None = None
        self._key_read = False

    def add(self, name: str, message: str) -> None:
        self.errors.add(message, line=self.line, field=f"{self.prefix}{name}")
        self.failed = True

    def reject_unknown(self, known: tuple[str, ...]) -> None:
        for name in self.data:
            if name not in known:
                self.add(name, f"неизвестное поле; допустимы: {', '.join(known)}.")

    def string(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.data.get(name)
        if value is None:
            if required:
                self.add(name, "не указано.")
            return ""
        if not isinstance(value, str):
            self.add(name, f"ожидается строка, а не {_json_type(value)}.")
            return ""
        problem = _not_text(value)
        if problem:
            self.add(name, problem)
            return ""
        value = value.strip()
        if required and not value:
            self.add(name, "пусто.")
        elif max_length is not None and len(value) > max_length:
            self.add(name, f"длиннее {max_length} символов ({len(value)}).")
        return value

    def key(self) -> str | None:
        """The row's key (read once: the parser needs it even when other fields are bad)."""
        if not self._key_read:
            self._key_read = True
            failed_before, self.failed = self.failed, False
            value = self.string("key", required=True, max_length=KEY_MAX)
            if not self.failed and not re.fullmatch(r"\S+", value):
                self.add("key", f"ключ не должен содержать пробелов: «{value}».")
            self._key = None if self.failed else value
            self.failed |= failed_before
        return self._key

    def integer(self, name: str, *, default: int, low: int, high: int) -> int:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(name, f"ожидается целое число от {low} до {high}, а не {json.dumps(value, ensure_ascii=False)}.")
            return default
        return value

    def tolerance(self, name: str) -> Decimal | None:
        """A non-negative decimal the task's tolerance column takes: a JSON number, or a
        string with a decimal point or comma («0,01»)."""
        value = self.data.get(name)
        if value is None:
            return None
        problem = (
            f"ожидается неотрицательное число до {TOLERANCE_MAX} с не более чем {TOLERANCE_PLACES} знаками "
            f"после запятой, например 0.01, а не {json.dumps(value, ensure_ascii=False)}."
        )
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.add(name, problem)
            return None
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except ArithmeticError:
            self.add(name, problem)
            return None
        if (
            not number.is_finite()
            or number < 0
            or number > TOLERANCE_MAX
            or -number.as_tuple().exponent > TOLERANCE_PLACES
        ):
            self.add(name, problem)
            return None
        return number

    def boolean(self, name: str) -> bool:
        value = self.data.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(name, f"ожидается true или false, а не {json.dumps(value, ensure_ascii=False)}.")
            return False
        return value

    def keys(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.add(name, 'ожидается список ключей-строк, например ["pythagoras"].')
            return ()
        problem = next(filter(None, map(_not_text, value)), None)
        if problem:
            self.add(name, problem)
            return ()
        keys = [item.strip() for item in value]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            self.add(name, f"ключ указан дважды: {', '.join(repeated)}.")
        return tuple(dict.fromkeys(keys))

    def objects(self, name: str) -> Iterator[tuple[int, dict]]:
        """(number from 1, object) for each item of a list of objects."""
        value = self.data.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            self.add(name, f"ожидается список объектов, а не {_json_type(value)}.")
            return
        for number, item in enumerate(value, start=1):
            if isinstance(item, dict):
                yield number, item
            else:
                self.add(f"{name}[{number}]", f"ожидается объект {{…}}, а не {_json_type(item)}.")


JSON_PROBLEMS = {
    "Expecting value": "ожидается значение",
    "Expecting property name enclosed in double quotes": "имя поля должно быть в двойных кавычках",
    "Expecting ',' delimiter": "пропущена запятая",
    "Expecting ':' delimiter": "пропущено двоеточие после имени поля",
    "Unterminated string starting at": "не закрыта кавычка строки",
    "Extra data": "после объекта есть лишние символы (на строке — ровно один объект)",
    "Invalid control character at": "управляющий символ внутри строки (перевод строки в значении пишите как \\n)",
    "Invalid \\escape": "неверная escape-последовательность",
}


SURROGATE = re.compile(r"[\ud800-\udfff]")


def _not_text(value: str) -> str | None:
    """What makes a JSON string no text a column takes: a control character ("\\u0000" is
    valid JSON, and PostgreSQL refuses NUL), or half of a surrogate pair ("\\ud800"),
    which is no UTF-8."""
    found = control_character(value)
    if found:
        return f"управляющий символ {found} в значении; удалите его."
    if SURROGATE.search(value):
        return "непарный суррогат (\\ud800–\\udfff) в значении: это не символ UTF-8."
    return None


# A bank repeats its answers («4», «10»): each is read once per import (both readings).
@lru_cache(maxsize=8192)
def _guessed_kind(answer: str) -> str:
    from core.mathanswers import guess_kind  # not at import time: SymPy is slow to load

    return str(guess_kind(answer).value)


@lru_cache(maxsize=8192)
def _answer_errors(answer: str, kind: str, tolerance: Decimal | None) -> dict[str, str]:
    return answer_errors(answer=answer, kind=kind, tolerance=tolerance)


def _json_problem(message: str) -> str:
    return JSON_PROBLEMS.get(message, message)


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "число"
    if isinstance(value, list):
        return "список"
    if isinstance(value, dict):
        return "объект"
    if value is None:
        return "null"
    return "строка"


# --- Pass 2: write ----------------------------------------------------------------------


def import_problem_bank(path: str | Path, *, dry_run: bool, progress: Progress = no_progress) -> BankReport:
    """Check the whole file; when it has no error, upsert its blocks, reference materials,
    tasks, their links to reference materials and their solutions by `external_key`, in one
    transaction (a dry run compares and writes nothing). Raises ProblemBankFileError when
    the file cannot be read at all. An import that changes anything retires the bank's
    cached pages when it commits."""
    path = Path(path)
    check = check_problem_bank(path, progress=progress)
    report = BankReport(dry_run=dry_run, errors=check.errors)
    if check.errors:
        return report
    writer = _Writer(path, report, write=not dry_run, progress=progress)
    try:
        if dry_run:
            writer.run(check)
        else:
            with transaction.atomic():
                writer.run(check)
                if report.changes:
                    content_changed("problems")  # once for the whole import
    except _FileChanged as changed:
        report.errors.add(f"файл изменился во время импорта ({changed}); ничего не записано, запустите импорт снова.")
    except IntegrityError as error:
        # Another import or an edit at the same time, or two blocks swapping titles (unique).
        report.errors.add(
            f"база данных не приняла запись ({error}); ничего не записано. Если в это время шёл другой "
            "импорт или правка, запустите импорт снова."
        )
    return report


class _Writer:
    def __init__(self, path: Path, report: BankReport, *, write: bool, progress: Progress):
        self.path, self.report, self.write, self.progress = path, report, write, progress
        self.now = timezone.now()
        self._stored_names: dict[tuple[Path, str], str] = {}
        self._unsaved_ids = 0

    def run(self, check: BankCheck) -> None:
        self.blocks_written(check.blocks)
        self.references_written(check.references)
        self.block_ids = dict(Block.objects.exclude(external_key=None).values_list("external_key", "pk"))
        self.reference_ids = dict(Reference.objects.exclude(external_key=None).values_list("external_key", "pk"))
        if not self.write:
            # New blocks and references get stand-in ids, so that comparing tasks still works.
            self.block_ids |= {row.key: self._stand_in_id() for row in check.blocks if row.key not in self.block_ids}
            self.reference_ids |= {
                row.key: self._stand_in_id() for row in check.references if row.key not in self.reference_ids
            }
        errors = ImportErrors(self.path.name)
        parser = _LineParser(self.path, errors)
        desc = "Сравнение" if not self.write else "Запись"
        rows = (row for _, kind, _, row, _ in parser.rows(progress=self.progress, desc=desc) if kind == "task")
        while batch := list(islice(rows, BATCH_SIZE)):
            if errors:
                raise _FileChanged(next(iter(errors)))
            self.tasks_written(batch)
            if settings.DEBUG:
                reset_queries()  # DEBUG keeps every query's SQL; a bulk insert's is megabytes
        if errors:
            raise _FileChanged(next(iter(errors)))

    def _stand_in_id(self) -> int:
        self._unsaved_ids -= 1
        return self._unsaved_ids

    # -- blocks and reference materials (few: all at once)

    def blocks_written(self, rows: list[BlockRow]) -> None:
        existing = Block.objects.in_bulk([row.key for row in rows], field_name="external_key")
        to_create, to_update = [], []
        for row in rows:
            values = {"title": row.title, "description": row.description, "order_number": row.order_number}
            block = existing.get(row.key)
            if block is None:
                to_create.append(Block(external_key=row.key, **values))
            elif _differs(block, values):
                to_update.append(_assign(block, values))
            else:
                self.report.blocks.unchanged += 1
        self.report.blocks.created += len(to_create)
        self.report.blocks.updated += len(to_update)
        if self.write:
            Block.objects.bulk_update(to_update, ["title", "description", "order_number"], batch_size=BATCH_SIZE)
            Block.objects.bulk_create(to_create, batch_size=BATCH_SIZE)

    def references_written(self, rows: list[ReferenceRow]) -> None:
        existing = Reference.objects.in_bulk([row.key for row in rows], field_name="external_key")
        to_create, to_update = [], []
        for row in rows:
            values = {
                "title": row.title,
                "description": sanitize_html(row.description),
                "image": self.image_name(row.image, REFERENCE_IMAGES),
            }
            reference = existing.get(row.key)
            if reference is None:
                to_create.append(Reference(external_key=row.key, **values))
            elif _differs(reference, values):
                to_update.append(_assign(reference, {**values, "updated_at": self.now}))
            else:
                self.report.references.unchanged += 1
        self.report.references.created += len(to_create)
        self.report.references.updated += len(to_update)
        if self.write:
            Reference.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            fields = ["title", "description", "image", "updated_at"]
            Reference.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)

    # -- tasks, a batch at a time

    def tasks_written(self, rows: list[TaskRow]) -> None:
        existing = {
            values["external_key"]: values
            for values in Task.objects.filter(external_key__in=[row.key for row in rows]).values(
                "pk",
                "external_key",
                "title",
                "statement",
                "answer",
                "answer_kind",
                "answer_tolerance",
                "status",
                "block_id",
                "image",
            )
        }
        existing_ids = [values["pk"] for values in existing.values()]
        links: dict[int, set[int]] = defaultdict(set)
        for task_id, reference_id in TaskLinks.objects.filter(task_id__in=existing_ids).values_list(
            "task_id", "reference_id"
        ):
            links[task_id].add(reference_id)
        solutions: dict[int, list[tuple]] = defaultdict(list)
        for task_id, *solution in (
            Solution.objects.filter(task_id__in=existing_ids, author=None)
            .order_by("task_id", "pk")
            .values_list("task_id", "title", "text", "is_private", "image")
        ):
            solutions[task_id].append(tuple(solution))

        new_tasks: list[tuple[Task, TaskRow]] = []
        changed_tasks: list[Task] = []
        links_to_add: list[tuple[int, int]] = []
        links_to_remove: dict[int, set[int]] = {}
        solutions_replaced: list[int] = []
        new_solutions: list[Solution] = []
        for row in rows:
            wanted_links = {self.reference_ids[key] for key in row.references}
            current = existing.get(row.key)
            if current is None:
                task = Task(external_key=row.key, **self.task_values(row, sanitized=False))
                new_tasks.append((task, row))
                continue
            task_id = current["pk"]
            values = self.task_values(row, sanitized=True)
            fields_changed = any(current[name] != value for name, value in values.items())
            links_changed = links[task_id] != wanted_links
            wanted_solutions = [self.solution_values(solution, sanitized=True) for solution in row.solutions]
            current_solutions = solutions[task_id]
            solutions_changed = [tuple(wanted.values()) for wanted in wanted_solutions] != current_solutions
            if not (fields_changed or links_changed or solutions_changed):
                self.report.tasks.unchanged += 1
                self.report.solutions.unchanged += len(current_solutions)
                continue
            self.report.tasks.updated += 1
            changed_tasks.append(Task(pk=task_id, updated_at=self.now, **values))
            if links_changed:
                links_to_add += [(task_id, reference_id) for reference_id in wanted_links - links[task_id]]
                if links[task_id] - wanted_links:
                    links_to_remove[task_id] = links[task_id] - wanted_links
            if solutions_changed:
                solutions_replaced.append(task_id)
                self.report.solutions_deleted += len(current_solutions)
                new_solutions += [Solution(task_id=task_id, **wanted) for wanted in wanted_solutions]
            else:
                self.report.solutions.unchanged += len(current_solutions)

        self.report.tasks.created += len(new_tasks)
        self.report.solutions.created += len(new_solutions) + sum(len(row.solutions) for _, row in new_tasks)
        if not self.write:
            return
        Task.objects.bulk_create([task for task, _ in new_tasks], batch_size=BATCH_SIZE)
        for task, row in new_tasks:
            links_to_add += [(task.pk, self.reference_ids[key]) for key in row.references]
            new_solutions += [
                Solution(task_id=task.pk, **self.solution_values(solution, sanitized=False))
                for solution in row.solutions
            ]
        fields = ["title", "statement", "answer", "answer_kind", "answer_tolerance", "status", "block", "image"]
        Task.objects.bulk_update(changed_tasks, [*fields, "updated_at"], batch_size=500)
        if links_to_remove:
            stale = Q()
            for task_id, reference_ids in links_to_remove.items():
                stale |= Q(task_id=task_id, reference_id__in=reference_ids)
            TaskLinks.objects.filter(stale).delete()
        TaskLinks.objects.bulk_create(
            [TaskLinks(task_id=task_id, reference_id=reference_id) for task_id, reference_id in links_to_add],
            batch_size=BATCH_SIZE,
        )
        if solutions_replaced:
            Solution.objects.filter(task_id__in=solutions_replaced, author=None).delete()
        Solution.objects.bulk_create(new_solutions, batch_size=BATCH_SIZE)

    def task_values(self, row: TaskRow, *, sanitized: bool) -> dict:
        # New rows are sanitised on insert by the field itself; existing ones here, to compare.
        return {
            "title": row.title,
            "statement": sanitize_html(row.statement) if sanitized else row.statement,
            "answer": row.answer,
            "answer_kind": row.answer_kind,
            "answer_tolerance": row.answer_tolerance,
            "status": row.status,
            "block_id": self.block_ids[row.block],
            "image": self.image_name(row.image, TASK_IMAGES),
        }

    def solution_values(self, row: SolutionRow, *, sanitized: bool) -> dict:
        return {
            "title": row.title,
            "text": sanitize_html(row.text) if sanitized else row.text,
            "is_private": row.is_private,
            "image": self.image_name(row.image, SOLUTION_IMAGES),
        }

    # -- images

    def image_name(self, path: Path | None, folder: str) -> str:
        """The image's name in storage: named by its content, so that importing the same
        picture again changes nothing and one picture used by many tasks is stored once.
        The file is stored (when writing) before the rows that name it; should the
        transaction then fail, the next import finds it in place."""
        if path is None:
            return ""
        cached = self._stored_names.get((path, folder))
        if cached is not None:
            return cached
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        stem = slugify(path.stem)[:40] or "image"
        name = f"{folder}{stem}-{digest}.{extension(path.name)}"
        if self.write and not default_storage.exists(name):
            with path.open("rb") as file:
                _name, content = prepared(File(file, name=path.name), "image")  # re-encoded, as every upload
                stored = default_storage.save(name, content)
            if stored != name:  # the storage renamed it: another process stored the same picture just now
                default_storage.delete(stored)
        if len(self._stored_names) > 4096:
            self._stored_names.clear()
        self._stored_names[(path, folder)] = name
        return name


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _assign(instance, values: dict):
    for name, value in values.items():
        setattr(instance, name, value)
    return instance
