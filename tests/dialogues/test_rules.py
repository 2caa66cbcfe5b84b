"""Each rule of the dialogue models, broken through full_clean() (the readable message)
and, where the database holds it, through a direct write (IntegrityError)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dialogues.models import BilateralTrack, DialogueForum, ForumCountry, Participant
from tests import factories

pytestmark = pytest.mark.django_db


def _errors(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def _refused_by_database(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


def test_forum_cannot_end_before_it_starts(forum):
    forum.end_date = forum.start_date - datetime.timedelta(days=1)
    assert "The forum cannot end before it starts." in _errors(forum)["__all__"]
    _refused_by_database(forum.save)


def test_forum_planned_duration_is_at_least_a_month(forum):
    forum.planned_months = 0
    assert "A planned duration is at least one month." in _errors(forum)["__all__"]
    _refused_by_database(forum.save)


def test_forum_dates_cannot_leave_a_session_outside(forum):
    factories.DialogueSessionFactory(forum=forum, sequence=1, date=datetime.date(2010, 3, 1))
    forum.start_date = datetime.date(2010, 4, 1)
    assert _errors(forum) == {
        "__all__": ["Session 1 (1 Mar 2010) would fall outside the forum's dates."]
    }


def test_country_takes_part_in_a_forum_once(forum):
    duplicate = ForumCountry(forum=forum, country="PE")
    assert "This country already takes part in the forum." in _errors(duplicate)["__all__"]
    _refused_by_database(duplicate.save)


def test_objective_positions_are_unique_within_a_forum(forum):
    factories.ForumObjectiveFactory(forum=forum, position=1)
    duplicate = factories.ForumObjectiveFactory.build(forum=forum, position=1)
    assert "The forum already has an objective at this position." in _errors(duplicate)["__all__"]
    _refused_by_database(duplicate.save)


def test_objective_positions_start_at_one(forum):
    objective = factories.ForumObjectiveFactory.build(forum=forum, position=0)
    assert "Positions start at 1." in _errors(objective)["__all__"]
    _refused_by_database(objective.save)


def test_session_numbers_are_unique_within_a_forum(forum):
    factories.DialogueSessionFactory(forum=forum, sequence=2)
    duplicate = factories.DialogueSessionFactory.build(forum=forum, sequence=2)
    assert _errors(duplicate) == {"sequence": ["The forum already has a session number 2."]}
    _refused_by_database(duplicate.save)


def test_the_same_number_may_recur_in_another_forum(forum):
    factories.DialogueSessionFactory(forum=forum, sequence=1)
    other = factories.DialogueSessionFactory.build(
        forum=factories.DialogueForumFactory(), sequence=1
    )
    other.full_clean()


def test_sessions_are_numbered_from_one(forum):
    session = factories.DialogueSessionFactory.build(forum=forum, sequence=0)
    assert "Sessions are numbered from 1." in _errors(session)["__all__"]
    _refused_by_database(session.save)


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (datetime.date(2009, 12, 31), "The session falls before the forum starts (1 Jan 2010)."),
        (datetime.date(2011, 7, 1), "The session falls after the forum ends (30 Jun 2011)."),
    ],
)
def test_a_known_session_date_lies_inside_the_forum_dates(forum, date, message):
    session = factories.DialogueSessionFactory.build(forum=forum, sequence=1, date=date)
    assert _errors(session) == {"date": [message]}


def test_a_session_date_may_be_unknown(forum):
    factories.DialogueSessionFactory.build(forum=forum, sequence=1, date=None).full_clean()


def test_any_session_date_fits_a_forum_without_dates():
    forum = factories.DialogueForumFactory(start_date=None, end_date=None)
    factories.DialogueSessionFactory.build(
        forum=forum, sequence=1, date=datetime.date(1990, 1, 1)
    ).full_clean()


def test_a_person_takes_part_in_a_session_once():
    participant = factories.ParticipantFactory()
    again = factories.ParticipantFactory.build(
        session=participant.session, person=participant.person, role=Participant.Role.SPEAKER
    )
    assert _errors(again) == {
        "person": [f"{participant.person} already takes part in this session."]
    }
    _refused_by_database(again.save)


@pytest.mark.parametrize("represents", ["neither", "both"])
def test_a_participant_represents_a_country_or_an_organisation(represents):
    session = factories.DialogueSessionFactory()
    participant = factories.ParticipantFactory.build(
        session=session,
        person=factories.PersonFactory(),
        country="" if represents == "neither" else "PE",
        organization=factories.OrganizationFactory() if represents == "both" else None,
    )
    message = "A participant represents either a country or an organisation: give one."
    assert message in _errors(participant)["__all__"]
    _refused_by_database(participant.save)


def test_a_participant_may_represent_an_organisation():
    factories.ParticipantFactory.build(
        session=factories.DialogueSessionFactory(),
        person=factories.PersonFactory(),
        country="",
        organization=factories.OrganizationFactory(),
    ).full_clean()


def test_an_outcome_session_belongs_to_the_outcome_forum(forum):
    other_session = factories.DialogueSessionFactory()
    outcome = factories.OutcomeFactory.build(forum=forum, session=other_session)
    assert _errors(outcome) == {"session": ["The session belongs to another forum."]}


def test_an_outcome_may_come_from_the_forum_or_one_of_its_sessions(forum):
    session = factories.DialogueSessionFactory(forum=forum)
    factories.OutcomeFactory.build(forum=forum, session=None).full_clean()
    factories.OutcomeFactory.build(forum=forum, session=session).full_clean()


@pytest.mark.parametrize(("first", "second"), [("CO", "VE"), ("VE", "CO")])
def test_a_bilateral_pair_is_stored_in_code_order_whichever_way_entered(forum, first, second):
    track = BilateralTrack(forum=forum, country_a=first, country_b=second)
    track.full_clean()
    track.save()
    track.refresh_from_db()
    assert (str(track.country_a), str(track.country_b)) == ("CO", "VE")


def test_a_pair_entered_the_other_way_round_is_the_same_pair(forum):
    factories.BilateralTrackFactory(forum=forum, country_a="CO", country_b="VE")
    reversed_pair = BilateralTrack(forum=forum, country_a="VE", country_b="CO")
    assert _errors(reversed_pair) == {
        "country_b": ["The forum already has a track for Colombia — Venezuela."]
    }
    _refused_by_database(reversed_pair.save)
    assert BilateralTrack.objects.count() == 1


def test_the_database_refuses_a_pair_out_of_order(forum):
    # bulk_create skips save(), which would otherwise put the pair in order.
    _refused_by_database(
        lambda: BilateralTrack.objects.bulk_create(
            [BilateralTrack(forum=forum, country_a="VE", country_b="CO")]
        )
    )


def test_a_country_cannot_pair_with_itself(forum):
    track = BilateralTrack(forum=forum, country_a="PE", country_b="PE")
    assert _errors(track) == {"country_b": ["A country cannot pair with itself."]}
    _refused_by_database(track.save)


def test_both_countries_of_a_track_take_part_in_the_forum():
    forum = factories.DialogueForumFactory(countries=["PE", "US"])
    track = BilateralTrack(forum=forum, country_a="PE", country_b="VE")
    assert _errors(track) == {"country_b": ["Venezuela does not take part in this forum."]}


def test_editors_group_holds_the_app_edit_permissions():
    codenames = set(
        Group.objects.get(name="Dialogue editors").permissions.values_list("codename", flat=True)
    )
    for model in [m._meta.model_name for m in [DialogueForum, BilateralTrack, Participant]]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}"} <= codenames
    assert not any(code.startswith("view_") for code in codenames)
