from django.core.management.base import BaseCommand
from django.db import transaction

import accounts.demo
import courses.demo
import methodics.demo
import problems.demo
import projects.demo
import volunteers.demo

# Each app that has demo content exposes demo.seed() -> {what: how many created}; they
# run in the order of their dependencies.
SEEDERS = (
    accounts.demo.seed,
    volunteers.demo.seed,
    courses.demo.seed,
    problems.demo.seed,
    methodics.demo.seed,
    projects.demo.seed,
)


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = "Создаёт демонстрационные данные (пользователи всех ролей и т. д.). Повторный запуск ничего не меняет."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="показать, что будет создано, ничего не записывая")

    def handle(self, *args, dry_run: bool, **options):
        totals: dict[str, int] = {}
        try:
            with transaction.atomic():
                for seed in SEEDERS:
                    totals.update(seed())
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        summary = ", ".join(f"{what}: {count}" for what, count in totals.items())
        prefix = "Пробный запуск, ничего не записано. Было бы создано" if dry_run else "Создано"
        self.stdout.write(self.style.SUCCESS(f"{prefix} — {summary}."))
