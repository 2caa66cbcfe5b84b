from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = _("Election observation")

    def ready(self):
        from observation import checks  # noqa: F401  (registers the deploy checks)
