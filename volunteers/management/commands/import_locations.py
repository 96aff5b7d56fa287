from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.csv_import import CsvFileError
from volunteers.importers import import_locations, parse_locations


class Command(BaseCommand):
    help = (
        "Загружает регионы из CSV-файла (UTF-8) со столбцами code,region: добавляет новые коды, "
        "обновляет названия существующих. При любой ошибке в файле ничего не записывает."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="CSV-файл со столбцами code,region, например volunteers/data/regions.csv"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="проверить файл и показать итог, ничего не записывая"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            rows, errors = parse_locations(file)
        except CsvFileError as error:
            raise CommandError(str(error)) from error
        report = import_locations(rows, errors=errors, dry_run=dry_run)
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file.name}: найдено ошибок: {len(report.errors)}. Ничего не записано.")
        prefix = "Пробный запуск, ничего не записано. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}."))
