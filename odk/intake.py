"""A submission from ODK Collect made a report: the instance XML read (defusedxml: no
entities, no external references), its answers checked by `answers.clean_raw` and the
visit by the web form's own checks (`api.forms.ApiReportForm`), then stored through
`services.report_save` with the instance's `meta/instanceID` as the submission id.

The irregularities the observer logged in the form's repeat are checked as the web
form checks those logged with a report (`api.forms.ApiIrregularityForm`) and saved
with the report by `report_save`; the photo each names is stored by
`services.photo_attach`, which strips its metadata. The report, its irregularities and
their photos are stored together or not at all, files included.

A resent instance stores nothing new; the same instanceID with other content is
refused. An instance of an older form version is accepted for the questions that
are still asked, and the report's notes say so (the notes are what reviewers read
with the report; no column of its own is needed for a remark).
"""

import re
import uuid
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from api.forms import ApiIrregularityForm, ApiReportForm
from api.models import Submission
from observation import answers as checklist_answers
from observation import services
from observation.models import Irregularity, MissionLockedError, ObserverReport, QuestionType
from odk import forms

_TIME = re.compile(r"^(\d{2}:\d{2}(?::\d{2})?)")
# The attribute marking a repeat's template in a form's instance: not an answer.
_TEMPLATE = "{http://openrosa.org/javarosa}template"


class Refusal(Exception):
    """A submission refused, with the HTTP status and the message Collect shows."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Instance:
    form_id: str
    version: str
    instance_id: str
    values: dict = field(default_factory=dict)  # {name: text}, leaves outside meta and repeats
    # {name: text} of each irregularity logged in the repeat, those left empty skipped.
    irregularities: list = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(data: bytes) -> Instance:
    try:
        root = ElementTree.fromstring(data)
    except (ParseError, DefusedXmlException, ValueError):
        raise Refusal(_("The form's data could not be read: it is not well-formed XML.")) from None
    form_id = root.get("id", "")
    if not form_id:
        raise Refusal(_("The form's data does not name its form (no id attribute)."))
    instance_id = ""
    values, irregularities = {}, []
    for element in root.iter():
        if element is root:
            continue
        name = _local(element.tag)
        if name == forms.IRREGULARITIES and element.get(_TEMPLATE) is None:
            logged = {
                _local(leaf.tag): (leaf.text or "").strip()
                for leaf in element.iter()
                if leaf is not element and not len(leaf)
            }
            if any(logged.values()):
                irregularities.append(logged)
            continue
        if len(element):
            continue
        text = (element.text or "").strip()
        if name == "instanceID":
            instance_id = text
        elif not {_local(p.tag) for p in _parents(root, element)} & {"meta", forms.IRREGULARITIES}:
            values[name] = text
    return Instance(
        form_id=form_id,
        version=root.get("version", ""),
        instance_id=instance_id,
        values=values,
        irregularities=irregularities,
    )


def _parents(root, target):
    # Small trees: a walk finds an element's ancestors (ElementTree keeps no parent links).
    path = []

    def walk(node):
        if node is target:
            return True
        for child in node:
            path.append(node)
            if walk(child):
                return True
            path.pop()
        return False

    walk(root)
    return path


def submission_uuid(instance_id: str) -> uuid.UUID:
    """The report's submission id for an instanceID: the uuid it carries ("uuid:…", as
    Collect writes it), or one derived from any other scheme the metadata spec allows."""
    if not instance_id:
        raise Refusal(
            _("The form's data has no meta/instanceID: Observa cannot tell a resent form.")
        )
    try:
        return uuid.UUID(instance_id.removeprefix("uuid:"))
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"openrosa-instance:{instance_id}")


@dataclass
class Outcome:
    report: ObserverReport
    created: bool
    older_version: bool = False


def receive(*, mission, user, token, team, data: bytes, attachments=None) -> Outcome:
    """Store the instance `data` as a report of `mission` by `user`, or refuse it.

    `attachments` ({file name: UploadedFile}) are the files sent with the instance: the
    photos its irregularities name are among them."""
    instance = parse(data)
    checklist = forms.checklist_for(mission, instance.form_id)
    if checklist is None:
        raise Refusal(
            _("This mission never issued the form “%(form)s”. Get the blank forms again.")
            % {"form": instance.form_id},
            status=404,
        )
    try:
        version = int(instance.version)
    except ValueError:
        version = None
    if version is None or version < 1 or version > checklist.version:
        raise Refusal(
            _(
                "Form version “%(version)s” of “%(form)s” was never issued. "
                "Get the blank forms again."
            )
            % {"version": instance.version, "form": instance.form_id},
            status=404,
        )
    older = version < checklist.version
    submission_id = submission_uuid(instance.instance_id)
    body = {
        "channel": "odk",
        "form": instance.form_id,
        "version": instance.version,
        "values": instance.values,
    }
    if instance.irregularities:
        # Only then: a resent form stored before forms had irregularities compares equal.
        body["irregularities"] = instance.irregularities
    replay = _replay(mission, submission_id, body)
    if replay is not None:
        return replay

    values = dict(instance.values)
    visit = {name: values.pop(name, "") for name in forms.OWN}
    questions = {q.code: q for q in checklist_answers.questions_of(mission)}
    raw, dropped = {}, []
    for code, text in values.items():
        question = questions.get(code)
        if question is None:
            if older:
                dropped.append(code)
                continue
            raw[code] = text  # refused by clean_raw, with its message
            continue
        if question.type == QuestionType.CHOICES:
            raw[code] = text.split()
        elif question.type == QuestionType.TIME and text:
            match = _TIME.match(text)
            raw[code] = match.group(1) if match else text
        else:
            raw[code] = text
    # A phase's own form fixes its phase (a calculate); the form of every phase asks it.
    phase = checklist.phase or visit[forms.PHASE]
    if checklist.phase and visit[forms.PHASE] not in ("", checklist.phase):
        raise Refusal(
            _("This form is for the %(phase)s phase only.") % {"phase": checklist.phase_name}
        )
    checked = checklist_answers.clean_raw(mission, phase, raw)
    if older:
        # Questions added since: the older form never asked them.
        checked.errors = {
            code: errors
            for code, errors in checked.errors.items()
            if not (code not in instance.values and all(e.code == "required" for e in errors))
        }
    notes = visit[forms.NOTES]
    if older:
        remark = _(
            "Sent from ODK Collect with version %(old)s of the checklist; it is now at version "
            "%(new)s."
        ) % {"old": version, "new": checklist.version}
        if dropped:
            remark += " " + _("Answers to questions no longer asked were not kept: %(codes)s.") % {
                "codes": ", ".join(sorted(dropped))
            }
        notes = f"{notes}\n\n{remark}".strip()
    form = ApiReportForm(
        data={
            "round": visit[forms.ROUND],
            "station": visit[forms.STATION],
            "observer": team,
            "phase": phase,
            "assessment": visit[forms.ASSESSMENT],
            "notes": notes,
            "submission_id": str(submission_id),
        },
        mission=mission,
    )
    errors = {}
    if not form.is_valid():
        errors.update(form.errors.as_data())
    errors.update(checked.errors)
    if errors:
        raise Refusal(_describe(errors, questions))
    logged = _logged(mission, form.instance, instance.irregularities, attachments or {})
    # The rollback takes back the rows photo_attach wrote, not its files: these go by hand.
    photos, stored = [], False
    try:
        with transaction.atomic():
            saved = services.report_save(
                report=form.instance,
                by=user,
                irregularities=[irregularity for irregularity, _upload in logged],
                answers=checked.answers,
            )
            Submission.objects.create(report=saved.report, body=body, token=token)
            for number, (irregularity, upload) in enumerate(logged, start=1):
                if upload is not None:
                    photos.append(_attach(irregularity, upload, number=number, by=user))
        stored = True
    except IntegrityError:
        replay = _replay(mission, submission_id, body)
        if replay is None:
            raise
        return replay
    except MissionLockedError as error:
        raise Refusal(error.messages[0], status=403) from None
    finally:
        if not stored:
            for photo in photos:
                photo.image.storage.delete(photo.image.name)
    return Outcome(report=saved.report, created=True, older_version=older)


def _logged(mission, report, items: list, attachments: dict) -> list:
    """[(Irregularity, its photo's UploadedFile or None)] for the irregularities an
    instance logs, placed where the report is and checked as the web form checks those
    logged with a report; every problem refused at once."""
    logged, problems = [], []
    for number, item in enumerate(items, start=1):
        where = _("Irregularity %(number)s") % {"number": number}
        irregularity_form = ApiIrregularityForm(
            data={
                "category": item.get(forms.CATEGORY, ""),
                "severity": item.get(forms.SEVERITY, ""),
                # The form asks for what the observer saw at the station.
                "evidence": Irregularity.Evidence.OBSERVED,
                "description": item.get(forms.DESCRIPTION, ""),
            }
        )
        irregularity_form.fields["category"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not one of the form's irregularity categories. "
            "Get the blank forms again."
        )
        irregularity_form.instance.mission = mission
        report.place(irregularity_form.instance)
        for name, errors in irregularity_form.errors.as_data().items():
            label = irregularity_form.fields[name].label if name in irregularity_form.fields else ""
            for message in ValidationError(errors).messages:
                problems.append(f"{where}, {label}: {message}" if label else f"{where}: {message}")
        filename = item.get(forms.PHOTO, "")
        upload = attachments.get(filename) if filename else None
        if filename and upload is None:
            problems.append(
                _(
                    "%(irregularity)s: its photo “%(name)s” did not arrive with the form. "
                    "Send the form again."
                )
                % {"irregularity": where, "name": filename}
            )
        logged.append((irregularity_form.instance, upload))
    if problems:
        raise Refusal(" ".join(problems))
    return logged


def _attach(irregularity, upload, *, number: int, by):
    """The photo stored by photo_attach, or a Refusal saying why it was not."""
    try:
        return services.photo_attach(irregularity, upload, by=by)
    except MissionLockedError:
        raise
    except ValidationError as error:
        raise Refusal(
            _("Irregularity %(number)s, photo “%(name)s”: %(reason)s")
            % {"number": number, "name": upload.name, "reason": error.messages[0]}
        ) from None


def _describe(errors: dict, questions: dict) -> str:
    parts = []
    for name, items in errors.items():
        question = questions.get(name)
        where = question.label if question else name
        for message in ValidationError(items).messages:
            parts.append(f"{where}: {message}")
    return " ".join(parts)


def _replay(mission, submission_id, body) -> Outcome | None:
    stored = (
        ObserverReport.objects.filter(submission_id=submission_id)
        .select_related("api_submission")
        .first()
    )
    if stored is None:
        return None
    submission = getattr(stored, "api_submission", None)
    if submission is None or stored.mission_id != mission.pk or submission.body != body:
        raise Refusal(
            _(
                "A different report was already received with this form's instanceID. "
                "The form was not stored again: start a new form."
            ),
            status=409,
        )
    return Outcome(report=stored, created=False)
