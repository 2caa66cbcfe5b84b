from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from dialogues.models import (
    BilateralTrack,
    DialogueForum,
    DialogueSession,
    ForumCountry,
    ForumObjective,
    Outcome,
    Participant,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _helper():
    helper = FormHelper()
    helper.add_input(Submit("save", _("Save")))
    return helper


class ForumForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Participating countries"),
        choices=lambda: list(countries),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    objectives = forms.CharField(
        label=_("Objectives"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One objective per line, in order."),
    )

    class Meta:
        model = DialogueForum
        fields = [
            "name",
            "kind",
            "conveners",
            "countries",
            "start_date",
            "end_date",
            "planned_months",
            "purpose",
            "objectives",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        if self.instance.pk:
            self.initial["countries"] = [str(row.country) for row in self.instance.countries.all()]
            self.initial["objectives"] = "\n".join(
                objective.text for objective in self.instance.objectives.all()
            )

    def clean_countries(self):
        chosen = set(self.cleaned_data["countries"])
        if not self.instance.pk:
            return sorted(chosen)
        # A track names two of the forum's countries; dropping one would orphan it.
        in_tracks = set()
        for track in self.instance.bilateral_tracks.all():
            in_tracks |= {str(track.country_a), str(track.country_b)}
        dropped = sorted(in_tracks - chosen)
        if dropped:
            raise ValidationError(
                _("Remove the bilateral tracks of %(countries)s before dropping them."),
                code="country_in_track",
                params={"countries": ", ".join(str(countries.name(code)) for code in dropped)},
            )
        return sorted(chosen)

    def clean_objectives(self):
        lines = (line.strip() for line in self.cleaned_data["objectives"].splitlines())
        return [line for line in lines if line]

    @transaction.atomic
    def save(self):
        forum = super().save()
        chosen = self.cleaned_data["countries"]
        forum.countries.exclude(country__in=chosen).delete()
        existing = {str(code) for code in forum.countries.values_list("country", flat=True)}
        ForumCountry.objects.bulk_create(
            ForumCountry(forum=forum, country=code) for code in chosen if code not in existing
        )
        # Objectives are rewritten as a whole: reordering lines must not trip the
        # unique (forum, position) constraint row by row.
        forum.objectives.all().delete()
        ForumObjective.objects.bulk_create(
            ForumObjective(forum=forum, position=position, text=text)
            for position, text in enumerate(self.cleaned_data["objectives"], start=1)
        )
        return forum


class SessionForm(forms.ModelForm):
    class Meta:
        model = DialogueSession
        fields = ["sequence", "city", "country", "date", "topic", "agenda", "summary"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["person", "role", "country", "organization"]
        help_texts = {
            "country": _("Fill in a country or an organisation, not both."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["person"].queryset = self.fields["person"].queryset.select_related(
            "affiliation"
        )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["kind", "title", "session", "date", "text"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["session"].queryset = DialogueSession.objects.filter(
            forum_id=self.instance.forum_id
        )
        self.fields["session"].empty_label = _("The forum as a whole")


class BilateralTrackForm(forms.ModelForm):
    class Meta:
        model = BilateralTrack
        fields = ["country_a", "country_b", "status", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        taking_part = [("", "---------")] + [
            (str(row.country), row.country.name)
            for row in ForumCountry.objects.filter(forum_id=self.instance.forum_id)
        ]
        for name in ("country_a", "country_b"):
            self.fields[name].choices = taking_part
