from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

import accounts.demo
import courses.demo
import methodics.demo
import problems.demo
import projects.demo
import volunteers.demo
from accounts.models import User
from courses.models import Course
from methodics.models import Methodic
from problems.models import Task
from projects.models import Project

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


def site_totals() -> str:
    """What the site holds now, demo or not: the quick start's «what is there to see»."""
    counts = {
        "пользователей": User.objects.count(),
        "курсов": Course.objects.count(),
        "методик": Methodic.objects.count(),
        "задач": Task.objects.count(),
        "проектов": Project.objects.count(),
    }
    return ", ".join(f"{what} — {count}" for what, count in counts.items())


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
        if dry_run:
            return
        emails = ", ".join(email for email, *_ in accounts.demo.DEMO_USERS)
        self.stdout.write(f"На сайте: {site_totals()}.")
        self.stdout.write(f"Демо-аккаунты: {emails} — пароль {accounts.demo.DEMO_PASSWORD}.")
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
            self.stdout.write(f"Письма сайта — файлами в {settings.EMAIL_FILE_PATH}.")
