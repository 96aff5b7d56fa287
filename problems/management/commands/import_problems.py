import sys
from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from problems.importers import ProblemBankFileError, import_problem_bank


class Command(BaseCommand):
    help = (
        "Загружает банк задач из файла JSON Lines (UTF-8, один объект на строку: блоки, справочные "
        "материалы, задачи с решениями; формат — в README, «Problem bank import»). Новые ключи создаёт, "
        "изменённые записи обновляет. Сначала проверяет весь файл: при любой ошибке ничего не записывает."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="файл .jsonl, например problems/data/sample_bank.jsonl")
        parser.add_argument(
            "--dry-run", action="store_true", help="проверить файл и показать итог, ничего не записывая"
        )

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        progress = partial(
            tqdm,
            unit=" стр.",
            file=options.get("stderr") or sys.stderr,
            disable=True if verbosity == 0 else None,  # None: off when not a terminal
        )
        try:
            report = import_problem_bank(file, dry_run=dry_run, progress=progress)
        except ProblemBankFileError as error:
            raise CommandError(str(error)) from error
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file.name}: найдено ошибок: {len(report.errors)}. Ничего не записано.")
        prefix = "Пробный запуск, ничего не записано. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}."))
