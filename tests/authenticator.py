"""What a user's authenticator app shows, for tests that sign in with a second factor."""

from django_otp.oath import TOTP, totp


def code(device) -> str:
    """The code the app shows now for `device` (a TOTPDevice), as the user types it.

    django-otp takes each time step's code once: a second sign-in within the same
    30 seconds types the next step's code, which it accepts as clock drift.
    """
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    ahead = max(0, device.last_t + 1 - now)
    assert ahead <= device.tolerance, "more sign-ins than one a time step allows"
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{token:0{device.digits}d}"
