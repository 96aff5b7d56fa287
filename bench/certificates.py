"""Benchmark of `manage.py generate_certificates` on PostgreSQL: certificates per second and
peak memory for N certificates.

    .venv/bin/python bench/certificates.py                      # N = 10 and 1000, one job
    .venv/bin/python bench/certificates.py --count 1000 --jobs 2
    .venv/bin/python bench/certificates.py --count 300 --profile  # cProfile, one job

It uses the database of the project settings (DATABASE_URL, or the embedded PostgreSQL),
migrated. For each N it creates scratch rows there — a direction, a region, a course, N users
with volunteer profiles and N passed enrolments, all named after a random tag — runs the
command on that course, checks that N certificates and N files came out, and deletes every
scratch row again, also after a failure or Ctrl-C. The PDFs go to a temporary folder
(PRIVATE_MEDIA_ROOT points there) that is removed as well.

The command runs in a fresh interpreter of its own, through call_command, with DEBUG off (no
query log, as in production): getrusage's maxrss is a high-water mark of a whole process, so
this keeps the scratch data out of the figure, and the figures of different N compare.
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

    settings.DEBUG = False


def check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    # Every app's: deleting the scratch users cascades through all of them.
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database has unapplied migrations: run `.venv/bin/python manage.py migrate` first.")


def create_scratch(tag: str, count: int) -> int:
    """The course and its N passed enrolments, inserted in bulk (not through the services:
    this is data to issue certificates for, not what is measured). Returns the course id."""
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
    for start in range(0, count, 1000):
        users = User.objects.bulk_create(
            User(
                username=f"{tag}-{number}",
                email=f"{tag}-{number}@bench.example",
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                last_name=LAST_NAMES[number % len(LAST_NAMES)],
                password=password,
            )
            for number in range(start, min(count, start + 1000))
        )
        volunteers = Volunteer.objects.bulk_create(
            Volunteer(user=user, phone_number=f"+7916{start + n:07d}", birth_date=date(2000, 1, 1), location=location)
            for n, user in enumerate(users)
        )
        VolunteerCourse.objects.bulk_create(
            VolunteerCourse(
                volunteer=volunteer,
                course=course,
                status=VolunteerCourse.Status.PASSED,
                assessment=60 + (start + number) % 41,
            )
            for number, volunteer in enumerate(volunteers)
        )
    return course.pk


def remove_scratch(tag: str) -> None:
    from django.db import transaction

    from accounts.models import User
    from courses.models import Course
    from volunteers.models import Direction, Location

    with transaction.atomic():
        Course.objects.filter(direction__title=f"Бенчмарк {tag}").delete()  # enrolments, certificates
        User.objects.filter(username__startswith=f"{tag}-").delete()  # volunteer profiles
        Direction.objects.filter(title=f"Бенчмарк {tag}").delete()
        Location.objects.filter(region=f"Бенчмарк {tag}").delete()


def megabytes(maxrss: int) -> float:
    return maxrss / 1024  # Linux reports kilobytes


def cpu_seconds() -> float:
    """User and system time of this process and of its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(course_id: int, jobs: int, private: str, profile: bool) -> dict:
    """In the fresh interpreter: the command alone, timed."""
    from io import StringIO

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.PRIVATE_MEDIA_ROOT = Path(private)
    out = StringIO()
    command = {"course": course_id, "jobs": jobs, "stdout": out, "stderr": StringIO()}
    before = megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    cpu_before, started = cpu_seconds(), time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(call_command, "generate_certificates", **command)
        elapsed = time.perf_counter() - started
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    else:
        call_command("generate_certificates", **command)
        elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu_seconds() - cpu_before,
        "peak_before_mb": before,
        "peak_mb": megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_workers_mb": megabytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "summary": out.getvalue().strip().splitlines()[-1],
    }


def run(count: int, jobs: int, profile: bool) -> None:
    from courses.models import Certificate

    tag = f"bench-{uuid.uuid4().hex[:8]}"
    private = tempfile.mkdtemp(prefix="volna-bench-")
    try:
        course_id = create_scratch(tag, count)
        load = os.getloadavg()[0]
        call = [sys.executable, __file__, "--measure", str(course_id), "--jobs", str(jobs), "--private", private]
        done = subprocess.run(call + ["--profile"] * profile, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            sys.exit(f"The measured run failed (exit code {done.returncode}).")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        issued = Certificate.objects.filter(course_id=course_id).exclude(file="").count()
        files = sum(1 for _ in Path(private).rglob("*.pdf"))
        if issued != count or files != count:
            sys.exit(f"Expected {count} certificates and files, got {issued} rows and {files} files.")
    finally:
        try:
            remove_scratch(tag)
        finally:
            shutil.rmtree(private, ignore_errors=True)
    seconds = result["seconds"]
    print(
        f"N = {count:>5}, --jobs {jobs}: {seconds:6.2f} s, {count / seconds:6.1f} certificates/s; "
        f"peak RSS {result['peak_mb']:.0f} MB (after start-up {result['peak_before_mb']:.0f} MB), "
        f"largest child process {result['peak_workers_mb']:.0f} MB"
    )
    print(
        f"           {result['cpu_seconds'] / count * 1000:.1f} ms CPU per certificate in the command's processes "
        f"(PostgreSQL's not counted); load average before: {load:.2f}; {result['summary']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, nargs="+", default=[10, 1000], help="certificates per run (10 1000)")
    parser.add_argument("--jobs", type=int, default=1, help="the command's --jobs (1)")
    parser.add_argument("--profile", action="store_true", help="cProfile the command, to stderr (use with --jobs 1)")
    parser.add_argument("--measure", type=int, metavar="COURSE", help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--private", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.jobs, args.private, args.profile)))
        return
    setup_django()
    check_migrated()
    for count in args.count:
        run(count, args.jobs, args.profile)


if __name__ == "__main__":
    main()
