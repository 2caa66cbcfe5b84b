from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from observation import alerts


class Command(BaseCommand):
    help = (
        "Raise an alert for each observer team silent past its phase's deadline, and e-mail "
        "it where the mission asks. Run it every minute on election day (cron or a scheduled "
        "task): the alerts page and the progress page raise them too while they are open."
    )

    def handle(self, *args, **options):
        raised = alerts.raise_silent()
        self.stdout.write(
            ngettext(
                "Raised %(count)d alert of a silent team.",
                "Raised %(count)d alerts of silent teams.",
                len(raised),
            )
            % {"count": len(raised)}
        )
