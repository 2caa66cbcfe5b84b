import datetime

import factory
from django.contrib.auth import get_user_model

from dialogues.models import (
    BilateralTrack,
    DialogueForum,
    DialogueSession,
    ForumCountry,
    ForumObjective,
    Outcome,
    Participant,
)
from observation import services
from observation.models import (
    Checklist,
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    LibraryQuestion,
    Mission,
    MissionMembership,
    MissionPartner,
    ObserverReport,
    Organization,
    Person,
    PollingStation,
    Question,
    QuestionType,
    Recommendation,
)
from observation.models.checklists import YES_NO_CHOICES

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Observer Group {n}")
    kind = Organization.Kind.OBSERVER_GROUP
    country = "US"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name")
    nationality = "PE"
    affiliation = factory.SubFactory(OrganizationFactory)
    title = "Observer"


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    name = factory.Sequence(lambda n: f"Mission {n}: general elections")
    country = "PE"
    election = "General elections"
    kind = Mission.Kind.FULL
    status = Mission.Status.ACTIVE
    lead_organization = factory.SubFactory(OrganizationFactory, name="The Carter Center")
    start_date = datetime.date(2000, 3, 1)
    end_date = datetime.date(2000, 7, 31)
    area_label_1 = "Department"
    area_label_2 = "Province"
    area_label_3 = "District"


class MissionPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionPartner

    mission = factory.SubFactory(MissionFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MissionPartner.Role.CO_ORGANISER


class MissionMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionMembership

    user = factory.SubFactory(UserFactory)
    mission = factory.SubFactory(MissionFactory)
    role = MissionMembership.Role.STAFF


class DelegationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegationMember

    mission = factory.SubFactory(MissionFactory)
    person = factory.SubFactory(PersonFactory)
    role = DelegationMember.Role.SHORT_TERM_OBSERVER


class ElectionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ElectionRound
        # Reports and irregularities of one mission share its first round by default.
        django_get_or_create = ("mission", "kind", "election_day")

    mission = factory.SubFactory(MissionFactory)
    kind = ElectionRound.Kind.FIRST_ROUND
    election_day = datetime.date(2000, 4, 9)
    observed = True


class PollingStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollingStation

    mission = factory.SubFactory(MissionFactory)
    code = factory.Sequence(lambda n: f"{n:06d}")
    name = factory.Sequence(lambda n: f"Escuela {n}")
    area_1 = "Lima"
    area_2 = "Lima"
    area_3 = "Miraflores"
    registered_voters = 300


class ObserverReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObserverReport

    mission = factory.SubFactory(MissionFactory)
    round = factory.SubFactory(ElectionRoundFactory, mission=factory.SelfAttribute("..mission"))
    station = factory.SubFactory(PollingStationFactory, mission=factory.SelfAttribute("..mission"))
    observer = factory.SubFactory(
        DelegationMemberFactory, mission=factory.SelfAttribute("..mission")
    )
    phase = ObserverReport.Phase.VOTING
    arrived_at = factory.LazyFunction(lambda: _on_election_day(9, 0))
    departed_at = factory.LazyFunction(lambda: _on_election_day(10, 0))
    ballots_cast = 120
    assessment = ObserverReport.Assessment.GOOD

    @classmethod
    def _create(cls, model_class, *args, saved_by=None, answers=None, **kwargs):
        """`saved_by=user` saves the report as every entry point does, through
        services.report_save (overvote detection included), with `answers` ({question
        code: text}) to its mission's questions; without it, a plain save."""
        if saved_by is None:
            return super()._create(model_class, *args, **kwargs)
        report = model_class(*args, **kwargs)
        if answers is not None:
            questions = {q.code: q for q in Question.objects.filter(mission=report.mission)}
            answers = {questions[code]: value for code, value in answers.items()}
        return services.report_save(report=report, by=saved_by, answers=answers).report


def _on_election_day(hour, minute):
    return datetime.datetime(2000, 4, 9, hour, minute, tzinfo=datetime.UTC)


def category(code: str) -> IrregularityCategory:
    """A seeded category (the data migration creates the standard list)."""
    return IrregularityCategory.objects.get(code=code)


class IrregularityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Irregularity

    mission = factory.SubFactory(MissionFactory)
    round = factory.SubFactory(ElectionRoundFactory, mission=factory.SelfAttribute("..mission"))
    station = factory.SubFactory(PollingStationFactory, mission=factory.SelfAttribute("..mission"))
    category = factory.LazyFunction(lambda: category("pre_marked_ballots"))
    severity = Irregularity.Severity.SERIOUS
    evidence = Irregularity.Evidence.OBSERVED
    description = factory.Faker("sentence")


class FindingsStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FindingsStatement

    mission = factory.SubFactory(MissionFactory)
    kind = FindingsStatement.Kind.PRELIMINARY
    title = factory.Sequence(lambda n: f"Preliminary statement {n}")
    issued_on = datetime.date(2000, 4, 10)
    body = "The mission observed **serious** flaws."


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    statement = factory.SubFactory(FindingsStatementFactory)
    addressee = Recommendation.Addressee.ELECTION_AUTHORITY
    text = "Publish results by polling station."
    priority = Recommendation.Priority.HIGH


# Dialogues


class DialogueForumFactory(factory.django.DjangoModelFactory):
    """A forum with its countries: pass `countries=["PE", "CO"]` to choose them."""

    class Meta:
        model = DialogueForum
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Andean-U.S. Dialogue Forum {n}")
    kind = DialogueForum.Kind.MULTILATERAL
    start_date = datetime.date(2010, 1, 1)
    end_date = datetime.date(2011, 6, 30)
    planned_months = 18
    purpose = "Ease tensions between the Andean countries and the United States."

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create:
            codes = ["BO", "CO", "EC", "PE", "US", "VE"] if extracted is None else extracted
            ForumCountry.objects.bulk_create(ForumCountry(forum=obj, country=c) for c in codes)


class ForumObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumObjective

    forum = factory.SubFactory(DialogueForumFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Build trust between the participating countries."


class DialogueSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DialogueSession

    forum = factory.SubFactory(DialogueForumFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    city = "Lima"
    country = "PE"
    date = datetime.date(2010, 6, 15)
    topic = "Drug policy and security cooperation"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    session = factory.SubFactory(DialogueSessionFactory)
    person = factory.SubFactory(PersonFactory)
    role = Participant.Role.DELEGATE
    country = "PE"


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    forum = factory.SubFactory(DialogueForumFactory)
    kind = Outcome.Kind.CONSENSUS_DOCUMENT
    title = factory.Sequence(lambda n: f"Consensus document {n}")
    text = "The participants agree to meet again."
    date = datetime.date(2011, 6, 1)


class BilateralTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BilateralTrack

    forum = factory.SubFactory(DialogueForumFactory)
    country_a = "CO"
    country_b = "VE"
    status = BilateralTrack.Status.EXPLORED


# Two-factor sign-in


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A user's confirmed authenticator app; tests.authenticator.code() is what it shows."""

    class Meta:
        model = "otp_totp.TOTPDevice"
        # One app per user: signing in twice in a test reuses it.
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def standard_checklist(mission) -> Checklist:
    """The mission's checklist of every phase: the library's standard questions (seeded
    by a data migration), as the demo missions ask them."""
    return services.checklist_adopt(
        mission=mission, codes=LibraryQuestion.objects.values("code"), by=None
    )


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checklist

    mission = factory.SubFactory(MissionFactory)
    phase = ObserverReport.Phase.OPENING
    title = factory.LazyAttribute(lambda c: f"{c.phase or 'Every phase'} checklist")


class QuestionFactory(factory.django.DjangoModelFactory):
    """A yes/no question; "no" is a concern."""

    class Meta:
        model = Question

    checklist = factory.SubFactory(ChecklistFactory)
    mission = factory.SelfAttribute("checklist.mission")
    code = factory.Sequence(lambda n: f"question_{n}")
    position = factory.Sequence(lambda n: n)
    type = QuestionType.YES_NO
    labels = factory.LazyAttribute(lambda q: {"en": f"Question {q.code}"})
    choices = factory.LazyFunction(lambda: list(YES_NO_CHOICES))
    concern = factory.LazyFunction(lambda: ["no"])
