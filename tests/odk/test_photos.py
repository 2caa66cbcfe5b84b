"""Irregularities logged in ODK Collect's repeat, with photo evidence: stored with the
report through the same services as the web form and the JSON API, the photo without
its location; all of it or, when any part is refused, nothing, not even a file."""

import io
import re
import uuid
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from api.models import Submission
from observation.models import Irregularity, IrregularityPhoto, ObserverReport
from odk import forms
from tests import factories
from tests.odk.conftest import XFORMS, answers, base, fill

RESPONSE = "{http://openrosa.org/http/response}"
GPS_IFD, MAKE = 0x8825, 0x010F
# 12° 2' 46.08" S, 77° 2' 34.2" W: a polling station in Lima.
LIMA = {1: "S", 2: (12.0, 2.0, 46.08), 3: "W", 4: (77.0, 2.0, 34.2)}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def phone_photo(color=(200, 30, 30)) -> bytes:
    """A JPEG as a phone writes it, with where it was taken and by which camera."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update(LIMA)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _form(collect, field) -> bytes:
    mission = field["mission"]
    return collect.get(base(mission) + f"forms/observa-{mission.pk}-opening.xml").content


def _instance(form: bytes, field, irregularities=None, instance_id=None) -> bytes:
    """The form filled in with `irregularities` ([{name: text}]) in its repeat, one
    element each, as Collect sends it (None: the repeat left untouched)."""
    data = ElementTree.fromstring(fill(form, answers(field), instance_id))
    if irregularities is None:
        return ElementTree.tostring(data, encoding="utf-8")
    tag = f"{{{XFORMS}}}{forms.IRREGULARITIES}"
    position = [child.tag for child in data].index(tag)
    for element in data.findall(tag):
        data.remove(element)
    for offset, values in enumerate(irregularities):
        element = ElementTree.Element(tag)
        for name in (forms.CATEGORY, forms.SEVERITY, forms.DESCRIPTION, forms.PHOTO):
            ElementTree.SubElement(element, f"{{{XFORMS}}}{name}").text = values.get(name, "")
        data.insert(position + offset, element)
    return ElementTree.tostring(data, encoding="utf-8")


def _logged(category="intimidation", description="Police inside the station", photo=""):
    return {
        forms.CATEGORY: category,
        forms.SEVERITY: "serious",
        forms.DESCRIPTION: description,
        forms.PHOTO: photo,
    }


def _send(collect, mission, instance: bytes, **attachments):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", instance, "text/xml")}
    for name, content in attachments.items():
        data[name] = SimpleUploadedFile(name, content)
    return collect.post(base(mission) + "submission", data)


def _message(response) -> str:
    return ElementTree.fromstring(response.content).findtext(f"{RESPONSE}message")


def _counts():
    return (
        ObserverReport.objects.count(),
        Irregularity.objects.count(),
        IrregularityPhoto.objects.count(),
        Submission.objects.count(),
    )


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_the_form_asks_irregularities_with_an_optional_photo_after_the_checklist(field, collect):
    form = _form(collect, field).decode()
    repeat = f"/data/{forms.IRREGULARITIES}"
    assert f'<repeat nodeset="{repeat}">' in form
    assert form.index("/data/opened_at") < form.index(repeat) < form.index("/data/obs__assessment")
    assert f'<upload ref="{repeat}/{forms.PHOTO}" mediatype="image/*">' in form
    photo_bind = re.search(rf'<bind nodeset="{repeat}/{forms.PHOTO}"[^>]*>', form).group()
    assert 'type="binary"' in photo_bind
    assert "required" not in photo_bind
    for name in (forms.CATEGORY, forms.SEVERITY, forms.DESCRIPTION):
        bind = re.search(rf'<bind nodeset="{repeat}/{name}"[^>]*>', form).group()
        assert 'required="true()"' in bind
    categories = re.search(r'<instance id="obs__categories">(.*?)</instance>', form).group(1)
    names = re.findall(r"<name>([^<]+)</name>", categories)
    assert "intimidation" in names
    # Overvote detection alone raises overvotes: the web form does not offer them either.
    assert "overvote" not in names


def test_the_categories_are_labelled_in_each_language_of_the_form(field):
    xml = forms.generate(factories.standard_checklist(field["mission"])).decode()
    translations = dict(
        re.findall(r'<translation lang="[^"]*\((\w+)\)"[^>]*>(.*?)</translation>', xml)
    )
    assert set(translations) == {"en", "es"}
    text_id = re.search(
        r"<itextId>(obs__categories-\d+)</itextId><name>intimidation</name>", xml
    ).group(1)

    def label(language):
        return re.search(rf'<text id="{text_id}"><value>([^<]*)<', translations[language]).group(1)

    assert label("en") == "Intimidation by police or military"
    assert label("es") == "Intimidación por parte de la policía o las Fuerzas Armadas"
    assert "<value>Categoría</value>" in translations["es"]


def test_an_irregularity_with_a_photo_is_stored_without_its_location(field, collect, settings):
    sent = phone_photo()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)
    instance = _instance(_form(collect, field), field, [_logged(photo="1712912467.jpg")])

    response = _send(collect, field["mission"], instance, **{"1712912467.jpg": sent})

    assert response.status_code == 201, response.content
    report = ObserverReport.objects.get()
    irregularity = Irregularity.objects.get(raised_by_system=False)
    assert irregularity.report == report
    assert irregularity.category.code == "intimidation"
    assert irregularity.description == "Police inside the station"
    assert irregularity.severity == Irregularity.Severity.SERIOUS
    assert irregularity.evidence == Irregularity.Evidence.OBSERVED
    assert (irregularity.station, irregularity.round) == (field["station"], field["round"])
    assert irregularity.reported_by == field["observer"]
    photo = IrregularityPhoto.objects.get()
    assert photo.irregularity == irregularity
    assert photo.uploaded_by == field["observer"]
    assert _stored_files(settings) == [photo.image.name]
    stored = photo.image.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(GPS_IFD)
    assert not image.getexif()
    assert b"PhoneMaker" not in stored
    assert "1712912467" not in photo.image.name


def test_a_resent_submission_stores_its_irregularities_and_photos_once(field, collect, settings):
    instance = _instance(
        _form(collect, field),
        field,
        [
            _logged(photo="a.jpg"),
            _logged(category="vote_buying", description="Cash at the door", photo="b.jpg"),
        ],
    )
    files = {"a.jpg": phone_photo(), "b.jpg": phone_photo(color=(10, 90, 200))}
    assert _send(collect, field["mission"], instance, **files).status_code == 201
    stored = _counts()
    stored_files = _stored_files(settings)
    assert stored == (1, 3, 2, 1)  # the report, its raised and logged irregularities, photos
    assert len(stored_files) == 2

    again = _send(collect, field["mission"], instance, **files)

    assert again.status_code == 201
    assert "received already" in _message(again)
    assert _counts() == stored
    assert _stored_files(settings) == stored_files


def test_the_same_instance_id_with_other_irregularities_is_refused(field, collect):
    form = _form(collect, field)
    instance_id = f"uuid:{uuid.uuid4()}"
    first = _instance(form, field, [_logged()], instance_id)
    assert _send(collect, field["mission"], first).status_code == 201
    stored = _counts()
    other = _instance(form, field, [_logged(description="Something else")], instance_id)

    response = _send(collect, field["mission"], other)

    assert response.status_code == 409
    assert _counts() == stored


def _refused(collect, field, settings, instance, says, **attachments):
    response = _send(collect, field["mission"], instance, **attachments)
    assert response.status_code == 400, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    assert says in _message(response)
    assert _counts() == (0, 0, 0, 0)
    assert _stored_files(settings) == []
    return _message(response)


def test_an_attachment_that_is_not_an_image_stores_nothing(field, collect, settings):
    instance = _instance(_form(collect, field), field, [_logged(photo="scan.pdf")])
    _refused(
        collect, field, settings, instance, "not a JPEG or PNG", **{"scan.pdf": b"%PDF-1.7 ..."}
    )


def test_a_photo_refused_by_the_photo_service_stores_nothing_not_even_the_photos_before_it(
    field, collect, settings
):
    # Starts as a JPEG does, but is none: the photo service reads it and refuses it,
    # after the first irregularity's photo was written.
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 200
    instance = _instance(
        _form(collect, field),
        field,
        [_logged(photo="good.jpg"), _logged(category="vote_buying", photo="broken.jpg")],
    )
    message = _refused(
        collect,
        field,
        settings,
        instance,
        "Irregularity 2, photo “broken.jpg”",
        **{"good.jpg": phone_photo(), "broken.jpg": broken},
    )
    assert "JPEG or PNG" in message


def test_a_photo_that_was_not_sent_stores_nothing(field, collect, settings):
    instance = _instance(_form(collect, field), field, [_logged(photo="1712912467.jpg")])
    _refused(
        collect,
        field,
        settings,
        instance,
        "Irregularity 1: its photo “1712912467.jpg” did not arrive",
        **{"other.jpg": phone_photo()},
    )


def test_an_unknown_category_stores_nothing(field, collect, settings):
    instance = _instance(
        _form(collect, field), field, [_logged(photo="a.jpg"), _logged(category="bogus")]
    )
    _refused(
        collect,
        field,
        settings,
        instance,
        "Irregularity 2, Category: “bogus” is not one of the form's irregularity categories",
        **{"a.jpg": phone_photo()},
    )


def test_an_irregularity_without_description_stores_nothing(field, collect, settings):
    instance = _instance(_form(collect, field), field, [_logged(description="")])
    _refused(collect, field, settings, instance, "Irregularity 1, Description")


def test_the_refusal_is_in_the_phones_language(field, collect, settings):
    instance = _instance(_form(collect, field), field, [_logged(category="bogus")])
    response = collect.post(
        base(field["mission"]) + "submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", instance, "text/xml")},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "Categoría" in _message(response)


@pytest.mark.parametrize("repeat", ["absent", "left empty"])
def test_without_irregularities_the_report_is_stored_as_before(field, collect, settings, repeat):
    form = _form(collect, field)
    # Collect sends no element of a repeat never added; other clients send an empty one.
    instance = _instance(form, field, [] if repeat == "absent" else None)

    response = _send(collect, field["mission"], instance)

    assert response.status_code == 201, response.content
    report = ObserverReport.objects.get()
    assert {a.question.code for a in report.answers.all()} == {
        "materials",
        "booths",
        "opened_at",
    }
    assert not report.irregularities.filter(raised_by_system=False).exists()
    assert IrregularityPhoto.objects.count() == 0
    assert _stored_files(settings) == []
