from django.db import models
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """`created_at` / `updated_at` set automatically, as spec 001 asks of most tables."""

    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("обновлено"), auto_now=True)

    class Meta:
        abstract = True


def row_count(rows: QuerySet, *, per: str) -> Coalesce:
    """How many of `rows` (filtered on an OuterRef) each row of the outer query has, 0 for
    none: `rows` grouped by `per` in a correlated subquery. Annotated on a paginated list,
    it is computed for the rows shown only, where a join and GROUP BY counts for every row
    before the sort."""
    counted = rows.order_by().values(per).annotate(total=Count("*")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class CompletedJob(models.Model):
    """A piece of background work done, by the key its sender gave it (core.once): a task
    delivered again — a retry, a redelivery after a worker died — finds its key and does
    nothing a second time."""

    key = models.CharField(_("ключ"), max_length=200, primary_key=True)
    completed_at = models.DateTimeField(_("выполнено"), auto_now_add=True)

    class Meta:
        db_table = "completed_jobs"
        verbose_name = _("выполненная фоновая работа")
        verbose_name_plural = _("выполненные фоновые работы")

    def __str__(self):
        return self.key
