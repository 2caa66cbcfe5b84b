"""End to end without a browser: an observer's phone sends a report with its answers and
an irregularity with a photo; a reviewer finds it in the review queue and verifies it;
the public summary counts it, and shows neither the photo's metadata nor who sent it."""

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from observation.models import Irregularity, IrregularityPhoto
from tests import factories
from tests.api.conftest import client_for
from tests.api.photos import CAMERA_MAKE, CAMERA_MODEL, phone_jpeg


def test_an_observers_report_reaches_the_reviewer_and_the_public_summary_safely(
    client, field, reviewer
):
    mission = field["mission"]
    team = field["team"]
    team.person.full_name = "Valentina Huamán Ccori"
    team.person.save()
    observer = factories.MissionMembershipFactory(
        mission=mission,
        role="observer",
        team=team,
        user=factories.UserFactory(first_name="Valentina", last_name="Huamán"),
    ).user
    checklist = factories.ChecklistFactory(mission=mission, phase="")
    factories.QuestionFactory(checklist=checklist, code="box_sealed")
    phone = client_for(observer)

    # The phone sends the report, with its answer and an irregularity.
    sent = phone.post(
        reverse("api:report_list", args=[mission.pk]),
        {
            "submission_id": str(uuid.uuid4()),
            "round": field["round"].pk,
            "station": field["station"].code,
            "phase": "voting",
            "arrived_at": "2000-04-09T09:00:00Z",
            "departed_at": "2000-04-09T10:00:00Z",
            "ballots_cast": 120,
            "assessment": "bad",
            "answers": {"box_sealed": "yes"},
            "irregularities": [
                {
                    "category": "intimidation",
                    "severity": "serious",
                    "evidence": "observed",
                    "description": "Armed men at the door of the station.",
                }
            ],
        },
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    report = sent.json()
    assert report["answers"] == {"box_sealed": "yes"}
    (logged,) = report["irregularities"]

    # Then the photo of it, taken with the phone's location and camera in it.
    photo = phone.post(
        reverse("api:irregularity_photos", args=[mission.pk, logged["id"]]),
        {"image": SimpleUploadedFile("IMG_2041.jpg", phone_jpeg(), content_type="image/jpeg")},
        format="multipart",
    )
    assert photo.status_code == 201, photo.json()
    stored = IrregularityPhoto.objects.get()
    assert CAMERA_MODEL.encode() not in stored.image.read()

    # The phone reads back its status: waiting for review.
    status = phone.get(reverse("api:irregularity_detail", args=[mission.pk, logged["id"]])).json()
    assert status["status"] == "reported"
    assert [p["id"] for p in status["photos"]] == [stored.pk]

    # The reviewer finds it in the queue, opens it with its photo, and verifies it.
    client.force_login(reviewer)
    queue = client.get(reverse("observation:review_queue", args=[mission.pk]))
    assert f"irregularity-{logged['id']}" in queue.content.decode()
    assert "Armed men at the door" in queue.content.decode()
    irregularity = Irregularity.objects.get(pk=logged["id"])
    detail = client.get(irregularity.get_absolute_url()).content.decode()
    assert stored.get_absolute_url() in detail
    assert client.get(stored.get_absolute_url()).status_code == 200
    decided = client.post(
        reverse("observation:irregularity_review", args=[mission.pk, irregularity.pk]),
        {"decision": "verify", "note": "Confirmed by the photo."},
    )
    assert decided.status_code == 302
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.VERIFIED

    # The phone sees the decision, never the reviewer's note.
    status = phone.get(reverse("api:irregularity_detail", args=[mission.pk, logged["id"]]))
    assert status.json()["status"] == "verified"
    assert "Confirmed by the photo" not in status.content.decode()

    # The public summary counts it, and shows nothing of the photo or who sent it.
    public = client.get(reverse("observation:mission_public_summary", args=[mission.pk]))
    assert public.status_code == 200
    page = public.content.decode()
    assert "Intimidation" in page
    for secret in (
        "Valentina",
        "Huamán",
        observer.get_username(),
        CAMERA_MAKE,
        CAMERA_MODEL,
        "IMG_2041",
        "irregularity-photos",
        stored.get_absolute_url(),
        "77.0",
    ):
        assert secret not in page, secret
    # Nor does the public summary's PDF.
    pdf = client.get(reverse("observation:mission_public_summary_pdf", args=[mission.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Intimidation" in text
    for secret in ("Valentina", "Huamán", CAMERA_MAKE, CAMERA_MODEL):
        assert secret not in text, secret
        assert secret not in str(reader.metadata), secret
    # No image in it at all: a photo's pixels could show a face.
    assert not [image for page in reader.pages for image in page.images]
