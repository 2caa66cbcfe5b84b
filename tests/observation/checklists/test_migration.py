"""The six fixed yes/no fields that reports carried become the standard checklist:
every stored answer is moved, none lost, none invented."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("observation", "0007_normalise_station_codes")
AFTER = ("observation", "0010_remove_fixed_checklist_fields")
FIELDS = (
    "opened_on_time",
    "ballot_boxes_sealed",
    "secrecy_ensured",
    "voter_list_available",
    "unauthorised_persons_present",
    "security_forces_inside",
)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


def test_every_stored_answer_moves_to_the_standard_checklist():
    apps = _migrate(BEFORE)
    Organization = apps.get_model("observation", "Organization")
    Mission = apps.get_model("observation", "Mission")
    Round = apps.get_model("observation", "ElectionRound")
    Station = apps.get_model("observation", "PollingStation")
    Report = apps.get_model("observation", "ObserverReport")
    organization = Organization.objects.create(name="The Carter Center")
    missions = [
        Mission.objects.create(
            name=f"Peru {year}",
            country="PE",
            election="General elections",
            kind="full",
            status="concluded",
            lead_organization=organization,
        )
        for year in (2000, 2001)
    ]
    given = [
        dict.fromkeys(FIELDS),
        {**dict.fromkeys(FIELDS, True), "security_forces_inside": False},
        {**dict.fromkeys(FIELDS, False), "opened_on_time": None},
    ]
    reports = []
    for mission in missions:
        round_ = Round.objects.create(
            mission=mission, kind="first_round", election_day=datetime.date(2000, 4, 9)
        )
        station = Station.objects.create(
            mission=mission, code="LIM-001", name="Escuela", registered_voters=300
        )
        for values in given:
            reports.append(
                (
                    Report.objects.create(
                        mission=mission, round=round_, station=station, phase="voting", **values
                    ).pk,
                    values,
                )
            )

    try:
        apps = _migrate(AFTER)
        _check(apps, missions, reports)
    finally:
        # The next tests expect the database as the latest migrations leave it.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check(apps, missions, reports):

    Answer = apps.get_model("observation", "Answer")
    Checklist = apps.get_model("observation", "Checklist")
    for mission in missions:
        checklist = Checklist.objects.get(mission_id=mission.pk)
        assert checklist.phase == ""
        codes = checklist.questions.order_by("position").values_list("code", "library__code")
        assert list(codes) == [(code, code) for code in FIELDS]
    stored = {}
    for report_id, code, value, concern in Answer.objects.values_list(
        "report_id", "question__code", "value", "concern"
    ):
        stored[report_id, code] = (value, concern)
    expected = {}
    concerning = {"unauthorised_persons_present": "yes", "security_forces_inside": "yes"}
    for report_id, values in reports:
        for code, answer in values.items():
            if answer is None:
                continue
            value = "yes" if answer else "no"
            expected[report_id, code] = (value, value == concerning.get(code, "no"))
    assert stored == expected
    assert len(stored) == 2 * (6 + 5)
