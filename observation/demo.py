"""Demo data: The Carter Center's election missions to Peru, from the public record.

`load_facts()` loads only what the reference text states (organisations, people,
the 2000, 2001 and 2016 missions, their rounds, irregularities, statements and
recommendations). `load_illustrative()` adds invented station-level data for the
2000 first round, marked as such wherever it can carry a note, so that the forms,
lists and summary have something to show. Where the text gives a month but no
day, the day chosen is said to be illustrative in the record itself.

Every loader matches rows on stable keys and saves a row only when it is new or
differs, after full_clean(): running it again changes nothing (not even history).
"""

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from observation.models import (
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    Mission,
    MissionMembership,
    MissionPartner,
    ObserverReport,
    Organization,
    Person,
    PollingStation,
    Recommendation,
)
from observation.overvote import sync_overvote

# Local demo only: `make run` prints them and the README names them.
SUPERUSER = "admin"
PASSWORD = "observa-demo"

ILLUSTRATIVE = "Illustrative data: not from the mission's records."
ILLUSTRATIVE_DATE = "The exact date is illustrative: the text gives no day for it."

LIMA = ZoneInfo("America/Lima")


def upsert(model, *, key: dict, values: dict | None = None):
    """The row matching `key`, created or brought in step with `values`.

    Saves only when the row is new or a value differs, and validates it first,
    so a second load writes nothing.
    """
    values = values or {}
    row = model.objects.filter(**key).first()
    if row is None:
        row = model(**key, **values)
    elif not _differs(row, values):
        return row
    else:
        for name, value in values.items():
            setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def _differs(row, values: dict) -> bool:
    for name, value in values.items():
        field = row._meta.get_field(name)
        if field.is_relation and name != field.attname:
            # Compare ids, so that an unloaded relation costs no query.
            if getattr(row, field.attname) != (value.pk if value is not None else None):
                return True
        elif getattr(row, name) != value:
            return True
    return False


@dataclass(frozen=True)
class DemoUsers:
    admin: object
    staff: object
    reviewer: object
    leader: object


def load_users() -> DemoUsers:
    """The superuser and one user per mission role, all with the demo password.

    An existing user keeps its password and flags: the demo never resets them.
    """
    User = get_user_model()

    def user(username, **flags):
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        new = User(username=username, **flags)
        new.set_password(PASSWORD)
        new.full_clean()
        new.save()
        return new

    return DemoUsers(
        admin=user(SUPERUSER, is_superuser=True, is_staff=True),
        staff=user("staff"),
        reviewer=user("reviewer"),
        leader=user("leader"),
    )


def load_demo() -> DemoUsers:
    """Load the users, the facts and the illustrative data; return the users."""
    users = load_users()
    load_facts(users=users)
    load_illustrative(users=users)
    return users


# --- Facts from the text -------------------------------------------------------------

ORGANIZATIONS = [
    # (name, acronym, kind, country): a country only where the text gives or implies it.
    ("The Carter Center", "", Organization.Kind.OBSERVER_GROUP, "US"),
    (
        "National Democratic Institute for International Affairs",
        "NDI",
        Organization.Kind.OBSERVER_GROUP,
        "US",
    ),
    ("Organization of American States", "OAS", Organization.Kind.INTERGOVERNMENTAL, ""),
    ("International IDEA", "", Organization.Kind.INTERGOVERNMENTAL, ""),
    ("University of Calgary", "", Organization.Kind.ACADEMIC, ""),
    ("Canadian Foundation for the Americas", "", Organization.Kind.CIVIL_SOCIETY, "CA"),
    ("El Comercio", "", Organization.Kind.MEDIA, "PE"),
    ("La República", "", Organization.Kind.MEDIA, "PE"),
    (
        "Council of Presidents and Prime Ministers of the Americas",
        "",
        Organization.Kind.CIVIL_SOCIETY,
        "",
    ),
    ("Boston University", "", Organization.Kind.ACADEMIC, ""),
    ("Latin American Social Science Faculty", "", Organization.Kind.ACADEMIC, ""),
    ("National Electoral Court (Bolivia)", "", Organization.Kind.ELECTORAL_BODY, "BO"),
    (
        "Inter-American Commission of Human Rights",
        "",
        Organization.Kind.INTERGOVERNMENTAL,
        "",
    ),
    ("Government of Peru", "", Organization.Kind.GOVERNMENT, "PE"),
]

PEOPLE = [
    # (full name, nationality, affiliation, title), as the text gives them.
    ("Jimmy Carter", "US", "The Carter Center", ""),
    ("Erskine Sandiford", "BB", None, "Prime Minister of Barbados"),
    (
        "Rodrigo Carazo",
        "CR",
        "Council of Presidents and Prime Ministers of the Americas",
        "former President of Costa Rica",
    ),
    (
        "Oscar Arias",
        "CR",
        "Council of Presidents and Prime Ministers of the Americas",
        "former President of Costa Rica",
    ),
    ("Alberto Fujimori", "PE", None, "President of Peru"),
    ("Alejandro Toledo", "PE", None, "presidential candidate in 2000 and 2001"),
    ("Alan Garcia", "PE", None, "former President of Peru"),
    (
        "Salvador Romero Ballivián",
        "BO",
        None,
        "former president of the National Electoral Court",
    ),
    ("David Scott Palmer", "US", "Boston University", "professor at Boston University"),
    (
        "Simón Pachano",
        "EC",
        "Latin American Social Science Faculty",
        "professor at the Latin American Social Science Faculty",
    ),
    (
        "Jennie Lincoln",
        "US",
        "The Carter Center",
        "director of the Carter Center's Americas Program",
    ),
]

PERU_2000 = "Peru 2000"
PERU_2001 = "Peru 2001"
PERU_2016 = "Peru 2016"

MISSION_DATES_NOTE = (
    "The mission's start and end dates are illustrative: the text gives the election "
    "days and the months of the missions, not when each delegation arrived or left."
)


def load_facts(*, users: DemoUsers) -> None:
    organizations = {
        name: upsert(
            Organization,
            key={"name": name},
            values={"acronym": acronym, "kind": kind, "country": country},
        )
        for name, acronym, kind, country in ORGANIZATIONS
    }
    for full_name, nationality, affiliation, title in PEOPLE:
        upsert(
            Person,
            key={"full_name": full_name},
            values={
                "nationality": nationality,
                "affiliation": organizations[affiliation] if affiliation else None,
                "title": title,
            },
        )
    carter_center = organizations["The Carter Center"]
    ndi = organizations["National Democratic Institute for International Affairs"]
    _load_peru_2000(carter_center=carter_center, ndi=ndi, users=users)
    _load_peru_2001(carter_center=carter_center, ndi=ndi, users=users)
    _load_peru_2016(carter_center=carter_center)


def _mission(name, *, lead, values) -> Mission:
    return upsert(
        Mission,
        key={"name": name},
        values={
            "country": "PE",
            "lead_organization": lead,
            "area_label_1": "Department",
            "area_label_2": "Province",
            "area_label_3": "District",
            **values,
        },
    )


def _round(mission, kind, day, *, observed=True, reason="") -> ElectionRound:
    return upsert(
        ElectionRound,
        key={"mission": mission, "kind": kind, "election_day": day},
        values={"observed": observed, "not_observed_reason": reason},
    )


def _national_irregularity(mission, round_, category, description, *, severity, by):
    irregularity = upsert(
        Irregularity,
        key={
            "mission": mission,
            "round": round_,
            "station": None,
            "category": IrregularityCategory.objects.get(code=category),
        },
        values={
            "severity": severity,
            "evidence": Irregularity.Evidence.OBSERVED,
            "description": description,
            "reported_by": by,
        },
    )
    if irregularity.status == Irregularity.Status.REPORTED:
        irregularity.verify(by=by, note="Stated in the mission's public findings.")
    return irregularity


def _statement(mission, kind, day, *, title, body, round_=None, cites=(), recommendations=()):
    """A statement as the mission published it, with its citations and recommendations.

    Published statements are frozen, so citations and recommendations are set while
    it is still a draft; a later load finds it published and unchanged.
    """
    statement = upsert(
        FindingsStatement,
        key={"mission": mission, "kind": kind, "issued_on": day},
        values={"round": round_, "title": title, "body": body},
    )
    if statement.status != FindingsStatement.Status.DRAFT:
        return statement
    statement.cited_irregularities.set(cites)
    for addressee, text, priority, follow_up, notes in recommendations:
        upsert(
            Recommendation,
            key={"statement": statement, "text": text},
            values={
                "addressee": addressee,
                "priority": priority,
                "follow_up": follow_up,
                "follow_up_notes": notes,
            },
        )
    return statement


def _publish(statement, *, reviewer, leader):
    if statement.status == FindingsStatement.Status.DRAFT:
        statement.submit_for_review(by=reviewer)
        statement.approve(by=leader)
        statement.publish(by=leader)


def _load_peru_2000(*, carter_center, ndi, users):
    mission = _mission(
        PERU_2000,
        lead=carter_center,
        values={
            "election": "2000 presidential elections",
            "kind": Mission.Kind.FULL,
            "status": Mission.Status.CONCLUDED,
            "status_note": (
                "Declined to observe the runoff of 28 May 2000: fundamental flaws were not "
                "rectified and Toledo withdrew from the runoff."
            ),
            "start_date": datetime.date(2000, 3, 1),
            "end_date": datetime.date(2000, 7, 31),
            "summary": (
                "The Carter Center and the National Democratic Institute observed Peru's "
                "2000 presidential elections. Before election day they concluded that "
                "irreparable damage had been done to the electoral process and asked "
                "President Fujimori to postpone the elections; he declined. A small mission "
                "observed the first round on 9 April 2000 and saw many flaws. The Center "
                "and NDI declined to observe the runoff of 28 May 2000, and returned in "
                "July 2000, calling for a shortened presidential term and new elections.\n\n"
                f"{MISSION_DATES_NOTE} The polling stations, observer reports and "
                f"station-level irregularities of the first round are illustrative data, "
                f"not from the mission's records."
            ),
        },
    )
    upsert(
        MissionPartner,
        key={"mission": mission, "organization": ndi},
        values={"role": MissionPartner.Role.PARTNER},
    )
    for user, role in (
        (users.staff, MissionMembership.Role.STAFF),
        (users.reviewer, MissionMembership.Role.REVIEWER),
        (users.leader, MissionMembership.Role.LEADER),
    ):
        upsert(MissionMembership, key={"user": user, "mission": mission}, values={"role": role})

    first = _round(mission, ElectionRound.Kind.FIRST_ROUND, datetime.date(2000, 4, 9))
    _round(
        mission,
        ElectionRound.Kind.RUNOFF,
        datetime.date(2000, 5, 28),
        observed=False,
        reason="Fundamental flaws were not rectified and Toledo withdrew from the runoff.",
    )

    serious = Irregularity.Severity.SERIOUS
    flaws = [
        _national_irregularity(
            mission,
            first,
            code,
            description,
            severity=serious,
            by=users.reviewer,
        )
        for code, description in (
            ("pre_marked_ballots", "Pre-marked ballots in favor of Fujimori."),
            ("candidate_missing", "Ballots that did not list opponent Alejandro Toledo."),
            ("intimidation", "Attempted intimidation by police and the military."),
            ("tabulation_delay", "Inexplicable delays in the vote-computing process."),
        )
    ]
    # The text's fifth flaw, more ballots cast than voters assigned "in a significant
    # number of polling stations", is not logged by hand: overvote irregularities come
    # only from detection on station reports (the illustrative set raises some).

    R = Recommendation
    statements = [
        _statement(
            mission,
            FindingsStatement.Kind.PRE_ELECTION,
            datetime.date(2000, 3, 31),
            title="The electoral process falls far below international standards",
            body=(
                "Before election day, The Carter Center and NDI publicly identified "
                "numerous issues that led them to conclude that irreparable damage was "
                "done to the electoral process and that it fell far below international "
                f"standards.\n\n*{ILLUSTRATIVE_DATE}*"
            ),
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PUBLIC_APPEAL,
            datetime.date(2000, 4, 3),
            title="Appeal to postpone the elections",
            body=(
                "The Center and NDI asked President Alberto Fujimori to postpone the "
                f"elections. He declined.\n\n*{ILLUSTRATIVE_DATE}*"
            ),
            recommendations=[
                (
                    R.Addressee.GOVERNMENT,
                    "Postpone the elections.",
                    R.Priority.HIGH,
                    R.FollowUp.NOT_IMPLEMENTED,
                    "President Fujimori declined.",
                ),
            ],
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PRELIMINARY,
            datetime.date(2000, 4, 10),
            round_=first,
            title="Many flaws in the voting of 9 April",
            body=(
                "The Center and NDI sent a small mission to observe voting on April 9. "
                "The mission saw many flaws, including: pre-marked ballots in favor of "
                "Fujimori; ballots that did not list opponent Alejandro Toledo; attempted "
                "intimidation by police and the military; inexplicable delays in the "
                "vote-computing process; and in a significant number of polling stations, "
                "more ballots cast than the number of voters assigned to the polling site."
                f"\n\n*{ILLUSTRATIVE_DATE}*"
            ),
            cites=flaws,
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PUBLIC_APPEAL,
            datetime.date(2000, 6, 5),
            title="Call on the OAS to remedy the legitimacy crisis",
            body=(
                "After the fraudulent May runoff, President Carter, Barbados Prime Minister "
                "Erskine Sandiford and former Costa Rica President Rodrigo Carazo called on "
                "the Organization of American States to send a special mission to develop "
                f"remedies to the legitimacy crisis, which the OAS did.\n\n*{ILLUSTRATIVE_DATE}*"
            ),
            recommendations=[
                (
                    R.Addressee.INTERNATIONAL,
                    "Send a special OAS mission to develop remedies to the legitimacy crisis.",
                    R.Priority.HIGH,
                    R.FollowUp.FULLY,
                    "The OAS sent the special mission.",
                ),
            ],
        ),
        _statement(
            mission,
            FindingsStatement.Kind.POST_ELECTION,
            datetime.date(2000, 7, 28),
            title="Shorten the presidential term and hold new elections",
            body=(
                "The Center and NDI returned in July 2000 to meet with Peruvian political "
                "and civic groups, though Fujimori's government declined offers to meet "
                "with the delegation. At the conclusion of their mission, the team called "
                "for shortening of President Fujimori's term and new elections."
                f"\n\n*{ILLUSTRATIVE_DATE}*"
            ),
            recommendations=[
                (
                    R.Addressee.GOVERNMENT,
                    "Shorten President Fujimori's term.",
                    R.Priority.HIGH,
                    R.FollowUp.FULLY,
                    "In September 2000, Fujimori agreed to shorten his term.",
                ),
                (
                    R.Addressee.GOVERNMENT,
                    "Hold new elections.",
                    R.Priority.HIGH,
                    R.FollowUp.FULLY,
                    "In September 2000, Fujimori called for new elections in 2001 and "
                    "announced he would not be a candidate.",
                ),
            ],
        ),
    ]
    for statement in statements:
        _publish(statement, reviewer=users.reviewer, leader=users.leader)


def _load_peru_2001(*, carter_center, ndi, users):
    mission = _mission(
        PERU_2001,
        lead=carter_center,
        values={
            "election": "2001 presidential election",
            "kind": Mission.Kind.FULL,
            "status": Mission.Status.CONCLUDED,
            "status_note": "",
            "start_date": datetime.date(2001, 4, 1),
            "end_date": datetime.date(2001, 6, 10),
            "summary": (
                "The Carter Center and NDI returned for the April 2001 presidential "
                "election, noting widespread poll opening delays and, in a few instances, "
                "polls that did not open at all. The delegation found that Peru had made "
                "remarkable progress since the fraudulent election of May 2000. Toledo and "
                "former President Alan Garcia headed to a runoff, which the Center and NDI "
                f"observed and in which Toledo emerged as the people's choice.\n\n"
                f"{MISSION_DATES_NOTE}"
            ),
        },
    )
    upsert(
        MissionPartner,
        key={"mission": mission, "organization": ndi},
        values={"role": MissionPartner.Role.PARTNER},
    )
    first = _round(mission, ElectionRound.Kind.FIRST_ROUND, datetime.date(2001, 4, 8))
    runoff = _round(mission, ElectionRound.Kind.RUNOFF, datetime.date(2001, 6, 3))
    # No demo user belongs to this mission: the superuser stands in for its reviewers.
    findings = [
        _national_irregularity(
            mission,
            first,
            "late_opening",
            "Widespread poll opening delays.",
            severity=Irregularity.Severity.SIGNIFICANT,
            by=users.admin,
        ),
        _national_irregularity(
            mission,
            first,
            "station_not_opened",
            "In a few instances, polls did not open at all.",
            severity=Irregularity.Severity.SIGNIFICANT,
            by=users.admin,
        ),
    ]
    statements = [
        _statement(
            mission,
            FindingsStatement.Kind.PRELIMINARY,
            datetime.date(2001, 4, 10),
            round_=first,
            title="Remarkable progress since May 2000",
            body=(
                "The Carter Center and NDI noted widespread poll opening delays, and in a "
                "few instances, polls did not open at all. The delegation found that Peru "
                "had made remarkable progress since the fraudulent election of May 2000."
                f"\n\n*{ILLUSTRATIVE_DATE}*"
            ),
            cites=findings,
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PRELIMINARY,
            datetime.date(2001, 6, 5),
            round_=runoff,
            title="The runoff: Toledo emerges as the people's choice",
            body=(
                "The Center and NDI observed the runoff election between Alejandro Toledo "
                "and former President Alan Garcia, in which Toledo emerged as the people's "
                f"choice.\n\n*{ILLUSTRATIVE_DATE}*"
            ),
        ),
    ]
    for statement in statements:
        _publish(statement, reviewer=users.admin, leader=users.admin)


DELEGATION_2016 = [
    "Salvador Romero Ballivián",
    "David Scott Palmer",
    "Simón Pachano",
    "Jennie Lincoln",
]


def _load_peru_2016(*, carter_center):
    mission = _mission(
        PERU_2016,
        lead=carter_center,
        values={
            "election": "2016 presidential and parliamentary elections",
            "kind": Mission.Kind.STUDY,
            "status": Mission.Status.CONCLUDED,
            "status_note": "",
            "start_date": datetime.date(2016, 4, 1),
            "end_date": datetime.date(2016, 6, 10),
            "summary": (
                "The Carter Center deployed a study mission for the first round and runoff "
                "of the presidential and parliamentary elections. The mission studied the "
                "conditions under which the electoral process and election day were "
                "conducted, meeting with political leaders, institutional authorities, "
                f"researchers and journalists.\n\n{MISSION_DATES_NOTE}"
            ),
        },
    )
    _round(mission, ElectionRound.Kind.FIRST_ROUND, datetime.date(2016, 4, 10))
    _round(mission, ElectionRound.Kind.RUNOFF, datetime.date(2016, 6, 5))
    for full_name in DELEGATION_2016:
        upsert(
            DelegationMember,
            key={"mission": mission, "person": Person.objects.get(full_name=full_name)},
            values={"role": DelegationMember.Role.CORE_TEAM},
        )


# --- Illustrative data ----------------------------------------------------------------

# Real departments, provinces and districts of Peru; the stations in them are invented.
PLACES = [
    ("Lima", "Lima", "Miraflores"),
    ("Lima", "Lima", "San Juan de Lurigancho"),
    ("Lima", "Lima", "Comas"),
    ("Lima", "Lima", "Villa El Salvador"),
    ("Lima", "Lima", "Ate"),
    ("Lima", "Huaral", "Huaral"),
    ("Lima", "Cañete", "San Vicente de Cañete"),
    ("Ayacucho", "Huamanga", "Ayacucho"),
    ("Ayacucho", "Huamanga", "Carmen Alto"),
    ("Ayacucho", "Huanta", "Huanta"),
    ("Ayacucho", "La Mar", "San Miguel"),
    ("Cusco", "Cusco", "Cusco"),
    ("Cusco", "Cusco", "Wanchaq"),
    ("Cusco", "Urubamba", "Urubamba"),
    ("Cusco", "Canchis", "Sicuani"),
    ("Junín", "Huancayo", "Huancayo"),
    ("Junín", "Huancayo", "El Tambo"),
    ("Junín", "Tarma", "Tarma"),
    ("Junín", "Satipo", "Satipo"),
    ("Áncash", "Huaraz", "Huaraz"),
    ("Áncash", "Huaraz", "Independencia"),
    ("Áncash", "Santa", "Chimbote"),
    ("Áncash", "Huari", "Huari"),
    ("Piura", "Piura", "Piura"),
    ("Piura", "Piura", "Castilla"),
    ("Piura", "Sullana", "Sullana"),
    ("Piura", "Talara", "Pariñas"),
    ("Loreto", "Maynas", "Iquitos"),
    ("Loreto", "Maynas", "Punchana"),
    ("Loreto", "Alto Amazonas", "Yurimaguas"),
]

# Station codes start with the department's code, in ASCII.
DEPARTMENT_CODES = {
    "Lima": "LIM",
    "Ayacucho": "AYA",
    "Cusco": "CUS",
    "Junín": "JUN",
    "Áncash": "ANC",
    "Piura": "PIU",
    "Loreto": "LOR",
}
STATION_COUNT = 60
# Stations (by index) whose counting report shows more ballots than registered voters.
OVERVOTE_STATIONS = {3, 9, 16, 22, 31, 38, 45, 52}


def _at(hour, minute=0) -> datetime.datetime:
    return datetime.datetime(2000, 4, 9, hour, minute, tzinfo=LIMA)


def load_illustrative(*, users: DemoUsers) -> None:
    """Stations, reports and station irregularities for the 2000 first round (invented)."""
    mission = Mission.objects.get(name=PERU_2000)
    first = mission.rounds.get(kind=ElectionRound.Kind.FIRST_ROUND)
    # A fixed seed: the same figures on every load, so the second load matches the first.
    rng = random.Random(2000)
    stations = []
    for index in range(STATION_COUNT):
        department, province, district = PLACES[index % len(PLACES)]
        stations.append(
            upsert(
                PollingStation,
                key={
                    "mission": mission,
                    "code": f"{DEPARTMENT_CODES[department]}-{index + 1:03d}",
                },
                values={
                    "name": f"Mesa {index + 1:03d}, {district}",
                    "area_1": department,
                    "area_2": province,
                    "area_3": district,
                    "registered_voters": rng.randint(180, 300),
                },
            )
        )

    reports = {}
    for index, station in enumerate(stations):
        for phase, values in _visits(index, station, rng):
            reports[index, phase] = _report(mission, first, station, phase, values, by=users.staff)

    overvotes = [
        reports[index, ObserverReport.Phase.COUNTING].irregularities.get(raised_by_system=True)
        for index in sorted(OVERVOTE_STATIONS)
    ]
    logged = [
        _station_irregularity(reports[index, phase], code, severity, description, by=users.staff)
        for index, phase, code, severity, description in STATION_IRREGULARITIES
    ]
    # A few decisions, so the review queue shows both outcomes and still has work.
    _review(overvotes[0], verify=True, by=users.reviewer, note="Tally sheet checked.")
    _review(logged[0], verify=True, by=users.reviewer, note="Confirmed by the team leader.")
    _review(logged[1], verify=True, by=users.reviewer, note="Two teams saw it.")
    _review(
        logged[2],
        verify=False,
        by=users.reviewer,
        note="The persons present were accredited party agents.",
    )


def _visits(index, station, rng):
    """The phases one team reported at a station: opening for some, voting and counting."""
    visits = []
    late = index % 7 == 2
    if index % 3 == 0 or late:
        visits.append(
            (
                ObserverReport.Phase.OPENING,
                {
                    "arrived_at": _at(7, 30),
                    "departed_at": _at(9, 15 if late else 0),
                    "opened_on_time": not late,
                    "ballot_boxes_sealed": True,
                    "voter_list_available": True,
                    "assessment": ObserverReport.Assessment.BAD
                    if late
                    else ObserverReport.Assessment.GOOD,
                },
            )
        )
    visits.append(
        (
            ObserverReport.Phase.VOTING,
            {
                "arrived_at": _at(10 + index % 4, 10),
                "departed_at": _at(11 + index % 4, 0),
                "secrecy_ensured": index % 11 != 5,
                "unauthorised_persons_present": index % 13 == 4,
                "security_forces_inside": index % 17 == 8,
                "assessment": rng.choice(
                    [ObserverReport.Assessment.VERY_GOOD, ObserverReport.Assessment.GOOD] * 3
                    + [ObserverReport.Assessment.BAD]
                ),
            },
        )
    )
    if index % 2 == 0 or index in OVERVOTE_STATIONS:
        overvote = index in OVERVOTE_STATIONS
        registered = station.registered_voters
        visits.append(
            (
                ObserverReport.Phase.COUNTING,
                {
                    "arrived_at": _at(16, 0),
                    "departed_at": _at(18, 30),
                    "ballots_cast": registered + rng.randint(12, 60)
                    if overvote
                    else rng.randint(registered * 7 // 10, registered),
                    "assessment": ObserverReport.Assessment.VERY_BAD
                    if overvote
                    else ObserverReport.Assessment.GOOD,
                },
            )
        )
    return visits


def _report(mission, round_, station, phase, values, *, by):
    """One report, saved as the entry form saves it: then overvote detection runs."""
    departed = values["departed_at"]
    report = upsert(
        ObserverReport,
        key={"mission": mission, "round": round_, "station": station, "phase": phase},
        values={
            **values,
            "notes": ILLUSTRATIVE,
            "entered_by": by,
            # Phoned in after the visit: a fixed time, not the time of loading.
            "entered_at": departed + datetime.timedelta(minutes=45),
        },
    )
    sync_overvote(report=report, by=by)
    return report


STATION_IRREGULARITIES = [
    # (station index, phase, category code, severity, description)
    (
        2,
        ObserverReport.Phase.OPENING,
        "late_opening",
        Irregularity.Severity.MINOR,
        "The station opened an hour and a half late: officials arrived after 8:30.",
    ),
    (
        8,
        ObserverReport.Phase.VOTING,
        "intimidation",
        Irregularity.Severity.SERIOUS,
        "Soldiers inside the station questioned voters in the queue.",
    ),
    (
        4,
        ObserverReport.Phase.VOTING,
        "unauthorised_persons",
        Irregularity.Severity.MINOR,
        "Two persons without accreditation stood beside the ballot box.",
    ),
    (
        5,
        ObserverReport.Phase.VOTING,
        "secrecy_compromised",
        Irregularity.Severity.SIGNIFICANT,
        "The voting screen faced the officials' table.",
    ),
    (
        16,
        ObserverReport.Phase.OPENING,
        "late_opening",
        Irregularity.Severity.MINOR,
        "The station opened late: ballot papers arrived after 8:00.",
    ),
    (
        23,
        ObserverReport.Phase.OPENING,
        "missing_materials",
        Irregularity.Severity.SIGNIFICANT,
        "Indelible ink was missing at opening.",
    ),
]


def _station_irregularity(report, code, severity, description, *, by) -> Irregularity:
    return upsert(
        Irregularity,
        key={
            "report": report,
            "category": IrregularityCategory.objects.get(code=code),
            "raised_by_system": False,
        },
        values={
            "mission_id": report.mission_id,
            "round_id": report.round_id,
            "station_id": report.station_id,
            "severity": severity,
            "evidence": Irregularity.Evidence.OBSERVED,
            "description": f"{description}\n\n{ILLUSTRATIVE}",
            "occurred_at": report.arrived_at,
            "reported_by": by,
            "created_at": report.entered_at,
        },
    )


def _review(irregularity, *, verify, by, note):
    if irregularity.status != Irregularity.Status.REPORTED:
        return
    if verify:
        irregularity.verify(by=by, note=note)
    else:
        irregularity.dismiss(by=by, note=note)
