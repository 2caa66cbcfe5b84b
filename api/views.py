"""The JSON API (/api/v1/): field intake for observers, staff and scripts.

Each view reads the mission through `access.mission_for`, as the web pages do, and
writes only through `observation.services`; an observer sees their own team's work.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers
from api.errors import ApiError, invalid
from api.forms import ApiIrregularityForm, ApiReportForm, ApiStandaloneIrregularityForm
from api.models import ApiToken, IrregularitySubmission, Submission
from observation import answers as checklist_answers
from observation import photos, services
from observation.access import ROLE_REFUSAL, MissionAccess, mission_for, role_allows
from observation.models import (
    Answer,
    Deployment,
    Irregularity,
    MissionLockedError,
    MissionMembership,
    ObserverReport,
)
from observation.models.missions import normalise_code
from observation.overvote import Outcome

Role = MissionMembership.Role

SUBMISSION_ELSEWHERE = _(
    "This submission id belongs to a report that was not sent through the API, or to "
    "another mission: send a new id."
)
SUBMISSION_CONFLICT = _(
    "A report was already stored under this submission id, with other values: send a new "
    "id for a new report."
)


BODY_DEFAULTS = {
    "observer": None,
    "arrived_at": None,
    "departed_at": None,
    "ballots_cast": None,
    "assessment": "",
    "notes": "",
    "answers": {},
    "irregularities": [],
}


class Page(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def _mission(request, pk, action="field_read") -> MissionAccess:
    """The mission as the user may use it for `action`: 404 to a stranger, and a 403
    whose code says whether the role or the lock refuses."""
    access = mission_for(request, pk, action="field_read")
    if not access.allows(action):
        if role_allows(access.role, action, locked=False):
            raise ApiError(
                MissionLockedError(access.mission).messages[0],
                code="mission_locked",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        raise ApiError(ROLE_REFUSAL, code="role_refused", status_code=status.HTTP_403_FORBIDDEN)
    return access


def _team(access: MissionAccess):
    """An observer's delegation member (whose reports are theirs), or None for other roles."""
    if access.role != Role.OBSERVER:
        return None
    # Read with the mission by mission_for.
    return access.mission.own_team


# What a report's representation reads besides the report.
REPORT_PREFETCHES = (
    Prefetch("answers", queryset=Answer.objects.select_related("question")),
    Prefetch("irregularities", queryset=Irregularity.objects.select_related("category", "station")),
)


def _reports(request, access: MissionAccess):
    reports = (
        ObserverReport.objects.filter(mission=access.mission)
        .select_related("station")
        .prefetch_related(*REPORT_PREFETCHES)
    )
    if access.role == Role.OBSERVER:
        reports = reports.filter(observer_id=_team(access))
    return reports


class MeView(APIView):
    @extend_schema(responses=serializers.MeSerializer, summary="Who am I: my missions and roles")
    def get(self, request):
        user = request.user
        user.memberships = list(
            user.mission_memberships.select_related("mission").order_by("mission__name")
        )
        return Response(serializers.MeSerializer(user).data)


class RoundListView(APIView):
    @extend_schema(responses=serializers.RoundSerializer(many=True), summary="A mission's rounds")
    def get(self, request, pk):
        access = _mission(request, pk)
        rounds = access.mission.rounds.order_by("election_day", "pk")
        return Response(serializers.RoundSerializer(rounds, many=True).data)


class StationListView(generics.ListAPIView):
    serializer_class = serializers.StationSerializer
    pagination_class = Page

    @extend_schema(
        summary="A mission's polling stations",
        parameters=[
            OpenApiParameter("code", str, description="A station code, exactly."),
            OpenApiParameter("area", str, description="An area name, at any level, exactly."),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description=(
                    "Only the stations added or changed at or after this time (ISO 8601): "
                    "send the latest `updated_at` you received to sync what changed since."
                ),
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        access = _mission(self.request, self.kwargs["pk"])
        stations = access.mission.stations.order_by("code", "pk")
        if code := self.request.query_params.get("code"):
            stations = stations.filter(code=normalise_code(code))
        if area := self.request.query_params.get("area"):
            levels = Q()
            for level in range(1, 6):
                levels |= Q(**{f"area_{level}": area})
            stations = stations.filter(levels)
        if (since := self.request.query_params.get("updated_since")) is not None:
            stations = stations.filter(updated_at__gte=_moment(since, "updated_since"))
        return stations


def _moment(text: str, name: str):
    """A time given in a query parameter, in ISO 8601; naive, it is read in UTC."""
    try:
        # A "+" left unencoded in a query string arrives as a space.
        moment = parse_datetime(text.strip().replace(" ", "+"))
    except ValueError:  # well formed, yet no such time (a 13th month)
        moment = None
    if moment is None:
        raise ApiError(
            _("Give %(name)s as a date and time in ISO 8601, e.g. 2026-04-12T08:00:00Z.")
            % {"name": name},
            code="invalid_time",
        )
    if dj_timezone.is_naive(moment):
        moment = dj_timezone.make_aware(moment, datetime.UTC)
    return moment


class DeploymentListView(generics.ListAPIView):
    """The stations and phases a team is expected to report: an observer's own team's,
    or every team's for the mission's staff."""

    serializer_class = serializers.DeploymentSerializer
    pagination_class = Page

    @extend_schema(
        summary="Where the mission's teams report (an observer's: their team's only)",
        parameters=[OpenApiParameter("round", int, description="Only this round's.")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        access = _mission(self.request, self.kwargs["pk"])
        deployments = (
            Deployment.objects.filter(mission=access.mission)
            .select_related("station")
            .order_by("round__election_day", "station__code", "phase", "pk")
        )
        team = _team(access)
        if team is not None:
            deployments = deployments.filter(team=team)
        if (round_pk := self.request.query_params.get("round")) is not None:
            # At most 18 digits: no id is longer, and SQLite takes no larger integer.
            if not (round_pk.isascii() and round_pk.isdecimal() and len(round_pk) <= 18):
                raise ApiError(_("Give the round as its id, a number."), code="invalid_round")
            deployments = deployments.filter(round_id=int(round_pk))
        return deployments


class ChecklistView(APIView):
    @extend_schema(
        summary="The questions a report of one phase answers",
        parameters=[
            OpenApiParameter(
                "phase", str, required=True, enum=ObserverReport.Phase.values, description="Phase"
            )
        ],
        responses=serializers.ChecklistSerializer,
    )
    def get(self, request, pk):
        access = _mission(request, pk)
        phase = request.query_params.get("phase", "")
        if phase not in ObserverReport.Phase.values:
            raise ApiError(
                _("Name a phase: %(phases)s.") % {"phases": ", ".join(ObserverReport.Phase.values)},
                code="phase_required",
            )
        questions = checklist_answers.questions_of(access.mission)
        asked = checklist_answers.checklist_phase(questions, phase)
        data = {
            "phase": phase,
            "checklist_phase": asked,
            "questions": [q for q in questions if asked is not None and q.checklist.phase == asked],
        }
        return Response(serializers.ChecklistSerializer(data).data)


def _paginated(name: str, serializer):
    """The schema of a page of `serializer`'s records, as Page answers it (APIView does
    not paginate, so drf-spectacular cannot tell by itself)."""
    return inline_serializer(
        name=name,
        fields={
            "count": drf_serializers.IntegerField(),
            "next": drf_serializers.URLField(allow_null=True),
            "previous": drf_serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class ReportListView(APIView):
    @extend_schema(
        summary="The mission's reports (an observer's: their team's only)",
        operation_id="v1_missions_reports_list",
        responses=_paginated("ReportPage", serializers.ReportSerializer),
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def get(self, request, pk):
        access = _mission(request, pk)
        paginator = Page()
        page = paginator.paginate_queryset(_reports(request, access), request, view=self)
        return paginator.get_paginated_response(serializers.ReportSerializer(page, many=True).data)

    @extend_schema(
        summary="Submit a report with its answers and irregularities",
        request=serializers.ReportInSerializer,
        responses={
            201: serializers.ReportSerializer,
            200: OpenApiResponse(
                serializers.ReportSerializer, description="A retry: the report stored already."
            ),
            400: serializers.ErrorSerializer,
            403: serializers.ErrorSerializer,
            409: serializers.ConflictSerializer,
        },
    )
    def post(self, request, pk):
        access = _mission(request, pk, action="report_submit")
        incoming = serializers.ReportInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        team = _team(access)
        if team is not None:
            values["observer"] = team
        # What a retry is compared with: every field, an omitted one as its default.
        body = BODY_DEFAULTS | serializers.ReportInSerializer(values).data
        # A retry is looked for only once this body cannot be stored as new: a new report,
        # the common case, is not looked up first.
        try:
            report, irregularities, checked = _checked(access.mission, values)
        except ApiError:
            replay = _replay(request, access, body)
            if replay is not None:
                return replay
            raise
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            with transaction.atomic():
                saved = services.report_save(
                    report=report,
                    by=request.user,
                    irregularities=irregularities,
                    answers=checked.answers,
                )
                Submission.objects.create(report=saved.report, body=body, token=token)
        except IntegrityError:
            # A retry, or another request with this submission id stored it first.
            replay = _replay(request, access, body)
            if replay is None:
                raise
            return replay
        except MissionLockedError as error:
            raise ApiError(
                error.messages[0], code="mission_locked", status_code=status.HTTP_403_FORBIDDEN
            ) from None
        stored = _as_stored(saved, irregularities)
        return Response(
            serializers.ReportSerializer(stored).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:report_detail", args=[access.mission.pk, stored.pk])},
        )


def _as_stored(saved, irregularities) -> ObserverReport:
    """The new report with its answers and irregularities as the database now lists them,
    from what this request stored: read back only if detection raised irregularities of its
    own (an overvote, a concerning answer), which only the database holds."""
    report = saved.report
    if saved.raised or saved.overvote is Outcome.RAISED:
        prefetch_related_objects([report], REPORT_PREFETCHES[1])
        stored = report.irregularities.all()
    else:
        # The model's order, newest first: the reverse of the order they were saved in.
        stored = irregularities[::-1]
    # The prefetch cache is where `report.answers.all()` and its like look first.
    report._prefetched_objects_cache = {
        "answers": sorted(saved.answers, key=lambda answer: answer.question.position),
        "irregularities": list(stored),
    }
    return report


def _checked(mission, values):
    """The report and its irregularities, checked as the web form checks them, and its
    answers as `answers.clean_raw` reads them; every error at once, or nothing saved."""
    form = ApiReportForm(
        data={
            name: values.get(name)
            for name in (
                "round",
                "station",
                "observer",
                "phase",
                "arrived_at",
                "departed_at",
                "ballots_cast",
                "submission_id",
            )
        }
        | {"assessment": values.get("assessment", ""), "notes": values.get("notes", "")},
        mission=mission,
    )
    errors = {}
    if not form.is_valid():
        errors.update(form.errors.as_data())
    report = form.instance
    checked = checklist_answers.clean_raw(mission, values["phase"], values.get("answers", {}))
    errors.update({f"answers.{code}": items for code, items in checked.errors.items()})
    irregularities = []
    for index, item in enumerate(values.get("irregularities", [])):
        irregularity_form = ApiIrregularityForm(data=dict(item))
        irregularity_form.instance.mission = mission
        if not errors:
            report.place(irregularity_form.instance)
        if irregularity_form.is_valid():
            irregularities.append(irregularity_form.instance)
        for name, items in irregularity_form.errors.as_data().items():
            errors[f"irregularities.{index}.{name}"] = items
    if errors:
        raise invalid(errors)
    return report, irregularities, checked


def _replayed(body, stored, *, elsewhere: bool, messages: tuple, answer) -> Response:
    """What a retry of a stored submission id gets, reports and irregularities alike:
    409 if the id is another mission's (`messages[0]`) or comes with another body than
    `stored` (`messages[1]`, naming the fields that differ), else 200 with `answer()`,
    the record stored the first time."""
    elsewhere_message, conflict_message = messages
    if elsewhere:
        return Response(
            {"code": "submission_elsewhere", "detail": str(elsewhere_message)},
            status=status.HTTP_409_CONFLICT,
        )
    differ = sorted(
        name for name in body.keys() | stored.keys() if body.get(name) != stored.get(name)
    )
    if differ:
        return Response(
            {"code": "submission_conflict", "detail": str(conflict_message), "fields": differ},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(answer(), status=status.HTTP_200_OK)


def _replay(request, access, body) -> Response | None:
    """The answer to a submission id stored already: the same report (200) if the body
    is the same, else 409 naming the fields that differ."""
    stored = (
        ObserverReport.objects.filter(submission_id=body["submission_id"])
        .select_related("api_submission")
        .first()
    )
    if stored is None:
        return None
    submission = getattr(stored, "api_submission", None)
    return _replayed(
        body,
        submission.body if submission else {},
        elsewhere=submission is None or stored.mission_id != access.mission.pk,
        messages=(SUBMISSION_ELSEWHERE, SUBMISSION_CONFLICT),
        answer=lambda: (
            serializers.ReportSerializer(
                get_object_or_404(_reports(request, access), pk=stored.pk)
            ).data
        ),
    )


class ReportDetailView(APIView):
    @extend_schema(
        summary="One report with its irregularities' review status",
        responses=serializers.ReportSerializer,
    )
    def get(self, request, pk, report_pk):
        access = _mission(request, pk)
        report = get_object_or_404(_reports(request, access), pk=report_pk)
        return Response(serializers.ReportSerializer(report).data)


IRREGULARITY_SUBMISSION_ELSEWHERE = _(
    "This submission id belongs to an irregularity of another mission: send a new id."
)
IRREGULARITY_SUBMISSION_CONFLICT = _(
    "An irregularity was already stored under this submission id, with other values: send a "
    "new id for a new irregularity."
)
IRREGULARITY_BODY_DEFAULTS = {"round": None, "station": None, "occurred_at": None}
# A multipart body carries the photo and a few hundred bytes of headers around it.
MULTIPART_MARGIN = 64 * 1024


def _irregularities(request, access: MissionAccess):
    """The mission's irregularities as the user may read them back: an observer's are
    those of their team's reports and those their team logged on their own."""
    irregularities = (
        Irregularity.objects.filter(mission=access.mission)
        .select_related("category", "station", "api_submission")
        .prefetch_related("photos")
    )
    if access.role == Role.OBSERVER:
        team = _team(access)
        teammates = MissionMembership.objects.filter(
            mission=access.mission, role=Role.OBSERVER, team_id=team
        ).values("user_id")
        irregularities = irregularities.filter(
            Q(report__observer_id=team) | Q(report__isnull=True, reported_by__in=teammates)
        )
    return irregularities


class IrregularityListView(APIView):
    @extend_schema(
        summary="The mission's irregularities (an observer's: their team's only)",
        operation_id="v1_missions_irregularities_list",
        responses=_paginated("IrregularityPage", serializers.IrregularitySerializer),
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def get(self, request, pk):
        access = _mission(request, pk)
        paginator = Page()
        page = paginator.paginate_queryset(_irregularities(request, access), request, view=self)
        return paginator.get_paginated_response(
            serializers.IrregularitySerializer(page, many=True).data
        )

    @extend_schema(
        summary="Log an irregularity at a station or nationwide",
        request=serializers.IrregularityCreateSerializer,
        responses={
            201: serializers.IrregularitySerializer,
            200: OpenApiResponse(
                serializers.IrregularitySerializer,
                description="A retry: the irregularity stored already.",
            ),
            400: serializers.ErrorSerializer,
            403: serializers.ErrorSerializer,
            409: serializers.ConflictSerializer,
        },
    )
    def post(self, request, pk):
        access = _mission(request, pk, action="irregularity_submit")
        incoming = serializers.IrregularityCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        body = IRREGULARITY_BODY_DEFAULTS | serializers.IrregularityCreateSerializer(values).data
        body["station"] = body["station"] or None
        replay = _irregularity_replay(request, access, body)
        if replay is not None:
            return replay
        form = ApiStandaloneIrregularityForm(
            data={
                "round": values.get("round"),
                "station": values.get("station") or "",
                "category": values["category"],
                "severity": values["severity"],
                "evidence": values["evidence"],
                "occurred_at": values.get("occurred_at"),
                "description": values["description"],
            },
            instance=Irregularity(mission=access.mission, reported_by=request.user),
            mission=access.mission,
        )
        if not form.is_valid():
            raise invalid(form.errors.as_data())
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            with transaction.atomic():
                irregularity = services.irregularity_save(
                    irregularity=form.save(commit=False), by=request.user
                )
                IrregularitySubmission.objects.create(
                    submission_id=values["submission_id"],
                    irregularity=irregularity,
                    body=body,
                    token=token,
                )
        except IntegrityError:
            # Another request with this submission id stored it first.
            replay = _irregularity_replay(request, access, body)
            if replay is None:
                raise
            return replay
        except MissionLockedError as error:
            raise ApiError(
                error.messages[0], code="mission_locked", status_code=status.HTTP_403_FORBIDDEN
            ) from None
        stored = _irregularities(request, access).get(pk=irregularity.pk)
        return Response(
            serializers.IrregularitySerializer(stored).data,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": reverse("api:irregularity_detail", args=[access.mission.pk, stored.pk])
            },
        )


def _irregularity_replay(request, access, body) -> Response | None:
    """The answer to a submission id stored already, as `_replay` answers for reports."""
    submission = (
        IrregularitySubmission.objects.filter(submission_id=body["submission_id"])
        .select_related("irregularity")
        .first()
    )
    if submission is None:
        return None
    return _replayed(
        body,
        submission.body,
        elsewhere=submission.irregularity.mission_id != access.mission.pk,
        messages=(IRREGULARITY_SUBMISSION_ELSEWHERE, IRREGULARITY_SUBMISSION_CONFLICT),
        answer=lambda: (
            serializers.IrregularitySerializer(
                get_object_or_404(_irregularities(request, access), pk=submission.irregularity_id)
            ).data
        ),
    )


class IrregularityDetailView(APIView):
    @extend_schema(
        summary="One irregularity with its photos and review status",
        responses=serializers.IrregularitySerializer,
    )
    def get(self, request, pk, irregularity_pk):
        access = _mission(request, pk)
        irregularity = get_object_or_404(_irregularities(request, access), pk=irregularity_pk)
        return Response(serializers.IrregularitySerializer(irregularity).data)


# What photo_attach refuses that is not about the file itself.
PHOTO_STATE_REFUSALS = {"irregularity_reviewed", "too_many_photos"}


class IrregularityPhotoView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Add a photo (JPEG or PNG) as evidence of an irregularity",
        description=(
            "Sent as multipart/form-data with the file as `image`. The photo is drawn "
            "again from its pixels: its location, camera and time metadata are not stored. "
            "The same file sent again answers 200 with the photo stored the first time."
        ),
        request={"multipart/form-data": serializers.PhotoUploadSerializer},
        responses={
            201: serializers.PhotoSerializer,
            200: OpenApiResponse(
                serializers.PhotoSerializer, description="A retry: the photo stored already."
            ),
            400: serializers.ErrorSerializer,
            403: serializers.ErrorSerializer,
            409: serializers.ErrorSerializer,
            413: serializers.ErrorSerializer,
        },
    )
    def post(self, request, pk, irregularity_pk):
        access = _mission(request, pk, action="irregularity_submit")
        irregularity = get_object_or_404(_irregularities(request, access), pk=irregularity_pk)
        limit = photos.max_upload_size()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + MULTIPART_MARGIN:
            # Refused before the body is read: no worker spools a huge upload to disk.
            raise ApiError(
                photos.TOO_LARGE % {"limit": filesizeformat(limit)},
                code="too_large",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        incoming = serializers.PhotoUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            photo = services.photo_attach(
                irregularity, incoming.validated_data["image"], by=request.user
            )
        except MissionLockedError as error:
            raise ApiError(
                error.messages[0], code="mission_locked", status_code=status.HTTP_403_FORBIDDEN
            ) from None
        except ValidationError as error:
            if error.code in PHOTO_STATE_REFUSALS:
                raise ApiError(
                    error.messages[0], code=error.code, status_code=status.HTTP_409_CONFLICT
                ) from None
            raise invalid({"image": error.error_list}) from None
        return Response(
            serializers.PhotoSerializer(photo).data,
            status=status.HTTP_201_CREATED if photo.created else status.HTTP_200_OK,
        )
