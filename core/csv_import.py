"""Reading the CSV files operators import, and reporting what is wrong with them.

An import reads the whole file first and collects every problem with its line, so the
operator fixes the file in one go; only a file that cannot be read at all (missing, not
UTF-8, without the required columns) stops the reading at once with `CsvFileError`.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.input_checks import control_character


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message names the file and says why."""


@dataclass(frozen=True)
class RowError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = [self.file] if self.file else []
        if self.line is not None:
            place.append(f"строка {self.line}")
        if self.field:
            place.append(f"поле {self.field}")
        return f"{', '.join(place)}: {self.message}" if place else self.message


class ImportErrors:
    """The problems found in one file, in the order they were found."""

    def __init__(self, file: str = ""):
        self.file = file
        self._errors: list[RowError] = []

    def add(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self._errors.append(RowError(file=self.file, line=line, field=field, message=message))

    def __iter__(self) -> Iterator[RowError]:
        return iter(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self._errors)


@dataclass
class ImportReport:
    """What an import did, or would do: nothing is written when there are errors or on a dry run."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: ImportErrors = field(default_factory=ImportErrors)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors

    def summary(self) -> str:
        return f"Создано: {self.created}, обновлено: {self.updated}, без изменений: {self.unchanged}"


def read_csv(path: str | Path, *, columns: Sequence[str], errors: ImportErrors) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a comma-separated UTF-8 file (a BOM is accepted) as (line, {column: value}).

    The line is the one a person sees in an editor (the header is line 1; a quoted value
    spanning lines counts from its first). Values are stripped; a missing value is "".
    Blank lines are skipped. A row with more values than the header has is an error in
    `errors` and is not yielded. Raises CsvFileError, at once rather than on the first
    row, when the file cannot be read or lacks one of `columns`."""
    path = Path(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        raise CsvFileError(f"{path.name}, строка 1: не удалось разобрать заголовок: {error}") from None
    if not any(header):
        raise CsvFileError(
            f"{path.name}: первая строка пуста, а в ней должны быть названия столбцов: {', '.join(columns)}."
        )
    found = next(filter(None, map(control_character, header)), None)
    if found:
        raise CsvFileError(f"{path.name}, строка 1: управляющий символ {found} в заголовке.")
    missing = [name for name in columns if name not in header]
    if missing:
        raise CsvFileError(
            f"{path.name}: нет столбцов: {', '.join(missing)}. В первой строке найдено: {', '.join(header)} "
            "(нужны названия столбцов через запятую)."
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CsvFileError(f"{path.name}: столбцы повторяются в заголовке: {', '.join(repeated)}.")
    return _rows(reader, file=path.name, header=header, errors=errors)


def _read_text(path: Path) -> str:
    # Operator files are small: reading them whole lets a wrong encoding be reported
    # before any row is looked at, with the line where it shows.
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CsvFileError(f"Файл не найден: {path}") from None
    except IsADirectoryError:
        raise CsvFileError(f"{path} — это папка, а не файл CSV.") from None
    except OSError as error:
        raise CsvFileError(f"Не удалось прочитать файл {path}: {error.strerror}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            f"{path.name}: файл не в кодировке UTF-8 (первый неверный байт в строке {line}). "
            "Сохраните его как «CSV UTF-8»."
        ) from None


def _rows(reader, *, file: str, header: list[str], errors: ImportErrors) -> Iterator[tuple[int, dict[str, str]]]:
    last_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFileError(f"{file}, строка {last_line + 1}: не удалось разобрать строку CSV: {error}") from None
        line, last_line = last_line + 1, reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        extra = [cell for cell in cells[len(header) :] if cell]
        if extra:
            errors.add(
                f"значений больше, чем столбцов в заголовке ({len(header)}): лишнее «{', '.join(extra)}». "
                "Если в значении есть запятая, заключите его в кавычки.",
                line=line,
            )
            continue
        values = {name: (cells[index] if index < len(cells) else "") for index, name in enumerate(header) if name}
        # No column takes them (PostgreSQL refuses NUL outright): the row is an error, not a traceback.
        controls = {name: control_character(value) for name, value in values.items()}
        if any(controls.values()):
            for name, found in controls.items():
                if found:
                    errors.add(f"управляющий символ {found} в значении; удалите его.", line=line, field=name)
            continue
        yield line, values
