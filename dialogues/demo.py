"""Demo data: the dialogue forums The Carter Center convened in and about Peru.

Facts from the reference text only. Where a field needs a value the text does not
give (the city of the national dialogue's meetings), the record says so.
Organisations and people come from `observation.demo.load_facts()`, which runs first.
"""

import datetime

from django.contrib.auth.models import Group

from dialogues.models import (
    DialogueForum,
    DialogueSession,
    ForumCountry,
    ForumObjective,
    Outcome,
    Participant,
)
from observation.demo.records import ILLUSTRATIVE, upsert
from observation.models import Organization, Person

# Created with its permissions by migration 0002.
EDITORS_GROUP = "Dialogue editors"

ANDEAN_FORUM = "Andean-U.S. Dialogue Forum"
CONTENTIOUS_ISSUES = "Contentious Issues in the Americas"
NATIONAL_DIALOGUE = "Peru's national dialogue"

ANDEAN_OBJECTIVES = [
    "Identify a common agenda for the six countries",
    "Address misperceptions and misunderstandings between countries",
    "Propose innovative solutions to problematic issues",
    "Explore the possibility of bilateral dialogues between pairs of countries with tense "
    "relations within the forum",
]

UNKNOWN_MEETING = "The text gives the city of this meeting, but not its date or topic."


def load_editor(user) -> None:
    """Make the user a dialogue editor, so that the demo has a reader and an editor."""
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))


def load_facts() -> None:
    organizations = {org.name: org for org in Organization.objects.all()}
    carter_center = organizations["The Carter Center"]
    _load_andean_forum(carter_center, organizations["International IDEA"])
    _load_contentious_issues(
        carter_center, organizations["El Comercio"], organizations["La República"]
    )
    _load_national_dialogue(carter_center, organizations["Government of Peru"])


def _forum(name, *, conveners, countries, values) -> DialogueForum:
    forum = upsert(DialogueForum, key={"name": name}, values=values)
    forum.conveners.set(conveners)
    for country in countries:
        upsert(ForumCountry, key={"forum": forum, "country": country})
    return forum


def _session(forum, sequence, city, country, *, topic, date=None, summary=""):
    return upsert(
        DialogueSession,
        key={"forum": forum, "sequence": sequence},
        values={"city": city, "country": country, "date": date, "topic": topic, "summary": summary},
    )


def _load_andean_forum(carter_center, idea):
    forum = _forum(
        ANDEAN_FORUM,
        conveners=[carter_center, idea],
        countries=["VE", "CO", "EC", "PE", "BO", "US"],
        values={
            "kind": DialogueForum.Kind.MULTILATERAL,
            "planned_months": 18,
            "purpose": (
                "Initiated in 2010 by The Carter Center and International IDEA among the "
                "five Andean countries (Venezuela, Colombia, Ecuador, Peru and Bolivia) and "
                "the United States: an 18-month series of dialogue sessions held in both "
                "the United States and the Andean region. The text gives the year, not the "
                "start and end dates."
            ),
        },
    )
    for position, text in enumerate(ANDEAN_OBJECTIVES, start=1):
        upsert(ForumObjective, key={"forum": forum, "position": position}, values={"text": text})
    for sequence, (city, country) in enumerate(
        [("Atlanta", "US"), ("Lima", "PE"), ("Washington", "US"), ("Lima", "PE")], start=1
    ):
        _session(
            forum,
            sequence,
            city,
            country,
            topic="Meeting of the forum's members",
            summary=UNKNOWN_MEETING,
        )
    # The fourth objective explores bilateral dialogues, but the text names no pair of
    # countries, so no bilateral track is recorded.


def _load_contentious_issues(carter_center, el_comercio, la_republica):
    forum = _forum(
        CONTENTIOUS_ISSUES,
        conveners=[carter_center],
        countries=["PE"],
        values={
            "kind": DialogueForum.Kind.SERIES,
            "start_date": datetime.date(2013, 1, 1),
            "end_date": datetime.date(2014, 11, 30),
            "purpose": (
                "A series of discussions in countries across the Latin American region to "
                "support a healthy relationship between governments, the media and "
                "journalists, and to promote policies and practices that strengthen freedom "
                "of expression, democratic governance and the prevention and escalation of "
                "socio-political conflicts. The text gives months (January 2013 to November "
                "2014); the first and last days of those months stand for them. Of the "
                "countries, it names only Peru."
            ),
        },
    )
    session = _session(
        forum,
        1,
        "Lima",
        "PE",
        date=datetime.date(2014, 3, 21),
        topic="Media concentration in Peru",
        summary=(
            "Experts from throughout the region discussed high levels of media concentration "
            "in Peru and its impact on freedom of expression and democratic governance. For "
            "the first time, the directors of the major newspapers El Comercio and La "
            "República discussed together the concentration of media ownership within Peru: "
            "the newspapers disputed the acquisition of a third print media company that "
            "granted El Comercio a position of dominance of the media and advertising "
            "market. The only session of the series that the text records: its number in "
            "the series is not known."
        ),
    )
    for newspaper in (el_comercio, la_republica):
        # The text names the newspapers' directors by role only.
        director = upsert(
            Person,
            key={"full_name": f"Director, {newspaper.name}"},
            values={
                "affiliation": newspaper,
                "title": f"director of {newspaper.name} (the text does not name the person)",
            },
        )
        upsert(
            Participant,
            key={"session": session, "person": director},
            values={"role": Participant.Role.SPEAKER, "organization": newspaper},
        )


def _load_national_dialogue(carter_center, government):
    forum = _forum(
        NATIONAL_DIALOGUE,
        conveners=[government],
        countries=["PE"],
        values={
            "kind": DialogueForum.Kind.NATIONAL,
            "purpose": (
                "Convened by President Toledo at the end of his first year in office: "
                "a national dialogue of all political parties and civil society "
                "representatives to set a framework for governance. At his request, The "
                "Carter Center provided international advisers. (The year, 2002, and the "
                "session dates are illustrative: the record says only when in his term.)"
            ),
        },
    )
    session = _session(
        forum,
        1,
        "Lima",
        "PE",
        topic="A framework for governance",
        summary=(
            "Rodrigo Carazo, on behalf of The Carter Center and its Council of Presidents "
            "and Prime Ministers of the Americas, advised the national dialogue and visited "
            "Peru on three occasions to participate in the process. The text gives neither "
            f"the dates nor the places of the meetings: the city is assumed. {ILLUSTRATIVE}"
        ),
    )
    upsert(
        Participant,
        key={"session": session, "person": Person.objects.get(full_name="Rodrigo Carazo")},
        values={"role": Participant.Role.ADVISER, "organization": carter_center},
    )
    upsert(
        Outcome,
        key={"forum": forum, "kind": Outcome.Kind.CONSENSUS_DOCUMENT},
        values={
            "title": "Consensus document",
            "text": "The national dialogue resulted in a consensus document.",
        },
    )
