import copy

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from observation.models import (
    Deployment,
    ElectionRound,
    Irregularity,
    IrregularityPhoto,
    MissionMembership,
    ObserverReport,
    PollingStation,
)
from observation.models.checklists import labelled


class BuiltOnceModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with its fields built from the model once per class, then
    copied for each instance as a plain Serializer copies its declared ones: DRF builds
    them anew each time, which cost every report the API answers about a millisecond.
    Output only: on a serializer that reads input, a unique field's validator would
    keep its message in the language it was first built in."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)


class MembershipSerializer(serializers.Serializer):
    mission = serializers.IntegerField(source="mission.pk")
    mission_name = serializers.CharField(source="mission.name")
    role = serializers.ChoiceField(choices=MissionMembership.Role.choices)
    locked = serializers.BooleanField(source="mission.is_locked")
    team = serializers.IntegerField(
        source="team_id", allow_null=True, help_text=_("An observer's delegation member.")
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")
    full_name = serializers.CharField(source="get_full_name")
    is_superuser = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)


class RoundSerializer(BuiltOnceModelSerializer):
    class Meta:
        model = ElectionRound
        fields = ["id", "kind", "election_day", "observed", "not_observed_reason"]


class StationSerializer(BuiltOnceModelSerializer):
    class Meta:
        model = PollingStation
        fields = [
            "id",
            "code",
            "name",
            "area_1",
            "area_2",
            "area_3",
            "area_4",
            "area_5",
            "registered_voters",
            "latitude",
            "longitude",
            "updated_at",
        ]


class DeploymentSerializer(BuiltOnceModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = Deployment
        fields = ["id", "round", "station", "station_name", "phase", "team"]


class ChoiceSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()
    hint = serializers.CharField()
    required = serializers.BooleanField()
    relevant = serializers.CharField(help_text=_("XLSForm condition on earlier answers."))
    minimum = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    maximum = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    choices = serializers.SerializerMethodField()

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_choices(self, question):
        language = question.checklist.default_language
        return [
            {"name": choice["name"], "label": labelled(choice["labels"], language)}
            for choice in question.choices
        ]


class ChecklistSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=ObserverReport.Phase.choices)
    checklist_phase = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The checklist a report of this phase answers: the phase's own, or '' for the "
            "one of every phase; null if the mission has none."
        ),
    )
    questions = QuestionSerializer(many=True)


class IrregularityOutSerializer(BuiltOnceModelSerializer):
    """An irregularity as its reporter sees it: its review status, never the review note."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Irregularity
        fields = [
            "id",
            "category",
            "severity",
            "evidence",
            "description",
            "station",
            "raised_by_system",
            "status",
            "superseded_at",
        ]


class PhotoSerializer(BuiltOnceModelSerializer):
    """A photo as stored: its pixels only, its metadata stripped on arrival."""

    class Meta:
        model = IrregularityPhoto
        fields = ["id", "content_type", "width", "height", "created_at"]


class IrregularitySerializer(IrregularityOutSerializer):
    """An irregularity logged through the API, as its reporter reads it back: where,
    what, its photos and its review status; never the review note."""

    submission_id = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(IrregularityOutSerializer.Meta):
        fields = [
            *IrregularityOutSerializer.Meta.fields,
            "submission_id",
            "round",
            "report",
            "occurred_at",
            "created_at",
            "photos",
        ]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_submission_id(self, irregularity):
        submission = getattr(irregularity, "api_submission", None)
        return str(submission.submission_id) if submission is not None else None


class IrregularityCreateSerializer(serializers.Serializer):
    """An irregularity logged on its own, at a station or nationwide. Only its shape is
    checked here: the web form's checks run on it as they run on the form."""

    submission_id = serializers.UUIDField(
        help_text=_("Your own id for it: a retry with the same id stores nothing new.")
    )
    round = serializers.IntegerField(required=False, allow_null=True)
    station = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The station's code; leave it out for a national-level irregularity."),
    )
    category = serializers.SlugField(help_text=_("A category code, e.g. intimidation."))
    severity = serializers.ChoiceField(choices=Irregularity.Severity.choices)
    evidence = serializers.ChoiceField(choices=Irregularity.Evidence.choices)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    description = serializers.CharField(max_length=5000)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text=_(
            "A JPEG or PNG photo. Its location, camera and time metadata are removed "
            "before it is stored."
        )
    )


class ReportSerializer(BuiltOnceModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    answers = serializers.SerializerMethodField()
    irregularities = IrregularityOutSerializer(many=True, read_only=True)

    class Meta:
        model = ObserverReport
        fields = [
            "id",
            "submission_id",
            "round",
            "station",
            "observer",
            "phase",
            "arrived_at",
            "departed_at",
            "ballots_cast",
            "assessment",
            "notes",
            "entered_at",
            "version",
            "answers",
            "irregularities",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_answers(self, report):
        return {answer.question.code: answer.value for answer in report.answers.all()}


class IrregularityInSerializer(serializers.Serializer):
    category = serializers.SlugField(help_text=_("A category code, e.g. intimidation."))
    severity = serializers.ChoiceField(choices=Irregularity.Severity.choices)
    evidence = serializers.ChoiceField(choices=Irregularity.Evidence.choices)
    description = serializers.CharField(max_length=5000)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "array", "items": {"type": "string"}},
        ]
    }
)
class AnswerField(serializers.Field):
    """An answer as data: text, a number, or a list of choice names."""

    default_error_messages = {"invalid": _("Send an answer as text, a number or a list of names.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int | float):
            return str(data)
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ReportInSerializer(serializers.Serializer):
    """A report as a client sends it. Only its shape is checked here: what the web form
    checks (round, station, times, answers) is checked by the same form and functions."""

    submission_id = serializers.UUIDField(
        help_text=_("Your own id for this report: a retry with the same id stores nothing new.")
    )
    round = serializers.IntegerField()
    station = serializers.CharField(max_length=40, help_text=_("The station's code."))
    observer = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The observer team (delegation member); an observer's own, whatever is sent."),
    )
    phase = serializers.ChoiceField(choices=ObserverReport.Phase.choices)
    arrived_at = serializers.DateTimeField(required=False, allow_null=True)
    departed_at = serializers.DateTimeField(required=False, allow_null=True)
    ballots_cast = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    assessment = serializers.ChoiceField(
        choices=ObserverReport.Assessment.choices, required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    answers = serializers.DictField(child=AnswerField(), required=False)
    irregularities = IrregularityInSerializer(many=True, required=False, max_length=50)


class ConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField(), required=False)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        required=False,
        child=serializers.ListField(child=serializers.DictField()),
        help_text=_("By field: each error's code and message."),
    )
