"""The API's web pages: a user's personal API tokens, and the API's documentation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import TokenCreateForm
from api.models import ApiToken


def token_list(request):
    """The user's tokens, and a form for a new one whose key is shown on this answer only."""
    form = TokenCreateForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        _token, key = ApiToken.issue(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
        form = TokenCreateForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {"form": form, "tokens": tokens, "key": key})
    if key:
        # The key is in this page alone: no cache keeps it.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:token_list")


@login_not_required
def docs(request):
    """Swagger UI from our own static files, started by our own script (the CSP allows
    no inline script)."""
    return render(request, "api/docs.html")
