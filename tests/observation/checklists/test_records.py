"""Answers wherever a report is read: its page and history, the list's filter, the
exports (a column per question code), and labels in the reader's language."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from observation import services
from observation.forms import ObserverReportForm
from observation.models import Answer, Question
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(mission, setting, staff):
    made = {}
    for code, secrecy in (("LIM-101", "no"), ("LIM-102", "yes")):
        station = factories.PollingStationFactory(mission=mission, code=code)
        made[code] = factories.ObserverReportFactory(
            mission=mission,
            round=setting["round"],
            station=station,
            saved_by=staff,
            answers={"secrecy_ensured": secrecy, "ballot_boxes_sealed": "yes"},
        )
    return made


def test_an_edited_answer_shows_in_the_report_history(staff_client, staff, reports):
    report = reports["LIM-102"]
    question = Question.objects.get(mission=report.mission, code="secrecy_ensured")
    sealed = Question.objects.get(mission=report.mission, code="ballot_boxes_sealed")
    services.report_save(
        report=report,
        by=staff,
        version=report.version,
        answers={question: "no", sealed: "yes"},
    )

    page = staff_client.get(report.get_absolute_url()).content.decode()

    assert "Answer: Secrecy of the vote ensured" in page
    history = page[page.index("Answer: Secrecy of the vote ensured") :][:400]
    assert "yes" in history and "no" in history


def test_the_report_list_filters_by_an_answer(staff_client, mission, reports):
    url = reverse("observation:report_list", args=[mission.pk])

    concerning = staff_client.get(url, {"question": "secrecy_ensured", "answer": "no"})
    flagged = staff_client.get(url, {"question": "secrecy_ensured", "concern": "true"})

    assert [r.station.code for r in concerning.context["page"]] == ["LIM-101"]
    assert [r.station.code for r in flagged.context["page"]] == ["LIM-101"]


def test_the_report_export_has_a_column_per_question_code(staff_client, mission, reports):
    response = staff_client.get(reverse("observation:report_export", args=[mission.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    by_station = {row["Station code"]: row for row in rows}
    assert by_station["LIM-101"]["secrecy_ensured"] == "no"
    assert by_station["LIM-102"]["secrecy_ensured"] == "yes"
    assert by_station["LIM-101"]["opened_on_time"] == ""


def test_labels_show_in_the_readers_language(mission, setting):
    with translation.override("es"):
        form = ObserverReportForm(mission=mission)
        assert form.fields["answer-ballot_boxes_sealed"].label == "Ánforas selladas"
        assert ("yes", "Sí") in form.fields["answer-ballot_boxes_sealed"].choices
    with translation.override("en"):
        form = ObserverReportForm(mission=mission)
        assert form.fields["answer-ballot_boxes_sealed"].label == "Ballot boxes sealed"


def test_new_answers_are_recorded_in_their_history_as_simple_history_records_them(
    mission, setting, staff
):
    report = factories.ObserverReportFactory(mission=mission, round=setting["round"])
    questions = {
        question.code: question
        for question in Question.objects.filter(
            mission=mission, code__in=["secrecy_ensured", "ballot_boxes_sealed"]
        )
    }

    services.report_save(
        report=report,
        by=staff,
        version=report.version,
        answers={questions["secrecy_ensured"]: "no", questions["ballot_boxes_sealed"]: "yes"},
    )
    written = list(Answer.history.filter(report=report).order_by("question__code"))
    # The same answers again, through simple_history's own bulk writer.
    Answer.objects.filter(report=report).delete()
    Answer.history.filter(report=report).delete()
    bulk_create_with_history(
        [
            Answer(report=report, question=questions["secrecy_ensured"], value="no", concern=True),
            Answer(report=report, question=questions["ballot_boxes_sealed"], value="yes"),
        ],
        Answer,
        default_user=staff,
    )
    expected = list(Answer.history.filter(report=report).order_by("question__code"))

    def fields(record):
        return {
            field.attname: getattr(record, field.attname)
            for field in record._meta.concrete_fields
            if field.attname not in ("id", "history_id", "history_date")
        }

    assert [fields(record) for record in written] == [fields(record) for record in expected]
    assert [record.history_type for record in written] == ["+", "+"]
    assert {record.history_user for record in written} == {staff}
    assert all(abs(r.history_date - timezone.now()).total_seconds() < 60 for r in written)
