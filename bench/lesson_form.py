"""The project lesson form with its methodic drawn by core.widgets.PlainSelect and by
Django's Select: the measurement behind the one hand-written widget the site keeps.

    ALLOWED_HOSTS=127.0.0.1 .venv/bin/python bench/lesson_form.py
    ALLOWED_HOSTS=127.0.0.1 .venv/bin/python bench/lesson_form.py --requests 20

It reads the bench database (bench/common.py) as the bench teacher: the form of a new
lesson in a course of a project they moderate or administer, whose methodic select lists
every published methodic (about 18,000 at scale 1). Two warm-up requests, then
--requests (10) timed with perf_counter around the whole request, once with the form as it
is and once with Django's Select put in its place; median and minimum, and the page's size.
"""

import argparse
import statistics
import sys
import time

from common import bench_database, setup_django

HOST = "127.0.0.1"


def timed(client, url: str, requests: int) -> tuple[float, float, int]:
    for _ in range(2):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), min(times), len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10)
    arguments = parser.parse_args()
    setup_django()
    setup_django(bench_database())
    from django import forms
    from django.test import Client

    from accounts.models import User
    from methodics.models import Methodic
    from projects.forms import LessonForm
    from projects.models import ProjectCourse, ProjectMember

    teacher = User.objects.get(email="bench-teacher@bench.example")
    managed = ProjectMember.objects.filter(user=teacher).exclude(role=ProjectMember.Role.VIEWER)
    course = ProjectCourse.objects.filter(term__project__in=managed.values("project_id")).order_by("pk").first()
    if course is None:
        raise SystemExit("The bench teacher moderates no project with a course: fill the database with bench/data.py.")
    client = Client(HTTP_HOST=HOST)
    client.force_login(teacher)
    url = f"/projects/courses/{course.pk}/lessons/new/"
    published = Methodic.objects.filter(status=Methodic.Status.PUBLISHED).count()
    print(f"{url}: {published} published methodics, {arguments.requests} requests each")
    field = LessonForm.base_fields["methodic"]
    for label, widget in (("PlainSelect", field.widget), ("Django's Select", forms.Select())):
        field.widget = widget
        median, fastest, size = timed(client, url, arguments.requests)
        print(f"{label:16} median {median:7.1f} ms  min {fastest:7.1f} ms  {size / 1024:7.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
