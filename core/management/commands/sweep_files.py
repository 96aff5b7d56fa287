from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.files import orphan_delete, orphaned_files
from core.text import plural


class Command(BaseCommand):
    help = (
        "Удаляет файлы без записей: загруженные файлы (в MEDIA_ROOT и PRIVATE_MEDIA_ROOT или в бакетах S3), "
        "которые не названы ни одной записью и не являются миниатюрой названного файла, — например, "
        "оставшиеся от записей, удалённых до того, как файлы стали удаляться вместе с ними. "
        "Файлы моложе --older-than не трогает: "
        "их запись может ещё сохраняться."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=24,
            metavar="ЧАСЫ",
            help="удалять только файлы, изменённые больше стольких часов назад (по умолчанию 24)",
        )
        parser.add_argument("--dry-run", action="store_true", help="показать файлы без записей, ничего не удаляя")

    def handle(self, *args, older_than: int, dry_run: bool, verbosity: int, **options):
        if older_than < 1:
            raise CommandError("--older-than: не меньше 1 часа (моложе бывают файлы записей, которые ещё сохраняются).")
        orphans = list(orphaned_files(older_than=timedelta(hours=older_than)))
        megabytes = sum(orphan.size for orphan in orphans) / 2**20
        if verbosity > 1 or dry_run:
            for orphan in orphans:
                self.stdout.write(f"{orphan.address} ({plural(orphan.size, 'байт', 'байта', 'байт')})")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Пробный запуск, ничего не удалено. Файлов без записей: {len(orphans)} ({megabytes:.1f} МБ)."
                )
            )
            return
        for orphan in tqdm(orphans, desc="Удаление", unit="файл", disable=verbosity == 0 or not orphans):
            orphan_delete(orphan)
        self.stdout.write(self.style.SUCCESS(f"Удалено файлов без записей: {len(orphans)} ({megabytes:.1f} МБ)."))
