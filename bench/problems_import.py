"""Benchmark of `manage.py import_problems` on PostgreSQL: time and peak memory for a bank of
10,000 and of 100,000 tasks — the time must stay under 60 s for 100,000, and the memory must
not grow with the file (the importer streams it).

    .venv/bin/python bench/problems_import.py                     # 10,000 and 100,000 tasks
    .venv/bin/python bench/problems_import.py --tasks 1000 20000

It runs on the PostgreSQL server of the project settings (DATABASE_URL, or the embedded
PostgreSQL), in a separate scratch database: `<database>_bench_import_<random>`, created and
migrated at the start (Django's test-database machinery) and dropped at the end, also after
a failure or Ctrl-C. Nothing in the project's own database is touched. The JSONL files and
the imported images go to a temporary folder (MEDIA_ROOT is pointed there), removed at the
end as well.

The file: 30 blocks, 10 reference materials with an image, then the tasks spread over the
blocks, each with a statement in HTML with Unicode math, a short answer, one or two links to
reference materials and one or two solutions (every tenth has a private second one; every
hundredth task has an image). About 550 bytes a task: 53 MB for 100,000.

Each import runs in a fresh interpreter (this script starts itself once per run), because
the peak memory that getrusage reports (maxrss) is a high-water mark of the whole process:
so the figures of different sizes compare. Printed with it: how far the peak rose over
the memory the process held just before the import (VmRSS; Django and its apps alone hold
about 90 MB). For each size: a first import into the empty
bank (everything created), then the same file again (everything unchanged). DEBUG is off,
as in production.
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path

from common import ROOT, setup_django

BLOCKS, REFERENCES = 30, 10
PICTURE = ROOT / "problems" / "data" / "images" / "right-triangle.png"


def megabytes(rusage_maxrss: int) -> float:
    return rusage_maxrss / 1024  # kilobytes on Linux


def resident_megabytes() -> float:
    """The memory the process holds now (Linux), as opposed to its high-water mark."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def write_bank(path: Path, tasks: int) -> None:
    (path.parent / "images").mkdir(exist_ok=True)
    shutil.copy(PICTURE, path.parent / "images" / "figure.png")
    with path.open("w", encoding="utf-8") as file:

        def line(row: dict) -> None:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")

        for number in range(1, BLOCKS + 1):
            line({"type": "block", "key": f"block-{number}", "title": f"Блок {number}", "order": number})
        for number in range(1, REFERENCES + 1):
            line(
                {
                    "type": "reference",
                    "key": f"ref-{number}",
                    "title": f"Справка {number}: теорема Пифагора",
                    "description": "<p>В прямоугольном треугольнике c² = a² + b², значит c = √(a² + b²).</p>",
                    "image": "images/figure.png",
                }
            )
        for number in range(1, tasks + 1):
            solutions = [
                {
                    "title": "Решение",
                    "text": f"<p>По теореме Пифагора c² = {number}² + 1² = {number * number + 1}, "
                    f"c = √{number * number + 1}.</p>",
                }
            ]
            if number % 10 == 0:
                solutions.append(
                    {"title": "Для учителя", "text": "<p>Обратите внимание на ∠C = 90°.</p>", "private": True}
                )
            row = {
                "type": "task",
                "key": f"task-{number:06d}",
                "block": f"block-{1 + number % BLOCKS}",
                "title": f"Гипотенуза № {number}",
                "statement": f"<p>Катеты прямоугольного треугольника равны {number} и 1. "
                "Найдите гипотенузу c (α, β — острые углы; ответ запишите через √).</p>",
                "answer": f"√{number * number + 1}",
                "references": [f"ref-{1 + number % REFERENCES}", f"ref-{1 + (number + 3) % REFERENCES}"][
                    : 1 + number % 2
                ],
                "solutions": solutions,
            }
            if number % 100 == 0:
                row["image"] = "images/figure.png"
            line(row)


def run_once(database: str, path: Path, media: Path) -> dict:
    """One import, in this (fresh) process."""
    setup_django(database)
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = media
    before = resident_megabytes()
    out = StringIO()
    started = time.perf_counter()
    call_command("import_problems", str(path), verbosity=0, stdout=out, stderr=StringIO())
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "before_mb": before,
        "peak_mb": megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "summary": out.getvalue().strip(),
    }


def child(database: str, path: Path, media: Path) -> dict:
    call = [sys.executable, __file__, "--child", database, str(path), str(media)]
    done = subprocess.run(call, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        sys.exit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        database, path, media = sys.argv[2:5]
        print(json.dumps(run_once(database, Path(path), Path(media))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[10_000, 100_000], help="tasks per file")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    scratch = f"{original}_bench_import_{uuid.uuid4().hex[:8]}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    folder = Path(tempfile.mkdtemp(prefix="volna-bench-import-"))
    print(f"Scratch database {scratch} (dropped at the end); files in {folder} (removed at the end).")
    try:
        for tasks in args.tasks:
            path = folder / f"bank-{tasks}" / "bank.jsonl"
            path.parent.mkdir()
            write_bank(path, tasks)
            size = path.stat().st_size / 1024 / 1024
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE blocks, reference_materials, tasks, solutions, tasks_references CASCADE")
            connection.close()  # the child imports; this process holds no lock or transaction meanwhile
            first = child(scratch, path, folder / "media")
            again = child(scratch, path, folder / "media")
            for label, result in (("first import", first), ("same file again", again)):
                print(
                    f"{tasks:>7,} tasks ({size:5.1f} MB), {label:>15}: {result['seconds']:6.1f} s "
                    f"({tasks / result['seconds']:7,.0f} tasks/s); peak RSS {result['peak_mb']:5.0f} MB, "
                    f"of which {result['peak_mb'] - result['before_mb']:.0f} MB over the process before the import"
                )
            print(f"        first import said: {first['summary']}")
            print(f"        second import said: {again['summary']}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
