"""Loading the list of regions (Location) from an operator's CSV file with the columns code,region."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.cache import content_changed
from core.csv_import import ImportErrors, ImportReport, read_csv
from core.input_checks import parse_int
from volunteers.models import Location

LOCATION_COLUMNS = ("code", "region")
CODE_MIN, CODE_MAX = 1, 999
REGION_MAX_LENGTH = Location._meta.get_field("region").max_length


@dataclass(frozen=True)
class LocationRow:
    line: int
    code: int
    region: str


def parse_locations(path: str | Path) -> tuple[list[LocationRow], ImportErrors]:
    """Every row of the file checked on its own and against the others; the rows that pass.

    code is a whole number 1–999 («01» is 1); region is not empty and fits the column
    (runs of spaces become one). A code or a region (in any letter case) that appears
    twice is an error on the later line naming the earlier. Raises CsvFileError when the
    file cannot be read or lacks a column."""
    errors = ImportErrors(Path(path).name)
    rows: list[LocationRow] = []
    line_of_code: dict[int, int] = {}
    line_of_region: dict[str, int] = {}
    for line, values in read_csv(path, columns=LOCATION_COLUMNS, errors=errors):
        code = _parse_code(values["code"], line=line, errors=errors)
        region = " ".join(values["region"].split())
        region_ok = _check_region(region, line=line, errors=errors)
        if code is not None:
            if code in line_of_code:
                errors.add(f"код {code} уже указан в строке {line_of_code[code]}.", line=line, field="code")
                code = None
            else:
                line_of_code[code] = line
        if region_ok:
            key = region.casefold()
            if key in line_of_region:
                errors.add(f"регион «{region}» уже указан в строке {line_of_region[key]}.", line=line, field="region")
                region_ok = False
            else:
                line_of_region[key] = line
        if code is not None and region_ok:
            rows.append(LocationRow(line=line, code=code, region=region))
    return rows, errors


def _parse_code(value: str, *, line: int, errors: ImportErrors) -> int | None:
    if not value:
        errors.add("код не указан.", line=line, field="code")
        return None
    code = parse_int(value, low=CODE_MIN, high=CODE_MAX)
    if code is None:
        errors.add(
            f"код должен быть целым числом от {CODE_MIN} до {CODE_MAX}, а не «{value}».", line=line, field="code"
        )
    return code


def _check_region(region: str, *, line: int, errors: ImportErrors) -> bool:
    if not region:
        errors.add("название региона не указано.", line=line, field="region")
        return False
    if len(region) > REGION_MAX_LENGTH:
        errors.add(
            f"название длиннее {REGION_MAX_LENGTH} символов ({len(region)}).",
            line=line,
            field="region",
        )
        return False
    return True


def import_locations(rows: list[LocationRow], *, dry_run: bool, errors: ImportErrors | None = None) -> ImportReport:
    """Upsert the regions by code: new codes are created, a changed name is updated.

    `errors` are those already found in the file; to them are added the rows whose
    region name belongs to another location in the database (renaming that one is the
    operator's call, not the import's). With any error, or on a dry run, nothing is
    written and the report tells what would have been done. What is written retires the
    pages that show the regions (the cache area "site")."""
    errors = errors if errors is not None else ImportErrors()
    report = ImportReport(dry_run=dry_run, errors=errors)
    with transaction.atomic():
        existing = list(Location.objects.select_for_update())
        by_code = {location.code: location for location in existing if location.code is not None}
        by_region = {location.region.casefold(): location for location in existing}
        to_create, to_update = [], []
        for row in rows:
            location = by_code.get(row.code)
            holder = by_region.get(row.region.casefold())
            if holder is not None and holder is not location:
                held_as = f"с кодом {holder.code}" if holder.code is not None else "без кода"
                errors.add(
                    f"регион «{holder.region}» уже есть в базе {held_as}; исправьте файл или этот регион в "
                    "администрировании.",
                    line=row.line,
                    field="region",
                )
            elif location is None:
                to_create.append(Location(code=row.code, region=row.region))
            elif location.region != row.region:
                location.region = row.region
                to_update.append(location)
            else:
                report.unchanged += 1
        report.created, report.updated = len(to_create), len(to_update)
        if report.written:
            Location.objects.bulk_create(to_create)
            Location.objects.bulk_update(to_update, ["region"])
            if to_create or to_update:
                content_changed("site")
    return report
