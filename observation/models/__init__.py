from observation.models.base import MissionLockedError, TransitionError
from observation.models.missions import (
    DelegationMember,
    ElectionRound,
    Mission,
    MissionMembership,
    MissionPartner,
    PollingStation,
)
from observation.models.people import Organization, Person
from observation.models.reports import (
    Irregularity,
    IrregularityCategory,
    ObserverReport,
    ReviewStatus,
)
from observation.models.statements import (
    FindingsStatement,
    PublishedStatementError,
    Recommendation,
    StatementStatus,
)

__all__ = [
    "DelegationMember",
    "ElectionRound",
    "FindingsStatement",
    "Irregularity",
    "IrregularityCategory",
    "Mission",
    "MissionLockedError",
    "MissionMembership",
    "MissionPartner",
    "ObserverReport",
    "Organization",
    "Person",
    "PollingStation",
    "PublishedStatementError",
    "Recommendation",
    "ReviewStatus",
    "StatementStatus",
    "TransitionError",
]
