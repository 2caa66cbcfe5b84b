"""Rosters as partners send them: countries by their common names in English, Spanish or
French, roles in each organisation's words, headers in French or as NEMO exports them."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observation.imports import _CountryField, _RoleField
from observation.models import DelegationMember, Person
from observation.rosters import COUNTRY_ALIASES, ROLE_ALIASES

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("United States", "US"),
        ("EE. UU.", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Scotland", "GB"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Ivory Coast", "CI"),
        # As a spreadsheet's autocorrect types it: a typographic apostrophe.
        ("côte d\N{RIGHT SINGLE QUOTATION MARK}ivoire", "CI"),
        ("Pérou", "PE"),
        ("Allemagne", "DE"),
        ("PER", "PE"),
        ("  perú ", "PE"),
        ("Burma", "MM"),
        ("Holland", "NL"),
    ],
)
def test_countries_by_their_common_names(given, code):
    assert _CountryField().clean(given) == code


def test_every_alias_names_its_country_or_role():
    countries, roles = _CountryField(), _RoleField()
    for code, aliases in COUNTRY_ALIASES.items():
        assert {countries.clean(alias) for alias in aliases} == {code}
    for role, aliases in ROLE_ALIASES.items():
        assert {roles.clean(alias) for alias in aliases} == {role}


@pytest.mark.parametrize(
    ("given", "role"),
    [
        ("OBS", DelegationMember.Role.SHORT_TERM_OBSERVER),
        ("LTO", DelegationMember.Role.LONG_TERM_OBSERVER),
        ("Líder", DelegationMember.Role.LEADER),
        ("Chef de mission", DelegationMember.Role.LEADER),
        ("observatrice", DelegationMember.Role.SHORT_TERM_OBSERVER),
        ("Analista", DelegationMember.Role.CORE_TEAM),
        ("Staff", DelegationMember.Role.STAFF),
    ],
)
def test_roles_in_each_organisations_words(given, role):
    assert _RoleField().clean(given) == role


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        (_CountryField, "Korea", "is not a country we know"),
        (_CountryField, "Atlantis", "is not a country we know"),
        (_RoleField, "Driver", "is not a role we know; use one of: Leader, Co-leader"),
    ],
)
def test_an_unknown_country_or_role_is_refused_by_name(field, given, message):
    with pytest.raises(ValidationError) as refused:
        field().clean(given)

    assert message in " ".join(refused.value.messages)


def _import(client, mission, text):
    file = io.BytesIO(text.encode())
    file.name = "roster.csv"
    checked = client.post(
        reverse("observation:delegation_import", args=[mission.pk]), {"file": file}
    )
    return checked


def _confirm(client, mission, checked):
    token = checked.context["token"]
    assert token, checked.context["preview"].errors
    client.post(
        reverse("observation:delegation_import_confirm", args=[mission.pk]), {"token": token}
    )


def _members(mission):
    return sorted(
        (m.person.full_name, m.person.nationality.code, m.role)
        for m in DelegationMember.objects.filter(mission=mission).select_related("person")
    )


def test_a_nemo_style_roster_imports(leader_client, mission):
    # The headers of NEMO's user export (thecartercenter/nemo), with its role words.
    roster = (
        "Full Name,Nationality,Organization,Role,Title\n"
        "Jennie Lincoln,United States,The Carter Center,Head of Delegation,Director\n"
        "Ana Quispe,Peru,Transparencia,OBS,Observer\n"
        "John Smith,UK,NDI,LTO,\n"
    )

    _confirm(leader_client, mission, _import(leader_client, mission, roster))

    assert _members(mission) == [
        ("Ana Quispe", "PE", "sto"),
        ("Jennie Lincoln", "US", "leader"),
        ("John Smith", "GB", "lto"),
    ]


def test_a_french_roster_imports(leader_client, mission):
    roster = (
        "Nom complet;Nationalité;Organisation;Rôle;Titre\n"
        "Awa Diallo;Côte d'Ivoire;EISA;Chef de mission;Ancienne ministre\n"
        "Jean Dupont;États-Unis;NDI;Observateur de longue durée;\n"
    )

    _confirm(leader_client, mission, _import(leader_client, mission, roster))

    assert _members(mission) == [
        ("Awa Diallo", "CI", "leader"),
        ("Jean Dupont", "US", "lto"),
    ]


def test_an_unknown_country_in_a_roster_writes_nothing(leader_client, mission):
    roster = "Full Name,Nationality,Role\nAna Quispe,Korea,OBS\nJohn Smith,UK,Driver\n"

    checked = _import(leader_client, mission, roster)

    errors = [(e.line, e.column, e.value) for e in checked.context["preview"].errors]
    assert errors == [(2, "Nationality", "Korea"), (3, "Role", "Driver")]
    assert checked.context["token"] is None
    assert not DelegationMember.objects.filter(mission=mission).exists()
    assert not Person.objects.filter(full_name__in=["Ana Quispe", "John Smith"]).exists()
