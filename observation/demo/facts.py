"""Facts from the reference text: organisations, people, the three missions."""

import datetime
from zoneinfo import ZoneInfo

from observation import services
from observation.demo.records import (
    ILLUSTRATIVE_REVIEW,
    ILLUSTRATIVE_STATEMENT,
    DemoUsers,
    set_times,
    upsert,
)
from observation.models import (
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    Mission,
    MissionMembership,
    MissionPartner,
    Organization,
    Person,
    Recommendation,
    RecommendationAssessment,
)

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

PERU_2000_ASSESSMENT = "Peru 2000 pre-election assessment"

LIMA = ZoneInfo("America/Lima")

MISSION_DATES_NOTE = (
    "The mission's start and end dates are illustrative: the text does not say when "
    "the delegation arrived or left."
)


def _on(day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LIMA)


# Election night of the 2000 first round: when the national findings were logged and
# verified (illustrative times, as the text gives none).
ELECTION_NIGHT_2000 = _on(datetime.date(2000, 4, 9), 22)


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
            "time_zone": "America/Lima",
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


def _national_irregularity(mission, round_, category, description, *, severity, by, at):
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
        services.irregularity_review(
            irregularity=irregularity,
            decision="verify",
            by=by,
            note=f"Stated in the mission's public findings. {ILLUSTRATIVE_REVIEW}",
        )
    # Logged and verified on election night, not at load time.
    return set_times(irregularity, created_at=at, reviewed_at=at + datetime.timedelta(hours=1))


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
    for addressee, text, priority, theme in recommendations:
        upsert(
            Recommendation,
            key={"statement": statement, "text": text},
            values={"addressee": addressee, "priority": priority, "theme": theme},
        )
    return statement


def _publish(statement, *, by):
    """Submitted, approved and published by the mission's leadership on the day it was
    issued (illustrative times), not at load time."""
    if statement.status == FindingsStatement.Status.DRAFT:
        services.statement_move(statement=statement, move="submit", by=by)
        services.statement_move(statement=statement, move="approve", by=by)
        services.statement_move(statement=statement, move="publish", by=by)
    day = statement.issued_on
    set_times(
        statement,
        submitted_at=_on(day, 9),
        approved_at=_on(day, 11),
        published_at=_on(day, 12),
    )


def _load_peru_2000(*, carter_center, ndi, users):
    mission = _mission(
        PERU_2000,
        lead=carter_center,
        values={
            "election": "2000 presidential elections",
            "kind": Mission.Kind.LIMITED,
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
                f"not from the mission's records; so are the severities and review notes "
                f"of the irregularities, the statements' titles, exact dates and times, and "
                f"the overvote stations standing for the text's significant number of "
                f"polling stations with more ballots cast than voters assigned."
            ),
        },
    )
    upsert(
        MissionPartner,
        key={"mission": mission, "organization": ndi},
        values={"role": MissionPartner.Role.CO_ORGANISER},
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
            by=users.carter,
            at=ELECTION_NIGHT_2000,
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
                f"standards.\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PRESS,
            datetime.date(2000, 4, 3),
            title="Appeal to postpone the elections",
            body=(
                "The Center and NDI asked President Alberto Fujimori to postpone the "
                f"elections. He declined.\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
            recommendations=[
                (
                    R.Addressee.GOVERNMENT,
                    "Postpone the elections.",
                    R.Priority.HIGH,
                    R.Theme.ELECTION_ADMINISTRATION,
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
                f"\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
            cites=flaws,
        ),
        _statement(
            mission,
            FindingsStatement.Kind.PRESS,
            datetime.date(2000, 6, 5),
            title="Call on the OAS to remedy the legitimacy crisis",
            body=(
                "After the fraudulent May runoff, President Carter, Barbados Prime Minister "
                "Erskine Sandiford and former Costa Rica President Rodrigo Carazo called on "
                "the Organization of American States to send a special mission to develop "
                "remedies to the legitimacy crisis, which the OAS did."
                f"\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
            recommendations=[
                (
                    R.Addressee.INTERNATIONAL,
                    "Send a special OAS mission to develop remedies to the legitimacy crisis.",
                    R.Priority.HIGH,
                    R.Theme.POLITICAL_PROCESS,
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
                f"\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
            recommendations=[
                (
                    R.Addressee.GOVERNMENT,
                    "Shorten President Fujimori's term.",
                    R.Priority.HIGH,
                    R.Theme.POLITICAL_PROCESS,
                ),
                (
                    R.Addressee.GOVERNMENT,
                    "Hold new elections.",
                    R.Priority.HIGH,
                    R.Theme.POLITICAL_PROCESS,
                ),
            ],
        ),
    ]
    for statement in statements:
        _publish(statement, by=users.carter)
    _load_peru_2000_assessment(mission)


def _load_peru_2000_assessment(peru_2000):
    """The assessment mission Rodrigo Carazo led: the text names him as its leader and
    nothing else about it, so its date and the mission it preceded are illustrative."""
    mission = _mission(
        PERU_2000_ASSESSMENT,
        lead=peru_2000.lead_organization,
        values={
            "election": "2000 presidential elections",
            "kind": Mission.Kind.NEEDS_ASSESSMENT,
            "status": Mission.Status.CONCLUDED,
            "status_note": "",
            "preceded": peru_2000,
            "start_date": None,
            "end_date": None,
            "summary": (
                "Former Costa Rica President Rodrigo Carazo led one of The Carter Center's "
                "assessment missions to Peru.\n\nIllustrative: the text gives no date for "
                "it; that it assessed the run-up to the 2000 elections is assumed here."
            ),
        },
    )
    upsert(
        DelegationMember,
        key={"mission": mission, "person": Person.objects.get(full_name="Rodrigo Carazo")},
        values={"role": DelegationMember.Role.LEADER},
    )


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
                f"{MISSION_DATES_NOTE} The election days of 8 April and 3 June 2001 are "
                "illustrative: the text gives the month of the first round (April 2001) "
                "and no date for the runoff."
            ),
        },
    )
    upsert(
        MissionPartner,
        key={"mission": mission, "organization": ndi},
        values={"role": MissionPartner.Role.CO_ORGANISER},
    )
    first = _round(mission, ElectionRound.Kind.FIRST_ROUND, datetime.date(2001, 4, 8))
    runoff = _round(mission, ElectionRound.Kind.RUNOFF, datetime.date(2001, 6, 3))
    # No demo user belongs to this mission: the Center's leadership, as the text names
    # it, logs and verifies its findings (on an illustrative night after the vote).
    findings = [
        _national_irregularity(
            mission,
            first,
            "late_opening",
            "Widespread poll opening delays.",
            severity=Irregularity.Severity.SIGNIFICANT,
            by=users.carter,
            at=_on(datetime.date(2001, 4, 8), 22),
        ),
        _national_irregularity(
            mission,
            first,
            "station_not_opened",
            "In a few instances, polls did not open at all.",
            severity=Irregularity.Severity.SIGNIFICANT,
            by=users.carter,
            at=_on(datetime.date(2001, 4, 8), 22),
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
                f"\n\n*{ILLUSTRATIVE_STATEMENT}*"
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
                f"choice.\n\n*{ILLUSTRATIVE_STATEMENT}*"
            ),
        ),
    ]
    _assess_peru_2000_recommendations(mission, statements[0], by=users.carter)
    for statement in statements:
        _publish(statement, by=users.carter)


# What became of the 2000 mission's recommendations, as the text tells it: the 2001
# mission, returning to the country, records it.
FOLLOW_UP_2000 = [
    (
        "Postpone the elections.",
        RecommendationAssessment.Status.NOT_IMPLEMENTED,
        "President Fujimori declined to postpone the elections of April 2000.",
    ),
    (
        "Send a special OAS mission to develop remedies to the legitimacy crisis.",
        RecommendationAssessment.Status.FULLY,
        "The OAS sent the special mission.",
    ),
    (
        "Shorten President Fujimori's term.",
        RecommendationAssessment.Status.FULLY,
        "In September 2000, Fujimori agreed to shorten his term.",
    ),
    (
        "Hold new elections.",
        RecommendationAssessment.Status.FULLY,
        "In September 2000, Fujimori called for new elections in 2001 and announced he "
        "would not be a candidate; they were held in April 2001.",
    ),
]
ILLUSTRATIVE_ASSESSMENT = (
    "The facts are the text's; that the 2001 mission recorded them in its preliminary "
    "statement, and on that date, is illustrative."
)


def _assess_peru_2000_recommendations(mission, statement, *, by):
    """Set while the 2001 statement is a draft: a published one's assessments are final."""
    if statement.status != FindingsStatement.Status.DRAFT:
        return
    for text, status, evidence in FOLLOW_UP_2000:
        recommendation = Recommendation.objects.get(statement__mission__name=PERU_2000, text=text)
        upsert(
            RecommendationAssessment,
            key={"recommendation": recommendation, "mission": mission},
            values={
                "statement": statement,
                "status": status,
                "assessed_on": statement.issued_on,
                "evidence": f"{evidence}\n\n{ILLUSTRATIVE_ASSESSMENT}",
                "entered_by": by,
            },
        )


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
    # A study mission studies the rounds: it does not observe them.
    studied = "A study mission: it studied the conditions of the round, not observed it."
    _round(
        mission,
        ElectionRound.Kind.FIRST_ROUND,
        datetime.date(2016, 4, 10),
        observed=False,
        reason=studied,
    )
    _round(
        mission,
        ElectionRound.Kind.RUNOFF,
        datetime.date(2016, 6, 5),
        observed=False,
        reason=studied,
    )
    for full_name in DELEGATION_2016:
        upsert(
            DelegationMember,
            key={"mission": mission, "person": Person.objects.get(full_name=full_name)},
            values={"role": DelegationMember.Role.CORE_TEAM},
        )
