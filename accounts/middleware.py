from django.shortcuts import redirect

from accounts import language, sign_in

# Open to a session pending its second step besides that step's own page: a user
# may give up and sign out, or switch language to read the step.
ALWAYS_OPEN = {"logout", "set_language", "accounts:set_language"}


class SecondFactorMiddleware:
    """Keep a session that has passed the password but not its second step on that
    step's page: every other page redirects there (see accounts.sign_in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = sign_in.pending_step(request)
        if step is None:
            return None
        view_name = request.resolver_match.view_name
        if view_name == step.view_name or view_name in ALWAYS_OPEN:
            return None
        return redirect(step.view_name)


class PreferredLanguageMiddleware:
    """Serve a signed-in user the language they chose on their account (see
    accounts.language); LocaleMiddleware has already chosen the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language.activate(request)
        return self.get_response(request)
