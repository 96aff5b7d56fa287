import math
import multiprocessing
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing.util import Finalize

from celery import group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from tqdm import tqdm

from core.pdf import register_fonts
from courses.models import Certificate, Course, VolunteerCourse
from courses.services import CertificateOutcome, CertificateReport, certificate_failure_reason, certificates_issue
from courses.tasks import issue_certificates
from volunteers.models import Volunteer

ISSUED, REISSUED, SKIPPED = CertificateOutcome.ISSUED, CertificateOutcome.REISSUED, CertificateOutcome.SKIPPED
# One query loads a chunk's enrolments; a worker reports back after each chunk, so chunks
# are small enough for a lively progress bar and an even split, large enough to be cheap.
CHUNKS_PER_JOB = 8
MAX_CHUNK = 200
# --async: a Celery task per chunk of this many (a few seconds of rendering each), and
# the results asked for this often.
TASK_CHUNK = 50
POLL_SECONDS = 0.5

# (enrolment id, force): the work for one enrolment.
Item = tuple[int, bool]


@dataclass
class Plan:
    work: list[Item] = field(default_factory=list)
    reissue: set[int] = field(default_factory=set)  # enrolment ids whose certificate is re-issued
    counts: Counter = field(default_factory=Counter)


def plan_certificates(*, course_id: int | None, volunteer_id: int | None, force: bool) -> Plan:
    """Which passed enrolments need a certificate, decided from one query and without
    rendering anything — the same rules as `certificate_issue`, which decides again (under a
    row lock) for every enrolment the command hands it. One rule more: a certificate whose
    file is gone from storage is re-rendered (passed on with force), which the service
    alone does not notice."""
    certificates = Certificate.objects.filter(volunteer_id=OuterRef("volunteer_id"), course_id=OuterRef("course_id"))
    enrolments = VolunteerCourse.objects.filter(status=VolunteerCourse.Status.PASSED)
    if course_id is not None:
        enrolments = enrolments.filter(course_id=course_id)
    if volunteer_id is not None:
        enrolments = enrolments.filter(volunteer_id=volunteer_id)
    rows = (
        enrolments.annotate(
            certificate_id=Subquery(certificates.values("pk")[:1]),
            certificate_assessment=Subquery(certificates.values("final_assessment")[:1]),
            certificate_file=Subquery(certificates.values("file")[:1]),
        )
        .order_by("pk")
        .values_list("pk", "assessment", "certificate_id", "certificate_assessment", "certificate_file")
    )
    storage = Certificate._meta.get_field("file").storage
    plan = Plan()
    for pk, assessment, certificate_id, certificate_assessment, file_name in rows.iterator(chunk_size=2000):
        if certificate_id is None:
            plan.counts[ISSUED] += 1
            plan.work.append((pk, force))
        elif force or not file_name or assessment > certificate_assessment:
            plan.counts[REISSUED] += 1
            plan.reissue.add(pk)
            plan.work.append((pk, force))
        elif not storage.exists(file_name):
            plan.counts[REISSUED] += 1
            plan.reissue.add(pk)
            plan.work.append((pk, True))
        else:
            plan.counts[SKIPPED] += 1
    return plan


def enrolment_labels(ids: list[int]) -> dict[int, str]:
    """«запись <id> (<volunteer>, «<course>»)» for each enrolment id, a thousand per query."""
    labels = {}
    for start in range(0, len(ids), 1000):
        enrolments = VolunteerCourse.objects.filter(pk__in=ids[start : start + 1000]).select_related(
            "volunteer__user", "course"
        )
        for enrolment in enrolments:
            labels[enrolment.pk] = f"запись {enrolment.pk} ({enrolment.volunteer}, «{enrolment.course}»)"
    return labels


def _worker_started() -> None:
    # Ctrl-C reaches the whole process group: a worker finishes its chunk rather than stop
    # inside a certificate, and the parent drops the chunks not started.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked workers inherit closed connections and open their own; close them when the
    # worker exits (multiprocessing runs these finalizers, atexit handlers are skipped).
    Finalize(None, connections.close_all, exitpriority=10)


def chunked(items: list[Item], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Command(BaseCommand):
    help = (
        "Выпускает сертификаты за пройденные курсы: каждой записи со статусом «Пройден» без сертификата, "
        "а также перевыпускает устаревшие (оценка с тех пор выросла или файла нет). Повторный запуск "
        "ничего не выпускает."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", type=int, metavar="ID", help="только записи на этот курс (id курса)")
        parser.add_argument("--volunteer", type=int, metavar="ID", help="только записи этого волонтёра (id волонтёра)")
        parser.add_argument(
            "--dry-run", action="store_true", help="показать, что будет выпущено и перевыпущено, ничего не записывая"
        )
        parser.add_argument("--force", action="store_true", help="перевыпустить и существующие сертификаты")
        parser.add_argument(
            "--jobs", type=int, default=1, metavar="N", help="число параллельных процессов (по умолчанию 1)"
        )
        parser.add_argument(
            "--async",
            action="store_true",
            dest="in_workers",
            help=f"раздать выпуск воркерам Celery частями по {TASK_CHUNK} записей "
            "(без брокера задачи выполняются здесь же)",
        )

    def handle(self, *args, course, volunteer, dry_run, force, jobs, in_workers, verbosity, **options):
        if jobs < 1:
            raise CommandError("--jobs: нужно целое число не меньше 1.")
        if in_workers and jobs > 1:
            raise CommandError("--async и --jobs вместе не нужны: с --async выпуск делят воркеры Celery.")
        if jobs > 1 and connection.in_atomic_block:
            raise CommandError("--jobs больше 1 нельзя запускать внутри транзакции: процессы не увидят её данных.")
        if in_workers and not dry_run:
            self.check_workers()
        if course is not None and not Course.objects.filter(pk=course).exists():
            raise CommandError(f"Курс с id {course} не найден.")
        if volunteer is not None and not Volunteer.objects.filter(pk=volunteer).exists():
            raise CommandError(f"Волонтёр с id {volunteer} не найден.")

        plan = plan_certificates(course_id=course, volunteer_id=volunteer, force=force)
        if dry_run:
            self.show_plan(plan, verbosity)
            return

        # Off at verbosity 0, and when stderr is not a terminal (disable=None): under tests, in cron.
        bar = {
            "total": len(plan.work),
            "desc": "Сертификаты",
            "unit": " шт.",
            "file": options.get("stderr") or sys.stderr,
            "disable": True if verbosity == 0 else None,
        }
        report = CertificateReport(counts=Counter({SKIPPED: plan.counts[SKIPPED]}))
        interrupted = False
        try:
            if in_workers:
                self.issue_in_workers(plan.work, bar=bar, report=report)
            elif jobs == 1 or len(plan.work) <= 1:
                with tqdm(**bar) as progress:
                    for chunk in chunked(plan.work, MAX_CHUNK):
                        certificates_issue(chunk, report=report, progress=progress.update)
            else:
                self.issue_in_processes(plan.work, jobs=jobs, bar=bar, report=report)
        except KeyboardInterrupt:  # what is done stays done; say so, then stop with an error
            interrupted = True
        self.show_report(report, interrupted=interrupted)

    def issue_in_processes(self, work: list[Item], *, jobs: int, bar: dict, report: CertificateReport) -> None:
        jobs = min(jobs, len(work))
        size = max(1, min(MAX_CHUNK, math.ceil(len(work) / (jobs * CHUNKS_PER_JOB))))
        chunks = list(chunked(work, size))
        register_fonts()  # parsed once here, inherited by every forked worker
        connections.close_all()  # a forked child must not share the parent's database socket
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_started) as pool:
            # Submitting forks the workers; the progress bar (and its monitor thread) comes after.
            futures = {pool.submit(certificates_issue, chunk): chunk for chunk in chunks}
            try:
                with tqdm(**bar) as progress:
                    for future in as_completed(futures):
                        chunk = futures[future]
                        try:
                            report.add(future.result())
                        except Exception as error:  # a worker died: its chunk failed, the rest go on
                            report.failures.extend((pk, certificate_failure_reason(error)) for pk, _ in chunk)
                        progress.update(len(chunk))
            except KeyboardInterrupt:
                # Workers ignore Ctrl-C and finish the chunk in hand; the chunks not started are dropped.
                pool.shutdown(cancel_futures=True)
                raise

    def check_workers(self) -> None:
        """With a broker: the work must be committed, the results readable, a worker there.
        Without one the tasks run in this process (task_always_eager) and nothing is asked."""
        app = issue_certificates.app
        if app.conf.task_always_eager:
            return
        if connection.in_atomic_block:
            raise CommandError("--async нельзя запускать внутри транзакции: воркеры не увидят её данных.")
        if not app.conf.result_backend:
            raise CommandError(
                "--async без CELERY_RESULT_BACKEND: ход выпуска не узнать. Задайте его или уберите --async."
            )
        if not app.control.ping(timeout=2, limit=1):  # the first answer is enough
            raise CommandError(
                "Ни один воркер Celery не ответил: запустите `celery -A config worker` или выпустите без --async."
            )

    def issue_in_workers(self, work: list[Item], *, bar: dict, report: CertificateReport) -> None:
        """A Celery group of tasks over chunks of the work, its progress read off their
        results as they come in. Ctrl-C revokes the chunks not started; a chunk in hand is
        finished by its worker. Without a broker each task runs as it is sent."""
        if not work:
            return
        started = timezone.now().isoformat()  # forced work is done once, however often a chunk is delivered
        chunks = list(chunked(work, TASK_CHUNK))
        tasks = group(issue_certificates.s([list(item) for item in chunk], started) for chunk in chunks)
        results = tasks.apply_async()
        pending = dict(zip(results.results, chunks, strict=True))
        try:
            with tqdm(**bar) as progress:
                while pending:
                    for result in [result for result in pending if result.ready()]:
                        chunk = pending.pop(result)
                        if result.successful():
                            report.add(CertificateReport.from_dict(result.result))
                        else:  # the whole chunk failed (its worker lost the database, say)
                            error = result.result
                            report.failures.extend((pk, f"{type(error).__name__}: {error}") for pk, _ in chunk)
                        result.forget()
                        progress.update(len(chunk))
                    if pending:
                        time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            results.revoke()
            raise

    def show_plan(self, plan: Plan, verbosity: int) -> None:
        if verbosity >= 1 and plan.work:
            labels = enrolment_labels([pk for pk, _ in plan.work])
            for pk, _ in plan.work:
                word = "перевыпуск" if pk in plan.reissue else "выпуск"
                self.stdout.write(f"{word}: {labels.get(pk, f'запись {pk}')}")
        self.stdout.write(
            self.style.SUCCESS(
                "Пробный запуск, ничего не записано. "
                f"Будет выпущено: {plan.counts[ISSUED]}, перевыпущено: {plan.counts[REISSUED]}, "
                f"пропущено: {plan.counts[SKIPPED]}."
            )
        )

    def show_report(self, report: CertificateReport, *, interrupted: bool = False) -> None:
        counts, failures = report.counts, sorted(report.failures)
        summary = (
            f"Выпущено: {counts[ISSUED]}, перевыпущено: {counts[REISSUED]}, "
            f"пропущено: {counts[SKIPPED]}, ошибок: {len(failures)}"
        )
        if not failures and not interrupted:
            self.stdout.write(self.style.SUCCESS(f"{summary}."))
            return
        self.stdout.write(self.style.WARNING(f"{summary}."))
        if failures:
            labels = enrolment_labels([pk for pk, _ in failures])
            for pk, reason in failures:
                self.stderr.write(f"{labels.get(pk, f'запись {pk}')}: {reason}")
        if interrupted:
            raise CommandError("Прервано. Повторный запуск выпустит остальные сертификаты.")
        raise CommandError(f"Не удалось выпустить сертификатов: {len(failures)}; остальные выпущены.")
