"""Invented station-level data for the 2000 first round: the text gives none.

Reports are saved and then passed to overvote detection, as the entry form does,
so the overvote irregularities are raised by the application itself, and so are
the election-day alerts. Observer teams are numbered, not named: the text names
none of the observers who visited stations.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from observation import services
from observation.demo.facts import PERU_2000
from observation.demo.records import ILLUSTRATIVE, ILLUSTRATIVE_REVIEW, DemoUsers, set_times, upsert
from observation.models import (
    DelegationMember,
    Deployment,
    ElectionRound,
    Irregularity,
    IrregularityCategory,
    Mission,
    ObserverReport,
    Person,
    PollingStation,
    Question,
)

LIMA = ZoneInfo("America/Lima")

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
# Stations (by index) whose counting report shows more ballots than registered voters:
# enough for the text's "significant number of polling stations" (all but the last are
# verified; the last waits in the review queue for the tour).
OVERVOTE_STATIONS = {3, 9, 11, 16, 22, 27, 31, 38, 41, 45, 52, 57}
# Each team covers this many neighbouring stations, for the phases it reports.
STATIONS_PER_TEAM = 5
TEAM_PHASES = (
    ObserverReport.Phase.OPENING,
    ObserverReport.Phase.VOTING,
    ObserverReport.Phase.COUNTING,
)
# A concern the core team must hear of at once (the text's police intimidation).
URGENT_QUESTION = "security_forces_inside"


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
                save=lambda row: services.station_save(station=row, by=users.staff),
            )
        )

    teams = _deploy(mission, first, stations)
    Question.objects.filter(mission=mission, code=URGENT_QUESTION, urgent=False).update(urgent=True)
    reports = {}
    for index, station in enumerate(stations):
        team = teams[index // STATIONS_PER_TEAM]
        for phase, values in _visits(index, station, rng):
            values = {**values, "observer": team}
            reports[index, phase] = _report(mission, first, station, phase, values, by=users.staff)

    overvotes = [
        reports[index, ObserverReport.Phase.COUNTING].irregularities.get(
            raised_by_system=True, question=None, superseded_at__isnull=True
        )
        for index in sorted(OVERVOTE_STATIONS)
    ]
    logged = [
        _station_irregularity(reports[index, phase], code, severity, description, by=users.staff)
        for index, phase, code, severity, description in STATION_IRREGULARITIES
    ]
    for overvote in overvotes:
        # Raised by detection, its description is the system's; the station is invented.
        if ILLUSTRATIVE not in overvote.description:
            type(overvote).objects.filter(pk=overvote.pk).update(
                description=f"{overvote.description}\n\n{ILLUSTRATIVE}"
            )
        set_times(overvote, created_at=overvote.report.entered_at)
    # Decisions on election night, so the queue shows both outcomes and still has work.
    for overvote in overvotes[:-1]:
        _review(overvote, verify=True, by=users.reviewer, note="Tally sheet checked.")
    _review(logged[0], verify=True, by=users.reviewer, note="Confirmed by the team leader.")
    _review(logged[1], verify=True, by=users.reviewer, note="Two teams saw it.")
    _review(
        logged[2],
        verify=False,
        by=users.reviewer,
        note="The persons present were accredited party agents.",
    )
    _alerts_of_the_night(mission, by=users.reviewer)


def _deploy(mission, election_round, stations) -> list[DelegationMember]:
    """Numbered observer teams, each deployed at neighbouring stations, and the phases'
    deadlines (illustrative)."""
    teams = [
        upsert(
            DelegationMember,
            key={
                "mission": mission,
                "person": upsert(
                    Person,
                    key={"full_name": f"Observer team {number:02d}"},
                    values={"title": ILLUSTRATIVE},
                ),
            },
            values={"role": DelegationMember.Role.SHORT_TERM_OBSERVER},
        )
        for number in range(1, len(stations) // STATIONS_PER_TEAM + 1)
    ]
    planned = set(
        Deployment.objects.filter(round=election_round).values_list("station_id", "phase")
    )
    missing = [
        Deployment(
            mission=mission,
            round=election_round,
            station=station,
            team=teams[index // STATIONS_PER_TEAM],
            phase=phase,
        )
        for index, station in enumerate(stations)
        for phase in TEAM_PHASES
        if (station.pk, phase) not in planned
    ]
    # A second load writes nothing, as on a mission locked since.
    if missing:
        services.deployment_add(deployments=missing)
    deadlines = {
        ObserverReport.Phase.OPENING: _at(9),
        ObserverReport.Phase.VOTING: _at(15),
        ObserverReport.Phase.COUNTING: _at(21),
    }
    if dict(election_round.deadlines.values_list("phase", "due_at")) != deadlines:
        services.deadlines_set(election_round=election_round, deadlines=deadlines)
    return teams


def _alerts_of_the_night(mission, *, by):
    """The alerts at the times their reports came in; those of the irregularities decided
    that night acknowledged by the reviewer who decided them."""
    for alert in mission.alerts.select_related("irregularity", "report"):
        if alert.irregularity:
            set_times(alert, raised_at=alert.irregularity.created_at)
        elif alert.report:
            set_times(alert, raised_at=alert.report.entered_at)
        decided = alert.irregularity and alert.irregularity.status != Irregularity.Status.REPORTED
        if decided and not alert.acknowledged:
            services.alert_acknowledge(alert=alert, by=by)
        if decided:
            set_times(alert, acknowledged_at=_at(23, 0))


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
                    "answers": {
                        "opened_on_time": _yes_no(not late),
                        "ballot_boxes_sealed": "yes",
                        "voter_list_available": "yes",
                    },
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
                "answers": {
                    "secrecy_ensured": _yes_no(index % 11 != 5),
                    "unauthorised_persons_present": _yes_no(index % 13 == 4),
                    "security_forces_inside": _yes_no(index % 17 == 8),
                },
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


def _yes_no(answer: bool) -> str:
    return "yes" if answer else "no"


def _report(mission, round_, station, phase, values, *, by):
    """One report, saved as the entry form saves it, overvote detection and checklist
    answers included."""
    values = dict(values)
    answered = values.pop("answers", {})
    questions = {question.code: question for question in mission.questions.asked()}
    answers = {questions[code]: value for code, value in answered.items()}
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
        save=lambda row: services.report_save(
            report=row, by=by, version=row.version, answers=answers
        ),
    )
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
        save=lambda row: services.irregularity_save(irregularity=row, by=by),
    )


def _review(irregularity, *, verify, by, note):
    decision = "verify" if verify else "dismiss"
    if irregularity.status == Irregularity.Status.REPORTED:
        services.irregularity_review(
            irregularity=irregularity,
            decision=decision,
            by=by,
            note=f"{note} {ILLUSTRATIVE_REVIEW}",
        )
    set_times(irregularity, reviewed_at=_at(23, 30))
