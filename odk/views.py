"""The OpenRosa server of each mission, at /odk/<mission>/ (the URL ODK Collect is
given): the Form List API, form and media download, the manifest, and the Form
Submission API; and the page that tells a mission's leaders how to set phones up.

Every OpenRosa answer carries `X-OpenRosa-Version: 1.0`; an error is an
OpenRosaResponse message with a proper status, and stores nothing.
"""

import base64
import json
import zlib
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from api.models import ApiToken
from observation.access import mission_for, role_allows
from observation.models import Mission, MissionMembership
from odk import auth, forms, intake

Role = MissionMembership.Role
OPENROSA = {"X-OpenRosa-Version": "1.0"}
XML = "text/xml; charset=utf-8"
# Collect compresses photos itself; a submission with a few stays well under this.
MAX_SUBMISSION_BYTES = getattr(settings, "ODK_MAX_SUBMISSION_BYTES", 10 * 1024 * 1024)
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _openrosa(body: str, status=200, **headers) -> HttpResponse:
    response = HttpResponse(body, content_type=XML, status=status)
    for name, value in {**OPENROSA, **headers}.items():
        response[name] = value
    return response


def message(text: str, *, status: int, nature: str = "") -> HttpResponse:
    nature_attr = f' nature="{nature}"' if nature else ""
    return _openrosa(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{nature_attr}>{escape(str(text))}</message></OpenRosaResponse>",
        status=status,
    )


def _challenge(text) -> HttpResponse:
    response = message(text, status=401)
    response["WWW-Authenticate"] = f'Basic realm="{auth.REALM}", charset="UTF-8"'
    return response


def openrosa(view):
    """Authenticate as Collect does, find the mission the user is on, and answer
    refusals as OpenRosa messages."""

    @login_not_required
    @csrf_exempt
    def wrapped(request, pk, *args, **kwargs):
        try:
            found = auth.authenticate(request)
        except auth.Refused as refused:
            if refused.locked:
                # The status of the sign-in page's lockout (django-axes).
                return message(
                    _("Too many wrong passwords: this account is locked. Ask a mission leader."),
                    status=429,
                )
            return _challenge(
                _("Wrong user name or API token. Check both in Collect's server settings.")
            )
        if found is None:
            return _challenge(_("Sign in with your user name and a personal API token."))
        user, token = found
        membership = (
            MissionMembership.objects.filter(mission_id=pk, user=user)
            .select_related("mission")
            .first()
        )
        if membership is None and not user.is_superuser:
            return message(_("You are not on this mission."), status=404)
        mission = membership.mission if membership else Mission.objects.filter(pk=pk).first()
        if mission is None:
            return message(_("You are not on this mission."), status=404)
        role = Role.LEADER if user.is_superuser else membership.role
        if not role_allows(role, "field_read", locked=False):
            return message(_("Your role on this mission does not allow this."), status=403)
        request.odk = {"mission": mission, "role": role, "token": token, "membership": membership}
        return view(request, mission, *args, **kwargs)

    return wrapped


def _base(request, mission) -> str:
    return request.build_absolute_uri(reverse("odk:server", args=[mission.pk]))


@require_http_methods(["GET", "HEAD"])
@openrosa
def form_list(request, mission):
    base = _base(request, mission)
    items = []
    wanted = request.GET.get("formID")
    for checklist in mission.checklists.select_related("mission").order_by("phase"):
        form = forms.xform(checklist)
        if wanted and wanted != form.form_id:
            continue
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.name)}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>{form.hash}</hash>"
            f"<downloadUrl>{escape(base + 'forms/' + form.form_id + '.xml')}</downloadUrl>"
            f"<manifestUrl>{escape(base + 'forms/' + form.form_id + '/manifest')}</manifestUrl>"
            "</xform>"
        )
    return _openrosa(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    )


def _form(mission, form_id):
    checklist = forms.checklist_for(mission, form_id)
    if checklist is None:
        raise Http404
    return forms.xform(checklist)


@require_http_methods(["GET", "HEAD"])
@openrosa
def form_download(request, mission, form_id):
    try:
        form = _form(mission, form_id)
    except Http404:
        return message(_("This mission has no such form."), status=404)
    return _openrosa(form.xml)


@require_http_methods(["GET", "HEAD"])
@openrosa
def manifest(request, mission, form_id):
    try:
        form = _form(mission, form_id)
    except Http404:
        return message(_("This mission has no such form."), status=404)
    data = forms.stations_csv(mission)
    url = _base(request, mission) + f"forms/{form.form_id}/{forms.STATIONS_FILE}"
    return _openrosa(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
        f"<mediaFile><filename>{forms.STATIONS_FILE}</filename>"
        f"<hash>{forms.media_hash(data)}</hash>"
        f"<downloadUrl>{escape(url)}</downloadUrl></mediaFile>"
        "</manifest>"
    )


@require_http_methods(["GET", "HEAD"])
@openrosa
def media(request, mission, form_id, filename):
    try:
        _form(mission, form_id)
    except Http404:
        return message(_("This mission has no such form."), status=404)
    if filename != forms.STATIONS_FILE:
        return message(_("This form has no such file."), status=404)
    response = HttpResponse(forms.stations_csv(mission), content_type="text/csv; charset=utf-8")
    response["X-OpenRosa-Version"] = "1.0"
    return response


class _Counting:
    """Counts what the request body gives, to tell a body cut off mid-way."""

    def __init__(self, stream):
        self.stream, self.count = stream, 0

    def read(self, *args):
        data = self.stream.read(*args)
        self.count += len(data)
        return data

    def readline(self, *args):
        data = self.stream.readline(*args)
        self.count += len(data)
        return data

    def __iter__(self):
        return iter(self.readline, b"")


@require_http_methods(["HEAD", "POST"])
@openrosa
def submission(request, mission):
    limit = {"X-OpenRosa-Accept-Content-Length": str(MAX_SUBMISSION_BYTES)}
    if request.method == "HEAD":
        return _openrosa("", status=204, **limit)
    if not role_allows(request.odk["role"], "report_submit", locked=mission.is_locked):
        refusal = message(
            _("This mission is locked: it takes no more reports.")
            if mission.is_locked
            else _("Your role on this mission does not allow submitting reports."),
            status=403,
        )
        return refusal
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_SUBMISSION_BYTES:
        return message(
            _("This submission is larger than the %(limit)s MB the server accepts.")
            % {"limit": MAX_SUBMISSION_BYTES // (1024 * 1024)},
            status=413,
        )
    counting = _Counting(request._stream)
    request._stream = counting
    try:
        files = request.FILES
    except Exception:  # A body the multipart parser cannot read: cut off or garbled.
        return message(_("The submission arrived incomplete. Send it again."), status=400)
    if counting.count != length:
        return message(_("The submission arrived incomplete. Send it again."), status=400)
    xml = files.get("xml_submission_file")
    if xml is None:
        return message(_("The submission has no xml_submission_file."), status=400)
    attachments = {}
    for name, upload in files.items():
        if name == "xml_submission_file":
            continue
        attachments[upload.name] = upload
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(IMAGE_SIGNATURES):
            return message(
                _("The attachment “%(name)s” is not a JPEG or PNG image.") % {"name": upload.name},
                status=400,
            )
    membership = request.odk["membership"]
    team = membership.team_id if membership and membership.role == Role.OBSERVER else None
    try:
        outcome = intake.receive(
            mission=mission,
            user=request.user,
            token=request.odk["token"],
            team=team,
            data=xml.read(),
            attachments=attachments,
        )
    except intake.Refusal as refusal:
        return message(refusal.message, status=refusal.status)
    if outcome.created:
        text = _("Report received: thank you.")
    else:
        text = _("This form was received already: it is stored once.")
    if outcome.older_version:
        text += " " + _("It was filled in an older version of the checklist: get the new one.")
    response = message(text, status=201, nature="submit_success")
    response["Location"] = _base(request, mission) + "submission"
    return response


@login_not_required
def server_root(request, pk):
    # Collect is given this URL; it asks /formList and /submission below it.
    raise Http404


def settings_payload(server_url: str, mission) -> str:
    """ODK Collect's configuration QR code: its settings as JSON, zlib, then base64."""
    settings_json = {
        "general": {
            "server_url": server_url,
            "form_update_mode": "match_exactly",
            "periodic_form_updates_check": "every_one_hour",
            "autosend": "wifi_and_cellular",
            "delete_send": False,
        },
        "admin": {"change_server": False},
        "project": {"name": mission.name[:60], "icon": "O", "color": "#1f4e79"},
    }
    return base64.b64encode(zlib.compress(json.dumps(settings_json).encode())).decode()


def setup(request, pk):
    """For leaders: the server URL, the QR code that sets Collect up, and each observer's
    user name and whether they hold a token."""
    access = mission_for(request, pk, action="odk_setup")
    mission = access.mission
    server_url = _base(request, mission)
    payload = settings_payload(server_url, mission)
    qr = segno.make(payload, micro=False, error="m")
    observers = (
        mission.memberships.filter(role=Role.OBSERVER)
        .select_related("user", "team__person")
        .prefetch_related(
            Prefetch("user__api_tokens", ApiToken.objects.active(), to_attr="active_tokens")
        )
        .order_by("user__username")
    )
    rows = [
        {"membership": membership, "active_tokens": len(membership.user.active_tokens)}
        for membership in observers
    ]
    return render(
        request,
        "odk/setup.html",
        {
            "access": access,
            "mission": mission,
            "server_url": server_url,
            "qr_svg": qr.svg_inline(scale=4, title=_("ODK Collect settings")),
            "payload": payload,
            "observers": rows,
            "forms": [forms.xform(checklist) for checklist in mission.checklists.order_by("phase")],
            "max_mb": MAX_SUBMISSION_BYTES // (1024 * 1024),
        },
    )
