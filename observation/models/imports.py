from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from observation.models.base import MissionRecord


class ColumnMapping(MissionRecord):
    """How a mission's files name their columns: each header (normalised, as the import
    compares them) and the field it gives, or "" for a column left out; and for a field
    that takes one of a few values (a role), what each of the files' values stands for.

    Remembered when an import is confirmed, so that the next list from the same authority
    is matched as the user matched the last one.
    """

    mission = models.ForeignKey(
        "observation.Mission",
        on_delete=models.CASCADE,
        related_name="column_mappings",
        verbose_name=_("mission"),
    )
    kind = models.CharField(_("kind of import"), max_length=20)
    columns = models.JSONField(_("columns"), default=dict)
    codes_within_area = models.BooleanField(_("codes numbered within each area"), default=False)
    # {field: {value as the file writes it, normalised: our value}}: {"role": {"obs": "sto"}}
    values = models.JSONField(_("values"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["mission", "kind"], name="column_mapping_once"),
        ]

    def __str__(self):
        return f"{self.mission} · {self.kind}"
