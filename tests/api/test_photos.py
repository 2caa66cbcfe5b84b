"""Photo evidence: JPEG or PNG by content, within limits, stored without a trace of its
metadata, and shown only to the mission's people whose role allows it."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from observation import services
from observation.models import Irregularity, IrregularityPhoto
from tests import factories
from tests.api.conftest import client_for
from tests.api.photos import CAMERA_MAKE, CAMERA_MODEL, ORIENTATION, PDF, phone_jpeg, png


@pytest.fixture
def irregularity(field, observer):
    report = factories.ObserverReportFactory(
        mission=field["mission"], observer=field["team"], station=field["station"]
    )
    return factories.IrregularityFactory(
        mission=field["mission"], report=report, round=report.round, station=report.station
    )


def photos_url(irregularity):
    return reverse("api:irregularity_photos", args=[irregularity.mission_id, irregularity.pk])


def upload(client, irregularity, content, name="IMG_0042.jpg", content_type="image/jpeg"):
    return client.post(
        photos_url(irregularity),
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_exif_gps_and_camera_are_gone_after_upload(observer_api, irregularity, settings):
    sent = phone_jpeg()
    # The test photo does carry what a phone writes.
    sent_exif = Image.open(io.BytesIO(sent)).getexif()
    assert sent_exif.get_ifd(0x8825) and CAMERA_MAKE.encode() in sent

    response = upload(observer_api, irregularity, sent)

    assert response.status_code == 201, response.json()
    photo = IrregularityPhoto.objects.get()
    assert response.json()["id"] == photo.pk
    stored = photo.image.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
    for trace in (b"Exif", b"GPS", CAMERA_MAKE.encode(), CAMERA_MODEL.encode(), b"2026:04:12"):
        assert trace not in stored
    assert b"observer 17" not in stored
    # Its name is ours, not the phone's.
    assert "IMG_0042" not in photo.image.name
    assert photo.content_type == "image/jpeg"
    assert photo.uploaded_by is not None


def test_png_text_is_gone_after_upload(observer_api, irregularity):
    response = upload(
        observer_api,
        irregularity,
        png(text="Lat -12.0461 Lon -77.0428"),
        name="a.png",
        content_type="image/png",
    )

    assert response.status_code == 201, response.json()
    stored = IrregularityPhoto.objects.get().image.read()
    assert b"-12.0461" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert not image.text


def test_the_cameras_orientation_is_applied_before_the_tag_goes(irregularity, observer):
    image = Image.new("RGB", (64, 48), (10, 20, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # turned a quarter: upright, it is taller than wide
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)

    photo = services.photo_attach(
        irregularity, SimpleUploadedFile("p.jpg", out.getvalue()), by=observer
    )

    assert (photo.width, photo.height) == (48, 64)
    assert not Image.open(photo.image).getexif()


def _refused(client, irregularity, settings, content, status=400, **kwargs):
    response = upload(client, irregularity, content, **kwargs)
    assert response.status_code == status, response.content
    assert IrregularityPhoto.objects.count() == 0
    assert stored_files(settings) == []
    return response.json()


def test_a_pdf_named_jpg_is_refused(observer_api, irregularity, settings):
    error = _refused(observer_api, irregularity, settings, PDF, name="photo.jpg")

    assert error["code"] == "invalid"
    assert error["errors"]["image"] == [
        {
            "code": "not_an_image",
            "message": "Send a photo as a JPEG or PNG file: this file is not one.",
        }
    ]


def test_a_gif_is_refused_though_it_is_an_image(observer_api, irregularity, settings):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")

    error = _refused(observer_api, irregularity, settings, out.getvalue(), name="photo.png")

    assert error["errors"]["image"][0]["code"] == "not_an_image"


def test_a_truncated_jpeg_is_refused(observer_api, irregularity, settings):
    error = _refused(observer_api, irregularity, settings, phone_jpeg((200, 200))[:400])

    assert error["errors"]["image"][0]["code"] == "not_an_image"


def test_an_oversize_photo_is_refused(observer_api, irregularity, settings):
    settings.PHOTO_MAX_UPLOAD_SIZE = 1000
    sent = phone_jpeg((300, 300))
    assert len(sent) > 1000

    error = _refused(observer_api, irregularity, settings, sent)

    assert error["errors"]["image"] == [
        {
            "code": "too_large",
            "message": "This photo is larger than 1000\xa0bytes: send a smaller one.",
        }
    ]


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    observer_api, irregularity, settings
):
    settings.PHOTO_MAX_UPLOAD_SIZE = 1000

    error = _refused(observer_api, irregularity, settings, b"\xff\xd8" + b"0" * 200_000, status=413)

    assert error["code"] == "too_large"


def test_too_many_pixels_are_refused(observer_api, irregularity, settings):
    settings.PHOTO_MAX_PIXELS = 1000

    error = _refused(observer_api, irregularity, settings, phone_jpeg((64, 48)))

    assert error["errors"]["image"][0]["code"] == "too_many_pixels"


def _bomb() -> bytes:
    """A PNG of a few bytes whose header claims 100,000 by 100,000 pixels."""
    signature = b"\x89PNG\r\n\x1a\n"

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (
        signature
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_before_it_is_decoded(observer_api, irregularity, settings):
    error = _refused(
        observer_api, irregularity, settings, _bomb(), name="b.png", content_type="image/png"
    )

    assert error["errors"]["image"][0]["code"] == "too_many_pixels"


def test_the_same_file_sent_again_is_stored_once(observer_api, irregularity, settings):
    sent = phone_jpeg()
    first = upload(observer_api, irregularity, sent)

    again = upload(observer_api, irregularity, sent)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert IrregularityPhoto.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_a_reviewed_irregularity_takes_no_more_photos(
    observer_api, irregularity, reviewer, settings
):
    irregularity.verify(by=reviewer)

    error = _refused(observer_api, irregularity, settings, phone_jpeg(), status=409)

    assert error["code"] == "irregularity_reviewed"


def test_a_locked_mission_takes_no_photos(observer_api, irregularity, leader, settings):
    irregularity.mission.lock(by=leader)

    error = _refused(observer_api, irregularity, settings, phone_jpeg(), status=403)

    assert error["code"] == "mission_locked"


def test_an_observer_cannot_add_to_another_teams_irregularity(observer_api, field, settings):
    report = factories.ObserverReportFactory(mission=field["mission"], observer=field["other_team"])
    theirs = factories.IrregularityFactory(
        mission=field["mission"], report=report, round=report.round, station=report.station
    )

    _refused(observer_api, theirs, settings, phone_jpeg(), status=404)


def test_photo_attach_raises_a_clear_validation_error(irregularity, observer, settings):
    with pytest.raises(ValidationError) as error:
        services.photo_attach(irregularity, SimpleUploadedFile("x.jpg", PDF), by=observer)

    assert error.value.code == "not_an_image"
    assert error.value.messages == ["Send a photo as a JPEG or PNG file: this file is not one."]
    assert stored_files(settings) == []


def test_an_irregularity_lists_its_photos(observer_api, irregularity):
    upload(observer_api, irregularity, phone_jpeg())

    detail = observer_api.get(
        reverse("api:irregularity_detail", args=[irregularity.mission_id, irregularity.pk])
    ).json()

    assert [photo["content_type"] for photo in detail["photos"]] == ["image/jpeg"]


# Who sees a photo: the mission's staff, reviewers and leaders, nobody else.


@pytest.fixture
def photo(irregularity, observer):
    return services.photo_attach(
        irregularity, SimpleUploadedFile("p.jpg", phone_jpeg()), by=observer
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("stranger", 404),
        ("observer", 403),
        ("staff", 200),
        ("reviewer", 200),
        ("leader", 200),
        ("superuser", 200),
    ],
)
def test_a_photo_is_served_to_the_missions_people_only(client, field, photo, role, expected):
    mission = field["mission"]
    if role == "superuser":
        client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    elif role == "stranger":
        client.force_login(factories.MissionMembershipFactory(role="leader").user)
    elif role == "observer":
        client.force_login(
            factories.MissionMembershipFactory(
                mission=mission, role="observer", team=field["team"]
            ).user
        )
    elif role != "anonymous":
        client.force_login(factories.MissionMembershipFactory(mission=mission, role=role).user)

    response = client.get(photo.get_absolute_url())

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-cache"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == photo.image.open("rb").read()


def test_a_photo_is_not_served_under_another_irregularity(client, field, photo, staff):
    other = factories.IrregularityFactory(mission=field["mission"])
    client.force_login(staff)

    response = client.get(
        reverse("observation:irregularity_photo", args=[field["mission"].pk, other.pk, photo.pk])
    )

    assert response.status_code == 404


def test_the_irregularity_page_shows_its_photos(client, photo, reviewer):
    client.force_login(reviewer)

    page = client.get(photo.irregularity.get_absolute_url()).content.decode()

    assert f'src="{photo.get_absolute_url()}"' in page
    assert 'alt="Photo 1 of this irregularity"' in page


def test_the_public_summary_shows_no_photo(client, photo, leader):
    mission = photo.irregularity.mission
    photo.irregularity.verify(by=leader)
    client.force_login(leader)

    page = client.get(
        reverse("observation:mission_public_summary", args=[mission.pk])
    ).content.decode()

    assert "irregularity-photos" not in page
    assert "/photos/" not in page
    assert CAMERA_MODEL not in page


def test_photo_view_is_in_the_policy_for_staff_and_up():
    from observation.access import roles_allowed

    assert roles_allowed("photo_view") == ["staff", "reviewer", "leader"]
    assert roles_allowed("irregularity_submit") == ["observer", "staff", "reviewer", "leader"]


def test_an_observer_token_uploads_to_their_own_national_irregularity(field, observer, settings):
    client = client_for(observer)
    created = client.post(
        reverse("api:irregularity_list", args=[field["mission"].pk]),
        {
            "submission_id": "0b5d3f0e-8d4a-4b7e-9a51-6f3f7c1c2d11",
            "category": "intimidation",
            "severity": "minor",
            "evidence": "alleged",
            "description": "Threats on the radio.",
        },
        format="json",
    ).json()
    irregularity = Irregularity.objects.get(pk=created["id"])

    response = upload(client, irregularity, png(), name="x.png", content_type="image/png")

    assert response.status_code == 201
    assert irregularity.photos.count() == 1


@pytest.mark.parametrize("deleted", ["irregularity", "report", "mission"])
def test_a_photos_file_goes_with_its_row(
    irregularity, observer, settings, deleted, django_capture_on_commit_callbacks
):
    services.photo_attach(irregularity, SimpleUploadedFile("p.jpg", phone_jpeg()), by=observer)
    assert len(stored_files(settings)) == 1
    record = {
        "irregularity": irregularity,
        "report": irregularity.report,
        "mission": irregularity.mission,
    }[deleted]

    with django_capture_on_commit_callbacks(execute=True):
        type(record).objects.filter(pk=record.pk).delete()

    assert IrregularityPhoto.objects.count() == 0
    assert stored_files(settings) == []


def test_a_deletion_rolled_back_keeps_the_file(irregularity, observer, settings):
    services.photo_attach(irregularity, SimpleUploadedFile("p.jpg", phone_jpeg()), by=observer)

    with pytest.raises(RuntimeError), transaction.atomic():
        irregularity.photos.all().delete()
        raise RuntimeError

    assert IrregularityPhoto.objects.count() == 1
    assert len(stored_files(settings)) == 1
