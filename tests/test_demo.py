import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from dialogues.models import DialogueForum
from observation import demo
from observation.models import (
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    Mission,
    MissionMembership,
    ObserverReport,
    PublishedStatementError,
)


def _row_counts():
    """Rows of every model, history tables included: any save adds a history row."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _models_of(*app_labels):
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.model_name.startswith("historical"):
                yield model


def test_load_demo_refused_without_debug_and_nothing_saved(db, settings):
    settings.DEBUG = False
    before = _row_counts()

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")

    assert _row_counts() == before


def test_load_demo_keeps_the_password_of_an_existing_user(db, settings):
    settings.DEBUG = True
    get_user_model().objects.create_user("reviewer", password="their-own")

    call_command("load_demo")

    assert get_user_model().objects.get(username="reviewer").check_password("their-own")


@pytest.fixture(scope="class")
def loaded_once(django_db_setup, django_db_blocker):
    """One load for a test class (it takes a few seconds), rolled back afterwards.

    Each test runs in a savepoint inside it. Forced, as DEBUG is off in tests.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", force=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("loaded_once")
class TestLoadedDemo:
    def test_load_demo_twice_changes_nothing(self, settings, capsys):
        before = _row_counts()
        settings.DEBUG = True

        call_command("load_demo")

        assert _row_counts() == before
        assert "password 'observa-demo'" in capsys.readouterr().out

    def test_everything_loaded_passes_full_clean(self):
        checked = 0
        for model in [*_models_of("observation", "dialogues"), get_user_model()]:
            for row in model._default_manager.all():
                try:
                    row.full_clean()
                except ValidationError as error:
                    # A published statement refuses any change by design, valid or not:
                    # that refusal must be the only complaint.
                    assert isinstance(row, FindingsStatement) and row.is_published, error
                    assert error.messages == PublishedStatementError().messages
                checked += 1
        assert checked > 300

    def test_runoff_of_28_may_2000_was_not_observed_with_the_reason(self):
        runoff = ElectionRound.objects.get(
            mission__name=demo.PERU_2000, election_day=datetime.date(2000, 5, 28)
        )

        assert runoff.kind == ElectionRound.Kind.RUNOFF
        assert not runoff.observed
        assert runoff.not_observed_reason == (
            "Fundamental flaws were not rectified and Toledo withdrew from the runoff."
        )
        first = ElectionRound.objects.get(
            mission=runoff.mission, kind=ElectionRound.Kind.FIRST_ROUND
        )
        assert first.election_day == datetime.date(2000, 4, 9)
        assert first.observed

    def test_peru_2000_statements_and_recommendations_from_the_text(self):
        statements = FindingsStatement.objects.filter(mission__name=demo.PERU_2000)

        assert statements.published().count() == statements.count() == 5
        pre_election = statements.get(kind=FindingsStatement.Kind.PRE_ELECTION)
        assert "fell far below international standards" in pre_election.body
        assert demo.ILLUSTRATIVE_STATEMENT in pre_election.body
        appeal = statements.get(title="Appeal to postpone the elections")
        assert appeal.kind == FindingsStatement.Kind.PRESS
        post_election = statements.get(kind=FindingsStatement.Kind.POST_ELECTION)
        assert post_election.issued_on.month == 7
        assert list(post_election.recommendations.values_list("text", flat=True)) == [
            "Shorten President Fujimori's term.",
            "Hold new elections.",
        ]

    def test_peru_2000_national_irregularities_name_every_flaw_of_the_text(self):
        national = Irregularity.objects.filter(mission__name=demo.PERU_2000, station__isnull=True)

        assert set(national.values_list("category__code", flat=True)) == {
            "pre_marked_ballots",
            "candidate_missing",
            "intimidation",
            "tabulation_delay",
        }
        cited = FindingsStatement.objects.get(
            mission__name=demo.PERU_2000, kind=FindingsStatement.Kind.PRELIMINARY
        ).cited_irregularities
        assert set(cited.all()) == set(national)

    def test_peru_2001_rounds_findings_and_progress(self):
        mission = Mission.objects.get(name=demo.PERU_2001)

        assert list(mission.rounds.values_list("election_day", "observed")) == [
            (datetime.date(2001, 4, 8), True),
            (datetime.date(2001, 6, 3), True),
        ]
        assert set(mission.irregularities.values_list("category__code", flat=True)) == {
            "late_opening",
            "station_not_opened",
        }
        assert mission.statements.filter(body__contains="remarkable progress").exists()

    def test_2016_study_mission_has_four_delegation_members_with_titles(self):
        mission = Mission.objects.get(name=demo.PERU_2016)

        assert mission.kind == Mission.Kind.STUDY
        # Studied, not observed.
        assert list(mission.rounds.values_list("election_day", "observed")) == [
            (datetime.date(2016, 4, 10), False),
            (datetime.date(2016, 6, 5), False),
        ]
        members = {
            member.person.full_name: (str(member.person.nationality), member.person.title)
            for member in mission.delegation.select_related("person")
        }
        assert members == {
            "Salvador Romero Ballivián": ("BO", "former president of the National Electoral Court"),
            "David Scott Palmer": ("US", "professor at Boston University"),
            "Simón Pachano": ("EC", "professor at the Latin American Social Science Faculty"),
            "Jennie Lincoln": ("US", "director of the Carter Center's Americas Program"),
        }

    def test_andean_forum_has_six_countries_four_objectives_and_four_sessions(self):
        forum = DialogueForum.objects.get(name="Andean-U.S. Dialogue Forum")

        assert sorted(str(c.country) for c in forum.countries.all()) == [
            "BO",
            "CO",
            "EC",
            "PE",
            "US",
            "VE",
        ]
        assert forum.planned_months == 18
        assert forum.objectives.count() == 4
        assert list(forum.sessions.values_list("city", "date")) == [
            ("Atlanta", None),
            ("Lima", None),
            ("Washington", None),
            ("Lima", None),
        ]
        assert not forum.bilateral_tracks.exists()

    def test_media_concentration_session_and_national_dialogue(self):
        session = DialogueForum.objects.get(
            name="Contentious Issues in the Americas"
        ).sessions.get()
        assert (session.city, session.date) == ("Lima", datetime.date(2014, 3, 21))
        assert sorted(p.organization.name for p in session.participants.all()) == [
            "El Comercio",
            "La República",
        ]

        national = DialogueForum.objects.get(name="Peru's national dialogue")
        adviser = national.sessions.get().participants.get()
        assert adviser.person.full_name == "Rodrigo Carazo"
        assert national.outcomes.get().kind == "consensus_document"

    def test_overvote_irregularities_were_raised_by_detection(self):
        overvotes = Irregularity.objects.filter(category__code=IrregularityCategory.OVERVOTE)

        assert overvotes.count() == len(demo.OVERVOTE_STATIONS)
        assert all(i.raised_by_system for i in overvotes)
        assert not overvotes.exclude(
            report__ballots_cast__gt=F("report__station__registered_voters")
        ).exists()
        assert ObserverReport.objects.overvotes().count() == overvotes.count()

    def test_illustrative_data_is_marked_and_leaves_work_in_the_review_queue(self):
        mission = Mission.objects.get(name=demo.PERU_2000)

        assert mission.stations.count() == demo.STATION_COUNT
        assert mission.stations.values("area_1").distinct().count() == 7
        assert not mission.reports.exclude(notes=demo.ILLUSTRATIVE).exists()
        by_hand = mission.irregularities.filter(station__isnull=False, raised_by_system=False)
        assert by_hand.exists()
        assert not by_hand.exclude(description__contains=demo.ILLUSTRATIVE).exists()
        station_level = mission.irregularities.filter(station__isnull=False)
        assert station_level.filter(status=Irregularity.Status.VERIFIED).exists()
        assert station_level.filter(status=Irregularity.Status.DISMISSED).exists()
        assert mission.irregularities.review_queue().filter(raised_by_system=True).exists()

    def test_demo_users_hold_one_role_each_and_only_the_leader_edits_dialogues(self):
        User = get_user_model()
        roles = dict(
            MissionMembership.objects.filter(mission__name=demo.PERU_2000).values_list(
                "user__username", "role"
            )
        )

        assert roles == {"staff": "staff", "reviewer": "reviewer", "leader": "leader"}
        assert User.objects.get(username=demo.SUPERUSER).is_superuser
        assert all(
            user.check_password(demo.PASSWORD) for user in User.objects.filter(is_active=True)
        )
        # The mission's leadership named in the text: people, not sign-in accounts.
        carter = User.objects.get(username="jimmy.carter")
        assert not carter.is_active and not carter.has_usable_password()
        editors = User.objects.filter(groups__name="Dialogue editors")
        assert list(editors.values_list("username", flat=True)) == ["leader"]

    def test_tour_reviewer_signs_in_and_verifies_an_overvote_from_the_queue(self, client):
        mission = Mission.objects.get(name=demo.PERU_2000)
        overvote = mission.irregularities.review_queue().filter(raised_by_system=True).first()

        signed_in = client.post(
            reverse("login"), {"username": "reviewer", "password": demo.PASSWORD}
        )
        queue = client.get(reverse("observation:review_queue", args=[mission.pk]))
        review = client.post(
            reverse("observation:irregularity_review", args=[mission.pk, overvote.pk]),
            {"decision": "verify", "note": "Tally sheet checked.", "next": "queue"},
        )

        assert signed_in.status_code == 302
        assert queue.status_code == 200
        assert overvote.station.code in queue.content.decode()
        assert review.status_code == 302
        overvote.refresh_from_db()
        assert overvote.status == Irregularity.Status.VERIFIED
        assert overvote.reviewed_by.username == "reviewer"

    def test_load_demo_again_after_the_leader_locks_peru_2000(self, settings):
        mission = Mission.objects.get(name=demo.PERU_2000)
        mission.lock(by=get_user_model().objects.get(username="leader"))
        before = _row_counts()
        settings.DEBUG = True

        call_command("load_demo")

        assert _row_counts() == before

    def test_statement_and_review_times_are_historical(self):
        statements = FindingsStatement.objects.filter(mission__name=demo.PERU_2000)
        for statement in statements:
            for stamp in (statement.submitted_at, statement.approved_at, statement.published_at):
                assert stamp.astimezone(demo.LIMA).date() == statement.issued_on
            assert statement.approved_by.username == "jimmy.carter"
            assert statement.published_by.username == "jimmy.carter"
        national = Irregularity.objects.filter(mission__name=demo.PERU_2000, station__isnull=True)
        election_night = datetime.date(2000, 4, 9)
        for irregularity in national:
            assert irregularity.created_at.astimezone(demo.LIMA).date() == election_night
            assert irregularity.reviewed_at.astimezone(demo.LIMA).date() == election_night
        reviewed = Irregularity.objects.filter(
            mission__name=demo.PERU_2000, reviewed_at__isnull=False
        )
        assert reviewed.exists()
        assert all(i.reviewed_at.year == 2000 for i in reviewed)
        assert all(
            i.created_at.year == 2000
            for i in Irregularity.objects.filter(mission__name=demo.PERU_2000)
        )

    def test_assessment_mission_carazo_led_preceded_peru_2000(self, client):
        peru_2000 = Mission.objects.get(name=demo.PERU_2000)
        assessment = Mission.objects.get(name=demo.PERU_2000_ASSESSMENT)

        assert peru_2000.kind == Mission.Kind.LIMITED
        assert peru_2000.partnerships.get().role == "co_organiser"
        assert assessment.kind == Mission.Kind.NEEDS_ASSESSMENT
        assert assessment.preceded == peru_2000
        assert assessment.delegation.get().person.full_name == "Rodrigo Carazo"
        assert "Illustrative" in assessment.summary
        assert "gives the election days and the months" not in peru_2000.summary

    def test_public_summary_of_peru_2000_says_what_the_text_says(self, client):
        mission = Mission.objects.get(name=demo.PERU_2000)
        client.force_login(get_user_model().objects.get(username="reviewer"))

        response = client.get(reverse("observation:mission_public_summary", args=[mission.pk]))
        page = response.content.decode()

        assert response.status_code == 200
        text = " ".join(page.split())
        # The text's findings on the first round of 9 April 2000.
        for finding in (
            "Pre-marked ballots in favor of Fujimori",
            "Ballots that did not list opponent Alejandro Toledo",
            "Attempted intimidation by police and the military",
            "Inexplicable delays in the vote-computing process",
        ):
            assert finding in text, finding
        # "A significant number of polling stations", not one.
        verified = mission.irregularities.filter(
            category__code=IrregularityCategory.OVERVOTE, status=Irregularity.Status.VERIFIED
        )
        assert verified.count() >= 10
        assert text.count('class="badge text-bg-warning unverified"') == 0
        for overvote in verified.select_related("station"):
            assert overvote.station.code in text
        # The runoff was not observed.
        assert "Fundamental flaws were not rectified" in text
        # Stations "where a report counted more ballots cast than registered voters".
        assert "more ballots cast than registered voters" in text

    def test_public_summary_of_peru_2000_labels_what_is_illustrative(self, client):
        mission = Mission.objects.get(name=demo.PERU_2000)
        client.force_login(get_user_model().objects.get(username="reviewer"))

        response = client.get(reverse("observation:mission_public_summary", args=[mission.pk]))

        text = " ".join(response.content.decode().split()).replace("&#x27;", "'")
        assert "are illustrative data, not from the mission's records" in text
        for invented in ("severities and review notes", "titles, exact dates and times"):
            assert invented in text
        assert "the overvote stations standing for the text's significant number" in text
        # Each invented station irregularity says so where it is listed.
        assert (
            "Soldiers inside the station questioned voters in the queue. " + demo.ILLUSTRATIVE
            in text
        )
