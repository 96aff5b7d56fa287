from django.core.management.base import BaseCommand

from accounts.karma import karma_recount
from core.text import plural


class Command(BaseCommand):
    help = (
        "Пересчитывает карму каждого пользователя по журналу кармы и исправляет суммы, которые "
        "с ним расходятся. Повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="показать расхождения (хранится / по журналу), ничего не меняя"
        )

    def handle(self, *args, dry_run: bool, **options):
        differences = karma_recount(dry_run=dry_run)
        for difference in differences:
            user = difference.user
            name = user.get_full_name() or user.username
            self.stdout.write(
                f"{name} (id {user.pk}, {user.username}): хранится {difference.stored}, по журналу {difference.ledger}"
            )
        people = plural(len(differences), "пользователь", "пользователя", "пользователей")
        if not differences:
            self.stdout.write(self.style.SUCCESS("Карма всех пользователей сходится с журналом, исправлять нечего."))
        elif dry_run:
            self.stdout.write(self.style.WARNING(f"Пробный запуск, ничего не изменено. Расходится: {people}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Исправлено: {people}."))
