"""ODK Collect's requests in the order it makes them, against a mission's OpenRosa
server, ending with the report in the review queue."""

import hashlib
import re
from xml.etree import ElementTree

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from observation.models import Irregularity, ObserverReport
from tests.odk.conftest import answers, base, fill

LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE = "{http://openrosa.org/http/response}"


def test_collect_plays_its_requests_in_order(field, collect, client, reviewer):
    mission = field["mission"]
    # Collect's first request carries no credentials: the server asks for Basic.
    anonymous = client.get(base(mission) + "formList")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Basic ")
    assert anonymous["X-OpenRosa-Version"] == "1.0"

    listed = collect.get(base(mission) + "formList")
    assert listed.status_code == 200
    assert listed["X-OpenRosa-Version"] == "1.0"
    assert listed["Content-Type"].startswith("text/xml")
    xforms = ElementTree.fromstring(listed.content)
    (entry,) = xforms.findall(f"{LIST}xform")
    assert entry.findtext(f"{LIST}formID") == f"observa-{mission.pk}-opening"
    assert entry.findtext(f"{LIST}version") == "1"
    download = entry.findtext(f"{LIST}downloadUrl")
    manifest_url = entry.findtext(f"{LIST}manifestUrl")

    form = collect.get(download)
    assert form.status_code == 200
    assert entry.findtext(f"{LIST}hash") == "md5:" + hashlib.md5(form.content).hexdigest()
    assert b"jr://file-csv/stations.csv" in form.content

    manifest = collect.get(manifest_url)
    assert manifest.status_code == 200
    (media,) = ElementTree.fromstring(manifest.content).findall(f"{MANIFEST}mediaFile")
    assert media.findtext(f"{MANIFEST}filename") == "stations.csv"
    csv = collect.get(media.findtext(f"{MANIFEST}downloadUrl"))
    assert csv.status_code == 200
    assert media.findtext(f"{MANIFEST}hash") == "md5:" + hashlib.md5(csv.content).hexdigest()
    assert csv.content.splitlines()[0] == b"name,label"
    assert b"0101," in csv.content

    # Offline, the observer fills the form; back online, Collect sends it.
    head = collect.head(base(mission) + "submission")
    assert head.status_code == 204
    assert int(head["X-OpenRosa-Accept-Content-Length"]) > 0
    assert head["X-OpenRosa-Version"] == "1.0"

    instance = fill(form.content, answers(field))
    sent = collect.post(
        base(mission) + "submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", instance, "text/xml")},
    )
    assert sent.status_code == 201, sent.content
    assert sent["X-OpenRosa-Version"] == "1.0"
    message = ElementTree.fromstring(sent.content).find(f"{RESPONSE}message")
    assert message.get("nature") == "submit_success"

    report = ObserverReport.objects.get(mission=mission)
    assert (report.station, report.round, report.phase) == (
        field["station"],
        field["round"],
        "opening",
    )
    assert report.observer == field["team"]
    assert report.assessment == "good"
    assert {a.question.code: a.value for a in report.answers.all()} == {
        "materials": "no",
        "booths": "4",
        "opened_at": "07:05",
    }
    # The concerning answer raised an irregularity for review, as on the web form.
    raised = Irregularity.objects.get(report=report)
    assert raised.raised_by_system

    client.force_login(reviewer)
    queue = client.get(reverse("observation:review_queue", args=[mission.pk]))
    assert queue.status_code == 200
    assert raised in list(queue.context["page"].object_list)


def test_the_generated_form_asks_round_station_and_phase(field, collect):
    mission = field["mission"]
    form = collect.get(base(mission) + f"forms/observa-{mission.pk}-opening.xml").content.decode()
    assert re.search(r'<bind [^>]*nodeset="/[^"]+/obs__round"', form)
    assert "instance('stations')" in form
    assert "'opening'" in form
