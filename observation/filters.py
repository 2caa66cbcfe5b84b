"""Filters of a mission's list pages; the CSV and XLSX exports apply the same ones.

Every filterset takes the mission, so that its choices (rounds, observers, areas)
come from that mission only, and drops the area filters of levels the mission
does not name.
"""

import django_filters
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from observation.models import (
    Alert,
    Answer,
    ElectionRound,
    Irregularity,
    IrregularityCategory,
    Mission,
    ObserverReport,
    PollingStation,
    Question,
)
from observation.models.missions import normalise_code

AREA_LEVELS = range(1, 6)


class MissionFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, mission: Mission, **kwargs):
        super().__init__(data, queryset, **kwargs)
        labels = mission.area_labels()
        for level in AREA_LEVELS:
            name = f"area_{level}"
            if level > len(labels):
                del self.filters[name]
            else:
                self.filters[name].label = labels[level - 1]
        if "area_1" in self.filters:
            self.filters["area_1"].extra["choices"] = [
                (area, area)
                for area in PollingStation.objects.filter(mission=mission)
                .exclude(area_1="")
                .order_by("area_1")
                .values_list("area_1", flat=True)
                .distinct()
            ]


def _longest(name: str) -> int:
    # A typed filter is held to the longest value it can match, which also keeps it short
    # of SQLite's limit on a LIKE pattern (50,000 characters).
    return PollingStation._meta.get_field(name).max_length


def _area(prefix: str, level: int):
    # The first level is short (regions, departments): a list; deeper levels are typed.
    if level == 1:
        return django_filters.ChoiceFilter(field_name=f"{prefix}area_1")
    return django_filters.CharFilter(
        field_name=f"{prefix}area_{level}",
        lookup_expr="iexact",
        max_length=_longest(f"area_{level}"),
    )


def _code_or_name(prefix: str, value: str) -> Q:
    # Codes are matched as they are stored, the way the report form and the import read
    # them (normalise_code); names, as typed.
    return Q(**{f"{prefix}code": normalise_code(value)}) | Q(
        **{f"{prefix}name__icontains": value.strip()}
    )


class StationFilterSet(MissionFilterSet):
    q = django_filters.CharFilter(
        label=_("Code or name"), method="filter_code_or_name", max_length=_longest("name")
    )
    area_1 = _area("", 1)
    area_2 = _area("", 2)
    area_3 = _area("", 3)
    area_4 = _area("", 4)
    area_5 = _area("", 5)

    class Meta:
        model = PollingStation
        fields = []

    def filter_code_or_name(self, queryset, name, value):
        return queryset.filter(_code_or_name("", value))


def _station_code_or_name(queryset, name, value):
    return queryset.filter(_code_or_name("station__", value))


class ReportFilterSet(MissionFilterSet):
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=None)
    area_1 = _area("station__", 1)
    area_2 = _area("station__", 2)
    area_3 = _area("station__", 3)
    area_4 = _area("station__", 4)
    area_5 = _area("station__", 5)
    station = django_filters.CharFilter(
        label=_("Station (code or name)"), method=_station_code_or_name, max_length=_longest("name")
    )
    phase = django_filters.ChoiceFilter(choices=ObserverReport.Phase.choices)
    assessment = django_filters.ChoiceFilter(choices=ObserverReport.Assessment.choices)
    observer = django_filters.ModelChoiceFilter(label=_("Observer team"), queryset=None)
    question = django_filters.ChoiceFilter(
        label=_("Checklist question"), choices=(), method="_answered"
    )
    answer = django_filters.CharFilter(
        label=_("Answer"),
        method="_answered",
        max_length=100,
        help_text=_("A choice name (yes, no ...) or a value; empty: any answer."),
    )
    concern = django_filters.BooleanFilter(
        label=_("Answer is a concern"),
        method="_answered",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = ObserverReport
        fields = []

    def __init__(self, *args, mission: Mission, **kwargs):
        super().__init__(*args, mission=mission, **kwargs)
        self.filters["round"].queryset = mission.rounds.all()
        self.filters["observer"].queryset = mission.delegation.select_related("person")
        self.filters["question"].extra["choices"] = [
            (question.code, str(question))
            for question in Question.objects.filter(mission=mission)
            .select_related("checklist")
            # What a question's name reads, and no more: a mission asks a hundred or more.
            .only("code", "labels", "checklist__default_language")
            .order_by("checklist__phase", "position")
        ]

    def _answered(self, queryset, name, value):
        """Reports whose answer to the chosen question is the value given (one of the
        choices of a several-choices answer), or a concern; the three read together."""
        code = self.form.cleaned_data.get("question")
        if not code or name != "question":
            return queryset
        answers = Answer.objects.filter(report=OuterRef("pk"), question__code=code)
        value = (self.form.cleaned_data.get("answer") or "").strip()
        if value:
            answers = answers.filter(
                Q(value=value)
                | Q(value__startswith=f"{value} ")
                | Q(value__endswith=f" {value}")
                | Q(value__contains=f" {value} ")
            )
        concern = self.form.cleaned_data.get("concern")
        if concern is not None:
            answers = answers.filter(concern=concern)
        return queryset.filter(Exists(answers))


class IrregularityFilterSet(MissionFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=IrregularityCategory.objects.all()
    )
    severity = django_filters.ChoiceFilter(choices=Irregularity.Severity.choices)
    evidence = django_filters.ChoiceFilter(choices=Irregularity.Evidence.choices)
    status = django_filters.ChoiceFilter(choices=Irregularity.Status.choices)
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=None)
    area_1 = _area("station__", 1)
    area_2 = _area("station__", 2)
    area_3 = _area("station__", 3)
    area_4 = _area("station__", 4)
    area_5 = _area("station__", 5)

    class Meta:
        model = Irregularity
        fields = []

    def __init__(self, *args, mission: Mission, **kwargs):
        super().__init__(*args, mission=mission, **kwargs)
        self.filters["round"].queryset = mission.rounds.all()


# Serious first: the rank the review queue sorts by when asked to.
SEVERITY_RANK = {
    Irregularity.Severity.SERIOUS: 0,
    Irregularity.Severity.SIGNIFICANT: 1,
    Irregularity.Severity.MINOR: 2,
}


def severity_rank():
    return Case(
        *(When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()),
        default=Value(len(SEVERITY_RANK)),
        output_field=IntegerField(),
    )


class CarriedFilters:
    """A page whose filters are carried through a decision made on it."""

    def query(self) -> str:
        """The valid filters as a query string."""
        kept = QueryDict(mutable=True)
        if self.is_valid():
            for name, value in self.form.cleaned_data.items():
                if value in (None, ""):
                    continue
                kept[name] = getattr(value, "pk", value)
        return kept.urlencode()


class ReviewQueueFilterSet(CarriedFilters, MissionFilterSet):
    """The review queue's filters and sort. Only the first area level: national
    irregularities have no station, so filtering by area leaves them out."""

    SORT_TIME = "time"
    SORT_SEVERITY = "severity"

    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=IrregularityCategory.objects.all()
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Irregularity.Severity.choices
    )
    area_1 = _area("station__", 1)
    area_2 = _area("station__", 2)
    area_3 = _area("station__", 3)
    area_4 = _area("station__", 4)
    area_5 = _area("station__", 5)
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(SORT_TIME, _("Oldest first")), (SORT_SEVERITY, _("Serious first"))],
        empty_label=None,
        method="_sort",
    )

    class Meta:
        model = Irregularity
        fields = []

    def __init__(self, *args, mission: Mission, **kwargs):
        super().__init__(*args, mission=mission, **kwargs)
        self.mission = mission
        for level in AREA_LEVELS[1:]:
            self.filters.pop(f"area_{level}", None)
        # The sort is applied last, whatever order the fields are read in.
        self.filters["sort"] = self.filters.pop("sort")

    @classmethod
    def ordering(cls, sort):
        if sort == cls.SORT_SEVERITY:
            return ("rank", "created_at", "pk")
        return ("created_at", "pk")

    def _sort(self, queryset, name, value):
        return queryset.order_by(*self.ordering(value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset.annotate(rank=severity_rank()))
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*self.ordering(self.SORT_TIME))
        return queryset


class AlertFilterSet(CarriedFilters, django_filters.FilterSet):
    """The alerts page's filters: those still to acknowledge unless all are asked for."""

    ALL = "all"

    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[("", _("To acknowledge")), (ALL, _("All, acknowledged too"))],
        empty_label=None,
        method="_show",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Alert.Kind.choices)
    round = django_filters.ModelChoiceFilter(
        label=_("Round"), queryset=ElectionRound.objects.none()
    )

    class Meta:
        model = Alert
        fields = []

    def __init__(self, data=None, queryset=None, *, mission: Mission, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["round"].queryset = mission.rounds.order_by("election_day", "pk")

    def _show(self, queryset, name, value):
        # Applied by filter_queryset, which the default (to acknowledge) reaches too.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("show") != self.ALL:
            queryset = queryset.filter(acknowledged_at__isnull=True)
        return queryset


def stations(data, mission: Mission) -> StationFilterSet:
    """The station list's filters on `data` (a query's parameters)."""
    # Ordered explicitly: the model's ordering starts with the mission and would join it.
    queryset = PollingStation.objects.filter(mission=mission).order_by("code", "pk")
    return StationFilterSet(data, queryset, mission=mission)


def reports(data, mission: Mission, *, with_answers=False) -> ReportFilterSet:
    """The report list's filters; `with_answers` reads the checklist answers with the
    rows (for an export, which has a column per question)."""
    queryset = ObserverReport.objects.filter(mission=mission).select_related(
        "round", "station", "observer__person", "entered_by"
    )
    if with_answers:
        queryset = queryset.prefetch_related("answers")
    return ReportFilterSet(data, queryset, mission=mission)


def irregularities(data, mission: Mission) -> IrregularityFilterSet:
    queryset = Irregularity.objects.filter(mission=mission).select_related(
        "round", "station", "category", "reviewed_by"
    )
    return IrregularityFilterSet(data, queryset, mission=mission)
