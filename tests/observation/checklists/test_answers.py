"""Checklist answers through the report form and the report service: validated by
type, phase and condition, saved with the report, raising irregularities for review."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observation import answers, services, xlsform
from observation.models import Answer, Irregularity, ObserverReport, Question
from tests import factories
from tests.observation.checklists.builder import workbook
from tests.observation.test_reports import report_data

pytestmark = pytest.mark.django_db

OTHER_PHASE = (
    "This question is asked at phases without a checklist of their own; the Opening phase has one."
)


@pytest.fixture
def opening(mission, leader, setting):
    """The mission asks the standard checklist at every phase and its own at opening."""
    services.checklist_apply(
        mission=mission, phase="opening", draft=xlsform.read(workbook()), by=leader
    )
    return {question.code: question for question in mission.questions.all()}


def _opening_data(setting, **answers):
    data = report_data(setting, phase="opening", ballots_cast="")
    for name in [key for key in data if key.startswith("answer-")]:
        del data[name]
    data.update({f"answer-{code}": value for code, value in answers.items()})
    return data


def _post(client, mission, data):
    return client.post(reverse("observation:report_create", args=[mission.pk]), data)


def test_the_report_form_asks_each_phase_its_checklist(staff_client, mission, opening):
    response = staff_client.get(reverse("observation:report_create", args=[mission.pk]))
    page = response.content.decode()
    assert 'data-checklist-phase="opening"' in page
    assert 'data-checklist-phase=""' in page
    assert 'name="answer-premarked_count"' in page
    assert "data-relevant=" in page and "&quot;ref&quot;: &quot;premarked&quot;" in page
    assert 'src="/static/js/checklist.js"' in page


def test_answers_are_saved_with_the_report_and_a_concern_raises_an_irregularity(
    staff_client, staff, mission, setting, opening
):
    data = _opening_data(
        setting,
        opened="yes",
        opened_at="07:05",
        premarked="yes",
        premarked_count="12",
        missing=["ink", "list"],
        remarks="Orderly queue.",
    )
    response = _post(staff_client, mission, data)

    report = ObserverReport.objects.get()
    assert response.status_code == 302
    stored = {a.question.code: (a.value, a.concern) for a in report.answers.all()}
    assert stored == {
        "opened": ("yes", False),
        "opened_at": ("07:05", False),
        "premarked": ("yes", True),
        "premarked_count": ("12", False),
        "missing": ("ink list", True),
        "remarks": ("Orderly queue.", False),
    }
    raised = report.irregularities.get()
    assert (raised.category.code, raised.raised_by_system, raised.question.code) == (
        "pre_marked_ballots",
        True,
        "premarked",
    )
    assert raised.description == ("Answered “Yes” to “Pre-marked ballots seen” at station LIM-001.")
    assert (raised.station, raised.round, raised.reported_by) == (
        setting["station"],
        setting["round"],
        staff,
    )


def test_an_answer_whose_condition_does_not_hold_is_dropped(
    staff_client, mission, setting, opening
):
    data = _opening_data(setting, opened="no", opened_at="07:05", premarked="no")
    _post(staff_client, mission, data)
    report = ObserverReport.objects.get()
    assert dict(report.answers.values_list("question__code", "value")) == {
        "opened": "no",
        "premarked": "no",
    }


@pytest.mark.parametrize(
    ("answers_given", "field", "message"),
    [
        pytest.param(
            {"opened": "yes", "premarked": "yes"},
            "answer-premarked_count",
            "This answer is required.",
            id="required-when-shown",
        ),
        pytest.param(
            {"premarked": "yes"},
            "answer-opened",
            "This answer is required.",
            id="required",
        ),
        pytest.param(
            {"opened": "yes", "premarked": "yes", "premarked_count": "0"},
            "answer-premarked_count",
            "Ensure this value is greater than or equal to 1.",
            id="below-minimum",
        ),
        pytest.param(
            {"opened": "yes", "premarked": "yes", "premarked_count": "501"},
            "answer-premarked_count",
            "Ensure this value is less than or equal to 500.",
            id="above-maximum",
        ),
        pytest.param(
            {"opened": "perhaps"},
            "answer-opened",
            "Select a valid choice. perhaps is not one of the available choices.",
            id="choice-not-in-list",
        ),
        pytest.param(
            {"opened": "yes", "opened_at": "25:00"},
            "answer-opened_at",
            "Enter a valid time.",
            id="not-a-time",
        ),
        pytest.param(
            {"opened": "yes", "secrecy_ensured": "yes"},
            "answer-secrecy_ensured",
            OTHER_PHASE,
            id="question-of-another-phase",
        ),
    ],
)
def test_a_bad_answer_is_refused_clearly_and_nothing_is_saved(
    staff_client, mission, setting, opening, answers_given, field, message
):
    response = _post(staff_client, mission, _opening_data(setting, **answers_given))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field.removeprefix("")]
    assert ObserverReport.objects.count() == 0
    assert Answer.objects.count() == Irregularity.objects.count() == 0


def test_the_api_door_refuses_unknown_retired_and_other_phase_answers(mission, leader, opening):
    services.question_retire(question=opening["remarks"], retired=True, by=leader)

    checked = answers.clean_raw(
        mission,
        "opening",
        {"opened": "yes", "remarks": "late", "nonsense": "1", "secrecy_ensured": "no"},
    )

    messages = {
        code: [error.message % (error.params or {}) for error in errors]
        for code, errors in checked.errors.items()
    }
    assert messages == {
        "remarks": ["This question is no longer asked."],
        "nonsense": ["“nonsense” is not a question of this mission's checklists."],
        "secrecy_ensured": [OTHER_PHASE],
    }
    assert {q.code: v for q, v in checked.answers.items()} == {"opened": "yes"}


def _save(report, by, **values):
    questions = {q.code: q for q in Question.objects.filter(mission=report.mission)}
    return services.report_save(
        report=report,
        by=by,
        version=report.version,
        answers={questions[code]: value for code, value in values.items()},
    )


def test_raising_is_idempotent_and_never_rewrites_a_reviewed_irregularity(
    mission, setting, staff, reviewer, opening
):
    report = ObserverReport(
        mission=mission, round=setting["round"], station=setting["station"], phase="opening"
    )
    _save(report, staff, opened="yes", premarked="yes", premarked_count="3")
    _save(report, staff, opened="yes", premarked="yes", premarked_count="4")
    raised = Irregularity.objects.get()
    assert raised.history.count() == 1

    _save(report, staff, opened="yes", premarked="no")
    assert not Irregularity.objects.exists()

    _save(report, staff, opened="yes", premarked="yes", premarked_count="3")
    raised = Irregularity.objects.get()
    services.irregularity_review(
        irregularity=raised, by=reviewer, decision="verify", note="Seen by two teams."
    )
    _save(report, staff, opened="yes", premarked="no")

    raised.refresh_from_db()
    assert raised.status == Irregularity.Status.VERIFIED
    assert raised.superseded_at is not None
    assert Irregularity.objects.current().count() == 0


def test_saving_a_report_takes_the_same_queries_however_many_answers(mission, setting, staff):
    def questions(count, phase):
        checklist = factories.ChecklistFactory(mission=mission, phase=phase)
        return factories.QuestionFactory.create_batch(count, checklist=checklist)

    def queries(questions, phase):
        report = ObserverReport(
            mission=mission, round=setting["round"], station=setting["station"], phase=phase
        )
        given = dict.fromkeys(questions, "no")
        with CaptureQueriesContext(connection) as captured:
            services.report_save(report=report, by=staff, answers=given)
        edited = dict.fromkeys(questions, "yes")
        with CaptureQueriesContext(connection) as captured_edit:
            services.report_save(report=report, by=staff, version=report.version, answers=edited)
        assert Answer.objects.filter(report=report).count() == len(questions)
        return len(captured), len(captured_edit)

    assert queries(questions(10, "opening"), "opening") == queries(
        questions(40, "closing"), "closing"
    )
