"""Benchmark of `manage.py generate_certificates` on PostgreSQL: certificates per second and
peak memory for N certificates.

    .venv/bin/python bench/certificates.py                      # N = 10 and 1000, one job
    .venv/bin/python bench/certificates.py --count 1000 --jobs 2
    .venv/bin/python bench/certificates.py --count 200 --profile  # cProfile of one job

It uses the database of the project settings (DATABASE_URL, or the embedded PostgreSQL),
migrated. In it, each run creates its own scratch rows — a direction, a region, a course,
N users with volunteer profiles and N passed enrolments, all named after a random tag — runs
the command on that course through call_command, and deletes every scratch row again at the
end, also after a failure or Ctrl-C. The PDFs go to a temporary folder (PRIVATE_MEDIA_ROOT
is pointed there) that is removed as well. DEBUG is switched off so that Django does not log
every query, as in production.

Peak memory is getrusage's maxrss, a high-water mark of the whole process; so each N runs in
a fresh interpreter (this script starts itself once per --count), and the figures of
different N compare.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIRST_NAMES = ("Анастасия", "Дмитрий", "Екатерина", "Михаил", "Ольга", "Александр", "Татьяна", "Константин")
LAST_NAMES = ("Кузнецова", "Смирнов", "Лебедева", "Орлов", "Никитина", "Волков", "Павлова", "Константинопольский")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.DEBUG = False
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database has unapplied migrations: run `.venv/bin/python manage.py migrate` first.")


def create_scratch(tag: str, count: int):
    """The course and its N passed enrolments, inserted in bulk (not through the services:
    this is data to issue certificates for, not what is measured)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from courses.models import Course, VolunteerCourse
    from volunteers.models import Direction, Level, Location, Volunteer

    direction = Direction.objects.create(title=f"Бенчмарк {tag}", description="Сертификаты.")
    location = Location.objects.create(code=None, region=f"Бенчмарк {tag}")
    teacher = User.objects.create(
        username=f"{tag}-teacher", email=f"{tag}-teacher@bench.example", first_name="Ирина", last_name="Петрова"
    )
    course = Course.objects.create(
        title="Первая помощь на массовых мероприятиях: практический курс",
        direction=direction,
        level=Level.objects.get(rank=1),
        start_date=date(2026, 9, 1),
        short_description="Бенчмарк.",
        full_description="<p>Бенчмарк.</p>",
        duration=390,
        responsible=teacher,
        user_created=teacher,
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=f"{tag}-{number}",
            email=f"{tag}-{number}@bench.example",
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[number % len(LAST_NAMES)],
            password=password,
        )
        for number in range(count)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(user=user, phone_number=f"+7916{number:07d}", birth_date=date(2000, 1, 1), location=location)
        for number, user in enumerate(users)
    )
    VolunteerCourse.objects.bulk_create(
        VolunteerCourse(
            volunteer=volunteer, course=course, status=VolunteerCourse.Status.PASSED, assessment=60 + number % 41
        )
        for number, volunteer in enumerate(volunteers)
    )
    return course


def remove_scratch(tag: str) -> None:
    from accounts.models import User
    from courses.models import Course
    from volunteers.models import Direction, Location

    Course.objects.filter(direction__title=f"Бенчмарк {tag}").delete()  # enrolments, certificates
    User.objects.filter(username__startswith=f"{tag}-").delete()  # volunteer profiles
    Direction.objects.filter(title=f"Бенчмарк {tag}").delete()
    Location.objects.filter(region=f"Бенчмарк {tag}").delete()


def megabytes(rusage_maxrss: int) -> float:
    return rusage_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    """User and system time of this process and of its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_once(count: int, jobs: int, profile: bool) -> dict:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from courses.models import Certificate

    tag = f"bench-{uuid.uuid4().hex[:8]}"
    private = Path(tempfile.mkdtemp(prefix="volna-bench-"))
    settings.PRIVATE_MEDIA_ROOT = private
    try:
        course = create_scratch(tag, count)
        before = megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        cpu_before = cpu_seconds()
        load = os.getloadavg()[0]
        out, err = StringIO(), StringIO()
        command = {"course": course.pk, "jobs": jobs, "stdout": out, "stderr": err}
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(call_command, "generate_certificates", **command)
            elapsed = time.perf_counter() - started
            stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs().sort_stats("cumulative")
            stats.print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
        else:
            call_command("generate_certificates", **command)
            elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        issued = Certificate.objects.filter(course=course).exclude(file="").count()
        files = sum(1 for _ in private.rglob("*.pdf"))
        if issued != count or files != count:
            sys.exit(f"Expected {count} certificates and files, got {issued} rows and {files} files:\n{out.getvalue()}")
        return {
            "count": count,
            "jobs": jobs,
            "seconds": elapsed,
            "per_second": count / elapsed,
            "cpu_ms_per_certificate": cpu / count * 1000,
            "load_before": load,
            "peak_before_mb": before,
            "peak_self_mb": megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            "peak_children_mb": megabytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
            "summary": out.getvalue().strip().splitlines()[-1],
        }
    finally:
        remove_scratch(tag)
        shutil.rmtree(private, ignore_errors=True)


def show(result: dict) -> None:
    print(
        f"N = {result['count']:>5}, --jobs {result['jobs']}: {result['seconds']:6.2f} s, "
        f"{result['per_second']:6.1f} certificates/s; peak RSS: command process {result['peak_self_mb']:.0f} MB "
        f"(before the command {result['peak_before_mb']:.0f} MB), largest worker {result['peak_children_mb']:.0f} MB"
    )
    print(
        f"           {result['cpu_ms_per_certificate']:.1f} ms of CPU per certificate in the command's processes "
        f"(PostgreSQL's not counted); load average before: {result['load_before']:.2f}"
    )
    print(f"           command said: {result['summary']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, nargs="+", default=[10, 1000], help="certificates per run (10 1000)")
    parser.add_argument("--jobs", type=int, default=1, help="the command's --jobs (1)")
    parser.add_argument("--profile", action="store_true", help="cProfile the command (use with --jobs 1)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run, machine-readable
    args = parser.parse_args()

    if len(args.count) == 1:
        result = run_once(args.count[0], args.jobs, args.profile)
        print(json.dumps(result)) if args.json else show(result)
        return
    for count in args.count:  # a fresh process each, so that maxrss is this run's own
        call = [sys.executable, __file__, "--count", str(count), "--jobs", str(args.jobs), "--json"]
        done = subprocess.run(call, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            sys.exit(done.returncode)
        show(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
