"""What every demo loader shares: a save only when a row changes, and the users."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

# Local demo only: the README names them and `load_demo` prints them.
SUPERUSER = "admin"
PASSWORD = "observa-demo"

ILLUSTRATIVE = "Illustrative data: not from the mission's records."
ILLUSTRATIVE_DATE = "The exact date is illustrative: the text gives no day for it."
ILLUSTRATIVE_STATEMENT = (
    "The title, the exact date and the times of approval and publication are "
    "illustrative: the text gives none of them."
)
ILLUSTRATIVE_REVIEW = "The severity and this review are illustrative."


def set_times(row, **times):
    """Give `row` its historical times (services stamp "now"), without a save:
    a queryset update, only where a time differs, so a second load writes nothing."""
    changed = {name: value for name, value in times.items() if getattr(row, name) != value}
    if changed:
        type(row).objects.filter(pk=row.pk).update(**changed)
        for name, value in changed.items():
            setattr(row, name, value)
    return row


def upsert(model, *, key: dict, values: dict | None = None, save=None):
    """The row matching `key`, created or brought in step with `values`.

    Saves only when the row is new or a value differs, and validates it first,
    so a second load writes nothing. `save(row)` saves it, if not `row.save()`.
    """
    values = values or {}
    row = model.objects.filter(**key).first()
    if row is None:
        row = model(**key, **values)
    elif not _differs(row, values):
        return row
    else:
        for name, value in values.items():
            setattr(row, name, value)
    row.full_clean()
    if save is None:
        row.save()
    else:
        save(row)
    return row


def _differs(row, values: dict) -> bool:
    for name, value in values.items():
        field = row._meta.get_field(name)
        if field.is_relation and name != field.attname:
            # Compare ids, so that an unloaded relation costs no query.
            if getattr(row, field.attname) != (value.pk if value is not None else None):
                return True
        elif getattr(row, name) != value:
            return True
    return False


@dataclass(frozen=True)
class DemoUsers:
    admin: object
    staff: object
    reviewer: object
    leader: object
    # The mission's own leadership, as the text names it: people, not sign-in accounts.
    carter: object


def load_users() -> DemoUsers:
    """The superuser and one user per mission role, all with the demo password.

    An existing user keeps its password and flags: the demo never resets them.
    """
    User = get_user_model()

    def user(username, **flags):
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        new = User(username=username, **flags)
        new.set_password(PASSWORD)
        new.full_clean()
        new.save()
        return new

    def person(username, first_name, last_name):
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        new = User(username=username, first_name=first_name, last_name=last_name, is_active=False)
        new.set_unusable_password()
        new.full_clean()
        new.save()
        return new

    return DemoUsers(
        carter=person("jimmy.carter", "Jimmy", "Carter"),
        admin=user(SUPERUSER, is_superuser=True, is_staff=True),
        staff=user("staff"),
        reviewer=user("reviewer"),
        leader=user("leader"),
    )
