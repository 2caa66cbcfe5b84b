from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from dialogues import demo as dialogue_demo
from observation import demo as observation_demo


# Here rather than in observation: it loads both apps, and only dialogues may import the other.
class Command(BaseCommand):
    help = (
        "Load the demo: The Carter Center's work in Peru (missions of 2000, 2001 and 2016, "
        "dialogue forums), illustrative station data for 9 April 2000, and demo users. "
        "Running it again changes nothing. Refused when DEBUG is off, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (the demo users have a published password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("The demo is for local development; DEBUG is off (use --force to load anyway).")
            )
        with transaction.atomic():
            users = observation_demo.load_demo()
            dialogue_demo.load_facts()
            dialogue_demo.load_editor(users.leader)
        names = ", ".join(
            user.username for user in (users.admin, users.staff, users.reviewer, users.leader)
        )
        self.stdout.write(
            _(
                "Demo loaded. Users %(names)s (superuser %(superuser)r), password "
                "%(password)r. For local use only."
            )
            % {
                "names": names,
                "superuser": observation_demo.SUPERUSER,
                "password": observation_demo.PASSWORD,
            }
        )
