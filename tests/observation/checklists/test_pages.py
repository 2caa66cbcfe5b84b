"""A leader's checklist pages: upload an XLSForm, see its problems or a preview, apply
it, download it again; adopt library questions; retire a question."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from observation import xlsform
from observation.models import Checklist, LibraryQuestion, Question
from tests import factories
from tests.observation.checklists.builder import OPENING_SURVEY, replaced, workbook

pytestmark = pytest.mark.django_db


def _upload(client, mission, data, phase="opening", language="en"):
    return client.post(
        reverse("observation:checklist_upload", args=[mission.pk]),
        {
            "phase": phase,
            "language": language,
            "file": SimpleUploadedFile("opening.xlsx", data),
        },
    )


def _token(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_a_leader_uploads_previews_and_applies_a_checklist(leader_client, mission):
    response = _upload(leader_client, mission, workbook())

    page = response.content.decode()
    assert response.status_code == 200
    assert "The form reads cleanly: 6 questions." in page
    assert "Nothing has been changed yet." in page
    # The preview shows the form as staff will see it, its inputs disabled.
    assert 'name="premarked_count"' in page and "Pre-marked ballots seen" in page
    assert not Checklist.objects.filter(mission=mission).exists()

    response = leader_client.post(
        reverse("observation:checklist_apply", args=[mission.pk]), {"token": _token(response)}
    )

    checklist = Checklist.objects.get(mission=mission, phase="opening")
    assert response["Location"] == checklist.get_absolute_url()
    assert list(checklist.questions.values_list("code", flat=True)) == [
        "opened",
        "opened_at",
        "premarked",
        "premarked_count",
        "missing",
        "remarks",
    ]
    assert checklist.questions.get(code="premarked").raises.code == "pre_marked_ballots"
    assert checklist.sections.get().labels == {"en": "Setting up", "es": "Instalación"}


def test_a_bad_form_lists_its_problems_and_changes_nothing(leader_client, mission):
    data = workbook(replaced(OPENING_SURVEY, "remarks", type="geopoint"))

    response = _upload(leader_client, mission, data)

    page = response.content.decode()
    assert "The form has 1 problem. Nothing was changed" in page
    assert "<td>survey</td><td>9</td><td>type</td>" in page
    assert "“geopoint” is not one a checklist takes" in page
    assert 'name="token"' not in page
    assert not Question.objects.filter(mission=mission).exists()


def test_a_forged_or_altered_preview_is_refused(leader_client, mission):
    token = _token(_upload(leader_client, mission, workbook()))

    response = leader_client.post(
        reverse("observation:checklist_apply", args=[mission.pk]), {"token": token[:-2] + "xx"}
    )

    assert response.status_code == 400
    assert not Checklist.objects.filter(mission=mission).exists()


def test_re_applying_retires_answered_questions_and_removes_unanswered_ones(
    leader_client, leader, mission, setting
):
    apply_url = reverse("observation:checklist_apply", args=[mission.pk])
    leader_client.post(apply_url, {"token": _token(_upload(leader_client, mission, workbook()))})
    factories.ObserverReportFactory(
        mission=mission,
        round=setting["round"],
        station=setting["station"],
        phase="opening",
        saved_by=leader,
        answers={"opened": "yes", "remarks": "Calm."},
    )
    shorter = workbook([row for row in OPENING_SURVEY if row[1] not in ("remarks", "missing")])

    preview = _upload(leader_client, mission, shorter)
    assert "Retired (they have answers, which are kept): remarks" in preview.content.decode()
    assert "Removed (never answered): missing" in preview.content.decode()
    leader_client.post(apply_url, {"token": _token(preview)})

    remarks = Question.objects.get(mission=mission, code="remarks")
    assert remarks.retired
    assert remarks.answers.get().value == "Calm."
    assert not Question.objects.filter(mission=mission, code="missing").exists()
    assert Checklist.objects.get(mission=mission, phase="opening").version == 2


def test_the_downloaded_xlsform_reads_back_to_the_same_checklist(leader_client, mission):
    leader_client.post(
        reverse("observation:checklist_apply", args=[mission.pk]),
        {"token": _token(_upload(leader_client, mission, workbook()))},
    )
    checklist = Checklist.objects.get(mission=mission)

    response = leader_client.get(
        reverse("observation:checklist_download", args=[mission.pk, checklist.pk])
    )

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "opening-checklist.xlsx" in response["Content-Disposition"]
    again = xlsform.read(response.content)
    assert [q.code for q in again.questions] == list(
        checklist.questions.values_list("code", flat=True)
    )


def test_staff_may_read_checklists_but_not_load_one(staff_client, mission):
    response = _upload(staff_client, mission, workbook())
    assert response.status_code == 403
    assert not Checklist.objects.filter(mission=mission).exists()
    page = staff_client.get(reverse("observation:checklist_list", args=[mission.pk]))
    assert "Load a checklist from an XLSForm" not in page.content.decode()


def test_a_leader_adopts_library_questions(leader_client, mission):
    response = leader_client.post(
        reverse("observation:checklist_adopt", args=[mission.pk]),
        {"phase": "", "questions": ["secrecy_ensured", "ballot_boxes_sealed"]},
    )

    checklist = Checklist.objects.get(mission=mission, phase="")
    assert response["Location"] == checklist.get_absolute_url()
    adopted = checklist.questions.order_by("position")
    assert [(q.code, q.library.code) for q in adopted] == [
        ("ballot_boxes_sealed", "ballot_boxes_sealed"),
        ("secrecy_ensured", "secrecy_ensured"),
    ]


def test_retiring_a_question_keeps_its_answers_and_stops_asking_it(
    leader_client, staff, leader, mission, setting
):
    report = factories.ObserverReportFactory(
        mission=mission,
        round=setting["round"],
        station=setting["station"],
        saved_by=leader,
        answers={"secrecy_ensured": "no"},
    )
    question = Question.objects.get(mission=mission, code="secrecy_ensured")

    leader_client.post(
        reverse("observation:question_retire", args=[mission.pk, question.pk]), {"retired": "1"}
    )

    question.refresh_from_db()
    assert question.retired
    staff_client = Client()
    staff_client.force_login(staff)
    assert report.answers.get().value == "no"
    form = staff_client.get(reverse("observation:report_create", args=[mission.pk]))
    assert "answer-secrecy_ensured" not in form.content.decode()
    detail = staff_client.get(report.get_absolute_url()).content.decode()
    assert "Secrecy of the vote ensured" in detail and "Retired" in detail


def test_the_library_keeps_code_and_type_of_a_question_in_use(admin_client, mission):
    factories.standard_checklist(mission)
    entry = LibraryQuestion.objects.get(code="secrecy_ensured")
    unused = LibraryQuestion.objects.create(code="queue_orderly", type="yes_no", labels={"en": "Q"})

    used_page = admin_client.get(
        reverse("admin:observation_libraryquestion_change", args=[entry.pk])
    )
    unused_page = admin_client.get(
        reverse("admin:observation_libraryquestion_change", args=[unused.pk])
    )

    assert 'name="code"' not in used_page.content.decode()
    assert 'name="code"' in unused_page.content.decode()
