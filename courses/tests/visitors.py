"""The catalogue and a course's page as an anonymous visitor gets them: kept for visitors
(core.cache), so a test reads them before a change and shows them changed at once."""

import re

from django.test import Client

CATALOGUE = "/courses/"


def visitor_gets(path: str):
    return Client().get(path)  # no cookies: an anonymous visitor, to whom pages are kept


def visitor_sees(path: str) -> str:
    response = visitor_gets(path)
    assert response.status_code == 200
    return response.content.decode()


def course_page(course) -> str:
    return f"/courses/{course.pk}/"


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/courses/\d+/">([^<]+)</a></h3>', page)
