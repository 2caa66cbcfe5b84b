"""Election day's alerts: what needs a decision from the mission's core team.

An alert is raised where what causes it is saved: the services that store reports and
irregularities call `raise_for` (the web form, the admin, the API, ODK intake and
imports all go through them); a team silent past its phase's deadline is found by
`raise_silent`, which the alerts page, the progress page's updates and the
`raise_alerts` command run. Each is raised once, whoever raises it at the same moment
(the database's unique constraints decide), and e-mailed to the core team after the
transaction commits (by the task worker), for the kinds the mission's leaders chose.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from observation.models import (
    Alert,
    Answer,
    Deployment,
    Irregularity,
    IrregularityCategory,
    Mission,
    MissionMembership,
    ObserverReport,
    PhaseDeadline,
)

Kind = Alert.Kind
Role = MissionMembership.Role
# Who an alert is e-mailed to: everyone who sees the alerts page.
CORE_TEAM_ROLES = (Role.STAFF, Role.REVIEWER, Role.LEADER)
# A deadline passed longer ago than this is an earlier election day's: its silent teams
# are history, not news.
SILENT_WINDOW = datetime.timedelta(days=1)


def raise_for(*, irregularities=None, reports=None) -> list[Alert]:
    """Raise the alerts that these irregularities and reports (querysets) call for and
    that were not raised yet: an overvote or a serious irregularity not superseded; a
    report with a concerning answer to a question marked urgent."""
    raised = []
    if irregularities is not None:
        pending = (
            irregularities.filter(
                severity=Irregularity.Severity.SERIOUS, superseded_at__isnull=True
            )
            # An urgent question's concern raises its report's alert: one is enough.
            .exclude(question__urgent=True)
            .exclude(Exists(Alert.objects.filter(irregularity=OuterRef("pk"))))
            .select_related("category")
        )
        for irregularity in pending:
            overvote = irregularity.category.code == IrregularityCategory.OVERVOTE
            alert = Alert(
                mission_id=irregularity.mission_id,
                kind=Kind.OVERVOTE if overvote else Kind.SERIOUS,
                irregularity=irregularity,
                round_id=irregularity.round_id,
            )
            raised += _raise(alert)
    if reports is not None:
        urgent = Answer.objects.filter(report=OuterRef("pk"), concern=True, question__urgent=True)
        pending = reports.filter(Exists(urgent)).exclude(
            Exists(Alert.objects.filter(report=OuterRef("pk"), kind=Kind.URGENT))
        )
        for report in pending.only("pk", "mission_id", "round_id"):
            alert = Alert(
                mission_id=report.mission_id,
                kind=Kind.URGENT,
                report=report,
                round_id=report.round_id,
            )
            raised += _raise(alert)
    _email_on_commit(raised)
    return raised


def raise_silent(*, missions=None, at=None) -> list[Alert]:
    """Raise an alert for each team that has sent no report of a phase from any of the
    stations it is deployed at, once that phase's deadline has passed (within the last
    SILENT_WINDOW). Of `missions` (a queryset), else of every unlocked mission."""
    at = at or timezone.now()
    passed = PhaseDeadline.objects.filter(
        round=OuterRef("round"),
        phase=OuterRef("phase"),
        due_at__lte=at,
        due_at__gt=at - SILENT_WINDOW,
    )
    raised_already = Alert.objects.filter(
        kind=Kind.SILENT, round=OuterRef("round"), team=OuterRef("team"), phase=OuterRef("phase")
    )
    reported = ObserverReport.objects.filter(
        round=OuterRef("round"), station=OuterRef("station"), phase=OuterRef("phase")
    )
    deployments = Deployment.objects.filter(
        Exists(passed), ~Exists(raised_already), mission__locked_at__isnull=True
    )
    if missions is not None:
        deployments = deployments.filter(mission__in=missions)
    silent = (
        deployments.values("mission", "round", "team", "phase")
        .annotate(reported=Count("pk", filter=Q(Exists(reported))))
        .filter(reported=0)
        .order_by("mission", "round", "phase", "team")
    )
    raised = []
    for row in silent:
        alert = Alert(
            mission_id=row["mission"],
            kind=Kind.SILENT,
            round_id=row["round"],
            team_id=row["team"],
            phase=row["phase"],
        )
        raised += _raise(alert)
    _email_on_commit(raised)
    return raised


def _raise(alert: Alert) -> list[Alert]:
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        # Raised meanwhile by another request: once is enough. Any other refusal stands.
        if not _raised_already(alert).exists():
            raise
        return []
    return [alert]


def _raised_already(alert: Alert):
    if alert.irregularity_id:
        return Alert.objects.filter(irregularity_id=alert.irregularity_id)
    if alert.kind == Kind.URGENT:
        return Alert.objects.filter(report_id=alert.report_id, kind=Kind.URGENT)
    return Alert.objects.filter(
        kind=Kind.SILENT, round_id=alert.round_id, team_id=alert.team_id, phase=alert.phase
    )


def feed(mission: Mission):
    """The mission's alerts with what the page and the e-mails say of each, in a constant
    number of queries."""
    urgent_answers = Answer.objects.filter(concern=True, question__urgent=True).select_related(
        "question__checklist"
    )
    return (
        Alert.objects.filter(mission=mission)
        .select_related(
            "irregularity__category",
            "irregularity__station",
            "report__station",
            "round",
            "team__person",
            "acknowledged_by",
        )
        .prefetch_related(
            Prefetch("report__answers", queryset=urgent_answers, to_attr="urgent_answers")
        )
    )


def _email_on_commit(alerts: list[Alert]) -> None:
    from observation import tasks

    if not alerts:
        return
    kinds = dict(
        Mission.objects.filter(pk__in={alert.mission_id for alert in alerts}).values_list(
            "pk", "alert_email_kinds"
        )
    )
    chosen = [alert.pk for alert in alerts if alert.kind in kinds[alert.mission_id]]
    if chosen:
        # After the commit: an alert rolled back with its report was never raised. Sent by
        # the task worker: intake never waits on a mail server.
        transaction.on_commit(lambda: tasks.email_alerts.enqueue(chosen), robust=True)


def email(pks: list[int]) -> int:
    """E-mail each member of the core team of each mission the alerts of the kinds its
    leaders chose: one message a person (no one sees the others' addresses), in their
    language, times in the mission's zone. Returns how many messages were sent."""
    alerts = list(
        Alert.objects.filter(pk__in=pks).select_related("mission").order_by("raised_at", "pk")
    )
    by_mission = {}
    for alert in alerts:
        if alert.kind in alert.mission.alert_email_kinds:
            by_mission.setdefault(alert.mission, []).append(alert.pk)
    messages = []
    for mission, chosen in by_mission.items():
        context = {
            "mission": mission,
            "alerts": list(feed(mission).filter(pk__in=chosen).order_by("raised_at", "pk")),
            "link": settings.SITE_URL + reverse("observation:alerts", args=[mission.pk]),
            "names_observers": not mission.observer_names_for_leaders_only,
        }
        members = (
            MissionMembership.objects.filter(
                mission=mission, role__in=CORE_TEAM_ROLES, user__is_active=True
            )
            .exclude(user__email="")
            .select_related("user")
            .annotate(language=F("user__preferences__language"))
        )
        for member in members:
            language = member.language or settings.LANGUAGE_CODE
            with translation.override(language), timezone.override(mission.zone):
                subject = render_to_string("observation/email/alerts_subject.txt", context)
                body = render_to_string("observation/email/alerts.txt", context)
            messages.append(EmailMessage(subject.strip(), body, None, [member.user.email]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
