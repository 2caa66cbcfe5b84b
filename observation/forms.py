import hashlib
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, LayoutObject, Row
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from observation import answers, dates, markdown, outlines
from observation.history import changed_fields_since
from observation.imports import (
    LEFT_OUT,
    FileColumn,
    Importer,
    ImportFileError,
    Mapping,
    MappingError,
    Preview,
    normalise_header,
    preview_in_request,
)
from observation.models import (
    Alert,
    Deployment,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    LibraryQuestion,
    MissionMembership,
    ObserverReport,
    Recommendation,
    RecommendationAssessment,
)
from observation.models.deployment import STATION_PHASES
from observation.models.missions import normalise_code

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper() -> FormHelper:
    # Views render <form> and buttons themselves: one form can hold a formset beside it.
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class HiddenErrorsShown:
    """Shows the errors of hidden fields (a row's id, the form's version or submission
    id) among the form's own errors: a hidden field shows none of its own, and a form
    that fails on one would otherwise fail without a word."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if field.widget.is_hidden and name in self._errors:
                for error in self._errors.pop(name).as_data():
                    self.add_error(None, error)


class VersionedForm(HiddenErrorsShown, forms.ModelForm):
    """A form that carries the version it was loaded at, to refuse lost updates.

    A form loaded before someone else's save is refused in clean(), so that this
    comes first among its errors; the save itself claims the version again (see
    services), for two saves racing past clean() together.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The admin reads the row FOR UPDATE, inside the transaction of its change page.
    lock_row = False
    # Subclasses say what was refused; %(fields)s names what changed meanwhile.
    stale_message = _("Someone else saved this while you were editing it (changed: %(fields)s).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise ValidationError(_("The form lost its version; reload the page."), code="version")
        return version

    def clean(self):
        cleaned_data = super().clean()
        version = cleaned_data.get("version")
        if self.instance.pk and version is not None:
            rows = self.versioned_rows().filter(pk=self.instance.pk)
            if self.lock_row:
                rows = rows.select_for_update()
            if not rows.filter(version=version).exists():
                self.refuse_stale()
        return cleaned_data

    def versioned_rows(self):
        """The stored rows an edit may still be saved over."""
        return type(self.instance)._default_manager.all()

    def refuse_stale(self):
        """Say what changed meanwhile, keep the user's input, and arm the form to save again."""
        changed = changed_fields_since(self.instance, version=self.cleaned_data["version"])
        self.add_error(None, self.stale_message % {"fields": ", ".join(changed) or _("status")})
        self.data = self.data.copy()
        self.data["version"] = (
            type(self.instance).objects.values_list("version", flat=True).get(pk=self.instance.pk)
        )


class MissionForm(forms.ModelForm):
    """A form for a record of one mission: its choices are that mission's records.

    The web app always names the mission. The admin, which uses these forms
    too, may not know it yet on an add page: the choices are then the admin's
    own, and the model's clean() still refuses a record of another mission.
    Views type a station by its code; the admin picks it from a search.
    """

    station_by_code = True

    def __init__(self, *args, mission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        if mission is None and self.instance.mission_id:
            mission = self.instance.mission
        self.mission = mission
        if mission is None:
            return
        self.instance.mission = mission
        # Typed times are read in the mission's zone (see observation.dates): say which.
        for field in self.fields.values():
            if isinstance(field.widget, DateTimeInput):
                field.label = dates.zoned_label(field.label)
        if "round" in self.fields:
            self.fields["round"].queryset = mission.rounds.all()
            self.fields["round"].error_messages["invalid_choice"] = _(
                "Choose one of this mission's rounds."
            )
        if "station" in self.fields:
            if self.station_by_code:
                _station_by_code(self, mission)
            else:
                self.fields["station"].queryset = mission.stations.all()

    def _get_validation_exclusions(self):
        """A record a choice field found is there: the model's validation would look each
        up again, a query apiece. Its place in the mission is checked by the model's
        clean(); a relation that a unique constraint names is still validated with it."""
        exclude = super()._get_validation_exclusions()
        if self.mission is None:
            return exclude
        unique = {
            name
            for constraint in self._meta.model._meta.total_unique_constraints
            for name in constraint.fields
        } | {name for together in self._meta.model._meta.unique_together for name in together}
        exclude.update(
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField)
            and name in self.cleaned_data
            and name not in unique
        )
        return exclude


class StationCodeField(forms.ModelChoiceField):
    """A station typed as its code, read the way codes are stored (normalise_code): lower
    case, full-width digits or a Unicode hyphen find the station that the station list's
    filter and the import find."""

    def __init__(self, **kwargs):
        super().__init__(to_field_name="code", **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_code(value)
        return super().to_python(value)


def _station_by_code(form, mission):
    """A station field typed as a code, with suggestions, limited to the mission's stations."""
    if form.instance.station_id and not form.is_bound:
        # The field holds a code, so an edit form starts from the code, not the id.
        form.initial["station"] = form.instance.station.code
    model_field = form.fields["station"]
    form.fields["station"] = station_code_field(
        mission, required=model_field.required, help_text=model_field.help_text
    )


def station_code_field(mission, **kwargs) -> StationCodeField:
    """A field for one of the mission's stations, typed as its code with suggestions
    (station-search.js, with a datalist "station-options" on the page)."""
    return StationCodeField(
        queryset=mission.stations.all(),
        label=_("Polling station (code)"),
        widget=forms.TextInput(
            attrs={
                "list": "station-options",
                "autocomplete": "off",
                "data-station-search": "",
                "placeholder": _("Type a station code or name"),
            }
        ),
        error_messages={
            "invalid_choice": _("There is no polling station with this code in this mission.")
        },
        **kwargs,
    )


def _layout_key(form, *parts) -> str:
    """A key of what a form's layout renders from: `parts`, then the form's class and
    field names and the reader's language."""
    names = (type(form).__name__, form.prefix, form.auto_id, translation.get_language())
    return ":".join(str(part) for part in (*parts, *names))


def checklist_key(form) -> str | None:
    """What a form's checklist renders from: its mission's questions as their stamp says
    (any change to a question, checklist or section draws a new one), and the form; None
    if the mission has no stamp."""
    if form.questions_stamp is None:
        return None
    return _layout_key(form, form.mission.pk, form.questions_stamp)


# Rendered layouts by key, in this process: a few missions' checklists in each language,
# and the blank irregularity rows.
_RENDERED: dict[str, str] = {}
RENDERED_KEPT = 64


class RenderedOnce(LayoutObject):
    """Layout fields rendered by crispy-forms' templates, which cost tens of milliseconds
    for a long checklist and a few for each field, once per `key(form)` and then served
    as rendered; rendered each time when `key` is None or gives None (a form with
    answers, values or errors)."""

    def __init__(self, *fields, key=None):
        self.fields = list(fields)
        self.key = key

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        key = self.key(form) if self.key else None
        if key is None:
            return self.get_rendered_fields(form, context, template_pack, **kwargs)
        key = f"{template_pack}:{key}"
        html = _RENDERED.get(key)
        if html is None:
            html = self.get_rendered_fields(form, context, template_pack, **kwargs)
            if len(_RENDERED) >= RENDERED_KEPT:
                _RENDERED.clear()
            _RENDERED[key] = html
        else:
            # As crispy-forms does on rendering, so that no field is rendered twice.
            form.rendered_fields.update(pointer.name for pointer in self.get_field_names())
        return html


class ObserverReportForm(VersionedForm, MissionForm):
    stale_message = _(
        "Someone else saved this report while you were editing it (changed: %(fields)s). "
        "Your input is kept below: compare it with the current report and save again."
    )
    # One-time id for this form: a second submission of the same form finds its report.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # The web form sends a resubmission to the report it stored; the admin refuses it.
    finds_resubmitted = True
    # The web form asks the mission's checklist; the admin shows the answers read-only.
    asks_checklist = True
    answers = None

    class Meta:
        model = ObserverReport
        fields = [
            "round",
            "station",
            "observer",
            "phase",
            "arrived_at",
            "departed_at",
            "ballots_cast",
            "assessment",
            "notes",
        ]
        widgets = {
            "arrived_at": DateTimeInput(),
            "departed_at": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin shows a locked mission's report read-only, without these fields.
        round_, observer = self.fields.get("round"), self.fields.get("observer")
        if self.mission is not None and round_ is not None:
            round_.queryset = self.mission.rounds.filter(observed=True)
            round_.error_messages["invalid_choice"] = _(
                "Choose one of this mission's observed rounds."
            )
        if self.mission is not None and observer is not None:
            observer.queryset = self.mission.delegation.select_related("person")
            observer.label_from_instance = lambda member: member.person.full_name
            observer.error_messages["invalid_choice"] = _(
                "Choose an observer from this mission's delegation."
            )
        for name in ("arrived_at", "departed_at"):
            if name in self.fields:
                self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if not self.instance.pk:
            self.fields["submission_id"].required = True
            self.fields["submission_id"].initial = uuid.uuid4()
        checklists = self._add_checklist_fields() if self.asks_checklist else []
        # A day of reports is typed fast: the visit on three lines, then the checklist.
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-md-4") for name in ("round", "station", "observer"))),
            Row(
                *(
                    Column(name, css_class="col-md-4")
                    for name in ("phase", "arrived_at", "departed_at")
                )
            ),
            Row(
                Column("ballots_cast", css_class="col-md-4"),
                Column("assessment", css_class="col-md-4"),
            ),
            *checklists,
            "notes",
            "version",
            "submission_id",
        )

    def _add_checklist_fields(self) -> list:
        """A field for every question the mission asks, and their layout: one block per
        checklist, which static/js/checklist.js shows for its phase, and within it each
        question with the condition the script evaluates."""
        self.questions_stamp, self.questions = (
            answers.stamped_questions(self.mission) if self.mission else (None, [])
        )
        stored = {}
        if self.instance.pk and not self.is_bound:
            stored = dict(self.instance.answers.values_list("question__code", "value"))
        blocks, current, rows = [], None, []

        def close_block():
            if current is not None:
                blocks.append(
                    Fieldset(
                        _("Checklist: %(title)s") % {"title": current.title},
                        *rows,
                        data_checklist_phase=current.phase,
                    )
                )

        for question in self.questions:
            if current is None or question.checklist_id != current.pk:
                close_block()
                current, rows, section = question.checklist, [], None
            if question.section_id and question.section != section:
                section = question.section
                rows.append(HTML(format_html('<h3 class="h6 mt-3">{}</h3>', section.label)))
            attributes = {
                "data_question": question.code,
                "data_relevant": answers.condition_json(question),
            }
            field = answers.form_field(question)
            if field is None:
                rows.append(Div(HTML(format_html("<p>{}</p>", question.label)), **attributes))
                continue
            name = answers.field_name(question)
            self.fields[name] = field
            if question.code in stored:
                self.initial[name] = answers.initial(question, stored[question.code])
            rows.append(Div(name, **attributes))
        close_block()
        if not blocks:
            return []
        # A new report's checklist is the same page after page: rendered once per version.
        blank = not self.is_bound and not stored
        return [RenderedOnce(*blocks, key=checklist_key if blank else None)]

    def _clean_answers(self):
        values = {
            question.code: self.cleaned_data.get(answers.field_name(question))
            for question in self.questions
            if answers.field_name(question) in self.cleaned_data
        }
        unread = {
            question.code
            for question in self.questions
            if answers.field_name(question) in self.errors
        }
        checked = answers.check(
            self.questions, self.cleaned_data.get("phase"), values, unread=unread
        )
        by_code = {question.code: question for question in self.questions}
        for code, errors in checked.errors.items():
            for error in errors:
                self.add_error(answers.field_name(by_code[code]), error)
        self.answers = checked.answers

    def clean_submission_id(self):
        """A retried or double-clicked form carries an id stored already: `resubmitted`
        is then the report it stored. An id stored for another mission is refused."""
        submission_id = self.cleaned_data.get("submission_id")
        self.resubmitted = None
        if submission_id is None or self.instance.pk:
            return submission_id
        stored = ObserverReport.objects.filter(submission_id=submission_id).first()
        if stored is None:
            return submission_id
        if self.finds_resubmitted and stored.mission_id == self.instance.mission_id:
            self.resubmitted = stored
            return submission_id
        raise ValidationError(
            _("This form was sent already. Reload the page to enter another report."),
            code="resubmitted",
        )

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            self.instance.submission_id = cleaned_data.get("submission_id")
        if self.asks_checklist:
            self._clean_answers()
        return cleaned_data


class ReportIrregularityForm(HiddenErrorsShown, forms.ModelForm):
    class Meta:
        model = Irregularity
        fields = ["category", "severity", "evidence", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = IrregularityCategory.objects.hand_logged()


def blank_row_key(form) -> str | None:
    """What a new report's blank irregularity row renders from: the categories offered,
    and the form (its place in the formset); None for a row with values or errors, or of
    a stored report (its hidden field names the report)."""
    if (
        form.is_bound
        or form.instance.pk is not None
        or form.initial
        or form.fields["report"].initial is not None
    ):
        return None
    categories = [(str(value), str(label)) for value, label in form.fields["category"].choices]
    return _layout_key(form, hashlib.sha256(repr(categories).encode()).hexdigest())


class BaseReportIrregularityFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, queryset=None, **kwargs):
        queryset = Irregularity.objects.all() if queryset is None else queryset
        queryset = queryset.open_to_edit().select_related("category", "station")
        super().__init__(*args, queryset=queryset, **kwargs)
        self._categories = None
        self.helper = _helper()
        self.helper.layout = Layout(
            RenderedOnce(
                Row(
                    *(
                        Column(name, css_class="col-md-4")
                        for name in ("category", "severity", "evidence")
                    )
                ),
                "description",
                "DELETE",
                "id",
                "report",
                # A new report's blank rows (the one shown, the one its button adds)
                # are the same page after page.
                key=blank_row_key,
            )
        )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Read the categories once for all the rows, not once per row (and with no
        # count first: iter() rather than the choices' length).
        if self._categories is None:
            self._categories = list(iter(form.fields["category"].choices))
        form.fields["category"].choices = self._categories
        # Django checks a row's id against every irregularity; an id from elsewhere
        # would be dropped without a word. Hold it to this report's editable rows.
        form.fields["id"].queryset = self.get_queryset()
        form.fields["id"].error_messages["invalid_choice"] = _(
            "This is not one of the report's irregularities still open for editing."
        )

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Rows are validated where the report is; forms are built lazily, after the
        # report form is validated, so this is the corrected round and station.
        self.instance.place(form.instance)
        return form


ReportIrregularityFormSet = forms.inlineformset_factory(
    ObserverReport,
    Irregularity,
    form=ReportIrregularityForm,
    formset=BaseReportIrregularityFormSet,
    extra=1,
    can_delete=True,
)


class IrregularityForm(MissionForm):
    """An irregularity logged directly, at a station or nationwide."""

    class Meta:
        model = Irregularity
        fields = [
            "round",
            "station",
            "category",
            "severity",
            "evidence",
            "occurred_at",
            "description",
        ]
        widgets = {"occurred_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].queryset = IrregularityCategory.objects.filter(
                system_raised=False
            )
        if "occurred_at" in self.fields:
            self.fields["occurred_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]


class ReviewForm(forms.Form):
    DECISIONS = [("verify", _("Verify")), ("dismiss", _("Dismiss"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "dismiss" and not cleaned.get("note", "").strip():
            self.add_error(
                "note", ValidationError(Irregularity.DISMISSAL_NEEDS_NOTE, code="note_required")
            )
        return cleaned


class StatementForm(VersionedForm, MissionForm):
    stale_message = _(
        "Someone else saved this statement while you were editing it (changed: %(fields)s). "
        "Your text is kept below: compare it with the current statement and save again."
    )

    class Meta:
        model = FindingsStatement
        fields = [
            "kind",
            "round",
            "title",
            "issued_on",
            "body",
            "title_es",
            "body_es",
            "cited_irregularities",
        ]
        widgets = {
            "issued_on": DateInput(),
            "body": forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "body_es": forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "lang": "es"}),
            "cited_irregularities": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, lists, links and tables."),
            "title_es": _("Optional: Spanish readers see it in place of the title."),
            "body_es": _("Optional: Spanish readers see it in place of the body. Markdown."),
        }

    def versioned_rows(self):
        # Only a draft is edited: a statement moved on meanwhile is stale too.
        return FindingsStatement.objects.editable()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cited = self.fields.get("cited_irregularities")
        if cited is None:
            return
        if self.mission is not None:
            cited.queryset = self.mission.irregularities.verified_current().select_related(
                "category", "station"
            )
        cited.error_messages["invalid_choice"] = _(
            "A statement can cite only verified irregularities of this mission."
        )
        cited.error_messages["invalid_pk_value"] = cited.error_messages["invalid_choice"]

    def clean_body(self):
        return self._without_active_content("body")

    def clean_body_es(self):
        return self._without_active_content("body_es")

    def _without_active_content(self, name):
        body = self.cleaned_data.get(name, "")
        if markdown.has_active_content(body):
            raise ValidationError(
                _(
                    "The body contains a script, an event handler (such as onerror=) or a "
                    "javascript: link. Remove it: statements hold text, not active content."
                ),
                code="active_content",
            )
        return body

    def clean(self):
        cleaned_data = super().clean()
        cited = cleaned_data.get("cited_irregularities")
        # The admin chooses the mission on the form; the web app names it.
        mission = cleaned_data.get("mission") or self.mission
        if cited is not None and mission is not None:
            self.instance.mission = mission
            try:
                self.instance.clean_citations(cited)
            except ValidationError as error:
                self.add_error("cited_irregularities", error)
        return cleaned_data


class RecommendationForm(HiddenErrorsShown, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["addressee", "theme", "text", "priority"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class AssessmentForm(HiddenErrorsShown, forms.ModelForm):
    """A mission's follow-up assessment of a recommendation; the model's clean() checks it
    against the recommendation (same country, not before it)."""

    class Meta:
        model = RecommendationAssessment
        fields = ["status", "assessed_on", "statement", "evidence"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "evidence": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a statement still open takes a new assessment: a published one is final.
        self.fields["statement"].queryset = self.instance.mission.statements.editable()
        self.fields["statement"].help_text = _(
            "The mission's statement that reports it, if any; it is published with it."
        )
        self.fields["evidence"].required = True
        self.helper = _helper()


class FollowUpFilterForm(forms.Form):
    OUTSTANDING = "outstanding"
    NOT_ASSESSED = "not_assessed"

    status = forms.ChoiceField(
        label=_("Follow-up"),
        required=False,
        choices=[
            ("", _("Every recommendation")),
            (OUTSTANDING, _("Outstanding: not fully implemented")),
            (NOT_ASSESSED, _("Not assessed")),
            *RecommendationAssessment.Status.choices,
        ],
    )

    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("Every theme")), *Recommendation.Theme.choices],
    )

    def filter(self, recommendations):
        if self.cleaned_data["theme"]:
            recommendations = recommendations.filter(theme=self.cleaned_data["theme"])
        status = self.cleaned_data["status"]
        if status == self.OUTSTANDING:
            # A recommendation never assessed is outstanding too (its follow_up is NULL).
            return recommendations.filter(
                Q(follow_up__isnull=True) | ~Q(follow_up=RecommendationAssessment.Status.FULLY)
            )
        if status == self.NOT_ASSESSED:
            return recommendations.filter(follow_up__isnull=True)
        if status:
            return recommendations.filter(follow_up=status)
        return recommendations


class BaseRecommendationFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


RecommendationFormSet = forms.inlineformset_factory(
    FindingsStatement,
    Recommendation,
    form=RecommendationForm,
    formset=BaseRecommendationFormSet,
    extra=1,
    can_delete=True,
)


class ReturnToDraftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does it go back to draft?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportUploadForm(forms.Form):
    """An upload of a station list or a roster, checked down to each row before anything is
    written. After `is_valid()`, `preview` holds what the import would do (unless the file
    is too long to check in the request: `checked_later`) and `content` the file's bytes."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (comma- or semicolon-separated, UTF-8) or Excel (.xlsx). "
            "A line among the first 20 names the columns, in any order."
        ),
    )

    def __init__(self, *args, importer: Importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.preview: Preview | None = None
        self.content = b""
        # Set when the file reads, even if its columns or rows do not pass: the user may
        # then match its columns without uploading it again.
        self.file_columns: list[FileColumn] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("This file is larger than %(limit)s MB, the most we accept."),
                code="too_large",
                params={"limit": round(limit / (1024 * 1024), 1)},
            )
        content = upload.read()
        try:
            self.preview = preview_in_request(self.importer, content, upload.name)
        except MappingError as error:
            self.content, self.file_columns = content, error.file_columns
            raise ValidationError(error.message, code=error.code) from None
        except ImportFileError as error:
            raise ValidationError(error.message, code=error.code) from None
        self.content = content
        self.file_columns = self.preview.file_columns if self.preview else []
        return upload

    @property
    def checked_later(self) -> bool:
        """A file that reads, too long to check in the request: the task worker previews it."""
        return self.is_valid() and self.preview is None


class ImportColumnsForm(forms.Form):
    """The columns step: the field each column of an uploaded file gives, or none. Choosing
    one field for several columns joins them, in the file's order."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, importer: Importer, file_columns: list[FileColumn], **kwargs):
        super().__init__(*args, **kwargs)
        self.file_columns = file_columns
        choices = [(LEFT_OUT, _("— not imported —"))]
        choices += [(column.key, column.label) for column in importer.columns()]
        if importer.numbers_within_areas:
            self.fields["codes_within_area"] = forms.BooleanField(
                label=_("This list numbers its stations within each area"),
                help_text=_(
                    "A code is then one station only with its areas, and is stored with "
                    "them: “Cluj / Sector 3 / 128”."
                ),
                required=False,
                initial=importer.mapping.codes_within_area,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
        for column in file_columns:
            self.fields[self.field_name(column)] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                required=False,
                initial=column.key,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        # Each of the file's own words for a field with choices (a role), matched to one.
        self.matched_values = []
        fields = {column.key: column for column in importer.columns()}
        for column in file_columns:
            if not column.values:
                continue
            field = fields[column.key]
            rows = []
            for number, value in enumerate(column.values):
                name = f"value_{column.index}_{number}"
                self.fields[name] = forms.ChoiceField(
                    label=value,
                    choices=[("", _("— none of these —")), *field.choices],
                    required=False,
                    initial=_cleaned_or_empty(field, value),
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
                rows.append((value, name))
            self.matched_values.append((column, field, rows))

    @staticmethod
    def field_name(column: FileColumn) -> str:
        return f"column_{column.index}"

    def rows(self):
        """Each column with its sample values and its choice, for the template."""
        return [(column, self[self.field_name(column)]) for column in self.file_columns]

    def value_rows(self):
        """Each column whose values are matched: its field and each value with its choice."""
        return [
            (column, field, [(value, self[name]) for value, name in rows])
            for column, field, rows in self.matched_values
        ]

    def mapping(self) -> Mapping:
        columns = {
            normalise_header(column.header): self.cleaned_data[self.field_name(column)]
            for column in self.file_columns
        }
        values = {}
        for _column, field, rows in self.matched_values:
            chosen = values.setdefault(field.key, {})
            for value, name in rows:
                # "" too: an explicit "none of these" forgets an earlier match.
                chosen[normalise_header(value)] = self.cleaned_data[name]
        return Mapping(columns, self.cleaned_data.get("codes_within_area", False), values)


def _cleaned_or_empty(field, value: str) -> str:
    """What a field reads a value as, or "" when it does not read it."""
    try:
        return field.field.clean(value)
    except ValidationError:
        return ""


# A checklist is for one phase, or for every phase without one of its own ("").
CHECKLIST_PHASES = [
    ("", _("Every phase without a checklist of its own")),
    *ObserverReport.Phase.choices,
]


class ChecklistUploadForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=CHECKLIST_PHASES, required=False)
    file = forms.FileField(
        label=_("XLSForm (.xlsx)"),
        help_text=_("A workbook with survey, choices and settings sheets."),
    )
    language = forms.ChoiceField(
        label=_("Language of labels that name none"),
        choices=settings.LANGUAGES,
        help_text=_("For a “label” column without “::language”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ChecklistAdoptForm(forms.Form):
    phase = forms.ChoiceField(label=_("Checklist"), choices=CHECKLIST_PHASES, required=False)
    questions = forms.ModelMultipleChoiceField(
        label=_("Standard questions"),
        queryset=LibraryQuestion.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one question from the library.")},
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["questions"].queryset = LibraryQuestion.objects.exclude(
            code__in=mission.questions.values("code")
        )


# An observer is tied to a team of the delegation: they are made one from the roster
# (ObserverInviteForm), never added or invited with a role alone.
ROLES_BUT_OBSERVER = [
    (value, label)
    for value, label in MissionMembership.Role.choices
    if value != MissionMembership.Role.OBSERVER
]
OBSERVERS_FROM_THE_ROSTER = _(
    "Observers are made from the delegation's roster, below: each sends the reports of one team."
)


def new_member(mission, typed: str):
    """The one active user named by `typed` (user name or e-mail address) who is not yet on
    `mission`; a ValidationError for the form field otherwise."""
    typed = typed.strip()
    users = get_user_model().objects.filter(is_active=True)
    found = list(users.filter(username__iexact=typed)[:2]) or list(
        users.filter(email__iexact=typed)[:2]
    )
    if len(found) != 1:
        raise ValidationError(
            _("No single active user has this user name or e-mail address."),
            code="unknown_user",
        )
    (user,) = found
    if mission.memberships.filter(user=user).exists():
        raise ValidationError(
            _("%(user)s is on this mission already: change their role in the list of members."),
            code="already_member",
            params={"user": user.get_full_name() or user.get_username()},
        )
    return user


class MembershipAddForm(forms.Form):
    """A leader puts an existing user on the mission, found by user name or e-mail."""

    user = forms.CharField(label=_("User name or e-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLES_BUT_OBSERVER, help_text=OBSERVERS_FROM_THE_ROSTER
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_user(self):
        return new_member(self.mission, self.cleaned_data["user"])


class MembershipInviteForm(forms.Form):
    """A leader invites someone by e-mail address: an existing user is added, anyone
    else receives a link to set a password. Observers come from the delegation."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLES_BUT_OBSERVER, help_text=OBSERVERS_FROM_THE_ROSTER
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        users = list(get_user_model().objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise ValidationError(
                _("Several users have this e-mail address: add the member by user name."),
                code="ambiguous_email",
            )
        if users and self.mission.memberships.filter(user=users[0]).exists():
            raise ValidationError(
                _("%(email)s is on this mission already: change their role above."),
                code="already_member",
                params={"email": email},
            )
        self.user = users[0] if users else None
        return email


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = MissionMembership
        fields = ["role"]


class DeploymentForm(forms.Form):
    """A team deployed at a station for some phases of a round."""

    team = forms.ModelChoiceField(
        label=_("Observer team"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose one of this mission's delegation.")},
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        choices=ObserverReport.Phase.choices,
        initial=list(STATION_PHASES),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, election_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = election_round
        mission = election_round.mission
        self.fields["team"].queryset = mission.delegation.select_related("person")
        self.fields["station"] = station_code_field(mission)
        self.order_fields(["team", "station", "phases"])

    def clean(self):
        cleaned = super().clean()
        station, phases = cleaned.get("station"), cleaned.get("phases")
        if station and phases:
            taken = Deployment.objects.filter(
                round=self.round, station=station, phase__in=phases
            ).select_related("team__person")
            for deployment in taken:
                self.add_error(
                    "phases",
                    _("%(phase)s: %(team)s is already deployed at this station.")
                    % {"phase": deployment.get_phase_display(), "team": deployment.team.person},
                )
        return cleaned

    def deployments(self) -> list[Deployment]:
        return [
            Deployment(
                mission=self.round.mission,
                round=self.round,
                station=self.cleaned_data["station"],
                team=self.cleaned_data["team"],
                phase=phase,
            )
            for phase in self.cleaned_data["phases"]
        ]


class DeadlinesForm(forms.Form):
    """When each phase's reports of a round are due, in the mission's time zone."""

    def __init__(self, *args, election_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = election_round
        stored = dict(election_round.deadlines.values_list("phase", "due_at"))
        for phase, label in ObserverReport.Phase.choices:
            self.fields[phase] = forms.DateTimeField(
                label=dates.zoned_label(label),
                required=False,
                initial=stored.get(phase),
                widget=DateTimeInput(),
            )

    def clean(self):
        cleaned = super().clean()
        earliest, latest = self.round.mission.window()
        for phase in ObserverReport.Phase.values:
            due_at = cleaned.get(phase)
            # The year first: a time near year 1 or 9999 overflows once in UTC.
            if due_at is not None and not (
                earliest.year <= due_at.year <= latest.year and earliest <= due_at <= latest
            ):
                self.add_error(
                    phase,
                    ValidationError(
                        _("Give a time around the mission: between %(earliest)s and %(latest)s."),
                        code="outside_mission",
                        params={
                            "earliest": dates.zoned(earliest),
                            "latest": dates.zoned(latest),
                        },
                    ),
                )
        return cleaned

    def deadlines(self) -> dict:
        return {phase: self.cleaned_data[phase] for phase in ObserverReport.Phase.values}


class AlertEmailForm(forms.Form):
    """The kinds of alert a mission also e-mails to its core team."""

    kinds = forms.MultipleChoiceField(
        label=_("Also send by e-mail"),
        choices=Alert.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OutlinesForm(forms.Form):
    """A GeoJSON file of the outlines of one level of the mission's areas."""

    level = forms.TypedChoiceField(label=_("Areas"), coerce=int)
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "The areas' outlines in longitudes and latitudes (WGS 84), as the election "
            "authority, the statistics office or geoBoundaries publish them."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["level"].choices = list(enumerate(mission.area_labels(), start=1))

    def clean(self):
        cleaned = super().clean()
        upload, level = cleaned.get("file"), cleaned.get("level")
        if upload is None or level is None:
            return cleaned
        try:
            # Checked before the file is read into memory.
            outlines.check_size(upload.size)
            cleaned["outlines"] = outlines.read(upload.read(), mission=self.mission, level=level)
        except outlines.OutlinesError as error:
            self.add_error("file", str(error))
        return cleaned
