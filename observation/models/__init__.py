from observation.models.alerts import Alert
from observation.models.base import MissionLockedError, TransitionError
from observation.models.checklists import (
    Answer,
    Checklist,
    ChecklistSection,
    LibraryQuestion,
    Question,
    QuestionsStamp,
    QuestionType,
)
from observation.models.deployment import AreaOutlines, Deployment, PhaseDeadline
from observation.models.imports import ColumnMapping
from observation.models.jobs import Job
from observation.models.missions import (
    DelegationMember,
    ElectionRound,
    Mission,
    MissionMembership,
    MissionPartner,
    PollingStation,
)
from observation.models.people import Organization, Person
from observation.models.photos import IrregularityPhoto
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
    RecommendationAssessment,
    StatementStatus,
)

__all__ = [
    "Alert",
    "Answer",
    "AreaOutlines",
    "Checklist",
    "ChecklistSection",
    "ColumnMapping",
    "DelegationMember",
    "Deployment",
    "ElectionRound",
    "FindingsStatement",
    "Irregularity",
    "IrregularityCategory",
    "IrregularityPhoto",
    "Job",
    "LibraryQuestion",
    "Mission",
    "MissionLockedError",
    "MissionMembership",
    "MissionPartner",
    "ObserverReport",
    "Organization",
    "Person",
    "PhaseDeadline",
    "PollingStation",
    "PublishedStatementError",
    "Question",
    "QuestionType",
    "QuestionsStamp",
    "Recommendation",
    "RecommendationAssessment",
    "ReviewStatus",
    "StatementStatus",
    "TransitionError",
]
