from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import devices


def _code_field(**widget_attrs):
    return forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", **widget_attrs}),
    )


def _normalised(code: str) -> str:
    # Apps show "123 456"; recovery codes are printed in lower case.
    return "".join(code.split()).lower()


class CodeForm(forms.Form):
    """A code from the user's authenticator app, or one of their recovery codes."""

    code = _code_field()

    error_messages = {
        "wrong_code": _("That code is not right, or has been used already."),
        "throttled": _(
            "Each wrong code makes the next try wait a little longer: wait, then try again."
        ),
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self):
        code = _normalised(self.cleaned_data["code"])
        # Six digits come from the app; anything else can only be a recovery code.
        # Trying one device only keeps a mistyped app code from slowing down the
        # recovery codes (each device waits longer after each wrong code).
        if code.isdigit() and len(code) == 6:
            device = devices.authenticator(self.user)
        else:
            device = StaticDevice.objects.devices_for_user(self.user, confirmed=True).first()
        if device is None:
            raise ValidationError(self.error_messages["wrong_code"], code="wrong_code")
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        # django-otp verifies with the device row locked, so two requests cannot both
        # use one recovery code or one app code.
        if verify_token(self.user, device.persistent_id, code) is None:
            raise ValidationError(self.error_messages["wrong_code"], code="wrong_code")
        return code


class EnrolForm(forms.Form):
    """The first code from an authenticator app just set up: proof it holds the key."""

    code = _code_field(inputmode="numeric", autofocus=True)

    error_messages = {
        "wrong_code": _(
            "That code is not right. Check the app shows Observa for this account, "
            "and that the clock of the phone is right."
        ),
    }

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = _normalised(self.cleaned_data["code"])
        if not self.device.verify_token(code):
            raise ValidationError(self.error_messages["wrong_code"], code="wrong_code")
        return code
