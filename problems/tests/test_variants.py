"""Variants: random (per block, in versions), hand-made from favourites, saved, shared."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from problems.models import Block, Favorite, Task, Variant
from problems.services import variant_save
from problems.tests.factories import BlockFactory, TaskFactory

RANDOM = "/problems/variants/random/"
MANUAL = "/problems/variants/new/"
SAVE = "/problems/variants/save/"
MY_VARIANTS = "/problems/variants/"

pytestmark = pytest.mark.django_db


def variant_url(variant, action=""):
    return f"/problems/variants/{variant.pk}/{action + '/' if action else ''}"


def shared_url(variant, action=""):
    return f"/problems/variants/shared/{variant.share_token}/{action + '/' if action else ''}"


def ids_of(url: str) -> list[int]:
    tasks = parse_qs(urlsplit(url).query)["tasks"][0]
    return [int(task_id) for task_id in tasks.split(",")]


def shown_ids(response) -> list[list[int]]:
    return [[task.pk for task in tasks] for tasks in response.context["versions"]]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def unpublished_tasks(block, count=1):
    return [
        TaskFactory(block=block, status=status)
        for status in (Task.Status.DRAFT, Task.Status.MODERATION, Task.Status.REJECTED)
        for _ in range(count)
    ]


@pytest.fixture
def bank(db):
    """Three blocks with published tasks (and unpublished ones among them), a block with
    unpublished tasks only, and a block nobody chooses."""
    blocks = [BlockFactory(title=f"Блок {letter}") for letter in "АБВГД"]
    first, second, third, empty, unchosen = blocks
    published = {}
    for block in (first, second, third, unchosen):
        unpublished_tasks(block)
        published[block.pk] = {TaskFactory(block=block).pk for _ in range(3)}
        unpublished_tasks(block)
    unpublished_tasks(empty, count=2)
    return {"blocks": blocks, "published": published}


def generate(client, blocks, versions=1, **extra):
    params = {"blocks": [block.pk for block in blocks], "versions": versions, **extra}
    response = client.get(RANDOM, params)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


# --- Random variant ------------------------------------------------------------------------


def test_form_offers_every_block_checked_and_one_version(client, bank):
    response = client.get(RANDOM)
    assert response.status_code == 200
    page = response.content.decode()
    for block in bank["blocks"]:
        assert re.search(rf'<input type="checkbox" name="blocks" value="{block.pk}"[^>]*checked', page)
    assert re.search(r'name="versions" value="1"', page)
    assert "versions" not in response.context


def test_random_variant_has_one_published_task_per_chosen_nonempty_block(client, bank):
    first, second, third, empty, _ = bank["blocks"]
    chosen = [third, first, empty, second]  # the order of the choice does not matter
    drawn = set()
    for _ in range(15):
        redirect = generate(client, chosen)
        assert "tasks=" in redirect.url and "," in redirect.url  # readable: 3,17,42
        if redirect.url in drawn:
            continue  # the same draw again: its page is the one kept for visitors
        drawn.add(redirect.url)
        response = client.get(redirect.url)
        assert response.status_code == 200
        (version,) = response.context["versions"]
        assert [task.block_id for task in version] == [first.pk, second.pk, third.pk]
        for task in version:
            assert task.pk in bank["published"][task.block_id]
            assert task.status == Task.Status.PUBLISHED
        assert response.context["skipped"] == [empty]
    page = response.content.decode()
    assert "Пропущены блоки без опубликованных задач: «Блок Г»." in page
    assert "Скачать PDF" in page and "Скачать Word" in page


def test_the_random_variant_page_offers_answers_once(client, bank):
    before = client.get(RANDOM).content.decode()
    assert "С ответами" not in before, "nothing to download yet"

    page = client.get(generate(client, bank["blocks"]).url).content.decode()

    assert len(re.findall(r'type="checkbox" name="answers"', page)) == 1
    assert len(re.findall("С ответами", page)) == 1
    assert "С ответами и решениями" in page
    linked = client.get(f"{generate(client, bank['blocks']).url}&answers=1").content.decode()
    assert re.search(r'name="answers" value="1" checked> С ответами и решениями', linked)


def test_all_blocks_chosen_keeps_the_url_short(client, bank):
    redirect = generate(client, bank["blocks"])
    assert "blocks=" not in redirect.url
    response = client.get(redirect.url)
    assert [task.block_id for task in response.context["versions"][0]] == [
        block.pk for block in bank["blocks"] if block.title != "Блок Г"
    ]
    assert [block.title for block in response.context["skipped"]] == ["Блок Г"]


def test_no_block_chosen_or_only_empty_blocks_is_said(client, bank):
    response = client.get(RANDOM, {"versions": 1})
    assert response.status_code == 200
    assert "Выберите хотя бы один блок." in response.content.decode()
    empty = bank["blocks"][3]
    response = client.get(RANDOM, {"versions": 1, "blocks": [empty.pk]})
    assert response.status_code == 200
    assert "В выбранных блоках нет опубликованных задач." in response.content.decode()


def test_versions_get_different_tasks_where_the_block_has_enough(client, db):
    big, small, single = BlockFactory(), BlockFactory(), BlockFactory()
    # Interleaved ids, so that the draw inside `big` meets gaps and collides more often.
    for number in range(8):
        TaskFactory(block=big)
        if number < 3:
            TaskFactory(block=small)
    only = TaskFactory(block=single)
    drawn = set()
    for _ in range(10):
        redirect = generate(client, [big, small, single], versions=4)
        assert parse_qs(urlsplit(redirect.url).query)["versions"] == ["4"]
        if redirect.url in drawn:
            continue  # the same draw again: its page is the one kept for visitors
        drawn.add(redirect.url)
        versions = shown_ids(client.get(redirect.url))
        assert len(versions) == 4
        big_tasks = [version[0] for version in versions]
        small_tasks = [version[1] for version in versions]
        assert len(set(big_tasks)) == 4  # enough: all different
        assert len(set(small_tasks)) == 3  # three tasks for four versions: one repeats
        assert [version[2] for version in versions] == [only.pk] * 4


def test_a_shared_url_shows_its_tasks_in_order_and_drops_unpublished_ones(client, bank):
    first, second = (sorted(ids) for ids in list(bank["published"].values())[:2])
    hidden = TaskFactory(block=bank["blocks"][0], status=Task.Status.DRAFT)
    response = client.get(RANDOM, {"tasks": f"{second[0]},{hidden.pk},{first[1]}"})
    assert response.status_code == 200
    assert shown_ids(response) == [[second[0], first[1]]]
    assert response.context["missing"] == 1
    assert response.context["export_form"].params["tasks"] == f"{second[0]},{hidden.pk},{first[1]}"
    assert hidden.title not in response.content.decode()


def test_a_mangled_url_is_explained(client, bank):
    response = client.get(RANDOM, {"tasks": "1,два"})
    assert response.status_code == 200
    assert "Список задач — номера через запятую" in response.content.decode()
    response = client.get(RANDOM, {"tasks": "1,2,3", "versions": 2})
    assert "Задачи не делятся поровну между вариантами." in response.content.decode()


def test_random_variant_page_query_count_does_not_depend_on_the_bank_size(client, db):
    blocks = [BlockFactory() for _ in range(5)]
    author = UserFactory()

    def fill(per_block):
        Task.objects.bulk_create(
            Task(title=f"Задача {number}", statement="<p>√2</p>", block=block, author=author, status="published")
            for block in blocks
            for number in range(per_block)
        )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(RANDOM, {"blocks": [block.pk for block in blocks], "versions": 1}, follow=True)
        assert response.status_code == 200
        assert len(response.context["versions"][0]) == 5
        return len(queries)

    fill(10)
    small = count_queries()
    fill(190)
    assert Task.objects.count() == 1000
    assert count_queries() == small == 4  # blocks + draw, then blocks + the shown tasks


def test_signed_in_query_count_does_not_depend_on_the_bank_size(client, db, volunteer):
    blocks = [BlockFactory() for _ in range(5)]
    client.force_login(volunteer)
    counts = []
    for per_block in (10, 190):
        for block in blocks:
            Task.objects.bulk_create(
                Task(title="З", statement="<p>x</p>", block=block, status="published") for _ in range(per_block)
            )
        with CaptureQueriesContext(connection) as queries:
            client.get(RANDOM, {"blocks": [block.pk for block in blocks], "versions": 3}, follow=True)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Hand-made variant ---------------------------------------------------------------------


@pytest.fixture
def starred(volunteer):
    tasks = [TaskFactory(title=f"Избранная {number}") for number in range(1, 4)]
    for task in tasks:
        Favorite.objects.create(user=volunteer, task=task)
    return tasks


def pick(client, tasks_param, chosen, positions=None, **extra):
    params = {"tasks": tasks_param, "task": [task.pk for task in chosen], **extra}
    for task, position in (positions or {}).items():
        params[f"position_{task.pk}"] = position
    if "move" not in extra:
        params["apply"] = 1
    return client.get(MANUAL, params)


def test_manual_variant_needs_signing_in(client, db):
    response = client.get(MANUAL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_manual_variant_keeps_the_order_set(client, volunteer, starred):
    one, two, three = starred
    client.force_login(volunteer)
    page = client.get(MANUAL)
    assert page.status_code == 200
    assert [row.task for row in page.context["rows"]] == [three, two, one]  # newest star first

    response = pick(client, "", [one, two, three], {one: 3, two: 1, three: 2})
    assert response.status_code == 302
    assert ids_of(response.url) == [two.pk, three.pk, one.pk]

    page = client.get(response.url)
    assert [task.pk for task in page.context["variant_tasks"]] == [two.pk, three.pk, one.pk]
    assert shown_ids(page) == [[two.pk, three.pk, one.pk]]
    assert page.context["export_form"].params["tasks"] == f"{two.pk},{three.pk},{one.pk}"

    # ↑ on the last one; the positions sent are the ones shown
    moved = pick(
        client, f"{two.pk},{three.pk},{one.pk}", [one, two, three], {two: 1, three: 2, one: 3}, move=f"{one.pk}:up"
    )
    assert ids_of(moved.url) == [two.pk, one.pk, three.pk]
    moved = pick(
        client, f"{two.pk},{one.pk},{three.pk}", [one, two, three], {two: 1, one: 2, three: 3}, move=f"{two.pk}:down"
    )
    assert ids_of(moved.url) == [one.pk, two.pk, three.pk]

    # unchecking takes a task out; a blank position goes last
    response = pick(client, f"{one.pk},{two.pk},{three.pk}", [three, one], {three: "", one: 5})
    assert ids_of(response.url) == [one.pk, three.pk]

    saved = client.post(SAVE, {"title": "Мой порядок", "kind": "manual", "tasks": f"{two.pk},{three.pk},{one.pk}"})
    variant = Variant.objects.get(owner=volunteer)
    assert saved.url == variant_url(variant)
    assert variant.kind == Variant.Kind.MANUAL
    assert list(variant.entries.values_list("task_id", flat=True)) == [two.pk, three.pk, one.pk]
    assert shown_ids(client.get(variant_url(variant))) == [[two.pk, three.pk, one.pk]]


def test_manual_variant_takes_only_the_users_published_favourites(client, volunteer, starred):
    stranger = TaskFactory()  # not starred
    draft = TaskFactory(status=Task.Status.DRAFT)
    Favorite.objects.create(user=volunteer, task=draft)
    client.force_login(volunteer)
    page = client.get(MANUAL)
    assert draft not in [row.task for row in page.context["rows"]]
    response = pick(client, "", [starred[0], stranger])
    assert response.status_code == 200  # not a choice
    assert response.context["form"].errors
    # a URL naming an unpublished task leaves it out
    page = client.get(MANUAL, {"tasks": f"{draft.pk},{starred[0].pk}"})
    assert [task.pk for task in page.context["variant_tasks"]] == [starred[0].pk]


def test_the_manual_variant_heading_counts_its_tasks_in_russian(client, volunteer, starred):
    one, two, three = starred
    client.force_login(volunteer)

    texts = [
        client.get(MANUAL, {"tasks": ",".join(str(task.pk) for task in tasks)}).content.decode()
        for tasks in ([one], [one, two, three])
    ]

    assert '<h2 id="variant-title">Вариант: 1 задача</h2>' in texts[0]
    assert '<h2 id="variant-title">Вариант: 3 задачи</h2>' in texts[1]


# --- Saved variants ------------------------------------------------------------------------


def test_save_rename_delete_and_open(client, volunteer, bank):
    client.force_login(volunteer)
    redirect = generate(client, bank["blocks"])
    page = client.get(redirect.url)
    assert page.context["save_form"].initial["kind"] == Variant.Kind.RANDOM
    task_ids = ids_of(redirect.url)
    response = client.post(SAVE, {"title": "Контрольная 5А", "kind": "random", "tasks": ",".join(map(str, task_ids))})
    variant = Variant.objects.get(owner=volunteer)
    assert response.status_code == 302 and response.url == variant_url(variant)
    assert "Вариант «Контрольная 5А» сохранён." in messages_of(response)
    assert list(variant.entries.values_list("task_id", flat=True)) == task_ids

    listing = client.get(MY_VARIANTS)
    assert listing.status_code == 200
    (shown,) = listing.context["variants"]
    assert (shown.title, shown.task_count) == ("Контрольная 5А", len(task_ids))
    assert "Случайный" in listing.content.decode()

    detail = client.get(variant_url(variant))
    assert detail.status_code == 200
    assert shown_ids(detail) == [task_ids]
    assert f"/problems/variants/shared/{variant.share_token}/" in detail.content.decode()

    assert client.get(variant_url(variant, "rename")).status_code == 200
    renamed = client.post(variant_url(variant, "rename"), {"title": "  Самостоятельная  "})
    assert renamed.url == variant_url(variant)
    variant.refresh_from_db()
    assert variant.title == "Самостоятельная"
    invalid = client.post(variant_url(variant, "rename"), {"title": ""})
    assert invalid.status_code == 200 and invalid.context["form"].errors

    assert client.get(variant_url(variant, "delete")).status_code == 200
    assert Variant.objects.filter(pk=variant.pk).exists()  # asking deletes nothing
    deleted = client.post(variant_url(variant, "delete"))
    assert deleted.url == MY_VARIANTS
    assert not Variant.objects.filter(pk=variant.pk).exists()
    assert client.get(shared_url(variant)).status_code == 404


def test_saving_several_versions_saves_a_variant_for_each(client, volunteer, bank):
    client.force_login(volunteer)
    redirect = generate(client, bank["blocks"][:3], versions=3)
    task_ids = ids_of(redirect.url)
    response = client.post(
        SAVE, {"title": "Контрольная", "kind": "random", "tasks": ",".join(map(str, task_ids)), "versions": 3}
    )
    assert response.url == MY_VARIANTS
    variants = Variant.objects.filter(owner=volunteer).order_by("title")
    assert [variant.title for variant in variants] == [f"Контрольная — вариант {number}" for number in (1, 2, 3)]
    assert [list(variant.entries.values_list("task_id", flat=True)) for variant in variants] == [
        task_ids[0:3],
        task_ids[3:6],
        task_ids[6:9],
    ]


def test_saving_needs_published_tasks_and_signing_in(client, volunteer, db):
    draft = TaskFactory(status=Task.Status.DRAFT)
    anonymous = client.post(SAVE, {"title": "Вариант", "kind": "manual", "tasks": str(draft.pk)})
    assert "/accounts/login/" in anonymous.url
    client.force_login(volunteer)
    response = client.post(SAVE, {"title": "Вариант", "kind": "manual", "tasks": str(draft.pk), "next": RANDOM})
    assert response.url == RANDOM
    assert messages_of(response) == ["В варианте нет ни одной опубликованной задачи."]
    response = client.post(SAVE, {"title": "Вариант", "kind": "manual", "tasks": "1", "next": "https://evil.example/"})
    assert response.url == MY_VARIANTS
    assert not Variant.objects.exists()


@pytest.fixture
def saved(teacher):
    tasks = [TaskFactory(title=f"Сохранённая {number}") for number in range(1, 4)]
    return variant_save(owner=teacher, title="Вариант учителя", kind="manual", task_ids=[task.pk for task in tasks])


def test_another_users_variant_is_not_found(client, volunteer, saved):
    client.force_login(volunteer)
    for action in ("", "rename", "delete", "export"):
        assert client.get(variant_url(saved, action), {"format": "pdf"}).status_code == 404
    assert client.post(variant_url(saved, "rename"), {"title": "Чужое"}).status_code == 404
    assert client.post(variant_url(saved, "delete")).status_code == 404
    saved.refresh_from_db()
    assert saved.title == "Вариант учителя"
    assert client.get(MY_VARIANTS).context["variants"] == []


def test_share_link_is_read_only_for_others(client, volunteer, saved):
    for reader in (None, volunteer):
        if reader:
            client.force_login(reader)
        response = client.get(shared_url(saved))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Вариант учителя" in page
        assert [task.title for task in response.context["versions"][0]] == [f"Сохранённая {n}" for n in (1, 2, 3)]
        assert variant_url(saved, "rename") not in page and variant_url(saved, "delete") not in page
        assert "Скачать PDF" in page
        export = client.get(shared_url(saved, "export"), {"format": "pdf"})
        assert export.status_code == 200 and export["Content-Type"] == "application/pdf"
    # a signed-in reader may keep a copy of their own; the original stays as it was
    assert response.context["save_form"].initial["tasks"] == ",".join(
        str(task_id) for task_id in saved.entries.values_list("task_id", flat=True)
    )
    client.post(SAVE, {"title": "Копия", "kind": "manual", "tasks": response.context["save_form"].initial["tasks"]})
    assert Variant.objects.get(owner=volunteer).title == "Копия"
    assert Variant.objects.get(pk=saved.pk).owner == saved.owner
    assert client.get("/problems/variants/shared/not-a-token/").status_code == 404


def test_saved_variant_hides_tasks_unpublished_since(client, teacher, saved):
    first = saved.entries.get(position=1).task
    first.status = Task.Status.MODERATION
    first.save()
    client.force_login(teacher)
    response = client.get(variant_url(saved))
    assert [task.title for task in response.context["versions"][0]] == ["Сохранённая 2", "Сохранённая 3"]
    assert response.context["missing"] == 1
    assert client.get(MY_VARIANTS).context["variants"][0].task_count == 2
    assert first.title not in client.get(shared_url(saved)).content.decode()


def test_my_variants_shows_only_mine(client, volunteer, saved):
    mine = variant_save(owner=volunteer, title="Мой", kind="random", task_ids=[TaskFactory().pk])
    client.force_login(volunteer)
    assert client.get(MY_VARIANTS).context["variants"] == [mine]
    assert Block.objects.exists()
