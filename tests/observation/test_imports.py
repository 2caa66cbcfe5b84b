import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import Workbook

from observation import imports
from observation.imports import DelegationImporter, StationImporter
from observation.models import (
    DelegationMember,
    Irregularity,
    IrregularityCategory,
    Organization,
    Person,
    PollingStation,
)
from tests import factories

HEADER = "Code,Name,Department,Province,District,Registered voters,Latitude,Longitude\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(name, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


def _csv(text: str, name="stations.csv", encoding="utf-8"):
    return _upload(name, text.encode(encoding))


def _xlsx(rows, name="stations.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return _upload(name, output.getvalue())


def _preview(client, mission, file, kind="station"):
    return client.post(reverse(f"observation:{kind}_import", args=[mission.pk]), {"file": file})


def _confirm(client, mission, response, kind="station", *, accept=False):
    """Confirm a preview; `accept` ticks the box for changes to stations with reports."""
    token = response.context["token"]
    assert token, response.context["preview"].errors
    data = {"token": token} | ({"accept_reported_changes": "on"} if accept else {})
    return client.post(reverse(f"observation:{kind}_import_confirm", args=[mission.pk]), data)


def _errors(response):
    preview = response.context["preview"]
    return [(error.line, str(error.column), error.message) for error in preview.errors]


def _form_errors(response):
    return response.context["form"].errors.as_data()["file"]


def test_staff_imports_stations_after_a_preview(staff_client, mission):
    file = _csv(
        HEADER
        + "0001,Escuela 1,Lima,Lima,Miraflores,300,-12.121,-77.03\n"
        + "0002,Colegio 2,Áncash,Huaraz,Huaraz,250,,\n"
    )
    response = _preview(staff_client, mission, file)
    assert response.status_code == 200
    assert response.context["preview"].counts == {"created": 2, "updated": 0}
    assert not PollingStation.objects.exists()

    response = _confirm(staff_client, mission, response)

    assert response.status_code == 302
    assert response["Location"] == reverse("observation:station_list", args=[mission.pk])
    stations = {s.code: s for s in PollingStation.objects.filter(mission=mission)}
    assert stations["0002"].area_1 == "Áncash"
    assert stations["0001"].registered_voters == 300
    assert str(stations["0001"].latitude) == "-12.121000"


def test_reimport_updates_stations_by_code(staff_client, mission):
    factories.PollingStationFactory(mission=mission, code="0001", registered_voters=10)
    file = _csv("code,name,registered_voters\n0001,Escuela renamed,320\n0003,New,100\n")
    response = _preview(staff_client, mission, file)
    assert response.context["preview"].counts == {"created": 1, "updated": 1}

    _confirm(staff_client, mission, response)

    assert PollingStation.objects.filter(mission=mission).count() == 2
    station = PollingStation.objects.get(mission=mission, code="0001")
    assert (station.name, station.registered_voters) == ("Escuela renamed", 320)
    # The file had no area columns: the areas the station had are kept.
    assert station.area_1 == "Lima"


def _overvotes(report):
    return Irregularity.objects.filter(
        report=report, category__code=IrregularityCategory.OVERVOTE, superseded_at__isnull=True
    )


def test_reimport_with_fewer_voters_than_ballots_raises_an_overvote(staff_client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=300)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=250, saved_by=staff
    )
    assert not _overvotes(report).exists()

    response = _preview(staff_client, mission, _csv("code,name,registered voters\n0001,A,100\n"))
    response = _confirm(staff_client, mission, response, accept=True)

    overvote = _overvotes(report).get()
    assert (overvote.station, overvote.reported_by) == (station, staff)
    assert "100 registered voters" in overvote.description
    [message] = get_messages(response.wsgi_request)
    assert "1 report is an overvote: an irregularity was raised for review" in str(message)


def test_reimport_with_enough_voters_removes_an_unreviewed_overvote(staff_client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=100)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=250, saved_by=staff
    )
    assert _overvotes(report).exists()

    response = _preview(staff_client, mission, _csv("code,name,registered voters\n0001,A,300\n"))
    _confirm(staff_client, mission, response, accept=True)

    assert not Irregularity.objects.filter(report=report).exists()


def test_reimport_with_the_same_voters_rechecks_no_station(staff_client, mission, monkeypatch):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=300)
    factories.ObserverReportFactory(mission=mission, station=station, ballots_cast=250)
    checked = []
    monkeypatch.setattr(
        "observation.imports.sync_station", lambda *, station, by: checked.append(station)
    )

    response = _preview(
        staff_client, mission, _csv("code,name,registered voters\n0001,Renamed,300\n0002,B,5\n")
    )
    _confirm(staff_client, mission, response, accept=True)

    assert checked == []
    assert PollingStation.objects.get(pk=station.pk).name == "Renamed"


def test_import_reads_a_semicolon_file_with_bom_accents_and_decimal_commas(staff_client, mission):
    text = (
        "\ufeffCódigo;Nombre;Department;Province;District;Electores;Latitud;Longitud\n"
        "0100;I.E. Junín;Junín;Huancayo;El Tambo;410;-12,0464;-75,2137\n"
    )
    response = _preview(staff_client, mission, _csv(text))
    assert response.context["preview"].notices == []

    _confirm(staff_client, mission, response)

    station = PollingStation.objects.get(mission=mission, code="0100")
    assert (station.name, station.area_1, station.area_3) == ("I.E. Junín", "Junín", "El Tambo")
    assert str(station.latitude) == "-12.046400"


def test_import_reads_an_excel_workbook_with_columns_in_any_order(staff_client, mission):
    file = _xlsx(
        [
            ["Registered voters", "district", "NAME", "code", "area_1"],
            [300, "Miraflores", "Escuela 1", 1001, "Lima"],
            [None, None, None, None, None],
            [150.0, "Huaraz", "Escuela 2", "1002", "Áncash"],
        ]
    )
    response = _preview(staff_client, mission, file)
    assert response.context["preview"].counts == {"created": 2, "updated": 0}

    _confirm(staff_client, mission, response)

    station = PollingStation.objects.get(mission=mission, code="1002")
    assert (station.registered_voters, station.area_1, station.area_3) == (150, "Áncash", "Huaraz")


def test_unknown_column_is_ignored_with_a_notice(staff_client, mission):
    file = _csv("code,name,registered voters,Comment\n0001,Escuela,300,ok\n")
    response = _preview(staff_client, mission, file)
    preview = response.context["preview"]
    assert preview.is_valid
    assert preview.notices == ["The column “Comment” is not one we read; it was ignored."]
    assert "is not one we read" in response.content.decode()

    _confirm(staff_client, mission, response)

    assert PollingStation.objects.filter(mission=mission).count() == 1


# Each bad file: a clear error on the page, and nothing written.


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "0001,Escuela,-5\n",
            [(2, "Registered voters", "must not be negative.")],
        ),
        (
            "0001,Escuela,many\n",
            [(2, "Registered voters", "must be a whole number.")],
        ),
        (
            "0001,Escuela,300,95,10\n",
            [(2, "Latitude", "must lie between -90 and 90.")],
        ),
        (
            "0001,Escuela,300,1E+100000,10\n",
            [(2, "Latitude", "must lie between -90 and 90.")],
        ),
        (
            "0001,Escuela,2147483648\n",
            [(2, "Registered voters", "must be at most 2147483647.")],
        ),
        (
            "0001,Escuela,300,12,\n",
            [(2, "Latitude", "give both latitude and longitude, or neither.")],
        ),
        (
            "0001,Escuela,300\n0002,Colegio,100\n0001,Otra,50\n",
            [(4, "Code", "the code 0001 is also on line 2; list each station once.")],
        ),
        (
            ",Escuela,300\n",
            [(2, "Code", "is empty; every row needs one.")],
        ),
    ],
    ids=[
        "negative-voters",
        "non-numeric-voters",
        "latitude",
        "huge-latitude",
        "too-many-voters",
        "half-coordinates",
        "dup-code",
        "no-code",
    ],
)
def test_bad_rows_are_listed_by_line_and_column_and_nothing_is_written(
    staff_client, mission, rows, expected
):
    file = _csv("code,name,registered voters,latitude,longitude\n" + rows)
    response = _preview(staff_client, mission, file)

    assert response.status_code == 200
    assert _errors(response) == expected
    assert response.context["token"] is None
    assert "Nothing was imported" in response.content.decode()
    assert not PollingStation.objects.exists()


def test_one_bad_row_means_no_row_is_written(staff_client, mission):
    rows = "".join(f"{n:04d},Escuela {n},100\n" for n in range(50)) + "0050,Escuela,-1\n"
    response = _preview(staff_client, mission, _csv("code,name,registered voters\n" + rows))

    assert len(_errors(response)) == 1
    assert not PollingStation.objects.exists()


@pytest.mark.parametrize(
    ("file", "code", "message"),
    [
        (
            _csv("name,registered voters\nEscuela,300\n"),
            "missing_column",
            "The file has no column for: Code. Add it with that header, or choose",
        ),
        (_csv(""), "empty", "The submitted file is empty."),
        (_csv("\n\n ;\n"), "empty", "This file is empty."),
        (
            _csv("code,name,registered voters\n"),
            "no_rows",
            "This file has a header line but no rows under it.",
        ),
        (
            _upload(
                "stations.csv",
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
            ),
            "not_tabular",
            "This file is neither a CSV text file in UTF-8 nor an Excel workbook (.xlsx).",
        ),
        (
            _upload("stations.xlsx", b"PK\x03\x04 not really a workbook"),
            "bad_xlsx",
            "This file is damaged or is not an Excel workbook (.xlsx).",
        ),
        (
            _csv("code,name,registered voters\n1,a,1\n", name="stations.pdf"),
            "bad_extension",
            "Upload a CSV (.csv) or Excel (.xlsx) file.",
        ),
        (
            _csv("code,Code,name,registered voters\n1,1,a,1\n"),
            "duplicate_column",
            "The columns “code” and “Code” both give Code; keep one.",
        ),
        (
            _csv("code,name,registered voters,latitude\n1,a,1,10\n"),
            "coordinates_pair",
            "Give both a Latitude and a Longitude column, or neither.",
        ),
    ],
    ids=[
        "missing-column",
        "zero-bytes",
        "blank",
        "header-only",
        "pdf-renamed-csv",
        "broken-xlsx",
        "pdf-extension",
        "duplicate-column",
        "latitude-alone",
    ],
)
def test_unusable_file_is_refused_with_a_clear_error(staff_client, mission, file, code, message):
    response = _preview(staff_client, mission, file)

    assert response.status_code == 200
    [error] = _form_errors(response)
    assert error.code == code
    assert message in " ".join(error.messages)
    assert not PollingStation.objects.exists()


def test_a_preview_keeps_the_first_problems_and_counts_the_rest(staff_client, mission):
    rows = "".join(f"{n:04d},Escuela {n},-1\n" for n in range(250))
    response = _preview(staff_client, mission, _csv("code,name,registered voters\n" + rows))

    preview = response.context["preview"]
    assert (len(preview.errors), preview.errors_not_kept, preview.error_count) == (200, 50, 250)
    assert not preview.is_valid
    page = response.content.decode()
    assert "The file has 250 problems." in page
    # One line for the kind, with its count; then each problem kept, by line.
    groups, each = page.split("table-sm import-errors")
    assert groups.count("must not be negative.") == 1
    assert '<td class="text-end">250</td>' in groups
    assert each.count("must not be negative.") == 200
    assert "…and 50 more problems, not shown: fix those above" in page
    assert not PollingStation.objects.exists()


def test_file_above_the_size_limit_is_refused(staff_client, mission, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024
    rows = "".join(f"{n:04d},Escuela {n},100\n" for n in range(200))
    response = _preview(staff_client, mission, _csv("code,name,registered voters\n" + rows))

    [error] = _form_errors(response)
    assert error.code == "too_large"
    assert not PollingStation.objects.exists()


@pytest.mark.parametrize(
    ("kind", "file"),
    [
        ("station", "code,name,registered voters\n0001,A,1\n"),
        ("delegation", "name,role\nAna María Pérez,Staff\n"),
    ],
)
def test_confirm_after_the_mission_was_locked_says_so_and_writes_nothing(
    staff_client, mission, kind, file
):
    response = _preview(staff_client, mission, _csv(file), kind=kind)
    mission.lock(by=factories.UserFactory())

    response = _confirm(staff_client, mission, response, kind=kind)

    assert response.status_code == 403
    assert "is locked: its records can no longer be changed" in response.content.decode()
    assert not PollingStation.objects.exists()
    assert not Person.objects.exists()
    assert not DelegationMember.objects.exists()


@pytest.mark.parametrize(
    ("kind", "file"),
    [
        ("station", "code,name,registered voters\n0001,A,1\n"),
        ("delegation", "name,role\nAna María Pérez,Staff\n"),
    ],
)
def test_confirm_when_the_mission_is_locked_during_the_check_writes_nothing(
    staff_client, mission, monkeypatch, kind, file
):
    response = _preview(staff_client, mission, _csv(file), kind=kind)
    importer_class = StationImporter if kind == "station" else DelegationImporter
    checked = importer_class.preview

    def check_then_lock(importer, table):
        preview = checked(importer, table)
        mission.lock(by=factories.UserFactory())
        return preview

    monkeypatch.setattr(importer_class, "preview", check_then_lock)

    response = _confirm(staff_client, mission, response, kind=kind)

    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert "is locked: its records can no longer be changed" in str(message)
    assert not PollingStation.objects.exists()
    assert not Person.objects.exists()
    assert not DelegationMember.objects.exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("0001,Escuela,300,1E+100000,10\n", (2, "Latitude", "must lie between -90 and 90.")),
        ("0001,Escuela,2147483648,,\n", (2, "Registered voters", "must be at most 2147483647.")),
    ],
    ids=["huge-latitude", "too-many-voters"],
)
def test_confirm_of_a_file_out_of_range_lists_the_error_and_writes_nothing(
    staff_client, mission, row, expected
):
    header = "code,name,registered voters,latitude,longitude\n"
    response = _preview(staff_client, mission, _csv(header + "0001,Escuela,300,,\n"))
    # What the confirmation reads is the stored file, checked again: give it the bad row.
    [entry] = staff_client.session["pending_imports"].values()
    default_storage.delete(entry["path"])
    default_storage.save(entry["path"], ContentFile((header + row).encode()))

    response = _confirm(staff_client, mission, response)

    assert response.status_code == 200
    assert _errors(response) == [expected]
    assert not PollingStation.objects.exists()


def test_confirm_without_a_pending_upload_writes_nothing(staff_client, mission):
    url = reverse("observation:station_import_confirm", args=[mission.pk])
    response = staff_client.post(url, {"token": "made-up"}, follow=True)

    assert "upload the file again" in response.content.decode()
    assert not PollingStation.objects.exists()


def test_confirm_answers_get_with_405(staff_client, mission):
    url = reverse("observation:station_import_confirm", args=[mission.pk])
    assert staff_client.get(url).status_code == 405


def test_a_token_of_another_mission_is_refused(client, staff, mission):
    other = factories.MissionMembershipFactory(user=staff).mission
    client.force_login(staff)
    response = _preview(client, other, _csv("code,name,registered voters\n0001,A,1\n"))

    url = reverse("observation:station_import_confirm", args=[mission.pk])
    client.post(url, {"token": response.context["token"]})

    assert not PollingStation.objects.exists()


def test_strangers_get_404_and_anonymous_users_sign_in(client, stranger, mission):
    url = reverse("observation:station_import", args=[mission.pk])
    assert client.get(url).status_code == 302
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert (
        _preview(client, mission, _csv("code,name,registered voters\n1,A,1\n")).status_code == 404
    )
    assert not PollingStation.objects.exists()


def test_locked_mission_refuses_an_import(staff_client, mission):
    mission.lock(by=factories.UserFactory())
    response = _preview(staff_client, mission, _csv("code,name,registered voters\n1,A,1\n"))

    assert response.status_code == 403
    assert "is locked: its records can no longer be changed" in response.content.decode()
    assert not PollingStation.objects.exists()


# Delegation rosters


ROSTER = (
    "Name;Nationality;Affiliation;Role;Title\n"
    "Jimmy Carter;United States of America;The Carter Center;Leader;Former president\n"
    "Rosalynn Carter;US;The Carter Center;co-leader;\n"
    "Ana María Pérez;Perú;Transparencia;Short-term observer;\n"
)


def test_roster_import_creates_people_organisations_and_members(staff_client, mission):
    response = _preview(staff_client, mission, _csv(ROSTER, "roster.csv"), kind="delegation")
    assert response.context["preview"].counts == {
        "people_created": 3,
        "members_added": 3,
        "members_updated": 0,
        "organizations_created": 1,
    }
    assert "<td>Peru</td><td>Transparencia</td><td>Short-term observer</td>" in (
        response.content.decode()
    )

    _confirm(staff_client, mission, response, kind="delegation")

    members = {m.person.full_name: m for m in mission.delegation.select_related("person")}
    assert members["Jimmy Carter"].role == DelegationMember.Role.LEADER
    assert members["Rosalynn Carter"].role == DelegationMember.Role.CO_LEADER
    assert members["Ana María Pérez"].person.nationality.code == "PE"
    assert members["Ana María Pérez"].person.affiliation.name == "Transparencia"
    assert members["Jimmy Carter"].person.affiliation == mission.lead_organization


def test_roster_import_twice_creates_nobody_twice(staff_client, mission):
    response = _preview(staff_client, mission, _csv(ROSTER, "roster.csv"), kind="delegation")
    _confirm(staff_client, mission, response, kind="delegation")
    again = ROSTER.replace("Short-term observer", "LTO")

    response = _preview(staff_client, mission, _csv(again, "roster.csv"), kind="delegation")
    assert response.context["preview"].counts["members_updated"] == 3
    _confirm(staff_client, mission, response, kind="delegation")

    assert Person.objects.count() == 3
    assert Organization.objects.filter(name="Transparencia").count() == 1
    assert mission.delegation.count() == 3
    member = mission.delegation.get(person__full_name="Ana María Pérez")
    assert member.role == DelegationMember.Role.LONG_TERM_OBSERVER


def test_roster_matches_an_existing_person_by_name_and_nationality(staff_client, mission):
    known = factories.PersonFactory(full_name="Jennifer McCoy", nationality="US")
    factories.PersonFactory(full_name="Jennifer McCoy", nationality="GB")
    roster = "name,nationality,role\nJennifer McCoy,USA,Core team\n"

    response = _preview(staff_client, mission, _csv(roster), kind="delegation")
    _confirm(staff_client, mission, response, kind="delegation")

    assert Person.objects.count() == 2
    assert mission.delegation.get().person == known


def test_roster_never_rewrites_a_person_shared_with_another_mission(staff_client, mission):
    ndi = factories.OrganizationFactory(name="National Democratic Institute", acronym="NDI")
    shared = factories.DelegationMemberFactory(
        person__full_name="Jennifer McCoy",
        person__nationality="US",
        person__title="Director of the Americas Program",
        person__affiliation=ndi,
    ).person
    unaffiliated = factories.PersonFactory(
        full_name="Rosa Quispe", nationality="PE", title="", affiliation=None
    )
    roster = (
        "name,nationality,affiliation,title,role\n"
        "Jennifer McCoy,US,Transparencia,Short-term observer,Core team\n"
        "Ana María Pérez,PE,Transparencia,Lawyer,Staff\n"
        "Rosa Quispe,PE,Red Ciudadana,,Staff\n"
    )

    response = _preview(staff_client, mission, _csv(roster), kind="delegation")

    preview = response.context["preview"]
    assert preview.notices == [
        f"Line {line}: {name} is already on record, and people are shared by every mission: "
        "the import adds the person on record as they are, without the affiliation or title "
        "in the file."
        for line, name in [(2, "Jennifer McCoy"), (4, "Rosa Quispe")]
    ]
    assert "without the affiliation or title" in response.content.decode()
    assert (preview.counts["people_created"], preview.counts["organizations_created"]) == (1, 1)

    _confirm(staff_client, mission, response, kind="delegation")

    shared.refresh_from_db()
    assert (shared.title, shared.affiliation) == (
        "Director of the Americas Program",
        ndi,
    )
    assert mission.delegation.get(person=shared).role == DelegationMember.Role.CORE_TEAM
    unaffiliated.refresh_from_db()
    assert unaffiliated.affiliation is None
    assert not Organization.objects.filter(name="Red Ciudadana").exists()
    newcomer = Person.objects.get(full_name="Ana María Pérez")
    assert (newcomer.title, newcomer.affiliation.name) == ("Lawyer", "Transparencia")


def test_roster_preview_tells_nothing_of_people_on_other_missions(staff_client, mission):
    """A staff member must not read, through a preview, the affiliation or title of people
    on missions they are not on: not shown, and not told by a notice that comes only when
    the file differs from the record."""
    ndi = factories.OrganizationFactory(name="National Democratic Institute", acronym="NDI")
    factories.DelegationMemberFactory(
        person__full_name="Jennifer McCoy",
        person__nationality="US",
        person__title="Director of the Americas Program",
        person__affiliation=ndi,
    )
    header = "name,nationality,affiliation,title,role\n"
    agreeing = _csv(header + "jennifer mccoy,US,NDI,Director of the Americas Program,Staff\n")
    differing = _csv(header + "jennifer mccoy,US,Transparencia,Observer,Staff\n")

    agreed = _preview(staff_client, mission, agreeing, kind="delegation")
    differed = _preview(staff_client, mission, differing, kind="delegation")

    assert (
        agreed.context["preview"].notices
        == differed.context["preview"].notices
        == [
            "Line 2: jennifer mccoy is already on record, and people are shared by every mission: "
            "the import adds the person on record as they are, without the affiliation or title "
            "in the file."
        ]
    )
    page = differed.content.decode()
    # The name as stored (the file's is in lower case); not the first name alone, which the
    # signed-in member's generated name may share.
    stored_values = ["National Democratic Institute", "NDI", "Director of the Americas"]
    for stored in [*stored_values, "Jennifer McCoy"]:
        assert stored not in page


def test_roster_preview_shows_the_record_of_people_already_in_this_delegation(
    staff_client, mission
):
    factories.DelegationMemberFactory(
        mission=mission,
        person__full_name="Jennifer McCoy",
        person__nationality="US",
        person__title="Director of the Americas Program",
        person__affiliation=None,
    )
    roster = "name,nationality,affiliation,title,role\nJennifer McCoy,US,NDI,Observer,Staff\n"

    response = _preview(staff_client, mission, _csv(roster), kind="delegation")

    assert response.context["preview"].notices == [
        "Line 2: Jennifer McCoy is already on record, and people are shared by every mission: "
        f"the import kept the stored {what}, not “{given}”."
        for what, given in [
            ("affiliation (none)", "NDI"),
            ("title “Director of the Americas Program”", "Observer"),
        ]
    ]


def test_roster_notices_are_kept_up_to_a_limit_and_the_rest_counted(
    staff_client, mission, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_KEPT_NOTICES", 1)
    for name in ["Ana", "Berta", "Carla"]:
        factories.PersonFactory(full_name=name, nationality="PE")
    roster = "name,nationality,title,role\nAna,PE,x,Staff\nBerta,PE,x,Staff\nCarla,PE,x,Staff\n"

    response = _preview(staff_client, mission, _csv(roster), kind="delegation")

    [first, rest] = response.context["preview"].notices
    assert first.startswith("Line 2: Ana is already on record")
    assert rest == "…and 2 more notices like these."


def test_roster_agreeing_with_a_stored_person_gives_no_notice(staff_client, mission):
    ndi = factories.OrganizationFactory(name="National Democratic Institute", acronym="NDI")
    factories.DelegationMemberFactory(
        mission=mission,
        person__full_name="Jennifer McCoy",
        person__nationality="US",
        person__title="",
        person__affiliation=ndi,
    )
    roster = "name,nationality,affiliation,title,role\nJennifer McCoy,US,ndi,,Core team\n"

    response = _preview(staff_client, mission, _csv(roster), kind="delegation")

    assert response.context["preview"].notices == []
    assert response.context["preview"].counts["organizations_created"] == 0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "Ana,Narnia,Leader\n",
            [
                (
                    2,
                    "Nationality",
                    "is not a country we know; give its name or its ISO code (PE or PER).",
                )
            ],
        ),
        (
            "Ana,PE,Chief\n",
            [
                (
                    2,
                    "Role",
                    "is not a role we know; use one of: Leader, Co-leader, Core team, "
                    "Long-term observer, Short-term observer, Staff, or match it to one in "
                    "the columns step.",
                )
            ],
        ),
        (
            "Ana,PE,Leader\nana,Peru,Staff\n",
            [(3, "Name", "this person is also on line 2; list each person once.")],
        ),
    ],
    ids=["unknown-country", "unknown-role", "person-twice"],
)
def test_bad_roster_rows_are_listed_and_nothing_is_written(staff_client, mission, rows, expected):
    response = _preview(
        staff_client, mission, _csv("name,nationality,role\n" + rows), kind="delegation"
    )

    assert _errors(response) == expected
    assert not Person.objects.exists()
    assert not DelegationMember.objects.exists()


def test_roster_without_a_role_column_is_refused(staff_client, mission):
    response = _preview(staff_client, mission, _csv("name\nAna\n"), kind="delegation")

    [error] = _form_errors(response)
    assert error.code == "missing_column"
    assert not Person.objects.exists()


def test_a_new_upload_replaces_the_one_waiting(staff_client, mission, tmp_path):
    first = _preview(staff_client, mission, _csv("code,name,registered voters\n0001,A,1\n"))
    second = _preview(staff_client, mission, _csv("code,name,registered voters\n0002,B,2\n"))

    _confirm(staff_client, mission, first)
    assert not PollingStation.objects.exists()
    _confirm(staff_client, mission, second)

    assert list(PollingStation.objects.values_list("code", flat=True)) == ["0002"]
    assert not any((tmp_path / "imports").iterdir())
