from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class MissionRecord(models.Model):
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
        if mission_id and Mission.objects.filter(pk=mission_id, locked_at__isnull=False).exists():
            raise MissionLockedError(Mission.objects.get(pk=mission_id))

    def clean(self):
        super().clean()
        self.check_mission_unlocked()
