import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.forms import (
    IrregularityForm,
    ObserverReportForm,
    ReportIrregularityForm,
    new_member,
)
from observation.models import DelegationMember

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

    def clean_submission_id(self):
        # An id stored already is the database's to refuse, on insert: the view then answers
        # it as a retry (one lookup there, none on a new report's way in).
        self.resubmitted = None
        return self.cleaned_data.get("submission_id")


class ApiIrregularityForm(ReportIrregularityForm):
    """The web form's checks for an irregularity logged with a report, its category
    named by code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].to_field_name = "code"


class ApiStandaloneIrregularityForm(IrregularityForm):
    """The web form's checks for an irregularity logged on its own (at a station or
    nationwide), its category named by code and its station by code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].to_field_name = "code"


class ObserverInviteForm(forms.Form):
    """A leader makes a member of the delegation roster an observer: their team is that
    member. An existing account may be named; otherwise one is created for them."""

    team = forms.ModelChoiceField(
        label=_("Delegation member"),
        queryset=DelegationMember.objects.none(),
        help_text=_("The observer sends this member's reports."),
    )
    user = forms.CharField(
        label=_("Existing account (optional)"),
        max_length=254,
        required=False,
        help_text=_("A user name or e-mail address; leave it empty to create an account."),
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["team"].queryset = mission.delegation.select_related("person").order_by(
            "person__full_name"
        )
        self.fields["team"].error_messages["invalid_choice"] = _(
            "Choose a member of this mission's delegation."
        )

    def clean_user(self):
        # Empty: an account is created for the observer.
        typed = self.cleaned_data["user"].strip()
        return new_member(self.mission, typed) if typed else None
