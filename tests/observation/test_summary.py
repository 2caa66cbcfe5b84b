import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from observation.models import (
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    ObserverReport,
    Recommendation,
    RecommendationAssessment,
)
from observation.summary import build_summary
from tests import factories
from tests.factories import category

Assessment = ObserverReport.Assessment
Phase = ObserverReport.Phase
Severity = Irregularity.Severity

OBSERVER_NAME = "Olga Observadora"
REVIEW_NOTE = "Confirmed by two teams at the count"
UNVERIFIED_DESCRIPTION = "Rumour that the station opened two hours late"
DRAFT_TITLE = "Call to postpone the runoff"


@pytest.fixture
def peru(mission, leader):
    """A mission whose every figure is known: see each test for the hand count.

    Stations (registered voters): L1 300 and L2 200 in Lima, C1 100 and C2 400
    in Cusco, P1 250 in Piura (never visited). Six reports in the first round;
    L2 (250 cast) and C1 (130 cast) are overvotes.
    """
    mission.name = "Peru 2000 general elections"
    mission.save()
    factories.MissionPartnerFactory(
        mission=mission, organization=factories.OrganizationFactory(name="NDI")
    )
    factories.DelegationMemberFactory(
        mission=mission,
        person=factories.PersonFactory(full_name="Jimmy Carter"),
        role=DelegationMember.Role.LEADER,
    )
    olga = factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name=OBSERVER_NAME)
    )
    factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Pablo Paredes")
    )
    first = factories.ElectionRoundFactory(mission=mission)
    factories.ElectionRoundFactory(
        mission=mission,
        kind=ElectionRound.Kind.RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="Fundamental flaws were not rectified.",
    )

    def station(code, area, voters):
        return factories.PollingStationFactory(
            mission=mission,
            code=code,
            name=f"Escuela {code}",
            area_1=area,
            registered_voters=voters,
        )

    l1, l2 = station("L1", "Lima", 300), station("L2", "Lima", 200)
    c1, c2 = station("C1", "Cusco", 100), station("C2", "Cusco", 400)
    station("P1", "Piura", 250)

    def report(where, phase, assessment, ballots):
        return factories.ObserverReportFactory(
            mission=mission,
            round=first,
            station=where,
            observer=olga,
            phase=phase,
            assessment=assessment,
            ballots_cast=ballots,
            saved_by=leader,
        )

    report(l1, Phase.OPENING, Assessment.VERY_GOOD, None)
    report(l1, Phase.VOTING, Assessment.GOOD, 120)
    l2_voting = report(l2, Phase.VOTING, Assessment.BAD, 250)
    report(c1, Phase.VOTING, Assessment.VERY_BAD, 130)
    report(c1, Phase.CLOSING, Assessment.GOOD, 90)
    report(c2, Phase.COUNTING, "", 300)

    Irregularity.objects.get(report=l2_voting).verify(by=leader)

    def irregularity(code, severity, where, description="Seen by the team."):
        return factories.IrregularityFactory(
            mission=mission,
            round=first,
            station=where,
            category=category(code),
            severity=severity,
            description=description,
        )

    irregularity("pre_marked_ballots", Severity.SERIOUS, l1).verify(by=leader, note=REVIEW_NOTE)
    irregularity("pre_marked_ballots", Severity.MINOR, c1).verify(by=leader)
    irregularity("intimidation", Severity.SIGNIFICANT, None).verify(by=leader)
    irregularity("late_opening", Severity.MINOR, l1, UNVERIFIED_DESCRIPTION)
    irregularity("vote_buying", Severity.SERIOUS, c2).dismiss(by=leader, note="No evidence.")
    superseded = irregularity("pre_marked_ballots", Severity.SIGNIFICANT, l2)
    superseded.verify(by=leader)
    Irregularity.objects.filter(pk=superseded.pk).update(
        superseded_at=datetime.datetime.now(datetime.UTC)
    )

    published = factories.FindingsStatementFactory(
        mission=mission,
        kind=FindingsStatement.Kind.PRE_ELECTION,
        title="Pre-election assessment",
        issued_on=datetime.date(2000, 3, 20),
    )
    independence = factories.RecommendationFactory(
        statement=published,
        addressee=Recommendation.Addressee.GOVERNMENT,
        text="Restore the independence of the electoral bodies.",
        priority=Recommendation.Priority.HIGH,
    )
    RecommendationAssessment.objects.create(
        recommendation=independence,
        mission=mission,
        status=RecommendationAssessment.Status.PARTIALLY,
        assessed_on=datetime.date(2000, 3, 25),
    )
    factories.RecommendationFactory(
        statement=published,
        addressee=Recommendation.Addressee.LEGISLATURE,
        text="Repeal the re-election law.",
        priority=Recommendation.Priority.LOW,
    )
    published.submit_for_review(by=leader)
    published.approve(by=leader)
    published.publish(by=leader)
    draft = factories.FindingsStatementFactory(
        mission=mission,
        kind=FindingsStatement.Kind.PRESS,
        title=DRAFT_TITLE,
        issued_on=datetime.date(2000, 5, 10),
    )
    factories.RecommendationFactory(
        statement=draft,
        addressee=Recommendation.Addressee.ELECTION_AUTHORITY,
        text="Postpone the runoff until the computing system is audited.",
        priority=Recommendation.Priority.MEDIUM,
    )
    in_review = factories.FindingsStatementFactory(
        mission=mission,
        kind=FindingsStatement.Kind.PRELIMINARY,
        title="Preliminary statement on the first round",
        issued_on=datetime.date(2000, 4, 10),
    )
    in_review.submit_for_review(by=leader)
    return mission


def _severities(row):
    return [row.verified[s] for s in Severity.values], [row.unverified[s] for s in Severity.values]


def test_summary_facts_delegation_and_rounds(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=False)

    assert [str(p.organization) for p in summary.partners] == ["NDI"]
    assert [m.person.full_name for m in summary.delegation] == [
        "Jimmy Carter",
        OBSERVER_NAME,
        "Pablo Paredes",
    ]
    assert summary.delegation_by_role == [("Leader", 1), ("Short-term observer", 2)]
    assert [(r.kind, r.observed, r.report_count) for r in summary.rounds] == [
        (ElectionRound.Kind.FIRST_ROUND, True, 6),
        (ElectionRound.Kind.RUNOFF, False, 0),
    ]
    assert summary.rounds[1].not_observed_reason == "Fundamental flaws were not rectified."


def test_summary_coverage_overall_and_per_department(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=False)

    # L1, L2, C1 and C2 have reports in the first round; P1 has none. The runoff was
    # not observed and has no reports: no figure is given for it.
    [first] = summary.coverage
    assert first.round.kind == ElectionRound.Kind.FIRST_ROUND
    assert (first.coverage.visited, first.coverage.listed) == (4, 5)
    assert first.coverage.percent == 80
    assert summary.area_label == "Department"
    assert [(a.area, a.visited, a.listed, a.percent) for a in first.by_area] == [
        ("Cusco", 2, 2, 100),
        ("Lima", 2, 2, 100),
        ("Piura", 0, 1, 0),
    ]
    assert summary.report_count == 6


def test_summary_assessment_distribution_per_phase(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=False)

    # Stations, each with one report a phase here. Columns: very good, good, bad, very
    # bad; then not assessed and stations observed.
    [first] = summary.assessments
    assert [(p.phase, p.by_assessment, p.unassessed, p.total) for p in first.phases] == [
        (Phase.OPENING, [1, 0, 0, 0], 0, 1),
        (Phase.VOTING, [0, 1, 1, 1], 0, 3),
        (Phase.CLOSING, [0, 1, 0, 0], 0, 1),
        (Phase.COUNTING, [0, 0, 0, 0], 1, 1),
    ]
    voting = first.phases[1]
    # Two of the three voting stations bad or very bad: 66.7 %, Wilson 20.8 to 93.9 %.
    assert (voting.bad, voting.bad_percent) == (2, Decimal("66.7"))
    assert voting.bad_interval == (Decimal("20.8"), Decimal("93.9"))
    assert [(s.x, round(s.width, 2)) for s in voting.segments] == [
        (0.0, 0.0),
        (0.0, 33.33),
        (pytest.approx(33.33, abs=0.01), 33.33),
        (pytest.approx(66.67, abs=0.01), 33.33),
    ]


def test_summary_headline_figures_per_round_with_denominators_and_intervals(client, peru, leader):
    summary = build_summary(mission=peru, public=True, include_unverified=False)

    # First round: L1, L2, C1 and C2 observed. Voting assessed at L1 (good), L2 (bad) and
    # C1 (very bad); counting only at C2, unassessed. L2's overvote is verified, C1's is
    # not. Verified serious irregularities: pre-marked ballots at L1 and L2's overvote
    # (an overvote is serious); C2's was dismissed.
    [first] = summary.headlines
    assert [(h.part, h.whole, h.percent, h.interval) for h in first.headlines] == [
        (2, 3, Decimal("66.7"), (Decimal("20.8"), Decimal("93.9"))),
        (1, 4, Decimal("25.0"), (Decimal("4.6"), Decimal("69.9"))),
        (2, 4, Decimal("50.0"), (Decimal("15.0"), Decimal("85.0"))),
    ]
    client.force_login(leader)
    page = client.get(reverse("observation:mission_public_summary", args=[peru.pk]))
    assert (
        "Voting assessed bad or very bad: 66.7 % of 3 (2); 95 % interval 20.8\N{EN DASH}93.9 %."
        in page.content.decode()
    )


def test_summary_counts_verified_standing_irregularities_by_category_and_severity(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=False)

    # Verified and standing: pre-marked serious (L1) and minor (C1), national
    # intimidation (significant), the L2 overvote (serious). Not counted: the
    # superseded pre-marked at L2, the dismissed vote buying, the unreviewed
    # late opening and C1 overvote.
    [first] = summary.irregularities
    assert first.round.kind == ElectionRound.Kind.FIRST_ROUND
    assert [(row.category, *_severities(row)) for row in first.categories] == [
        ("Pre-marked ballots", [1, 0, 1], [0, 0, 0]),
        ("Intimidation by police or military", [0, 1, 0], [0, 0, 0]),
        ("More ballots cast than registered voters", [0, 0, 1], [0, 0, 0]),
    ]
    assert [row.verified_total for row in first.categories] == [2, 1, 1]
    totals = first.totals
    assert _severities(totals) == ([1, 1, 2], [0, 0, 0])
    assert (totals.verified_total, totals.unverified_total) == (4, 0)
    assert [(i.category.code, i.station.code) for i in summary.serious_irregularities] == [
        ("pre_marked_ballots", "L1"),
        ("overvote", "L2"),
    ]
    assert not summary.more_serious_irregularities


def test_irregularities_are_counted_per_election_day(peru, leader):
    runoff = ElectionRound.objects.get(mission=peru, kind=ElectionRound.Kind.RUNOFF)
    factories.IrregularityFactory(
        mission=peru, round=runoff, category=category("intimidation"), severity=Severity.SERIOUS
    ).verify(by=leader)
    factories.IrregularityFactory(
        mission=peru, round=None, category=category("observers_obstructed"), severity=Severity.MINOR
    ).verify(by=leader)

    summary = build_summary(mission=peru, public=True, include_unverified=False)

    assert [
        (
            day.round and day.round.kind,
            [row.category for row in day.categories],
            day.totals.verified_total,
        )
        for day in summary.irregularities
    ] == [
        (
            ElectionRound.Kind.FIRST_ROUND,
            [
                "Pre-marked ballots",
                "Intimidation by police or military",
                "More ballots cast than registered voters",
            ],
            4,
        ),
        (ElectionRound.Kind.RUNOFF, ["Intimidation by police or military"], 1),
        (None, ["Observers obstructed"], 1),
    ]


def test_summary_with_unverified_adds_them_apart(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=True)

    [first] = summary.irregularities
    assert [(row.category, *_severities(row)) for row in first.categories] == [
        ("Pre-marked ballots", [1, 0, 1], [0, 0, 0]),
        ("Intimidation by police or military", [0, 1, 0], [0, 0, 0]),
        ("More ballots cast than registered voters", [0, 0, 1], [0, 0, 1]),
        ("Late opening", [0, 0, 0], [1, 0, 0]),
    ]
    totals = first.totals
    assert _severities(totals) == ([1, 1, 2], [1, 0, 1])
    assert (totals.verified_total, totals.unverified_total) == (4, 2)
    assert [
        (i.category.code, i.station.code, i.is_verified) for i in summary.serious_irregularities
    ] == [("pre_marked_ballots", "L1", True), ("overvote", "C1", False), ("overvote", "L2", True)]
    # Largest bar: pre-marked, 2 verified; the overvote bar is half as long.
    bars = {row.category: segments for row, segments in first.bars}
    assert [s.width for s in bars["Pre-marked ballots"]] == [50.0, 0.0, 50.0]
    assert [s.width for s in bars["More ballots cast than registered voters"]] == [0.0, 0.0, 50.0]


def test_summary_lists_overvote_stations_with_excess(peru):
    verified_only = build_summary(mission=peru, public=False, include_unverified=False)
    with_unverified = build_summary(mission=peru, public=False, include_unverified=True)

    def rows(summary):
        return [
            (o.code, o.registered_voters, o.ballots_cast, o.excess, o.verified)
            for o in summary.overvotes
        ]

    assert rows(verified_only) == [("L2", 200, 250, 50, True)]
    assert rows(with_unverified) == [("L2", 200, 250, 50, True), ("C1", 100, 130, 30, False)]
    assert with_unverified.overvotes[0].round == "First round"


def test_summary_statements_in_date_order_and_recommendations(peru):
    summary = build_summary(mission=peru, public=False, include_unverified=False)

    assert [(s.title, s.status, s.recommendation_count) for s in summary.statements] == [
        ("Pre-election assessment", FindingsStatement.Status.PUBLISHED, 2),
        ("Preliminary statement on the first round", FindingsStatement.Status.IN_REVIEW, 0),
        (DRAFT_TITLE, FindingsStatement.Status.DRAFT, 1),
    ]
    assert [(r.addressee, r.priority, r.follow_up) for r in summary.recommendations] == [
        (
            Recommendation.Addressee.GOVERNMENT,
            Recommendation.Priority.HIGH,
            RecommendationAssessment.Status.PARTIALLY,
        ),
        (Recommendation.Addressee.LEGISLATURE, Recommendation.Priority.LOW, None),
        (Recommendation.Addressee.ELECTION_AUTHORITY, Recommendation.Priority.MEDIUM, None),
    ]


def test_public_summary_keeps_published_and_verified_material_only(peru):
    summary = build_summary(mission=peru, public=True, include_unverified=True)

    assert not summary.include_unverified
    assert [m.person.full_name for m in summary.delegation] == ["Jimmy Carter"]
    assert summary.delegation_by_role == [("Leader", 1), ("Short-term observer", 2)]
    assert [s.title for s in summary.statements] == ["Pre-election assessment"]
    assert len(summary.recommendations) == 2
    [first] = summary.irregularities
    assert (first.totals.verified_total, first.totals.unverified_total) == (4, 0)
    assert [o.code for o in summary.overvotes] == ["L2"]


def test_summary_page_shows_the_figures(client, peru, leader):
    client.force_login(leader)

    response = client.get(reverse("observation:mission_summary", args=[peru.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "4 of 5 polling stations visited (80.0 %), in 6 observer reports." in html
    assert "<svg" in html
    assert 'style="' not in html
    assert OBSERVER_NAME in html
    assert REVIEW_NOTE in html
    assert DRAFT_TITLE in html
    assert UNVERIFIED_DESCRIPTION not in html
    assert "Unverified" not in html.replace("Include unverified", "")


def test_summary_page_with_the_switch_marks_unverified_irregularities(client, peru, leader):
    client.force_login(leader)

    response = client.get(reverse("observation:mission_summary", args=[peru.pk]), {"unverified": 1})

    html = response.content.decode()
    assert "must not be quoted as findings" in html
    assert "C1 — Escuela C1" in html
    assert html.count('class="badge text-bg-warning unverified"') == 2  # C1 overvote, twice


def test_public_summary_leaks_nothing_internal(client, peru, staff):
    client.force_login(staff)

    response = client.get(
        reverse("observation:mission_public_summary", args=[peru.pk]), {"unverified": 1}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Jimmy Carter" in html
    assert "Pre-election assessment" in html
    for secret in (UNVERIFIED_DESCRIPTION, DRAFT_TITLE, REVIEW_NOTE, OBSERVER_NAME, "C1 — "):
        assert secret not in html


def _pdf_text(response) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_summary_pdf_holds_the_mission_name_and_key_figures(client, peru, leader):
    client.force_login(leader)

    response = client.get(reverse("observation:mission_summary_pdf", args=[peru.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "peru-2000-general-elections-members-summary.pdf" in response["Content-Disposition"]
    text, _ = _pdf_text(response)
    assert "Peru 2000 general elections" in text
    assert "4 of 5 polling stations visited (80.0 %)" in text
    assert "Escuela L2" in text
    assert "1 / " in text  # the page number in the margin


def test_public_summary_pdf_leaks_nothing_internal(client, peru, staff):
    client.force_login(staff)

    response = client.get(reverse("observation:mission_public_summary_pdf", args=[peru.pk]))

    assert response.content.startswith(b"%PDF")
    text, _ = _pdf_text(response)
    assert "Peru 2000 general elections" in text
    for secret in (DRAFT_TITLE, REVIEW_NOTE, OBSERVER_NAME):
        assert secret not in text


def _grow(mission, *, stations, reviewer):
    """Add stations in as many departments, each visited once and with one irregularity."""
    first = mission.rounds.first() or factories.ElectionRoundFactory(mission=mission)
    for n in range(stations):
        where = factories.PollingStationFactory(mission=mission, area_1=f"Department {n:03d}")
        report = factories.ObserverReportFactory(mission=mission, round=first, station=where)
        irregularity = factories.IrregularityFactory(
            mission=mission, round=first, station=where, report=report
        )
        irregularity.verify(by=reviewer)


def test_large_summary_pdf_runs_to_several_pages(client, mission, leader):
    _grow(mission, stations=80, reviewer=leader)
    client.force_login(leader)

    response = client.get(reverse("observation:mission_summary_pdf", args=[mission.pk]))

    text, pages = _pdf_text(response)
    assert pages > 1
    assert f"{pages} / {pages}" in text
    assert text.count(mission.name) >= pages  # the running title on every page


@pytest.mark.parametrize(
    "name",
    [
        "mission_summary",
        "mission_summary_pdf",
        "mission_public_summary",
        "mission_public_summary_pdf",
    ],
)
def test_summary_is_for_members_only(client, mission, stranger, name):
    client.force_login(stranger)

    response = client.get(reverse(f"observation:{name}", args=[mission.pk]))

    assert response.status_code == 404


def test_summary_asks_anonymous_users_to_sign_in(client, mission):
    response = client.get(reverse("observation:mission_summary", args=[mission.pk]))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_mission_home_links_to_the_summary_and_its_pdf(client, mission, staff):
    client.force_login(staff)

    response = client.get(reverse("observation:mission_detail", args=[mission.pk]))

    assert reverse("observation:mission_summary", args=[mission.pk]) in response.content.decode()
    assert (
        reverse("observation:mission_summary_pdf", args=[mission.pk]) in response.content.decode()
    )


# Queries for one summary page: session, user, mission with role (mission_for);
# then partners, delegation, delegation by role, rounds, coverage overall,
# coverage by area, report count, stations by phase, their latest assessments (and by
# area, for voting and counting), irregularities by
# category, irregularity totals, irregularities by area, serious irregularities,
# overvote stations,
# stations with a verified serious irregularity by round (the headline figures),
# statements, recommendations; the checklist's questions, and its results by round
# and by area.
SUMMARY_QUERIES = 24


@pytest.mark.parametrize(
    ("name", "unverified"),
    [("mission_summary", ""), ("mission_summary", "1"), ("mission_public_summary", "")],
)
def test_summary_query_count_does_not_grow_with_the_mission(
    client, peru, leader, django_assert_num_queries, name, unverified
):
    client.force_login(leader)
    url = reverse(f"observation:{name}", args=[peru.pk])

    with django_assert_num_queries(SUMMARY_QUERIES):
        client.get(url, {"unverified": unverified})
    _grow(peru, stations=30, reviewer=leader)
    with django_assert_num_queries(SUMMARY_QUERIES):
        client.get(url, {"unverified": unverified})


def test_build_summary_query_count_is_fixed(peru, leader):
    with CaptureQueriesContext(connection) as small:
        build_summary(mission=peru, public=False, include_unverified=True)
    _grow(peru, stations=30, reviewer=leader)
    with CaptureQueriesContext(connection) as large:
        build_summary(mission=peru, public=False, include_unverified=True)

    assert len(small) == len(large) == SUMMARY_QUERIES - 3
