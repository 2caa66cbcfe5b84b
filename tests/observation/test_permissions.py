"""Who may open what: every URL of the observation app, as every kind of user.

Anonymous users are sent to sign in; users who are not on the mission get 404
(its existence does not leak); members whose role is too low get 403; POST-only
actions answer GET with 405.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from observation.models import (
    Alert,
    AreaOutlines,
    Deployment,
    FindingsStatement,
    Irregularity,
    Job,
    MissionMembership,
)
from observation.urls import mission_patterns, urlpatterns
from tests import factories

# "locked" is a leader on a locked mission: reading goes on, changing is refused.
# An observer uses the API only: every page of the mission refuses them.
ROLES = ("anonymous", "stranger", "observer", "staff", "reviewer", "leader", "superuser", "locked")


def expect(
    anonymous=302,
    stranger=404,
    observer=403,
    staff=200,
    reviewer=200,
    leader=200,
    superuser=200,
    locked=None,
):
    locked = leader if locked is None else locked
    statuses = (anonymous, stranger, observer, staff, reviewer, leader, superuser, locked)
    return dict(zip(ROLES, statuses, strict=True))


MEMBERS = expect()
REVIEWERS = expect(staff=403)
# A POST of an empty form: members see the form again with its errors.
MEMBER_FORMS = expect(locked=403)
# The pages that change the mission's records refuse to open on a locked mission.
MEMBER_CHANGES = expect(locked=403)
REVIEWER_CHANGES = expect(staff=403, locked=403)
REVIEWER_ACTIONS = expect(staff=403, reviewer=302, leader=302, superuser=302, locked=403)
LEADER_ACTIONS = expect(staff=403, reviewer=403, leader=302, superuser=302, locked=403)
# require_POST answers before anything else is looked at, strangers included.
POST_ONLY = expect(stranger=405, observer=405, staff=405, reviewer=405, leader=405, superuser=405)

# (URL name, the objects its arguments name, method, POST data, expected status per role)
MATRIX = [
    ("mission_detail", (), "get", None, MEMBERS),
    ("mission_lock", (), "get", None, POST_ONLY),
    ("mission_lock", (), "post", {"reason": "Final report published."}, LEADER_ACTIONS),
    ("mission_unlock", (), "get", None, POST_ONLY),
    # Unlocking an open mission is refused by the mission itself, with a message.
    (
        "mission_unlock",
        (),
        "post",
        {"reason": "A correction to the final report."},
        expect(staff=403, reviewer=403, leader=302, superuser=302, locked=302),
    ),
    # Leaders manage who may read the mission, locked or not.
    ("membership_list", (), "get", None, expect(staff=403, reviewer=403)),
    ("membership_list", (), "post", {}, expect(staff=403, reviewer=403)),
    ("membership_invite", (), "get", None, POST_ONLY),
    # Inviting may create an account: refused on a locked mission.
    (
        "membership_invite",
        (),
        "post",
        {"invite-email": "invited@example.org", "invite-role": "staff"},
        LEADER_ACTIONS,
    ),
    ("observer_invite", (), "get", None, POST_ONLY),
    (
        "observer_invite",
        (),
        "post",
        {"observer-team": "unknown"},
        LEADER_ACTIONS,
    ),
    ("membership_token", ("observer_membership",), "get", None, POST_ONLY),
    # The key is shown on the page that answers.
    (
        "membership_token",
        ("observer_membership",),
        "post",
        {"token-name": "Phone", "token-expires_in": "30"},
        expect(staff=403, reviewer=403, leader=200, superuser=200, locked=403),
    ),
    ("membership_role", ("membership",), "get", None, POST_ONLY),
    (
        "membership_role",
        ("membership",),
        "post",
        {"role": "reviewer"},
        expect(staff=403, reviewer=403, leader=302, superuser=302, locked=302),
    ),
    ("membership_remove", ("membership",), "get", None, POST_ONLY),
    (
        "membership_remove",
        ("membership",),
        "post",
        {},
        expect(staff=403, reviewer=403, leader=302, superuser=302, locked=302),
    ),
    ("mission_summary", (), "get", None, MEMBERS),
    ("mission_summary_pdf", (), "get", None, MEMBERS),
    ("mission_public_summary", (), "get", None, MEMBERS),
    ("mission_public_summary_pdf", (), "get", None, MEMBERS),
    ("station_list", (), "get", None, MEMBERS),
    ("station_search", (), "get", None, MEMBERS),
    ("station_detail", ("station",), "get", None, MEMBERS),
    ("station_import", (), "get", None, MEMBER_CHANGES),
    ("station_import_confirm", (), "get", None, POST_ONLY),
    (
        "station_import_confirm",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("station_import_columns", (), "get", None, POST_ONLY),
    (
        "station_import_columns",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("station_import_template", ("csv",), "get", None, MEMBER_CHANGES),
    (
        "station_import_errors",
        (),
        "get",
        None,
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("station_import_template", ("xlsx",), "get", None, MEMBER_CHANGES),
    ("station_export", ("csv",), "get", None, MEMBERS),
    ("delegation_import", (), "get", None, MEMBER_CHANGES),
    ("delegation_import_confirm", (), "get", None, POST_ONLY),
    (
        "delegation_import_confirm",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("delegation_import_columns", (), "get", None, POST_ONLY),
    (
        "delegation_import_columns",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("delegation_import_template", ("csv",), "get", None, MEMBER_CHANGES),
    (
        "delegation_import_errors",
        (),
        "get",
        None,
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("delegation_import_template", ("xlsx",), "get", None, MEMBER_CHANGES),
    ("election_day", (), "get", None, expect(staff=302, reviewer=302, leader=302, superuser=302)),
    ("round_progress", ("round",), "get", None, MEMBERS),
    ("round_progress_json", ("round",), "get", None, MEMBERS),
    ("round_map", ("round",), "get", None, MEMBERS),
    ("round_map_json", ("round",), "get", None, MEMBERS),
    ("round_deployment", ("round",), "get", None, MEMBERS),
    ("round_deployment", ("round",), "post", {}, MEMBER_FORMS),
    ("deployment_remove", ("round", "deployment"), "get", None, POST_ONLY),
    (
        "deployment_remove",
        ("round", "deployment"),
        "post",
        {},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("outlines", (), "get", None, MEMBERS),
    ("outlines", (), "post", {}, MEMBER_FORMS),
    ("outlines_json", (), "get", None, MEMBERS),
    ("outlines_remove", (1,), "get", None, POST_ONLY),
    (
        "outlines_remove",
        (1,),
        "post",
        {},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("export_start", (), "get", None, POST_ONLY),
    (
        "export_start",
        (),
        "post",
        {"what": "stations", "query": ""},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=302),
    ),
    ("summary_pdf_start", (), "get", None, POST_ONLY),
    # Reading the summary goes on on a locked mission, its PDF too.
    (
        "summary_pdf_start",
        (),
        "post",
        {"unverified": "1"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=302),
    ),
    # Another member's job: its page and file are for the one who asked for it.
    *[
        (name, ("job",), "get", None, expect(staff=404, reviewer=404, leader=404, superuser=404))
        for name in ("job_detail", "job_json", "job_download")
    ],
    ("alerts", (), "get", None, MEMBERS),
    ("alert_acknowledge", ("alert",), "get", None, POST_ONLY),
    (
        "alert_acknowledge",
        ("alert",),
        "post",
        {},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("alert_email", (), "get", None, POST_ONLY),
    ("alert_email", (), "post", {"kinds": ["overvote"]}, LEADER_ACTIONS),
    ("round_deadlines", ("round",), "get", None, POST_ONLY),
    (
        "round_deadlines",
        ("round",),
        "post",
        {},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("deployment_import", (), "get", None, MEMBER_CHANGES),
    ("deployment_import_confirm", (), "get", None, POST_ONLY),
    (
        "deployment_import_confirm",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("deployment_import_columns", (), "get", None, POST_ONLY),
    (
        "deployment_import_columns",
        (),
        "post",
        {"token": "unknown"},
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("deployment_import_template", ("csv",), "get", None, MEMBER_CHANGES),
    (
        "deployment_import_errors",
        (),
        "get",
        None,
        expect(staff=302, reviewer=302, leader=302, superuser=302, locked=403),
    ),
    ("deployment_export", ("xlsx",), "get", None, MEMBERS),
    ("report_list", (), "get", None, MEMBERS),
    ("report_export", ("xlsx",), "get", None, MEMBERS),
    ("report_create", (), "get", None, MEMBER_CHANGES),
    ("report_create", (), "post", {}, MEMBER_FORMS),
    ("report_detail", ("report",), "get", None, MEMBERS),
    ("report_edit", ("report",), "get", None, MEMBER_CHANGES),
    ("report_edit", ("report",), "post", {}, MEMBER_FORMS),
    ("irregularity_list", (), "get", None, MEMBERS),
    ("irregularity_export", ("csv",), "get", None, MEMBERS),
    ("irregularity_create", (), "get", None, MEMBER_CHANGES),
    ("irregularity_create", (), "post", {}, MEMBER_FORMS),
    ("irregularity_detail", ("irregularity",), "get", None, MEMBERS),
    ("irregularity_photo", ("irregularity", "photo"), "get", None, MEMBERS),
    ("review_queue", (), "get", None, REVIEWERS),
    ("irregularity_review", ("irregularity",), "get", None, POST_ONLY),
    (
        "irregularity_review",
        ("irregularity",),
        "post",
        {"decision": "verify", "note": "Seen."},
        REVIEWER_ACTIONS,
    ),
    ("irregularity_reopen", ("decided",), "get", None, POST_ONLY),
    # Each user reopens a decision of their own (test_permission_matrix makes it theirs).
    (
        "irregularity_reopen",
        ("decided",),
        "post",
        {"reason": "Read the wrong station."},
        REVIEWER_ACTIONS,
    ),
    ("statement_list", (), "get", None, MEMBERS),
    ("statement_create", (), "get", None, REVIEWER_CHANGES),
    ("statement_create", (), "post", {}, REVIEWER_CHANGES),
    ("statement_detail", ("statement",), "get", None, MEMBERS),
    ("statement_edit", ("statement",), "get", None, REVIEWER_CHANGES),
    ("statement_edit", ("statement",), "post", {}, REVIEWER_CHANGES),
    ("statement_transition", ("statement", "submit"), "get", None, POST_ONLY),
    ("statement_transition", ("statement", "submit"), "post", {}, REVIEWER_ACTIONS),
    ("statement_transition", ("statement", "approve"), "post", {}, LEADER_ACTIONS),
    ("statement_transition", ("statement", "publish"), "post", {}, LEADER_ACTIONS),
    ("statement_transition", ("statement", "return"), "post", {"reason": "x"}, LEADER_ACTIONS),
    ("follow_up", (), "get", None, MEMBERS),
    ("follow_up_export", ("csv",), "get", None, MEMBERS),
    ("recommendation_assess", ("recommendation",), "get", None, REVIEWER_CHANGES),
    ("recommendation_assess", ("recommendation",), "post", {}, REVIEWER_CHANGES),
    ("checklist_list", (), "get", None, MEMBERS),
    ("checklist_detail", ("checklist",), "get", None, MEMBERS),
    ("checklist_download", ("checklist",), "get", None, MEMBERS),
    ("checklist_upload", (), "get", None, POST_ONLY),
    # An upload without a file: the leader sees the form again with its error.
    (
        "checklist_upload",
        (),
        "post",
        {},
        expect(staff=403, reviewer=403, leader=200, superuser=200, locked=403),
    ),
    ("checklist_apply", (), "get", None, POST_ONLY),
    # A preview that was never signed is refused.
    (
        "checklist_apply",
        (),
        "post",
        {"token": "forged"},
        expect(staff=403, reviewer=403, leader=400, superuser=400, locked=403),
    ),
    ("checklist_adopt", (), "get", None, POST_ONLY),
    ("checklist_adopt", (), "post", {}, LEADER_ACTIONS),
    ("question_retire", ("question",), "get", None, POST_ONLY),
    ("question_retire", ("question",), "post", {"retired": "1"}, LEADER_ACTIONS),
]


@pytest.fixture
def world(mission):
    report = factories.ObserverReportFactory(mission=mission)
    statement = factories.FindingsStatementFactory(mission=mission)
    checklist = factories.ChecklistFactory(mission=mission)
    return {
        "mission": mission,
        "report": report,
        "station": report.station,
        "round": report.round,
        "deployment": Deployment.objects.create(
            mission=mission,
            round=report.round,
            station=report.station,
            team=report.observer,
            phase="opening",
        ),
        "irregularity": factories.IrregularityFactory(
            mission=mission, round=report.round, station=report.station
        ),
        "decided": factories.IrregularityFactory(mission=mission),
        "outlines": AreaOutlines.objects.create(
            mission=mission,
            level=1,
            geojson={"type": "FeatureCollection", "features": []},
            name_property="name",
            features=0,
            matched=0,
        ),
        "job": Job.objects.create(
            mission=mission,
            kind=Job.Kind.EXPORT,
            title="Polling stations, Excel",
            params={"what": "stations", "query": "", "names_observers": True},
            requested_by=factories.UserFactory(),
        ),
        "alert": Alert.objects.create(
            mission=mission,
            kind=Alert.Kind.SILENT,
            round=report.round,
            team=report.observer,
            phase="opening",
        ),
        "statement": statement,
        "recommendation": factories.RecommendationFactory(statement=statement),
        "checklist": checklist,
        "question": factories.QuestionFactory(checklist=checklist),
        "membership": factories.MissionMembershipFactory(mission=mission),
        "observer_membership": factories.MissionMembershipFactory(
            mission=mission,
            role="observer",
            team=factories.DelegationMemberFactory(mission=mission),
        ),
    }


def _user(role, mission):
    if role == "anonymous":
        return None
    if role == "locked":
        mission.lock(by=factories.UserFactory())
        return factories.MissionMembershipFactory(mission=mission, role="leader").user
    if role == "superuser":
        return factories.UserFactory(is_superuser=True, is_staff=True)
    if role == "stranger":
        return factories.MissionMembershipFactory(role=MissionMembership.Role.LEADER).user
    if role == "observer":
        team = factories.DelegationMemberFactory(mission=mission)
        return factories.MissionMembershipFactory(mission=mission, role=role, team=team).user
    return factories.MissionMembershipFactory(mission=mission, role=role).user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "method", "data", "expected"),
    MATRIX,
    ids=[f"{row[2]}-{row[0]}-{'-'.join(map(str, row[1]))}" for row in MATRIX],
)
def test_permission_matrix(
    client, mission, world, role, name, args, method, data, expected, settings, tmp_path
):
    if "photo" in args:
        settings.MEDIA_ROOT = tmp_path
        world["photo"] = _photo(world["irregularity"])
    statement = world["statement"]
    if name == "statement_transition" and args[1] in {"approve", "return", "publish"}:
        statement.submit_for_review(by=factories.UserFactory())
    if name == "statement_transition" and args[1] == "publish":
        statement.approve(by=factories.UserFactory())
    resolved = [world[arg].pk if arg in world else arg for arg in args]
    url = reverse(f"observation:{name}", args=[mission.pk, *resolved])
    user = _user(role, mission)
    if user is not None:
        client.force_login(user)
    if name == "irregularity_reopen":
        # A reviewer reopens only their own decision: this one is the user's.
        Irregularity.objects.filter(pk=world["decided"].pk).update(
            status=Irregularity.Status.VERIFIED,
            reviewed_by=user or factories.UserFactory(),
            reviewed_at=timezone.now(),
        )

    response = getattr(client, method)(url, data or {})

    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if role == "locked" and response.status_code == 403:
        assert "is locked" in response.content.decode()
    # A redirect after a move must mean the move happened, and a refusal that it did not.
    if method == "post" and name in MOVES:
        moved = MOVES[name](world, user, *args[1:])
        assert moved == (expected[role] == 302 and role != "anonymous"), f"{role} {name} {args}"


AFTER_MOVE = {
    "submit": FindingsStatement.Status.IN_REVIEW,
    "approve": FindingsStatement.Status.APPROVED,
    "publish": FindingsStatement.Status.PUBLISHED,
    "return": FindingsStatement.Status.DRAFT,
}
MOVES = {
    "mission_lock": lambda world, user: (
        user is not None and _fresh(world["mission"]).locked_by_id == user.pk
    ),
    "irregularity_review": lambda world, user: (
        _fresh(world["irregularity"]).status == Irregularity.Status.VERIFIED
    ),
    "irregularity_reopen": lambda world, user: (
        _fresh(world["decided"]).status == Irregularity.Status.REPORTED
    ),
    "question_retire": lambda world, user: _fresh(world["question"]).retired,
    "membership_invite": lambda world, user: (
        world["mission"].memberships.filter(user__email="invited@example.org").exists()
    ),
    "membership_role": lambda world, user: (
        _fresh(world["membership"]).role == MissionMembership.Role.REVIEWER
    ),
    "membership_remove": lambda world, user: (
        not MissionMembership.objects.filter(pk=world["membership"].pk).exists()
    ),
    "statement_transition": lambda world, user, action: (
        _fresh(world["statement"]).status == AFTER_MOVE[action]
    ),
}


def _photo(irregularity):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from observation import services
    from tests.api.photos import phone_jpeg

    return services.photo_attach(
        irregularity, SimpleUploadedFile("p.jpg", phone_jpeg()), by=factories.UserFactory()
    )


def _fresh(obj):
    obj.refresh_from_db()
    return obj


def test_every_observation_url_is_in_the_matrix():
    names = {p.name for p in [*mission_patterns, *urlpatterns] if getattr(p, "name", None)}
    covered = {row[0] for row in MATRIX} | {"mission_list"}
    assert names == covered


def test_mission_list_shows_only_the_users_missions(client, mission, staff):
    other = factories.MissionFactory()
    client.force_login(staff)
    missions = list(client.get(reverse("observation:mission_list")).context["missions"])
    assert missions == [mission]
    assert other not in missions


def test_templates_ask_only_for_actions_of_the_policy_table():
    from pathlib import Path

    from django.conf import settings

    from observation.access import POLICY

    asked = set()
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        asked |= set(re.findall(r"access\.can\.(\w+)", template.read_text()))
    assert asked
    assert asked <= set(POLICY)
