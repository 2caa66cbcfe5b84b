"""The deployment plan imported from the file a mission's logistics team keeps: checked
row by row in a preview, written only when confirmed, and exported back as it was."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from observation.models import ColumnMapping, Deployment
from tests import factories
from tests.observation.columns_step import choose_values

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def plan(mission):
    election_round = factories.ElectionRoundFactory(mission=mission)
    stations = {
        code: factories.PollingStationFactory(mission=mission, code=code)
        for code in ("AYA-0042", "LIM-0001")
    }
    teams = {
        name: factories.DelegationMemberFactory(
            mission=mission, person=factories.PersonFactory(full_name=name)
        )
        for name in ("Jennie Lincoln", "Shelley McConnell")
    }
    return {"round": election_round, "stations": stations, "teams": teams}


def _upload(client, mission, text, name="plan.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post(reverse("observation:deployment_import", args=[mission.pk]), {"file": file})


def _confirm(client, mission, response):
    token = response.context["token"]
    assert token, response.context["preview"].errors
    url = reverse("observation:deployment_import_confirm", args=[mission.pk])
    return client.post(url, {"token": token})


def _stored(mission):
    return sorted(
        Deployment.objects.filter(mission=mission).values_list(
            "round__election_day", "station__code", "team__person__full_name", "phase"
        )
    )


def test_a_plan_imports_one_phase_a_row_into_the_missions_only_round(staff_client, mission, plan):
    text = (
        "Team,Station,Phase\n"
        "Jennie Lincoln,AYA-0042,Opening\n"
        "jennie lincoln,aya-0042,Voting\n"
        "Shelley McConnell,LIM-0001,Counting\n"
    )

    response = _upload(staff_client, mission, text)

    preview = response.context["preview"]
    assert preview.is_valid
    assert preview.counts == {"created": 3, "updated": 0}
    assert response.context["first_rows"][0][1] == [
        "Jennie Lincoln",
        "AYA-0042",
        "Opening",
        plan["round"],
    ]
    assert not Deployment.objects.exists()
    followed = _confirm(staff_client, mission, response)
    assert followed.status_code == 302
    day = datetime.date(2000, 4, 9)
    assert _stored(mission) == [
        (day, "AYA-0042", "Jennie Lincoln", "opening"),
        (day, "AYA-0042", "Jennie Lincoln", "voting"),
        (day, "LIM-0001", "Shelley McConnell", "counting"),
    ]


def test_a_spanish_plan_names_its_rounds_and_phases_in_spanish(client, leader, mission, plan):
    client.force_login(leader)
    factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
    )
    text = (
        "Equipo;Mesa;Fase;Vuelta\n"
        "Jennie Lincoln;AYA-0042;Instalación;Primera vuelta\n"
        "Jennie Lincoln;AYA-0042;Escrutinio;2000-05-28\n"
    )

    _confirm(client, mission, _upload(client, mission, text))

    assert _stored(mission) == [
        (datetime.date(2000, 4, 9), "AYA-0042", "Jennie Lincoln", "opening"),
        (datetime.date(2000, 5, 28), "AYA-0042", "Jennie Lincoln", "counting"),
    ]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            "Karl Marx,AYA-0042,Opening\n",
            [(2, "Observer team", "is not in the mission's delegation; add the team there first.")],
        ),
        (
            "Jennie Lincoln,XYZ-9,Opening\n",
            [(2, "Polling station", "is not the code of a polling station of this mission.")],
        ),
        (
            "Jennie Lincoln,AYA-0042,Opening\nShelley McConnell,AYA-0042,Opening\n",
            [
                (
                    3,
                    "Polling station",
                    "this station is deployed for this phase of this round also on line 2; "
                    "a station has one team a phase.",
                )
            ],
        ),
    ],
    ids=["unknown team", "unknown station", "deployed twice"],
)
def test_bad_rows_are_listed_and_nothing_is_written(staff_client, mission, plan, rows, expected):
    response = _upload(staff_client, mission, "Team,Station,Phase\n" + rows)

    preview = response.context["preview"]
    assert [(e.line, e.column, e.message) for e in preview.errors] == expected
    assert response.context["token"] is None
    assert not Deployment.objects.exists()


def test_with_several_rounds_each_row_must_say_which(staff_client, mission, plan):
    factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
    )

    response = _upload(
        staff_client, mission, "Team,Station,Phase\nJennie Lincoln,AYA-0042,Voting\n"
    )

    [error] = response.context["preview"].errors
    assert (error.line, error.column) == (2, "Round")
    assert error.message.startswith("the mission has several rounds: say which")
    assert not Deployment.objects.exists()


def test_a_reimport_gives_a_station_another_team_and_says_so(staff_client, mission, plan):
    Deployment.objects.create(
        mission=mission,
        round=plan["round"],
        station=plan["stations"]["AYA-0042"],
        team=plan["teams"]["Jennie Lincoln"],
        phase="voting",
    )
    text = "Team,Station,Phase\nShelley McConnell,AYA-0042,Voting\nJennie Lincoln,LIM-0001,Voting\n"

    response = _upload(staff_client, mission, text)

    assert response.context["preview"].counts == {"created": 1, "updated": 1}
    _confirm(staff_client, mission, response)
    assert (
        Deployment.objects.get(station__code="AYA-0042").team == plan["teams"]["Shelley McConnell"]
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_the_plan_imports_back_unchanged(staff_client, mission, plan, fmt):
    for code, name, phase in [
        ("AYA-0042", "Jennie Lincoln", "opening"),
        ("LIM-0001", "Shelley McConnell", "counting"),
    ]:
        Deployment.objects.create(
            mission=mission,
            round=plan["round"],
            station=plan["stations"][code],
            team=plan["teams"][name],
            phase=phase,
        )
    stored = _stored(mission)
    export = staff_client.get(reverse("observation:deployment_export", args=[mission.pk, fmt]))
    content = b"".join(export.streaming_content)

    file = io.BytesIO(content)
    file.name = f"plan.{fmt}"
    response = staff_client.post(
        reverse("observation:deployment_import", args=[mission.pk]), {"file": file}
    )

    assert response.context["preview"].counts == {"created": 0, "updated": 0}
    _confirm(staff_client, mission, response)
    assert _stored(mission) == stored


def test_a_phase_in_the_missions_own_words_is_matched_in_the_columns_step(
    staff_client, mission, plan
):
    uploaded = _upload(
        staff_client, mission, "Team,Station,Phase\nJennie Lincoln,AYA-0042,Apertura de mesa\n"
    )
    [(_column, _field, rows)] = uploaded.context["columns_form"].value_rows()
    [(value, choice)] = rows
    assert (value, choice.value()) == ("Apertura de mesa", "")

    checked = choose_values(
        staff_client, mission, uploaded, {"Apertura de mesa": "opening"}, kind="deployment"
    )
    _confirm(staff_client, mission, checked)

    assert Deployment.objects.get().phase == "opening"


def test_an_observer_cannot_import_a_plan(client, mission, plan):
    observer = factories.MissionMembershipFactory(
        mission=mission, role="observer", team=plan["teams"]["Jennie Lincoln"]
    ).user
    client.force_login(observer)

    response = _upload(client, mission, "Team,Station,Phase\nJennie Lincoln,AYA-0042,Voting\n")

    assert response.status_code == 403
    assert not Deployment.objects.exists()


def test_an_excel_date_cell_names_the_round(staff_client, mission, plan):
    factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["Team", "Station", "Phase", "Round"])
    sheet.append(["Jennie Lincoln", "AYA-0042", "Voting", datetime.datetime(2000, 5, 28)])
    content = io.BytesIO()
    book.save(content)
    file = io.BytesIO(content.getvalue())
    file.name = "plan.xlsx"

    response = staff_client.post(
        reverse("observation:deployment_import", args=[mission.pk]), {"file": file}
    )
    _confirm(staff_client, mission, response)

    assert _stored(mission) == [
        (datetime.date(2000, 5, 28), "AYA-0042", "Jennie Lincoln", "voting")
    ]


def test_two_rounds_of_one_day_export_and_import_back_apart(staff_client, mission, plan):
    referendum = factories.ElectionRoundFactory(
        mission=mission, kind="referendum", election_day=plan["round"].election_day
    )
    for election_round in (plan["round"], referendum):
        Deployment.objects.create(
            mission=mission,
            round=election_round,
            station=plan["stations"]["AYA-0042"],
            team=plan["teams"]["Jennie Lincoln"],
            phase="voting",
        )
    export = staff_client.get(reverse("observation:deployment_export", args=[mission.pk, "csv"]))
    content = b"".join(export.streaming_content)
    Deployment.objects.all().delete()

    response = _upload(staff_client, mission, content.decode("utf-8-sig"))

    assert response.context["preview"].counts == {"created": 2, "updated": 0}
    _confirm(staff_client, mission, response)
    assert set(Deployment.objects.values_list("round", flat=True)) == {
        plan["round"].pk,
        referendum.pk,
    }
    # A day alone is ambiguous here, and said so.
    again = _upload(
        staff_client,
        mission,
        "Team,Station,Phase,Round\nJennie Lincoln,AYA-0042,Opening,2000-04-09\n",
    )
    [error] = again.context["preview"].errors
    assert error.message == (
        "names two rounds; give the election day and the kind (2000-04-09 Referendum)."
    )


def test_the_export_names_no_team_where_names_are_for_leaders_only(
    client, staff, leader, mission, plan
):
    mission.observer_names_for_leaders_only = True
    mission.save()
    Deployment.objects.create(
        mission=mission,
        round=plan["round"],
        station=plan["stations"]["AYA-0042"],
        team=plan["teams"]["Jennie Lincoln"],
        phase="voting",
    )
    url = reverse("observation:deployment_export", args=[mission.pk, "csv"])

    def rows(user):
        client.force_login(user)
        content = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(content)))

    assert rows(staff) == [
        ["Round", "Polling station", "Phase"],
        ["2000-04-09 First round", "AYA-0042", "Voting"],
    ]
    assert rows(leader)[1] == [
        "2000-04-09 First round",
        "AYA-0042",
        "Jennie Lincoln",
        "Voting",
    ]


def test_none_of_these_forgets_an_earlier_match(staff_client, mission, plan):
    ColumnMapping.objects.create(
        mission=mission, kind="deployment", values={"phase": {"apertura de mesa": "opening"}}
    )
    uploaded = _upload(
        staff_client, mission, "Team,Station,Phase\nJennie Lincoln,AYA-0042,Apertura de mesa\n"
    )
    [(_column, _field, [(_value, choice)])] = uploaded.context["columns_form"].value_rows()
    assert choice.value() == "opening"

    checked = choose_values(
        staff_client, mission, uploaded, {"Apertura de mesa": ""}, kind="deployment"
    )

    [error] = checked.context["preview"].errors
    assert error.value == "Apertura de mesa"
    assert not Deployment.objects.exists()
