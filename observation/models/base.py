import datetime

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Every stored time lies here, whatever the mission: far enough from the ends of
# Python's calendar that no time zone can push a stored value out of it, so that
# no page, export or PDF fails on converting one.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)
# How far from a mission's dates and rounds its events may lie: pre-election
# incidents and a long tabulation both fall inside a year on either side.
MISSION_MARGIN = datetime.timedelta(days=366)


def time_in_range(field: str) -> Q:
    """The condition of a CheckConstraint that keeps `field` between EARLIEST and LATEST."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__range": (EARLIEST, LATEST)})


class MissionLockedError(ValidationError):
    """A change to a record of a locked mission. Raised by clean() and save()."""

    def __init__(self, mission):
        super().__init__(
            _("The mission “%(mission)s” is locked: its records can no longer be changed."),
            code="mission_locked",
            params={"mission": mission},
        )


class TransitionError(ValidationError):
    """A lifecycle move that the record's current state does not allow."""

    def __init__(self, message, *, code="illegal_transition", params=None):
        super().__init__(message, code=code, params=params)


class ChoiceLabels:
    """`get_FOO_display()` translating one label, not all of them.

    Django's own makes every label of the field's choices hashable on each call, which
    translates each one: a list of 50 reports showing its round, phase and assessment
    translated some 1,500 labels to show 150. Our choices' values are plain strings, so
    the labels need not be hashed: only the one asked for is translated.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(dict(field.flatchoices).get(value, value), strings_only=True)


class MissionRecord(ChoiceLabels, models.Model):
    """A record that a locked mission must refuse to change or delete.

    The guard runs in save() and delete() as well as clean(), so that no code
    path (forms, the admin, scripts, overvote detection) writes past a lock.
    Bulk `QuerySet.update()` bypasses it; views and admin actions go through
    model methods instead.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_mission_unlocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_mission_unlocked()
        return super().delete(*args, **kwargs)

    def lock_mission_id(self):
        return self.mission_id

    def check_mission_unlocked(self):
        from observation.models.missions import Mission

        mission_id = self.lock_mission_id()
        if not mission_id:
            return
        # Plain SQL: intake asks this twice a report, and the ORM would spend longer
        # building the query than the database answering it.
        table = connection.ops.quote_name(Mission._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE id = %s AND locked_at IS NOT NULL", [mission_id]
            )
            locked = cursor.fetchone()
        if locked:
            raise MissionLockedError(Mission.objects.get(pk=mission_id))

    def clean(self):
        super().clean()
        self.check_mission_unlocked()

    def time_errors(self, fields) -> dict:
        """Errors for each of `fields` (times) that falls outside its mission's window."""
        mission = self.mission if self.mission_id else None
        earliest, latest = mission.window() if mission else (EARLIEST, LATEST)
        errors = {}
        for field in fields:
            value = getattr(self, field)
            if value is not None and not earliest <= value <= latest:
                errors[field] = ValidationError(
                    _(
                        "This time lies outside the mission: give one between %(earliest)s "
                        "and %(latest)s, around its dates and rounds."
                    ),
                    code="outside_mission",
                    params={
                        "earliest": date_format(earliest),
                        "latest": date_format(latest),
                    },
                )
        return errors


def unique_slug(queryset, text: str, *, max_length: int, reserved=frozenset()) -> str:
    """A slug of `text` that no row of `queryset` has, nor is `reserved`: "peru-2000",
    else "peru-2000-2"."""
    base = slugify(text)[: max_length - 4].strip("-") or "record"
    slug, number = base, 1
    while slug in reserved or queryset.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
