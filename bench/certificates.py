"""Benchmark of `manage.py generate_certificates` on PostgreSQL: certificates per second and
peak memory for N certificates.

    .venv/bin/python bench/certificates.py                      # N = 10 and 1000, one job
    .venv/bin/python bench/certificates.py --count 1000 --jobs 2
    .venv/bin/python bench/certificates.py --count 300 --profile  # cProfile, one job

It runs on the PostgreSQL server of the project settings (DATABASE_URL, or the embedded
PostgreSQL), in a separate scratch database: `<database>_bench_certificates_<random>`,
created and migrated at the start (Django's test-database machinery) and dropped at the end,
also after a failure or Ctrl-C; nothing in the project's own database is touched. For each N
it adds a direction, a region, a course and N users with volunteer profiles and passed
enrolments, runs the command on that course, and checks that N certificates and N PDF files
came out. The PDFs go to a temporary folder (PRIVATE_MEDIA_ROOT points there), removed at
the end as well.

Every step runs in a child interpreter of its own (create the database, add the rows of one
N, run the command, drop the database), the command through call_command with DEBUG off (no
query log, as in production), and this script itself never loads Django. That is for the
memory figures: getrusage's maxrss is a high-water mark that a process inherits from its
parent through fork and keeps through exec, so the measured process must descend from a
small one — then RUSAGE_SELF is the command's own peak, RUSAGE_CHILDREN that of its largest
worker (with --jobs > 1), and the figures of different N compare.
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

from common import setup_django

FIRST_NAMES = ("Анастасия", "Дмитрий", "Екатерина", "Михаил", "Ольга", "Александр", "Татьяна", "Константин")
LAST_NAMES = ("Кузнецова", "Смирнов", "Лебедева", "Орлов", "Никитина", "Волков", "Павлова", "Константинопольский")


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
        user_modified=teacher,
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


def megabytes(maxrss: int) -> float:
    return maxrss / 1024  # Linux reports kilobytes


def cpu_seconds() -> float:
    """User and system time of this process and of its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(database: str, course_id: int, count: int, jobs: int, private: str, profile: bool) -> dict:
    """The command alone, timed; then a check that N certificates and N files came out."""
    from io import StringIO

    setup_django(database)
    from django.conf import settings
    from django.core.management import call_command

    from courses.models import Certificate

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
    result = {
        "seconds": elapsed,
        "cpu_seconds": cpu_seconds() - cpu_before,
        "peak_before_mb": before,
        "peak_mb": megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_workers_mb": megabytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "summary": out.getvalue().strip().splitlines()[-1],
    }
    issued = Certificate.objects.filter(course_id=course_id).exclude(file="").count()
    files = sum(1 for _ in Path(private).rglob("*.pdf"))
    if issued != count or files != count:
        sys.exit(f"Expected {count} certificates and files, got {issued} rows and {files} files: {result['summary']}")
    return result


def create_database() -> str:
    setup_django()
    from django.db import connection

    scratch = f"{connection.settings_dict['NAME']}_bench_certificates_{uuid.uuid4().hex[:8]}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return scratch


def drop_database(database: str) -> None:
    setup_django()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = database
    connection.creation.destroy_test_db(original, verbosity=0)


def child(*args, script: str = __file__) -> dict | str | int | None:
    """One step of `script` (this one by default) in a fresh interpreter; what it prints
    last (JSON) is its answer."""
    done = subprocess.run([sys.executable, script, *map(str, args)], stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"Step {args[0]} failed (exit code {done.returncode}).")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def show(count: int, jobs: int, load: float, result: dict) -> None:
    seconds = result["seconds"]
    print(
        f"N = {count:>5}, --jobs {jobs}: {seconds:6.2f} s, {count / seconds:6.1f} certificates/s; "
        f"peak RSS {result['peak_mb']:.0f} MB (after start-up {result['peak_before_mb']:.0f} MB), "
        f"largest worker {result['peak_workers_mb']:.0f} MB"
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
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)  # a child's part
    args = parser.parse_args()

    if args.step:
        step, *values = args.step
        if step == "create-db":
            answer = create_database()
        elif step == "add-rows":
            setup_django(values[0])
            answer = create_scratch(f"n{values[1]}", int(values[1]))
        elif step == "measure":
            database, course_id, count, private = values
            answer = measure(database, int(course_id), int(count), args.jobs, private, args.profile)
        else:
            answer = drop_database(values[0])
        print(json.dumps(answer))
        return

    database = child("--step", "create-db")
    private = Path(tempfile.mkdtemp(prefix="volna-bench-certificates-"))
    print(f"Scratch database {database} (dropped at the end); PDFs in {private} (removed at the end).")
    try:
        for count in args.count:
            course_id = child("--step", "add-rows", database, count)
            load = os.getloadavg()[0]
            step = ["--step", "measure", database, course_id, count, private / f"n{count}", "--jobs", args.jobs]
            show(count, args.jobs, load, child(*step, *["--profile"] * args.profile))
    finally:
        shutil.rmtree(private, ignore_errors=True)
        child("--step", "drop-db", database)


if __name__ == "__main__":
    main()
