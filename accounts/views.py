import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from accounts import devices, language, sign_in
from accounts.forms import CodeForm, EnrolForm


class SignInView(auth_views.LoginView):
    """The password step (axes checks it), then the second step if the user has one."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language.restore(self.request)
        step = sign_in.step_for(self.request.user)
        if step is None:
            sign_in.forget_failures(self.request)
            return response
        return redirect(sign_in.begin(self.request, step, next_url=self.get_success_url()))


@login_not_required
@require_POST
def set_language(request):
    """Django's set_language, which sets the browser's cookie; a signed-in user's
    choice is also kept on their account, for their other browsers."""
    response = i18n.set_language(request)
    chosen = request.POST.get("language")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        language.remember(request, chosen)
    return response


@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step of sign-in."""
    if sign_in.pending_step(request) != sign_in.Step.VERIFY:
        return redirect("home")
    if request.method == "POST" and sign_in.is_locked_out(request):
        return sign_in.locked_out(request)
    form = CodeForm(request.POST or None, user=request.user)
    if form.is_valid():
        return redirect(sign_in.complete(request))
    if form.is_bound:
        sign_in.code_refused(request)
        if sign_in.is_locked_out(request):
            return sign_in.locked_out(request)
    return render(request, "accounts/verify.html", {"form": form})


def two_factor(request):
    """The user's two-factor sign-in: its state, and what they may do with it."""
    return _two_factor_page(request, CodeForm(user=request.user))


def _two_factor_page(request, turn_off_form):
    user = request.user
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": devices.authenticator(user),
            "required": devices.is_required(user),
            "codes_left": devices.recovery_codes_left(user),
            "turn_off_form": turn_off_form,
        },
    )


@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: scan or type its key, then confirm with a code."""
    if devices.authenticator(request.user) is not None:
        return redirect("accounts:two_factor")
    device = devices.enrolment_device(request.user)
    form = EnrolForm(request.POST or None, device=device)
    if form.is_valid():
        codes = devices.confirm(device)
        if sign_in.pending_step(request) == sign_in.Step.ENROL:
            continue_url = sign_in.complete(request)
        else:
            continue_url = reverse("accounts:two_factor")
        return _show_recovery_codes(request, codes, continue_url)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_code": _qr_code_svg(device.config_url),
            "manual_key": devices.manual_key(device),
            "pending": sign_in.pending_step(request) is not None,
        },
    )


def _qr_code_svg(url):
    # Inline SVG with presentation attributes only: the CSP admits no inline style.
    # Safe to mark so: segno draws the path from the code's modules and escapes the title.
    svg = segno.make(url, error="m").svg_inline(
        scale=5, light="#fff", title=_("QR code for your authenticator app")
    )
    return mark_safe(svg)


@require_POST
def recovery_codes(request):
    """New recovery codes in place of the old ones."""
    if devices.authenticator(request.user) is None:
        return redirect("accounts:two_factor")
    codes = devices.replace_recovery_codes(request.user)
    return _show_recovery_codes(request, codes, reverse("accounts:two_factor"))


def _show_recovery_codes(request, codes, continue_url):
    # Rendered in answer to the POST that made them, never redirected to: the codes
    # are shown this once and are kept nowhere else in the clear, not in the session.
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_url": continue_url},
    )


@require_POST
def turn_off(request):
    """Turn two-factor sign-in off, with a current code as proof of the device."""
    if devices.is_required(request.user):
        raise PermissionDenied(_("Two-factor sign-in is required for your account."))
    form = CodeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _two_factor_page(request, form)
    devices.turn_off(request.user)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:two_factor")


@method_decorator(login_not_required, name="dispatch")
class InvitationView(auth_views.PasswordResetConfirmView):
    """An invited user's one-time link: Django's password-reset confirmation, which also
    activates the account (it was created inactive). The token changes with the password,
    so the link works once, and expires after PASSWORD_RESET_TIMEOUT."""

    template_name = "registration/invitation.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        form.user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set: sign in to continue."))
        return response
