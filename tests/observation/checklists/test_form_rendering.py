"""A new report's checklist is rendered once per version of its questions and language, and
served as rendered: the same markup as rendering it each time, a changed question shown at
once, and a form with answers or errors always rendered afresh."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.urls import reverse
from django.utils import translation

from observation import forms
from observation.models import ObserverReport, Question
from tests import factories
from tests.observation.rendered import comparable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_rendered_yet")]


def _checklists() -> list[str]:
    return [key for key in forms._RENDERED if ":ObserverReportForm:" in key]


def _chosen(html: str, code: str) -> list[str]:
    """The options chosen in the select of a question's answer."""
    select = re.search(rf'<select name="answer-{code}".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def _page(client, mission, **params) -> str:
    return comparable(client.get(reverse("observation:report_create", args=[mission.pk]), params))


def test_the_checklist_served_as_rendered_is_the_one_rendered_each_time(
    staff_client, mission, setting, monkeypatch
):
    with monkeypatch.context() as each_time:
        each_time.setattr(forms, "checklist_key", lambda form: None)
        rendered = _page(staff_client, mission)
        assert _checklists() == []

    first = _page(staff_client, mission)
    assert len(_checklists()) == 1
    served = _page(staff_client, mission)

    assert "Ballot boxes sealed" in served
    assert served == rendered == first
    # Each field once: the rest of the form does not render the checklist again.
    assert served.count('name="answer-ballot_boxes_sealed"') == 1


def test_a_changed_question_shows_at_once(staff_client, mission, setting):
    _page(staff_client, mission)
    question = Question.objects.get(mission=mission, code="ballot_boxes_sealed")
    question.labels = {**question.labels, "en": "Ballot boxes sealed with tape"}
    question.save()

    page = _page(staff_client, mission)

    assert "Ballot boxes sealed with tape" in page
    assert len(_checklists()) == 2


def test_each_language_has_its_own(staff_client, mission, setting):
    english = _page(staff_client, mission)
    with translation.override("es"):
        spanish = staff_client.get(
            reverse("observation:report_create", args=[mission.pk]),
            headers={"accept-language": "es"},
        ).content.decode()

    assert "Ballot boxes sealed" in english and "Ánforas selladas" not in english
    assert "Ánforas selladas" in spanish and "Ballot boxes sealed" not in spanish


def test_a_form_sent_back_with_errors_keeps_its_answers(staff_client, mission, setting):
    _page(staff_client, mission)

    response = staff_client.post(
        reverse("observation:report_create", args=[mission.pk]),
        {"station": "NO-SUCH-STATION", "answer-ballot_boxes_sealed": "no"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert _chosen(html, "ballot_boxes_sealed") == ["no"]
    assert _chosen(_page(staff_client, mission), "ballot_boxes_sealed") == [""]


def test_an_edited_reports_answers_are_shown(staff_client, staff, mission, setting):
    report = factories.ObserverReportFactory(
        mission=mission,
        round=setting["round"],
        station=setting["station"],
        saved_by=staff,
        answers={"ballot_boxes_sealed": "no", "secrecy_ensured": "yes"},
    )
    _page(staff_client, mission)

    html = staff_client.get(reverse("observation:report_edit", args=[mission.pk, report.pk]))

    assert _chosen(html.content.decode(), "ballot_boxes_sealed") == ["no"]
    assert _chosen(html.content.decode(), "secrecy_ensured") == ["yes"]


def test_a_kept_checklist_counts_its_fields_as_rendered(mission, setting):
    """crispy-forms draws whatever fields a layout left out; a kept checklist says it drew
    its answers."""

    def rendered_answers():
        form = forms.ObserverReportForm(instance=ObserverReport(mission=mission), mission=mission)
        render_crispy_form(form)
        return {name for name in form.rendered_fields if name.startswith("answer-")}

    drawn = rendered_answers()
    kept = rendered_answers()

    assert len(_checklists()) == 1
    assert "answer-ballot_boxes_sealed" in drawn
    assert kept == drawn
