"""A user's second factor: one authenticator app (TOTP) and a set of recovery codes.

django-otp keeps the devices; this module says who must have one and how a user
gets, replaces and drops them.
"""

from base64 import b32encode

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from observation.models import MissionMembership

RECOVERY_CODE_COUNT = 10


def is_required(user) -> bool:
    """Superusers and mission leaders may not sign in on a password alone."""
    return (
        user.is_superuser
        or user.mission_memberships.filter(role=MissionMembership.Role.LEADER).exists()
    )


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: its key is made on the first visit and kept
    until it is confirmed, so that reloading the page does not change the QR code."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": _("Authenticator app")}
    )
    return device


def manual_key(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def confirm(device: TOTPDevice) -> list[str]:
    """Turn two-factor sign-in on with `device`; return the first recovery codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return replace_recovery_codes(device.user)


@transaction.atomic
def replace_recovery_codes(user) -> list[str]:
    """New recovery codes for `user`; the old ones stop working.

    Only the caller sees them: they are shown once and not kept anywhere else.
    """
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": _("Recovery codes")}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _number in range(RECOVERY_CODE_COUNT)]
    device.token_set.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def turn_off(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
