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

from observation import services
from observation.demo.facts import (
    LIMA,
    PERU_2000,
    PERU_2000_ASSESSMENT,
    PERU_2001,
    PERU_2016,
    load_facts,
)
from observation.demo.illustrative import OVERVOTE_STATIONS, STATION_COUNT, load_illustrative
from observation.demo.records import (
    ILLUSTRATIVE,
    ILLUSTRATIVE_DATE,
    ILLUSTRATIVE_REVIEW,
    ILLUSTRATIVE_STATEMENT,
    PASSWORD,
    SUPERUSER,
    DemoUsers,
    load_users,
    upsert,
)
from observation.models import LibraryQuestion, Mission

__all__ = [
    "ILLUSTRATIVE",
    "ILLUSTRATIVE_DATE",
    "ILLUSTRATIVE_REVIEW",
    "ILLUSTRATIVE_STATEMENT",
    "LIMA",
    "OVERVOTE_STATIONS",
    "PASSWORD",
    "PERU_2000",
    "PERU_2000_ASSESSMENT",
    "PERU_2001",
    "PERU_2016",
    "STATION_COUNT",
    "SUPERUSER",
    "DemoUsers",
    "load_demo",
    "load_facts",
    "load_illustrative",
    "load_users",
    "upsert",
]


def load_demo() -> DemoUsers:
    """Load the users, the facts and the illustrative data; return the users."""
    users = load_users()
    load_facts(users=users)
    for mission in Mission.objects.filter(checklists__isnull=True, locked_at__isnull=True):
        # Every mission asks the standard checklist, from the question library.
        services.checklist_adopt(
            mission=mission, codes=LibraryQuestion.objects.values("code"), by=users.leader
        )
    load_illustrative(users=users)
    return users
