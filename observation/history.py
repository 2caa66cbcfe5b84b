"""Read a record's audit history (django-simple-history) for display."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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


def _label(model, field_name):
    return str(model._meta.get_field(field_name).verbose_name)


def history_rows(obj, *, limit: int = 50) -> list[HistoryRow]:
    """Newest first: who did what when, with field-level differences.

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
            changes = [Change(_label(model, c.field), c.old, c.new) for c in delta.changes]
        rows.append(
            HistoryRow(
                when=newer.history_date,
                who=newer.history_user,
                kind=KINDS.get(newer.history_type, newer.history_type),
                changes=changes,
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
