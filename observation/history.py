"""Records' audit history (django-simple-history): written in bulk, read for display."""

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation import dates

KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryRow:
    when: object
    who: object
    kind: str
    changes: list[Change]


def record_created(model, pks, *, by) -> None:
    """The history of `model` rows just inserted (`pks`): their "created" records, as
    simple_history's `bulk_create_with_history` writes them, copied by the database from
    the rows themselves in one statement rather than built as objects one by one (intake
    stores a report's answers this way, a report at a time)."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    sql = f"{_copy_statement(model)} IN ({', '.join(['%s'] * len(pks))})"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, None, "+", by.pk if by else None, *pks])


@functools.cache
def _copy_statement(model) -> str:
    """The statement that copies rows of `model` into its history, up to the list of their
    keys. Kept per model: simple_history's `model.history` builds a manager class on every
    read, a cost intake would pay twice a report."""
    historical = model.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(field.column) for field in historical.tracked_fields)
    own = ", ".join(
        quote(historical._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    return (
        f"INSERT INTO {quote(historical._meta.db_table)} ({tracked}, {own}) "
        f"SELECT {tracked}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)}"
    )


def _label(model, field_name):
    return str(model._meta.get_field(field_name).verbose_name)


def _shown(model, field_name, value):
    """A stored value as the reader reads it: a choice's label, a time with its zone."""
    field = model._meta.get_field(field_name)
    if field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime.datetime):
        return dates.zoned(value)
    return value


def history_rows(obj, *, limit: int = 50, related=()) -> list[HistoryRow]:
    """Newest first: who did what when, with field-level differences; `related` rows
    (changes to records that belong to this one, such as a report's answers) among them.

    Two queries whatever the length: the records (with their users) and nothing
    per row, because each diff compares neighbouring records in memory.
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    model = type(obj)
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(rows) == limit:
            break
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=["version"])
            changes = [
                Change(
                    _label(model, c.field),
                    _shown(model, c.field, c.old),
                    _shown(model, c.field, c.new),
                )
                for c in delta.changes
            ]
        rows.append(
            HistoryRow(
                when=newer.history_date,
                who=newer.history_user,
                kind=KINDS.get(newer.history_type, newer.history_type),
                changes=changes,
            )
        )
    return sorted([*rows, *related], key=lambda row: row.when, reverse=True)[:limit]


# Answers saved together (one report save) are stamped within this of each other.
SAME_SAVE = datetime.timedelta(seconds=2)


def report_answer_history(report, *, limit: int = 200) -> list[HistoryRow]:
    """The changes to a report's checklist answers, one row per save that changed any.

    Three queries: the answers' records, their questions' labels, and their users.
    """
    from observation.models import Answer, Question

    records = list(
        Answer.history.filter(report_id=report.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")[:limit]
    )
    labels = {
        question.pk: question.label
        for question in Question.objects.filter(
            pk__in={record.question_id for record in records}
        ).select_related("checklist")
    }
    last_value, rows = {}, []
    for record in records:
        old = last_value.get(record.id)
        new = None if record.history_type == "-" else record.value
        last_value[record.id] = new
        if old == new:
            continue
        label = _("Answer: %(question)s") % {"question": labels.get(record.question_id, "?")}
        change = Change(label, old, new)
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and previous.who == record.history_user
            and record.history_date - previous.when <= SAME_SAVE
        ):
            previous.changes.append(change)
        else:
            rows.append(
                HistoryRow(
                    when=record.history_date,
                    who=record.history_user,
                    kind=KINDS["~"],
                    changes=[change],
                )
            )
    return rows


def changed_fields_since(obj, *, version: int) -> list[str]:
    """Labels of the fields changed since the record stood at `version`."""
    history = obj.history.order_by("-history_date")
    then = history.filter(version=version).first()
    now = history.first()
    if then is None or now is None or then.pk == now.pk:
        return []
    delta = now.diff_against(then, excluded_fields=["version"])
    return [_label(type(obj), change.field) for change in delta.changes]
