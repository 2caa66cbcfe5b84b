from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = _("Election observation")

    def ready(self):
        from observation import checks  # noqa: F401  (registers the deploy checks)
        from observation.stamps import install_after_migrate, remove_before_migrate

        # The questions stamp's triggers: made again after every migrate (and taken off
        # SQLite's tables before it, which a migration may rebuild).
        pre_migrate.connect(remove_before_migrate, sender=self)
        post_migrate.connect(install_after_migrate, sender=self)
