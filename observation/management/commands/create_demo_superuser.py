from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "observa-demo"


class Command(BaseCommand):
    help = "Create the local-demo superuser when there is no superuser yet (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo superuser is for local development; DEBUG is off.")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser exists already; nothing to do.")
            return
        User.objects.create_superuser(DEMO_USERNAME, email="", password=DEMO_PASSWORD)
        self.stdout.write(
            f"Local demo superuser created: user name {DEMO_USERNAME!r}, "
            f"password {DEMO_PASSWORD!r}. For local use only."
        )
