"""Signing in in two steps: the password, then a code (or setting up the app).

The password step signs the session in and marks it as pending its second step;
while the mark is set, SecondFactorMiddleware lets the session open that step's
page and nothing else. Only sessions made by the sign-in page carry the mark:
one made any other way (the test client's force_login, say) has none, and is
treated as fully signed in.
"""

from enum import StrEnum

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_lockout_response
from axes.utils import reset as axes_reset
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from accounts import devices

PENDING = "accounts.pending_second_factor"


class Step(StrEnum):
    VERIFY = "verify"  # type a code from the app, or a recovery code
    ENROL = "enrol"  # set up the app first: two-factor sign-in is required

    @property
    def view_name(self) -> str:
        return f"accounts:{self.value}"


def step_for(user) -> Step | None:
    """What `user` must still do after the right password, if anything."""
    if devices.authenticator(user) is not None:
        return Step.VERIFY
    if devices.is_required(user):
        return Step.ENROL
    return None


def begin(request, step: Step, *, next_url: str) -> str:
    """Mark the signed-in session as pending `step`; return that step's URL."""
    request.session[PENDING] = {"step": step.value, "next": next_url}
    return reverse(step.view_name)


def pending_step(request) -> Step | None:
    pending = request.session.get(PENDING)
    return Step(pending["step"]) if pending else None


def complete(request) -> str:
    """Sign the pending session in fully; return where the user was going."""
    pending = request.session.pop(PENDING)
    # A new session id once the session is worth more than a password.
    request.session.cycle_key()
    forget_failures(request)
    return pending["next"]


def forget_failures(request) -> None:
    """Reset this user name's failed sign-ins from this address, once signed in fully.

    Not at the right password (AXES_RESET_ON_SUCCESS is off): wrong codes after it
    keep counting towards the lockout.
    """
    axes_reset(ip=get_client_ip_address(request), username=request.user.get_username())


def _credentials(request) -> dict:
    return {"username": request.user.get_username()}


def is_locked_out(request) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(request))


def code_refused(request) -> None:
    """Count a wrong code as a failed sign-in of this user name from this address."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)


def locked_out(request):
    """End the half-signed-in session and answer as axes does to a locked sign-in."""
    credentials = _credentials(request)
    logout(request)
    return get_lockout_response(request, credentials=credentials)
