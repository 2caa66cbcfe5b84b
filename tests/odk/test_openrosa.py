"""Observa's OpenRosa documents against the published specification's own examples
and real instances from ODK's repositories (tests/odk/files, see SOURCES.md); the
forms we generate against pyxform's validator; sign-in as Collect does it."""

import base64
import json
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyxform.validators import odk_validate

from observation.models import ObserverReport
from odk import forms, intake, views
from tests import factories
from tests.odk.conftest import XFORMS, Collect, answers, base, fill

FILES = Path(__file__).parent / "files"
LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE = "{http://openrosa.org/http/response}"


def _shape(element) -> set[str]:
    """The element names under each child of `element`: a document's structure."""
    return {child.tag for item in element for child in item}


def test_the_form_list_has_the_elements_of_the_specs_example(field, collect):
    spec = ElementTree.parse(FILES / "openrosa-form-list-example.xml").getroot()
    ours = ElementTree.fromstring(collect.get(base(field["mission"]) + "formList").content)
    assert ours.tag == spec.tag
    required = {f"{LIST}{name}" for name in ("formID", "name", "version", "hash", "downloadUrl")}
    (spec_first, _, _) = list(spec)
    assert required <= {child.tag for child in spec_first}
    for xform in ours:
        assert xform.tag == spec_first.tag
        tags = [child.tag for child in xform]
        assert required | {f"{LIST}manifestUrl"} == set(tags)
        assert len(tags) == len(set(tags))  # exactly one of each
        assert xform.findtext(f"{LIST}hash").startswith("md5:")


def test_the_manifest_has_the_elements_of_the_specs_example(field, collect):
    spec = ElementTree.parse(FILES / "openrosa-manifest-example.xml").getroot()
    mission = field["mission"]
    ours = ElementTree.fromstring(
        collect.get(base(mission) + f"forms/observa-{mission.pk}-opening/manifest").content
    )
    assert ours.tag == spec.tag
    assert (
        _shape(ours)
        == _shape(spec)
        == {
            f"{MANIFEST}filename",
            f"{MANIFEST}hash",
            f"{MANIFEST}downloadUrl",
        }
    )


def test_the_submission_response_is_shaped_as_the_specs_example(field, collect):
    spec = ElementTree.parse(FILES / "openrosa-submission-response-example.xml").getroot()
    mission = field["mission"]
    form = collect.get(base(mission) + f"forms/observa-{mission.pk}-opening.xml").content
    response = collect.post(
        base(mission) + "submission",
        {
            "xml_submission_file": SimpleUploadedFile(
                "submission.xml", fill(form, answers(field)), "text/xml"
            )
        },
    )
    assert response.status_code == 201
    ours = ElementTree.fromstring(response.content)
    assert ours.tag == spec.tag == f"{RESPONSE}OpenRosaResponse"
    assert [child.tag for child in ours] == [child.tag for child in spec]


@pytest.mark.parametrize(
    ("name", "form_id", "instance_id", "values"),
    [
        ("central-backend-simple-one.xml", "simple", "one", {"name": "Alice", "age": "30"}),
        ("central-backend-client-audits-one.xml", "audits", "one", {"name": "Alice", "age": "30"}),
    ],
)
def test_real_instances_are_read(name, form_id, instance_id, values):
    instance = intake.parse((FILES / name).read_bytes())
    assert (instance.form_id, instance.instance_id, instance.values) == (
        form_id,
        instance_id,
        values,
    )


def test_a_real_instances_envelope_with_our_form_is_accepted(field, collect):
    """ODK Central's test instance (meta first, an instanceID that is not a uuid, no
    version attribute... added here, as Collect always sends it) carrying our answers."""
    real = ElementTree.parse(FILES / "central-backend-simple-one.xml").getroot()
    mission = field["mission"]
    real.set("id", f"observa-{mission.pk}-opening")
    real.set("version", "1")
    for element in list(real):
        if element.tag != "meta":
            real.remove(element)
    for name, value in answers(field).items():
        ElementTree.SubElement(real, name).text = value
    data = ElementTree.tostring(real)
    response = collect.post(
        base(mission) + "submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", data, "text/xml")},
    )
    assert response.status_code == 201, response.content
    report = ObserverReport.objects.get()
    assert report.submission_id == intake.submission_uuid("one")


def test_an_encrypted_instance_is_refused_as_a_form_never_issued(field, collect):
    data = (
        b'<data id="encrypted" version="working3" encrypted="yes" '
        b'xmlns="http://www.opendatakit.org/xforms/encrypted"><orx:meta '
        b'xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>uuid:dcf4a151-5088-453f-99e6-'
        b"369d67828f7a</orx:instanceID></orx:meta></data>"
    )
    response = collect.post(
        base(field["mission"]) + "submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", data, "text/xml")},
    )
    assert response.status_code == 404


def test_xml_entities_are_refused():
    bomb = b'<!DOCTYPE d [<!ENTITY a "aaaa">]><data id="x"><q>&a;</q></data>'
    with pytest.raises(intake.Refusal):
        intake.parse(bomb)


def _java():
    import shutil

    return shutil.which("java")


@pytest.mark.skipif(not _java(), reason="ODK Validate needs Java")
def test_every_generated_form_passes_odk_validate(field, tmp_path):
    mission = field["mission"]
    every_phase = factories.standard_checklist(mission)
    for checklist in (field["checklist"], every_phase):
        xml = forms.generate(checklist)
        # With the repeat of irregularities and its photo, which Validate checks too.
        assert f'<repeat nodeset="/data/{forms.IRREGULARITIES}">'.encode() in xml
        assert f'<upload ref="/data/{forms.IRREGULARITIES}/{forms.PHOTO}"'.encode() in xml
        path = tmp_path / f"{forms.form_id(checklist)}.xml"
        path.write_bytes(xml)
        # ODK Validate (JavaRosa, as Collect parses forms) wants the CSV beside the form.
        (tmp_path / forms.STATIONS_FILE).write_bytes(forms.stations_csv(mission))
        warnings = odk_validate.check_xform(str(path))
        assert not [w for w in warnings if "error" in w.lower()], warnings


def test_every_generated_form_is_valid_xlsform(field):
    # pyxform's own checks, without Java: convert() refuses an invalid form.
    every_phase = factories.standard_checklist(field["mission"])
    for checklist in (field["checklist"], every_phase):
        xml = forms.generate(checklist)
        assert xml.startswith(b"<?xml")
        assert f'<repeat nodeset="/data/{forms.IRREGULARITIES}">'.encode() in xml


def test_the_generated_form_is_cached_per_checklist_version(field, monkeypatch):
    calls = []
    original = forms.generate
    monkeypatch.setattr(forms, "generate", lambda c, **k: calls.append(c) or original(c, **k))
    checklist = field["checklist"]
    first = forms.xform(checklist)
    assert forms.xform(checklist).xml == first.xml
    assert len(calls) == 1
    checklist.version = 2
    checklist.save()
    assert forms.xform(checklist).version == "2"
    assert len(calls) == 2


def test_a_wrong_token_counts_toward_the_lockout(field, settings):
    username = field["observer"].get_username()
    phone = Collect(username, "obs_not-the-token")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = phone.get(base(field["mission"]) + "formList")
        assert response.status_code == 401
    # The failure that reaches the limit locks the account, and Collect is told so.
    locking = phone.get(base(field["mission"]) + "formList")
    assert locking.status_code == 429
    assert locking["X-OpenRosa-Version"] == "1.0"
    assert AccessAttempt.objects.filter(username=username).exists()
    # Locked out now: even the right token is refused.
    right = Collect(username, field["token"]).get(base(field["mission"]) + "formList")
    assert right.status_code == 429
    assert "locked" in right.content.decode()


def test_a_token_of_someone_else_is_refused(field, db):
    other = factories.UserFactory()
    phone = Collect(other.get_username(), field["token"])
    assert phone.get(base(field["mission"]) + "formList").status_code == 401


def test_a_revoked_token_is_refused(field):
    from api.models import ApiToken

    ApiToken.objects.get(user=field["observer"]).revoke()
    phone = Collect(field["observer"].get_username(), field["token"])
    assert phone.get(base(field["mission"]) + "formList").status_code == 401


def test_leaders_see_the_setup_page_with_a_qr_code_others_do_not(field, client, leader, staff):
    mission = field["mission"]
    url = reverse("odk:setup", args=[mission.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert (
        url
        not in client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()
    )
    client.force_login(leader)
    assert (
        url in client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()
    )
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert field["observer"].get_username() in html
    settings_json = json.loads(zlib.decompress(base64.b64decode(page.context["payload"])))
    assert settings_json["general"]["server_url"] == f"http://testserver/odk/{mission.pk}/"
    assert settings_json["project"]["name"] == mission.name[:60]
    assert views.settings_payload("https://x/odk/1/", mission)


def test_the_visits_questions_and_choices_are_in_each_language_of_the_checklist(field):
    checklist = factories.standard_checklist(field["mission"])

    xml = ElementTree.fromstring(forms.generate(checklist))

    texts = {
        translation.get("lang"): {
            text.get("id"): "".join(text.itertext())
            for text in translation.iter(f"{{{XFORMS}}}text")
        }
        for translation in xml.iter(f"{{{XFORMS}}}translation")
    }
    spanish = texts["Español (es)"]
    assert spanish[f"/data/{forms.ROUND}:label"] == "Vuelta"
    assert spanish[f"/data/{forms.STATION}:label"] == "Mesa de votación"
    assert spanish[f"/data/{forms.ASSESSMENT}:label"] == "Evaluación general"
    assert spanish["obs__rounds-0"] == "Primera vuelta, 9 abr 2000"
    assert texts["English (en)"]["obs__rounds-0"] == "First round, 9 Apr 2000"
