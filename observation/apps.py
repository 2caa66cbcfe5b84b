from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = _("Election observation")

    def ready(self):
        from observation import checks  # noqa: F401  (registers the deploy checks)
        from observation.stamps import reinstall_after_migrate

        # SQLite drops a table's triggers when a migration rebuilds it: they are made again.
        post_migrate.connect(reinstall_after_migrate, sender=self)
