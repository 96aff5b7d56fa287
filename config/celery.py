"""The Celery application of the site: `celery -A config worker` and `celery -A config beat`.

Tasks live in each app's `tasks.py` (found by autodiscover) and are a few lines calling a
service. Settings are the `CELERY_*` names of config/settings.py. Without a broker (the
embedded quick start, the tests) every task runs at once in the process that sends it.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("volna")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
