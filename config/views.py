from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason=""):
    """A form refused for its CSRF token (the user signed out or in since the page was
    served, often in another tab): say that the typed work is kept in the browser
    (static/js/draft.js) and lead back to the form, which offers it again."""
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)
