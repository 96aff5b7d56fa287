"""Existing tasks get the kind of their short answer: «число» when it reads as a number
(core.mathanswers.guess_kind), else «текст» (the default the schema gave them)."""

from django.db import migrations

BATCH_SIZE = 2000


def guess_answer_kinds(apps, schema_editor):
    from core.mathanswers import guess_kind

    Task = apps.get_model("problems", "Task")
    kinds: dict[str, str] = {}  # answers repeat («4», «10»): each is read once
    batch = []
    tasks = Task.objects.exclude(answer="").only("pk", "answer", "answer_kind").order_by("pk")
    for task in tasks.iterator(chunk_size=BATCH_SIZE):
        if task.answer not in kinds:
            kinds[task.answer] = str(guess_kind(task.answer).value)
        if task.answer_kind != kinds[task.answer]:
            task.answer_kind = kinds[task.answer]
            batch.append(task)
        if len(batch) >= BATCH_SIZE:
            Task.objects.bulk_update(batch, ["answer_kind"])
            batch = []
    Task.objects.bulk_update(batch, ["answer_kind"])


class Migration(migrations.Migration):
    dependencies = [("problems", "0004_task_answer_kind")]

    operations = [migrations.RunPython(guess_answer_kinds, migrations.RunPython.noop, elidable=True)]
