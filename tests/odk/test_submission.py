"""The Form Submission API: a resent form stores one report; every bad input is
refused with an OpenRosa message and a proper status, and stores nothing."""

import io
import uuid
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from api.models import Submission
from observation import services
from observation.models import Answer, Irregularity, ObserverReport
from tests import factories
from tests.odk.conftest import Collect, answers, base, fill, token_for

RESPONSE = "{http://openrosa.org/http/response}"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _form(collect, field):
    mission = field["mission"]
    return collect.get(base(mission) + f"forms/observa-{mission.pk}-opening.xml").content


def _send(collect, mission, instance: bytes, **attachments):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", instance, "text/xml")}
    for name, content in attachments.items():
        data[name] = SimpleUploadedFile(name, content)
    return collect.post(base(mission) + "submission", data)


def _counts():
    return (
        ObserverReport.objects.count(),
        Answer.objects.count(),
        Irregularity.objects.count(),
        Submission.objects.count(),
    )


def _message(response) -> str:
    assert response["X-OpenRosa-Version"] == "1.0"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{RESPONSE}OpenRosaResponse"
    return root.findtext(f"{RESPONSE}message")


def test_the_same_instance_twice_stores_one_report(field, collect):
    instance = fill(_form(collect, field), answers(field))
    first = _send(collect, field["mission"], instance)
    assert first.status_code == 201
    stored = _counts()
    again = _send(collect, field["mission"], instance)
    # OpenRosa expects a resent form to be accepted, or Collect keeps resending it.
    assert again.status_code == 201
    assert "received already" in _message(again)
    assert _counts() == stored == (1, 3, 1, 1)


def test_the_same_instance_id_with_other_answers_is_refused(field, collect):
    form = _form(collect, field)
    instance_id = f"uuid:{uuid.uuid4()}"
    assert (
        _send(collect, field["mission"], fill(form, answers(field), instance_id)).status_code == 201
    )
    stored = _counts()
    other = fill(form, answers(field, booths="7"), instance_id)
    refused = _send(collect, field["mission"], other)
    assert refused.status_code == 409
    assert "different report" in _message(refused)
    assert _counts() == stored


def _bad_inputs(field, form):
    return {
        "malformed XML": (form[:-20], 400, "not well-formed"),
        "unknown station": (fill(form, answers(field, obs__station="9999")), 400, "station"),
        "answer out of range": (fill(form, answers(field, booths="21")), 400, "20"),
        "form never issued": (
            fill(form, answers(field)).replace(b"-opening", b"-closing"),
            404,
            "never issued",
        ),
        "version never issued": (
            fill(form, answers(field)).replace(b'version="1"', b'version="9"'),
            404,
            "never issued",
        ),
        "round of no observation": (fill(form, answers(field, obs__round="999999")), 400, "round"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed XML",
        "unknown station",
        "answer out of range",
        "form never issued",
        "version never issued",
        "round of no observation",
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(field, collect, case):
    form = _form(collect, field)
    instance, status, says = _bad_inputs(field, form)[case]
    before = _counts()
    response = _send(collect, field["mission"], instance)
    assert response.status_code == status, response.content
    assert says in _message(response)
    assert _counts() == before


def test_an_attachment_that_is_not_an_image_is_refused(field, collect):
    instance = fill(_form(collect, field), answers(field))
    response = _send(collect, field["mission"], instance, **{"notes.pdf": b"%PDF-1.7 ..."})
    assert response.status_code == 400
    assert "not a JPEG or PNG" in _message(response)
    assert _counts() == (0, 0, 0, 0)


def test_an_image_attachment_is_accepted(field, collect):
    instance = fill(_form(collect, field), answers(field))
    assert _send(collect, field["mission"], instance, **{"1.png": PNG}).status_code == 201


def test_a_submission_over_the_size_limit_is_refused(field, collect, settings, monkeypatch):
    from odk import views

    monkeypatch.setattr(views, "MAX_SUBMISSION_BYTES", 1000)
    instance = fill(_form(collect, field), answers(field))
    response = _send(collect, field["mission"], instance, **{"1.png": PNG + b"\x00" * 2000})
    assert response.status_code == 413
    assert _counts() == (0, 0, 0, 0)


def test_a_body_cut_off_mid_way_stores_nothing(field, collect):
    instance = fill(_form(collect, field), answers(field))
    body = encode_multipart(
        BOUNDARY,
        {"xml_submission_file": SimpleUploadedFile("submission.xml", instance, "text/xml")},
    )
    for cut in (len(body) // 3, len(body) - len(instance) // 2, len(body) - 5):
        response = collect.generic(
            "POST",
            base(field["mission"]) + "submission",
            content_type=MULTIPART_CONTENT,
            # The phone said how long its body is; the connection dropped before the end.
            **{"wsgi.input": io.BytesIO(body[:cut]), "CONTENT_LENGTH": str(len(body))},
        )
        assert response.status_code == 400, (cut, response.content)
        assert "incomplete" in _message(response)
    assert _counts() == (0, 0, 0, 0)


def test_a_mission_the_user_is_not_on_is_refused(field, collect, db):
    # An observer of another mission, sending this mission's form to this mission's server.
    other = factories.MissionFactory()
    stranger = factories.MissionMembershipFactory(
        mission=other, role="observer", team=factories.DelegationMemberFactory(mission=other)
    ).user
    phone = Collect(stranger.get_username(), token_for(stranger))
    assert phone.get(base(field["mission"]) + "formList").status_code == 404
    instance = fill(_form(collect, field), answers(field))
    response = _send(phone, field["mission"], instance)
    assert response.status_code == 404
    assert "not on this mission" in _message(response)
    # Sent to their own mission's server, the form was never issued there.
    response = _send(phone, other, instance)
    assert response.status_code == 404
    assert "never issued" in _message(response)
    assert _counts() == (0, 0, 0, 0)


def test_an_older_form_version_is_accepted_for_the_questions_still_asked(field, collect):
    form = _form(collect, field)
    instance = fill(form, answers(field))
    checklist = field["checklist"]
    # Since the phone took the form: one question retired, one required question added.
    checklist.questions.filter(code="booths").update(retired=True)
    factories.QuestionFactory(checklist=checklist, code="seals", required=True)
    checklist.version = 2
    checklist.save()
    response = _send(collect, field["mission"], instance)
    assert response.status_code == 201, response.content
    assert "older version" in _message(response)
    report = ObserverReport.objects.get()
    assert {a.question.code for a in report.answers.all()} == {"materials", "opened_at"}
    assert "version 1 of the checklist" in report.notes
    assert "booths" in report.notes


def test_a_locked_mission_refuses_submissions(field, collect, leader):
    instance = fill(_form(collect, field), answers(field))
    services.mission_lock(mission=field["mission"], by=leader, reason="Concluded")
    response = _send(collect, field["mission"], instance)
    assert response.status_code == 403
    assert _counts() == (0, 0, 0, 0)
