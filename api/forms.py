import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.forms import ObserverReportForm, ReportIrregularityForm

EXPIRY_CHOICES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the key is used, e.g. “Field office laptop”."),
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial=90
    )

    def expires_at(self):
        return timezone.now() + datetime.timedelta(days=self.cleaned_data["expires_in"])


class ApiReportForm(ObserverReportForm):
    """The web form's checks for a report sent to the API. Its answers come as data,
    read by `answers.clean_raw`, so the form asks no checklist of its own."""

    asks_checklist = False


class ApiIrregularityForm(ReportIrregularityForm):
    """The web form's checks for an irregularity logged with a report, its category
    named by code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].to_field_name = "code"
