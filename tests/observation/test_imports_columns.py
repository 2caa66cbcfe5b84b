"""The columns step: a list whose headers we do not know is matched by the user once,
columns joined where the list numbers stations per county, and the choice remembered."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from observation.models import ColumnMapping, DelegationMember, PollingStation
from tests import factories
from tests.observation.columns_step import choose_values

# Uploads wait in media storage between preview and confirmation: each test its own.
pytestmark = pytest.mark.usefixtures("media_root")

# Modelled on Romania's list of polling stations (Autoritatea Electorală Permanentă): a
# semicolon list numbered within each county, with Romanian headers.
ROMANIAN = (
    "Judet;Numar sectie;Denumire sectie;Adresa\n"
    "Cluj;1;Scoala Gimnaziala 1;Str. Horea 2\n"
    "Cluj;2;Liceul Teoretic 2;Str. Avram Iancu 5\n"
    "Iasi;1;Scoala 7;Bd. Independentei 1\n"
)
JOINED = {"Judet": "code", "Numar sectie": "code", "Denumire sectie": "name", "Adresa": ""}


def _file(text: str, name="list.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def _upload(client, mission, text, kind="station"):
    url = reverse(f"observation:{kind}_import", args=[mission.pk])
    return client.post(url, {"file": _file(text)})


def _choose(client, mission, response, choices: dict, kind="station"):
    """Post the columns step with a field for each header of the file."""
    form = response.context["columns_form"]
    data = {"token": form["token"].value()}
    for column, _field in form.rows():
        data[form.field_name(column)] = choices[column.header]
    if "codes_within_area" in choices:
        data["codes_within_area"] = choices["codes_within_area"]
    return client.post(reverse(f"observation:{kind}_import_columns", args=[mission.pk]), data)


def _confirm(client, mission, response, kind="station"):
    token = response.context["token"]
    assert token, response.context["preview"].errors
    url = reverse(f"observation:{kind}_import_confirm", args=[mission.pk])
    return client.post(url, {"token": token})


def test_unknown_headers_open_the_columns_step_with_each_columns_values(staff_client, mission):
    response = _upload(staff_client, mission, ROMANIAN)

    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "missing_column"
    assert response.context["token"] is None
    columns = [(c.header, c.samples, c.key) for c, _f in response.context["columns_form"].rows()]
    assert columns == [
        ("Judet", ("Cluj", "Iasi"), ""),
        ("Numar sectie", ("1", "2"), ""),
        ("Denumire sectie", ("Scoala Gimnaziala 1", "Liceul Teoretic 2", "Scoala 7"), ""),
        ("Adresa", ("Str. Horea 2", "Str. Avram Iancu 5", "Bd. Independentei 1"), ""),
    ]
    page = response.content.decode()
    assert "Check again with these columns" in page
    assert "Cluj · Iasi" in page
    assert not PollingStation.objects.exists()


def test_numbers_per_county_are_refused_alone_and_unique_once_joined(staff_client, mission):
    uploaded = _upload(staff_client, mission, ROMANIAN)
    per_county = {**JOINED, "Judet": "area_1"}

    alone = _choose(staff_client, mission, uploaded, per_county)

    assert not alone.context["preview"].is_valid
    [error] = alone.context["preview"].errors
    assert (error.line, error.column) == (4, "Code")
    assert "the code 1 is also on line 2" in error.message
    assert alone.context["token"] is None
    assert not PollingStation.objects.exists()

    joined = _choose(staff_client, mission, alone, JOINED)
    assert joined.context["preview"].is_valid
    _confirm(staff_client, mission, joined)

    stored = PollingStation.objects.filter(mission=mission).order_by("code")
    assert [(s.code, s.name) for s in stored] == [
        ("CLUJ 1", "Scoala Gimnaziala 1"),
        ("CLUJ 2", "Liceul Teoretic 2"),
        ("IASI 1", "Scoala 7"),
    ]


def test_the_mapping_is_remembered_for_the_missions_next_file(staff_client, staff, mission):
    _confirm(
        staff_client,
        mission,
        _choose(staff_client, mission, _upload(staff_client, mission, ROMANIAN), JOINED),
    )
    remembered = ColumnMapping.objects.get(mission=mission, kind="stations")
    assert remembered.columns == {
        "judet": "code",
        "numar sectie": "code",
        "denumire sectie": "name",
        "adresa": "",
    }
    assert remembered.updated_by == staff

    again = _upload(staff_client, mission, ROMANIAN + "Iasi;2;Liceul 9;Str. Lunga 3\n")

    assert again.context["preview"].is_valid
    assert again.context["preview"].counts == {"created": 1, "updated": 3}
    # A column the user left out is not reported as unread.
    assert again.context["preview"].notices == []
    # Another mission's lists are matched by their own headers.
    other = factories.MissionFactory()
    factories.MissionMembershipFactory(mission=other, user=staff, role="staff")
    elsewhere = _upload(staff_client, other, ROMANIAN)
    assert elsewhere.context["form"].errors.as_data()["file"][0].code == "missing_column"


def test_a_header_below_a_title_is_found_by_the_remembered_mapping(staff_client, mission):
    ColumnMapping.objects.create(
        mission=mission, kind="stations", columns={"mesa": "code", "local": "name"}
    )
    text = "Relación de mesas de sufragio\nMesa;Local\n900001;IE 1234\n"

    response = _upload(staff_client, mission, text)

    preview = response.context["preview"]
    assert preview.is_valid
    assert [(s.line, s.reason) for s in preview.skipped] == [(1, "above the header line")]
    _confirm(staff_client, mission, response)
    assert PollingStation.objects.get(mission=mission).name == "IE 1234"


def test_first_and_last_names_join_into_one_name(client, leader, mission):
    client.force_login(leader)
    roster = "Nombres,Apellidos,Rol\nAna María,Quispe Huamán,Leader\nJohn,Smith,Staff\n"
    uploaded = _upload(client, mission, roster, kind="delegation")
    choices = {"Nombres": "full_name", "Apellidos": "full_name", "Rol": "role"}

    checked = _choose(client, mission, uploaded, choices, kind="delegation")
    _confirm(client, mission, checked, kind="delegation")

    members = DelegationMember.objects.filter(mission=mission).order_by("person__full_name")
    assert [(m.person.full_name, m.role) for m in members] == [
        ("Ana María Quispe Huamán", "leader"),
        ("John Smith", "staff"),
    ]


def test_a_choice_outside_the_list_is_refused_and_nothing_is_kept(staff_client, mission):
    uploaded = _upload(staff_client, mission, ROMANIAN)

    response = _choose(staff_client, mission, uploaded, {**JOINED, "Adresa": "reviewer_notes"})

    field = response.context["columns_form"]["column_3"]
    assert "Select a valid choice." in " ".join(field.errors)
    assert response.context["preview"] is None
    [entry] = staff_client.session["pending_imports"].values()
    assert entry["mapping"] is None
    assert not ColumnMapping.objects.exists()
    assert not PollingStation.objects.exists()


def test_another_users_upload_cannot_be_matched(staff_client, mission, reviewer):
    uploaded = _upload(staff_client, mission, ROMANIAN)
    other = Client()
    other.force_login(reviewer)

    response = _choose(other, mission, uploaded, JOINED)

    assert response.status_code == 302
    assert not PollingStation.objects.exists()
    [entry] = staff_client.session["pending_imports"].values()
    assert entry["mapping"] is None


@pytest.mark.parametrize("kind", ["station", "delegation"])
def test_the_csv_template_imports_once_filled_in(client, leader, mission, kind):
    client.force_login(leader)

    template = client.get(reverse(f"observation:{kind}_import_template", args=[mission.pk, "csv"]))

    header = b"".join(template.streaming_content).decode("utf-8-sig")
    [labels] = list(csv.reader(io.StringIO(header)))
    assert labels[:2] == (["Code", "Name"] if kind == "station" else ["Name", "Nationality"])
    values = {"Code": "0001", "Name": "Escuela 1", "Role": "Staff", "Nationality": "PE"}
    row = ",".join(values.get(label, "") for label in labels)
    if kind == "delegation":
        row = row.replace("Escuela 1", "Ana Quispe")
    checked = client.post(
        reverse(f"observation:{kind}_import", args=[mission.pk]),
        {"file": _file(header + row + "\n")},
    )
    assert checked.context["preview"].notices == []
    _confirm(client, mission, checked, kind=kind)
    model = PollingStation if kind == "station" else DelegationMember
    assert model.objects.filter(mission=mission).count() == 1


def test_the_xlsx_template_has_the_import_headers_in_spanish(client, leader, mission):
    client.force_login(leader)

    template = client.get(
        reverse("observation:station_import_template", args=[mission.pk, "xlsx"]),
        headers={"accept-language": "es"},
    )

    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[:2] == ["Código", "Nombre"]
    assert "Electores hábiles" in header


def test_a_list_numbered_per_county_is_proposed_and_kept_with_its_areas(staff_client, mission):
    per_county = {**JOINED, "Judet": "area_1", "Numar sectie": "code"}
    numbered = _choose(staff_client, mission, _upload(staff_client, mission, ROMANIAN), per_county)

    assert not numbered.context["preview"].is_valid
    assert (
        "Codes repeat in this list, but never within one area: it numbers its stations "
        "within each area." in " ".join(numbered.context["preview"].notices)
    )
    assert "(IASI / 1)" in numbered.content.decode()

    within = _choose(staff_client, mission, numbered, {**per_county, "codes_within_area": "on"})
    _confirm(staff_client, mission, within)

    stored = PollingStation.objects.filter(mission=mission).order_by("code")
    assert [(s.code, s.area_1, s.name) for s in stored] == [
        ("CLUJ / 1", "Cluj", "Scoala Gimnaziala 1"),
        ("CLUJ / 2", "Cluj", "Liceul Teoretic 2"),
        ("IASI / 1", "Iasi", "Scoala 7"),
    ]
    assert ColumnMapping.objects.get(mission=mission).codes_within_area


def test_codes_kept_with_their_areas_export_and_import_back_unchanged(staff_client, mission):
    ColumnMapping.objects.create(
        mission=mission,
        kind="stations",
        columns={"judet": "area_1", "numar sectie": "code", "denumire sectie": "name"},
        codes_within_area=True,
    )
    _confirm(staff_client, mission, _upload(staff_client, mission, ROMANIAN))
    stored = list(PollingStation.objects.order_by("code").values_list("code", "area_1", "name"))
    export = staff_client.get(reverse("observation:station_export", args=[mission.pk, "csv"]))

    again = _upload(staff_client, mission, b"".join(export.streaming_content).decode("utf-8-sig"))

    assert again.context["preview"].counts == {"created": 0, "updated": 3}
    assert again.context["preview"].changes.unchanged == 3
    _confirm(staff_client, mission, again)
    assert (
        list(PollingStation.objects.order_by("code").values_list("code", "area_1", "name"))
        == stored
    )


def test_a_code_too_long_with_its_areas_is_refused(staff_client, mission):
    ColumnMapping.objects.create(
        mission=mission,
        kind="stations",
        columns={"judet": "area_1", "numar sectie": "code", "denumire sectie": "name"},
        codes_within_area=True,
    )
    county = "Municipiul Bucuresti Sectorul Sase Circumscriptia Electorala Nr 42"
    text = f"Judet;Numar sectie;Denumire sectie\n{county};1;Scoala 1\n"

    response = _upload(staff_client, mission, text)

    [error] = response.context["preview"].errors
    assert error.column == "Code"
    assert "is longer than 64 characters" in error.message
    assert not PollingStation.objects.exists()


# Modelled on the list of polling places of Mexico's INE (Ubicación de casillas): coordinates
# under headers that name no field, with a decimal comma.
MEXICO_PLACES = (
    "CASILLA;NOMBRE_LOCAL;UBICACION_1;UBICACION_2\n"
    "0001 B;Escuela Primaria Benito Juárez;19,432608;-99,133209\n"
    "0001 C1;Jardín de Niños Sor Juana;20,659699;-103,349609\n"
)


def test_coordinates_are_matched_by_their_values_and_shown_as_such(staff_client, mission):
    response = _upload(staff_client, mission, MEXICO_PLACES)

    preview = response.context["preview"]
    assert preview.is_valid
    rows = response.context["columns_form"].rows()
    assert [(c.header, c.key, c.by_content) for c, _f in rows] == [
        ("CASILLA", "code", False),
        ("NOMBRE_LOCAL", "name", False),
        ("UBICACION_1", "latitude", True),
        ("UBICACION_2", "longitude", True),
    ]
    assert preview.notices == [
        "The column “UBICACION_1” was read as Latitude from its values; choose another "
        "field in the columns step if that is wrong.",
        "The column “UBICACION_2” was read as Longitude from its values; choose another "
        "field in the columns step if that is wrong.",
    ]
    assert response.content.decode().count("Matched by its values: check it.") == 2
    _confirm(staff_client, mission, response)
    station = PollingStation.objects.get(mission=mission, code="0001 C1")
    assert (str(station.latitude), str(station.longitude)) == ("20.659699", "-103.349609")


def test_coordinates_named_by_axis_are_read_by_their_headers(staff_client, mission):
    # As a GIS export of Peru's voting places names them.
    text = "Mesa;Local;POINT_Y;POINT_X\n900001;IE 1234 Lima;-12.046374;-77.042793\n"

    response = _upload(staff_client, mission, text)

    assert [c.key for c in response.context["preview"].columns] == [
        "code",
        "name",
        "latitude",
        "longitude",
    ]
    assert response.context["preview"].notices == []


def test_coordinates_that_could_be_either_are_left_to_the_user(staff_client, mission):
    # Romania lies within 90° both ways: nothing tells its latitudes from its longitudes.
    text = (
        "Cod;Denumire;GPS 1;GPS 2\n1;Scoala 1;46.770439;23.591423\n2;Scoala 2;47.158455;27.601442\n"
    )

    response = _upload(staff_client, mission, text)

    rows = response.context["columns_form"].rows()
    assert [(c.header, c.key) for c, _f in rows][2:] == [("GPS 1", ""), ("GPS 2", "")]
    chosen = {"Cod": "code", "Denumire": "name", "GPS 1": "latitude", "GPS 2": "longitude"}
    _confirm(staff_client, mission, _choose(staff_client, mission, response, chosen))
    station = PollingStation.objects.get(mission=mission, code="2")
    assert (str(station.latitude), str(station.longitude)) == ("47.158455", "27.601442")


def test_a_column_with_one_value_a_field_does_not_know_is_not_matched(staff_client, mission):
    text = "Code;Name;Sorteada\n1;Escuela 1;Sí\n2;Escuela 2;No\n3;Escuela 3;Quizás\n"

    response = _upload(staff_client, mission, text)

    [sorted_column] = [c for c, _f in response.context["columns_form"].rows()][2:]
    assert (sorted_column.key, sorted_column.by_content) == ("", False)
    assert response.context["preview"].notices == [
        "The column “Sorteada” is not one we read; it was ignored."
    ]


def test_a_yes_no_column_is_read_as_the_sample(staff_client, mission):
    text = "Code;Name;Sorteada\n1;Escuela 1;Sí\n2;Escuela 2;No\n"

    response = _upload(staff_client, mission, text)

    _confirm(staff_client, mission, response)
    stations = PollingStation.objects.filter(mission=mission).order_by("code")
    assert [s.in_sample for s in stations] == [True, False]


def test_countries_and_roles_are_matched_by_their_values_in_a_roster(client, leader, mission):
    client.force_login(leader)
    # NEMO-style full names; the other headers are the mission's own.
    roster = (
        "Full Name,Passport,Deployment\n"
        "Ana María Quispe,Perú,Líder\n"
        "John Smith,United States,OBS\n"
        "Claire Dubois,Côte d'Ivoire,Staff\n"
    )

    response = _upload(client, mission, roster, kind="delegation")

    rows = response.context["columns_form"].rows()
    assert [(c.header, c.key, c.by_content) for c, _f in rows] == [
        ("Full Name", "full_name", False),
        ("Passport", "nationality", True),
        ("Deployment", "role", True),
    ]
    _confirm(client, mission, response, kind="delegation")
    members = DelegationMember.objects.filter(mission=mission).order_by("person__full_name")
    assert [(m.person.full_name, m.person.nationality.code, m.role) for m in members] == [
        ("Ana María Quispe", "PE", "leader"),
        ("Claire Dubois", "CI", "staff"),
        ("John Smith", "US", "sto"),
    ]


def test_a_column_the_user_left_out_stays_out_whatever_its_values(staff_client, mission):
    response = _upload(staff_client, mission, MEXICO_PLACES)
    chosen = {"CASILLA": "code", "NOMBRE_LOCAL": "name", "UBICACION_1": "", "UBICACION_2": ""}

    checked = _choose(staff_client, mission, response, chosen)

    assert [c.key for c in checked.context["preview"].columns] == ["code", "name"]
    _confirm(staff_client, mission, checked)
    assert not PollingStation.objects.filter(mission=mission, latitude__isnull=False).exists()
    remembered = ColumnMapping.objects.get(mission=mission, kind="stations")
    assert remembered.columns["ubicacion 1"] == ""


# A mission's own words for its roles, as a roster written for it has them.
OWN_ROLES = (
    "Nombre,Función\n"
    "Ana Quispe,Jefa de misión\n"
    "John Smith,Observador\n"
    "Luis Paz,Chofer\n"
    "Rosa Díaz,Enlace territorial\n"
)


def test_a_rosters_own_words_for_roles_are_matched_to_ours_and_remembered(client, leader, mission):
    client.force_login(leader)
    uploaded = _upload(client, mission, OWN_ROLES, kind="delegation")

    errors = uploaded.context["preview"].errors
    assert [(e.line, e.column, e.value) for e in errors] == [
        (4, "Role", "Chofer"),
        (5, "Role", "Enlace territorial"),
    ]
    assert "or match it to one in the columns step" in errors[0].message
    [(column, field, rows)] = uploaded.context["columns_form"].value_rows()
    assert (column.header, field.key) == ("Función", "role")
    assert [(value, choice.value()) for value, choice in rows] == [
        ("Jefa de misión", "leader"),
        ("Observador", "sto"),
        ("Chofer", ""),
        ("Enlace territorial", ""),
    ]
    assert DelegationMember.objects.count() == 0

    checked = choose_values(
        client,
        mission,
        uploaded,
        {"Chofer": "staff", "Enlace territorial": "lto"},
        kind="delegation",
    )
    _confirm(client, mission, checked, kind="delegation")

    members = DelegationMember.objects.filter(mission=mission).order_by("person__full_name")
    assert [(m.person.full_name, m.role) for m in members] == [
        ("Ana Quispe", "leader"),
        ("John Smith", "sto"),
        ("Luis Paz", "staff"),
        ("Rosa Díaz", "lto"),
    ]
    remembered = ColumnMapping.objects.get(mission=mission, kind="delegation")
    assert remembered.values == {
        "role": {
            "jefa de mision": "leader",
            "observador": "sto",
            "chofer": "staff",
            "enlace territorial": "lto",
        }
    }
    # The next roster in the same words is read as it was matched.
    again = _upload(client, mission, OWN_ROLES + "Eva Ramos,Chofer\n", kind="delegation")
    assert again.context["preview"].is_valid
    assert again.context["preview"].counts["members_added"] == 1


def test_a_value_matched_to_a_role_that_does_not_exist_is_refused(client, leader, mission):
    client.force_login(leader)
    uploaded = _upload(client, mission, OWN_ROLES, kind="delegation")

    response = choose_values(client, mission, uploaded, {"Chofer": "superuser"}, kind="delegation")

    [(_column, _field, rows)] = response.context["columns_form"].value_rows()
    [chofer] = [choice for value, choice in rows if value == "Chofer"]
    assert "Select a valid choice." in " ".join(chofer.errors)
    assert response.context["preview"] is None
    assert not ColumnMapping.objects.exists()
    assert DelegationMember.objects.count() == 0
