"""Two app servers, one Redis: content changed through one is gone for the visitors of the
other on their next request, and a page one of them keeps, the other serves.

Two gunicorn instances (deploy/gunicorn.conf.py, one worker each) on free loopback ports,
set up as in production — DEBUG off, pages kept for visitors 60 s, REDIS_URL on the tests' Redis
database (emptied) — serve the test database, whose rows `transactional_db` commits.
"""

import pytest
import redis

from accounts.roles import TEACHER
from config.tests.servers import Server, production_environment, running, signed_in, user_who_signs_in
from core.testing import database_url_of_the_tests
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory, add_step

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Снежный ком с именами"
LIBRARY = "/methodics/"


@pytest.fixture
def servers(transactional_db, redis_url, static_root, tmp_path):
    """Instances A and B, one worker each, sharing the Redis of `redis_url`."""
    environment = production_environment(
        DATABASE_URL=database_url_of_the_tests(),
        REDIS_URL=redis_url,
        PAGE_CACHE_SECONDS="60",
        STATIC_ROOT=str(static_root),
    )
    with running("AB", environment, tmp_path) as started:
        yield started


def kept_pages(redis_url: str) -> set[str]:
    """The paths of the pages kept in Redis («volna:1:page:<path>:<versions>»)."""
    with redis.Redis.from_url(redis_url) as client:
        keys = [key.decode() for key in client.scan_iter("volna:*:page:*")]
    return {key.split(":", 3)[3].rsplit(":", 1)[0] for key in keys}


def published_methodic() -> Methodic:
    author = user_who_signs_in(roles=[TEACHER])
    methodic = MethodicFactory(title=TITLE, author=author)
    add_step(methodic)
    return methodic


def shown_to_visitors_of(server: Server, methodic: Methodic, redis_url: str) -> None:
    page = server.get(f"/methodics/{methodic.pk}/")
    assert page.status == 200
    assert TITLE in page.text
    assert TITLE in server.get(LIBRARY).text
    assert {f"/methodics/{methodic.pk}/", LIBRARY} <= kept_pages(redis_url)


def gone_for_visitors_of(server: Server, methodic: Methodic) -> None:
    assert server.get(f"/methodics/{methodic.pk}/").status == 404
    library = server.get(LIBRARY)
    assert library.status == 200
    assert TITLE not in library.text


def test_unpublished_with_the_site_s_button_on_a_the_methodic_is_gone_on_b(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)

    author = signed_in(a, methodic.author)
    answer = a.post(f"/methodics/{methodic.pk}/unpublish-own/", cookies=author, form={})

    assert answer.status == 302, answer.text
    assert Methodic.objects.get().status == Methodic.Status.DRAFT
    gone_for_visitors_of(b, methodic)


def test_unpublished_with_the_admin_s_action_on_a_the_methodic_is_gone_on_b(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)

    author = signed_in(a, methodic.author)
    action = {"action": "unpublish", "_selected_action": methodic.pk, "index": 0}
    answer = a.post("/admin/methodics/methodic/", cookies=author, form=action)

    assert answer.status == 302, answer.text
    assert Methodic.objects.get().status == Methodic.Status.DRAFT
    gone_for_visitors_of(b, methodic)


def test_a_page_kept_by_b_is_served_by_a_from_redis(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)
    # Renamed behind the services' back, so that no version moves: only B's kept page
    # still has the old title.
    Methodic.objects.filter(pk=methodic.pk).update(title="Переименована мимо сервисов")

    page = a.get(f"/methodics/{methodic.pk}/")

    assert page.status == 200
    assert TITLE in page.text
    assert "Переименована мимо сервисов" not in page.text
